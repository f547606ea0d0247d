"""The case validator: every kind of mistake is reported with file:line:column, field path and a Swedish message."""

from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator.case_validation import CaseError, LEAK_SHINGLE_WORDS, load_case_file, load_case_text, validate_paths
from simulator.library import SCENARIOS_DIR

BASE_FILE = SCENARIOS_DIR / "sjukskriven_utmattning.yaml"
BASE = BASE_FILE.read_text(encoding="utf-8")


def position(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of needle in text."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    line = text.count("\n", 0, start) + 1
    return line, start - (text.rfind("\n", 0, start) + 1) + 1


def broken(old: str | tuple[str, ...], new: str | tuple[str, ...]) -> str:
    text = BASE
    for o, n in zip(*((old, new) if isinstance(old, tuple) else ((old,), (new,))), strict=True):
        assert text.count(o) == 1, o
        text = text.replace(o, n)
    return text


def replaced(text: str, replacements: list[tuple[str, str]]) -> str:
    """text with each old part, which must occur exactly once, replaced by the new one."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def only_error(text: str) -> CaseError:
    case, errors = load_case_text(text, "fall.yaml")
    assert case is None
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_the_base_file_is_valid():
    case, errors = load_case_text(BASE, "fall.yaml")
    assert errors == [] and case is not None


# (description, old text, new text, needle whose start is the expected position, field path, message pattern)
BREAKS = [
    ("unknown organisation in a role", "\n  - organisation: arbetsmarknadsenhet\n", "\n  - organisation: arbetsmarknadsenheten\n",
     "arbetsmarknadsenheten\n", "roles[3].organisation", r"okänd organisation 'arbetsmarknadsenheten' \(menar du 'arbetsmarknadsenhet'\?\)"),
    ("unknown effort", "expected_efforts: [arbetsmarknadsinsats, arbetstraning]", "expected_efforts: [arbetsmarknadsinsats, arbetstraningen]",
     "arbetstraningen", "needs[2].expected_efforts[1]", r"okänd insats 'arbetstraningen'"),
    ("unknown need area", "    area: arbete\n", "    area: jobb\n", "jobb\n", "needs[2].area", r"okänt behovsområde 'jobb'"),
    ("effort that does not serve the area", "expected_efforts: [sjukpenning, rehabiliteringssamordning]",
     "expected_efforts: [sjukpenning, hemtjanst]", "hemtjanst]", "needs[1].expected_efforts[1]",
     r"insatsen 'hemtjanst' svarar inte på behovsområdet 'inkomst_vid_sjukdom'"),
    ("need no role in the case can respond to", ("    area: arbete\n", "[arbetsmarknadsinsats, arbetstraning]"), ("    area: tandvard\n", "[nodvandig_tandvard]"),
     "tandvard\n", "needs[2].area", r"ingen av fallets roller kan svara på behovet 'arbete'; lägg till en roll för någon av: tandvard"),
    ("duplicate need id", "  - id: arbete\n", "  - id: inkomst\n", "inkomst\n    area: arbete", "needs[2].id", r"behovet 'inkomst' finns redan i fallet"),
    ("duplicate role", "\n  - organisation: arbetsmarknadsenhet\n", "\n  - organisation: vardcentral\n",
     "vardcentral\n    title: jobbcoach", "roles[3].organisation", r"rollen 'vardcentral' finns redan"),
    ("duplicate event id", "  - id: kurator_slutar\n", "  - id: beslut_fk\n", "beslut_fk\n    title: Nyckelperson", "events[1].id", r"händelsen 'beslut_fk' finns redan"),
    ("event affects a role that is not in the case", "affects: [vardcentral]\n", "affects: [bup]\n", "bup]\n", "events[1].affects[0]",
     r"händelsen berör 'bup', som inte har något rollkort"),
    ("other actor given overall responsibility", "overall_responsibility: [region, kommun]", "overall_responsibility: [region, forsakringskassan]",
     "forsakringskassan]", "facit.overall_responsibility[1]", r"annan aktör och kan inte ha det övergripande ansvaret"),
    ("presumption that contradicts the catalogue", "presumed_sip: false", "presumed_sip: true  # förutsätts", "true  # förutsätts", "facit.presumed_sip",
     r"stämmer inte med behovens tillstånd"),
    ("current effort from an organisation that cannot give it", "{effort: sjukpenning, organisation: forsakringskassan}",
     "{effort: sjukpenning, organisation: vardcentral}", "vardcentral}", "person.current_efforts[0].organisation",
     r"'vardcentral' kan inte ge insatsen 'Sjukpenning'"),
    ("unknown signal", "signals: [flera_verksamheter]", "signals: [flera_verksamhet]", "flera_verksamhet]", "signals[0]",
     r"okänd signal 'flera_verksamhet' \(menar du 'flera_verksamheter'\?\)"),
    ("unknown target group", "target_groups: [sjukskrivna]", "target_groups: [sjukskriva]", "sjukskriva]", "target_groups[0]", r"okänd målgrupp"),
    ("unknown kommun", "  age: [34, 52]\n", "  age: [34, 52]\n  kommun: Stockholm\n", "Stockholm", "person.kommun", r"finns inte i simulator/data/places.yaml"),
    ("unknown placeholder", "title: rehabkoordinator", "title: rehab {roll}", "rehab {roll}", "roles[0].title", r"okänd platshållare '\{roll\}'"),
    ("unbalanced braces", "title: rehabkoordinator", "title: rehab }{", "rehab }{", "roles[0].title", r"klammerparenteserna \{ \} går inte jämnt ut"),
    ("format code in a placeholder", "title: rehabkoordinator", "title: rehab {namn!r}", "rehab {namn", "roles[0].title", r"får inte ha ! eller :"),
    ("case card names an expected effort", "Rehabkoordinatorn på vårdcentralen kallar", "Hon vill ha arbetsträning via kommunens arbetsmarknadsenhet. Rehabkoordinatorn kallar",
     ">-", "case_card.text", r"fallkortet avslöjar facit: det nämner den förväntade insatsen 'Arbetsträning via kommunens arbetsmarknadsenhet'"),
    ("role card names another organisation's expected effort", "priorities: Ett tydligt underlag om arbetsförmåga och en plan med datum.",
     "priorities: Att Arbetsförmedlingen ordnar arbetsmarknadsinsatser och matchning mot arbete.", "Att Arbetsförmedlingen",
     "roles[1].priorities", r"rollkortet avslöjar facit: det nämner den förväntade insatsen 'Arbetsmarknadsinsatser och matchning mot arbete'"),
    ("role card copies the facit text", "time_horizon: Medellång; platserna fylls på under våren.",
     "time_horizon: En stegvis väg till arbete via Arbetsförmedlingen och kommunens arbetsträning.", "En stegvis väg",
     "roles[3].time_horizon", r"kortet avslöjar facit: texten upprepar"),
    ("case card copies a need description", "Anställningen som undersköterska upphörde i våras.",
     "Behöver en gradvis väg tillbaka till arbete, gärna inom ett nytt yrke utan telefonarbete.", ">-",
     "case_card.text", r"kortet avslöjar facit: det upprepar behovet 'arbete' ordagrant"),
    ("missing required field", "title: Sjukskriven och bollad mellan myndigheterna\n", "", "id: sjukskriven_utmattning", "title", r"fältet saknas men krävs"),
    ("misspelt field", "  worries:\n    - Jag är rädd att sjukpenningen", "  wories:\n    - Jag är rädd att sjukpenningen", "wories", "person.wories", r"okänt fält"),
    ("wrong type", "difficulty: 1", "difficulty: svår", "svår", "difficulty", r"ogiltigt värde; tillåtna värden: 1, 2 eller 3"),
    ("bad age range", "  age: [34, 52]", "  age: [52, 34]", "[52, 34]", "person.age", r"åldern ska vara ett heltal 0–120 eller \[lägst, högst\]"),
    ("bad id", "id: sjukskriven_utmattning", "id: Sjukskriven-Utmattning", "Sjukskriven-Utmattning", "id", r"ogiltigt id"),
    ("empty list", "target_groups: [sjukskrivna]", "target_groups: []", "[]", "target_groups", r"får inte vara tom"),
    ("bad consent stance", "stance: samtycker_med_begransning", "stance: kanske", "kanske", "person.consent.stance", r"tillåtna värden: samtycker"),
    ("given name without gender", "  age: [34, 52]\n", "  age: [34, 52]\n  given_name: Kim\n", "age: [34, 52]", "person",
     r"ett fast förnamn kräver ett fast kön"),
    ("duplicate key", "  age: [34, 52]\n", "  age: [34, 52]\n  age: 40\n", "age: 40", "age", r"nyckeln 'age' förekommer två gånger"),
    ("missing schema line", "# yaml-language-server: $schema=./case.schema.json\n", "", "id:", "", r"första raden ska vara"),
    ("yaml syntax error", "title: Sjukskriven och bollad mellan myndigheterna", "title: Sjukskriven: bollad", ": bollad", "",
     r"YAML-syntaxfel: kolon på fel ställe"),
    ("tab indentation", "  age: [34, 52]", "\tage: [34, 52]", "\tage", "", r"YAML-syntaxfel: tabbtecken"),
]


@pytest.mark.parametrize("name,old,new,needle,path,message", BREAKS, ids=[b[0] for b in BREAKS])
def test_each_break_is_reported_with_its_position(name, old, new, needle, path, message):
    text = broken(old, new)
    err = only_error(text)
    assert re.search(message, err.message), str(err)
    assert err.path == path, str(err)
    line, column = position(text, needle)
    if name == "yaml syntax error":
        column += 0  # PyYAML marks the colon itself
        line, column = position(text, ":", text[: text.index(": bollad")].count(":"))
    elif name == "tab indentation":
        line, column = position(text, "\tage")
    assert (err.line, err.column) == (line, column), str(err)
    assert str(err).startswith(f"fall.yaml:{line}:{column}:")


def test_several_errors_in_one_run_sorted_by_position():
    text = BASE.replace("difficulty: 1", "difficulty: 9").replace("  living: Bor med", "  livng: Bor med")
    text = text.replace("stance: samtycker_med_begransning", "stance: nej")
    case, errors = load_case_text(text, "fall.yaml")
    assert case is None and len(errors) >= 4  # livng unknown, living missing, difficulty, stance
    assert errors == sorted(errors)
    paths = {e.path for e in errors}
    assert {"difficulty", "person.livng", "person.living", "person.consent.stance"} <= paths


def test_a_child_needs_guardians_and_their_consent():
    text = BASE.replace("  age: [34, 52]", "  age: [12, 14]").replace("given_by: personen", "given_by: personen ")
    case, errors = load_case_text(text, "fall.yaml")
    messages = [e.message for e in errors]
    assert any("vårdnadshavare i nätverket" in m for m in messages)
    assert any("för ett barn lämnar vårdnadshavarna samtycket" in m for m in messages)


def test_discharge_needs_a_hospital_role():
    err = only_error(BASE.replace("signals: [flera_verksamheter]", "signals: [flera_verksamheter]\ndischarge: true"))
    assert err.path == "discharge" and "slutenvården" in err.message
    assert (err.line, err.column) == (position(BASE, "signals: [flera")[0] + 1, 12)


# --- the seat cards of a role-play group: the relative (närstående) and a child's guardian ------------------------------

CHILD_BASE = (SCENARIOS_DIR / "barn_skolfranvaro_npf.yaml").read_text(encoding="utf-8")
VIOLENCE_BASE = (SCENARIOS_DIR / "vald_nara_relation_barn.yaml").read_text(encoding="utf-8")
NO_RELATIVE_BASE = (SCENARIOS_DIR / "barn_autism_avlastning.yaml").read_text(encoding="utf-8")
ADULT_GUARDIAN = '''guardian:
  member: "Jonas Berglind"
  knows: Du är bror till {namn}.
  wishes: [Jag vill hjälpa till.]
events:'''

# (description, base text, replacements, needle whose start is the expected position, field path, message pattern)
SEAT_BREAKS = [
    ("relative who is not in the network", BASE, [('member: "Robin {efternamn}"', 'member: "Robban {efternamn}"')],
     '"Robban', "relative.member", r"'Robban \{efternamn\}' finns inte i person.network \(menar du 'Robin \{efternamn\}'\?\)"),
    ("guardian who is not a vårdnadshavare", CHILD_BASE,
     [('member: "Gunnel Ek"', 'member: "Mattias {efternamn}"'), ('member: "Sara {efternamn}"', 'member: "Gunnel Ek"')],
     '"Gunnel Ek"\n  knows: >-\n    Du är {namns} mamma', "guardian.member", r"'Gunnel Ek' är inte vårdnadshavare i person.network"),
    ("guardian on an adult case", BASE,
     [("role: narstaende, age: 41,", "role: vardnadshavare, age: 41,"), ("events:", ADULT_GUARDIAN)],
     'member: "Jonas', "guardian", r"bara ett barn \(person.age under 18\) har en vårdnadshavare"),
    ("the same person as relative and guardian", CHILD_BASE, [('member: "Gunnel Ek"', 'member: "Sara {efternamn}"')],
     '"Sara {efternamn}"\n  knows: >-\n    Du är {namns} mormor', "relative.member",
     r"närstående och vårdnadshavaren är samma person"),
    ("relative who is a child", VIOLENCE_BASE, [('member: "Fatima Saleh"', 'member: "Elin"')],
     '"Elin"\n', "relative.member", r"'Elin' är ett barn; välj en vuxen närstående"),
    ("event for the relative in a case without one", NO_RELATIVE_BASE, [("affects: [skola, habilitering, personen]", "affects: [skola, narstaende, personen]")],
     "narstaende, personen]", "events[0].affects[1]", r"händelsen berör närstående, men fallet har inget kort för närstående"),
    ("relative's card names an expected effort", BASE,
     [("Jag vill veta vad jag kan göra hemma som faktiskt hjälper.", "Jag vill att {namn} får arbetsträning via kommunens arbetsmarknadsenhet.")],
     "Jag vill att {namn} får arbetsträning", "relative.wishes[1]",
     r"kortet för närstående avslöjar facit: det nämner den förväntade insatsen 'Arbetsträning via kommunens arbetsmarknadsenhet'"),
]


@pytest.mark.parametrize("name,base,replacements,needle,path,message", SEAT_BREAKS, ids=[b[0] for b in SEAT_BREAKS])
def test_each_seat_card_mistake_is_reported_with_its_position(name, base, replacements, needle, path, message):
    text = replaced(base, replacements)
    assert load_case_text(base, "fall.yaml")[1] == []
    err = only_error(text)
    assert re.search(message, err.message), str(err)
    assert err.path == path, str(err)
    line, column = position(text, needle)
    assert str(err).startswith(f"fall.yaml:{line}:{column}: {path}: "), str(err)


# --- the exercise: phases, and what an event expects of the revised plan -------------------------------------------

KURATOR_EXPECTS = "      revise: [vardcentral]\n"

# (description, replacements in BASE, needle whose start is the expected position, its occurrence, path, message)
EXERCISE_BREAKS = [
    ("unknown phase on an event", [("    phase: sip_mote\n", "    phase: sipmote\n")], "sipmote\n", 0, "events[2].phase",
     r"okänd fas 'sipmote' \(menar du 'sip_mote'\?\); fallets faser: formote, sip_mote, uppfoljning"),
    ("duplicate phase id", [("  - id: sip_mote\n", "  - id: formote\n"), ("    phase: sip_mote\n", "    phase: formote\n")],
     "formote\n    title: SIP-möte", 0, "phases[1].id", r"fasen 'formote' finns redan i fallet"),
    ("unknown organisation in consent_excludes", [("consent_excludes: arbetsformedlingen", "consent_excludes: arbetsformedling")],
     "arbetsformedling\n", 0, "events[2].expects.consent_excludes", r"okänd organisation 'arbetsformedling' \(menar du 'arbetsformedlingen'\?\)"),
    ("unknown organisation in revise", [(KURATOR_EXPECTS, "      revise: [vardcentralen]\n")], "vardcentralen]", 0,
     "events[1].expects.revise[0]", r"okänd organisation 'vardcentralen' \(menar du 'vardcentral'\?\)"),
    ("revise names an organisation without a role card", [(KURATOR_EXPECTS, "      revise: [bup]\n")], "bup]", 0,
     "events[1].expects.revise[0]", r"'bup' har inget rollkort i fallet, så dess del av planen kan inte krävas"),
    ("revise names an organisation twice", [(KURATOR_EXPECTS, "      revise: [vardcentral, vardcentral]\n")], "vardcentral]\n", 1,
     "events[1].expects.revise[1]", r"'vardcentral' står två gånger"),
    ("unknown need area", [(KURATOR_EXPECTS, KURATOR_EXPECTS + "      need_area: psykisk_hälsa\n")], "psykisk_hälsa", 0,
     "events[1].expects.need_area", r"okänt behovsområde 'psykisk_hälsa' \(menar du 'psykisk_halsa'\?\)"),
    ("plan_closed together with revise", [(KURATOR_EXPECTS, KURATOR_EXPECTS + "      plan_closed: true\n")],
     "revise: [vardcentral]\n      plan_closed", 0, "events[1].expects",
     r"en plan som ska avslutas kan inte samtidigt kräva ändrade insatser eller ny uppföljning"),
    ("plan_closed together with a discharge", [(KURATOR_EXPECTS, "      plan_closed: true\n      discharge: true\n")],
     "plan_closed: true\n      discharge", 0, "events[1].expects", r"en plan som ska avslutas kan inte samtidigt kräva"),
    ("private event that affects no one", [("    affects: [vardcentral]\n    private: true\n", "    private: true\n")],
     "true\n    phase: uppfoljning\n    expects:\n" + KURATOR_EXPECTS, 0, "events[1].private",
     r"en privat händelse måste ange vilka roller som berörs \(affects\)"),
    ("misspelt expectation", [(KURATOR_EXPECTS, "      revice: [vardcentral]\n")], "revice", 0, "events[1].expects.revice", r"okänt fält"),
    ("phase without instructions", [("    title: SIP-möte\n    instructions: >-\n", "    title: SIP-möte\n    instruktioner: >-\n")],
     "instruktioner", 0, "phases[1].instruktioner", r"okänt fält"),
]


@pytest.mark.parametrize("name,replacements,needle,nth,path,message", EXERCISE_BREAKS, ids=[b[0] for b in EXERCISE_BREAKS])
def test_each_exercise_mistake_is_reported_with_its_position(name, replacements, needle, nth, path, message):
    text = replaced(BASE, replacements)
    case, errors = load_case_text(text, "fall.yaml")
    assert case is None
    err = next((e for e in errors if e.path == path), None)
    assert err is not None, [str(e) for e in errors]
    # a misspelt required field also reports the field it replaces as missing; everything else is the only error
    assert len(errors) == 1 or [e.path for e in errors if e is not err] == ["phases[1].instructions"], [str(e) for e in errors]
    assert re.search(message, err.message), str(err)
    line, column = position(text, needle, nth)
    assert str(err).startswith(f"fall.yaml:{line}:{column}: {path}: "), str(err)


def test_a_case_without_phases_uses_the_default_phases():
    from simulator.cases import default_phases

    start, end = BASE.index("\nphases:\n") + 1, BASE.index("\nevents:\n") + 1
    text = BASE[:start] + BASE[end:]
    case, errors = load_case_text(text, "fall.yaml")
    assert errors == [] and case.phases == () and case.exercise_phases == default_phases()
    err = only_error(text.replace("    phase: sip_mote\n", "    phase: avslut\n"))
    assert err.path == "events[2].phase" and err.message.endswith("fallets faser: formote, sip_mote, uppfoljning"), str(err)


def test_an_event_may_leave_its_phase_and_expectations_out():
    """The format allows it (a trainer's own event for discussion); the library itself always sets both."""
    text = BASE.replace("    phase: uppfoljning\n    expects:\n" + KURATOR_EXPECTS, "")
    case, errors = load_case_text(text, "fall.yaml")
    assert errors == [] and case.events[1].phase is None and not case.events[1].expects.any


# --- file-level problems never raise --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content,message,line",
    [
        (b"", "filen är tom", 1),
        (b"# bara en kommentar\n", "filen är tom", 1),
        (b"- en\n- lista\n", "ska innehålla en mappning", 1),
        (b"id: x\n---\nid: y\n", "bara innehålla ett dokument", 2),
        (b"id: \xff\xfe\n", "inte UTF-8", 1),
        (b"id: 'oavslutad\n", "YAML-syntaxfel", 2),
        (b"a: &x [1]\nb: *y\n", "okänt alias", 2),
        (b"? [1, 2]\n: x\n", "en nyckel kan inte vara en lista", 1),
    ],
)
def test_broken_files_give_one_clear_error(tmp_path, content, message, line):
    f = tmp_path / "fall.yaml"
    f.write_bytes(content)
    case, errors = load_case_file(f)
    assert case is None and len(errors) >= 1
    assert message in errors[0].message, str(errors[0])
    assert errors[0].line == line and str(errors[0]).startswith(f"{f}:{line}:")


def test_directory_and_missing_file(tmp_path):
    assert "är en mapp" in load_case_file(tmp_path)[1][0].message
    missing = load_case_file(tmp_path / "nej.yaml")[1][0]
    assert missing.message == "filen finns inte" and str(missing) == f"{tmp_path / 'nej.yaml'}: filen finns inte"
    cases, errors = validate_paths([tmp_path])
    assert "inga fallfiler" in errors[0].message


def test_duplicate_case_ids_across_files(tmp_path):
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(BASE, encoding="utf-8")
    cases, errors = validate_paths([tmp_path])
    assert list(cases) == ["sjukskriven_utmattning"]
    assert len(errors) == 1
    assert str(errors[0]) == f"{tmp_path / 'b.yaml'}:2:5: id: fall-id 'sjukskriven_utmattning' används redan i a.yaml"


def test_leak_rule_threshold_is_a_run_of_words():
    facit_words = "Planen ska samla vårdens behandling, Försäkringskassans".split()
    short = " ".join(facit_words[: LEAK_SHINGLE_WORDS - 1])
    ok_text = BASE.replace("time_horizon: Medellång; platserna fylls på under våren.", f"time_horizon: {short} tid.")
    assert load_case_text(ok_text, "fall.yaml")[1] == []
    long = " ".join(facit_words[:LEAK_SHINGLE_WORDS])
    bad_text = BASE.replace("time_horizon: Medellång; platserna fylls på under våren.", f"time_horizon: {long} tid.")
    assert "avslöjar facit" in only_error(bad_text).message


def test_a_role_may_name_its_own_efforts():
    text = BASE.replace("mandate: Du kan erbjuda arbetsträning i kommunens regi", "mandate: Du beslutar om arbetsträning via kommunens arbetsmarknadsenhet,")
    assert load_case_text(text, "fall.yaml")[1] == []


# --- property-based: random and mutated documents only ever give CaseErrors -----------------------------------------

BASE_DATA = yaml.safe_load(BASE)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 200), st.text(max_size=12), st.floats(allow_nan=True))
json_like = st.recursive(scalars, lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(st.text(max_size=8), kids, max_size=4)), max_leaves=12)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, (*prefix, i))


ALL_PATHS = [p for p in _paths(BASE_DATA) if p]


@st.composite
def mutated(draw):
    import copy

    data = copy.deepcopy(BASE_DATA)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent = data
        try:
            for part in path[:-1]:
                parent = parent[part]
            action = draw(st.sampled_from(["replace", "delete"]))
            if action == "delete" and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(json_like)
        except (KeyError, IndexError, TypeError):
            continue
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def text_mutations(draw):
    text = BASE
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(text)))
        j = min(len(text), i + draw(st.integers(0, 20)))
        text = text[:i] + draw(st.text(alphabet=st.sampled_from(list(":-[]{}'\"#&*!|>\n\t ,?%@`abc0")), max_size=6)) + text[j:]
    return text


@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.one_of(mutated(), text_mutations(), st.text(max_size=200), json_like.map(lambda d: yaml.safe_dump(d, allow_unicode=True))))
def test_random_documents_only_give_validation_errors(text):
    case, errors = load_case_text(text, "fall.yaml")
    assert (case is None) == bool(errors)
    for e in errors:
        assert isinstance(e, CaseError) and e.message and "\n" not in e.message and e.line >= 1 and e.column >= 1


BRACES = st.text(alphabet=st.sampled_from(list("{}!:namhoe0 ")), max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(["title: Sjukskriven och bollad", "    title: rehabkoordinator", "  occupation: Sjukskriven", "    - Jag vill arbeta halvtid"]), BRACES)
def test_a_case_that_validates_always_fills_and_renders(anchor, noise):
    from simulator.views import render, view_names

    assert BASE.count(anchor) == 1
    text = BASE.replace(anchor, anchor + " " + noise.replace("\n", " "))
    case, errors = load_case_text(text, "fall.yaml")
    if case is None:
        assert errors and all(isinstance(e, CaseError) for e in errors)
        return
    for view in view_names(case, events=True):
        assert render(case, view, "md", 1) and render(case, view, "html", 2)
