"""The case library: every shipped case validates, covers DOMAIN.md, gives reproducible variants and is found by id."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from simulator.case_schema import SCHEMA_PATH, schema_text
from simulator.case_validation import SCHEMA_LINE, validate_paths
from simulator.library import SCENARIOS_DIR, load_library
from simulator.lookup import UnknownScenario, get_scenario
from simulator.models import Scenario

CASE_FILES = sorted(SCENARIOS_DIR.glob("*.yaml"))


def test_every_shipped_case_validates():
    cases, errors = validate_paths([SCENARIOS_DIR])
    assert [str(e) for e in errors] == []
    assert len(cases) >= 12 and len(cases) == len(CASE_FILES)


@pytest.mark.parametrize("path", CASE_FILES, ids=lambda p: p.stem)
def test_case_file_names_its_schema_and_matches_it(path):
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    jsonschema.validate(yaml.safe_load(text), json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    assert yaml.safe_load(text)["id"] == path.stem  # one case per file, named after its id


def test_schema_file_is_up_to_date():
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "kör: python -m simulator.case_schema"


def test_library_covers_every_target_group_and_situation(catalogue):
    lib = load_library()
    groups = {g for c in lib.values() for g in c.target_groups}
    assert groups == set(catalogue.target_group_by_id)
    truths = {c.id: c.ground_truth(catalogue) for c in lib.values()}
    presumed = {g for t in truths.values() for g in t.presumption_groups}
    assert presumed == {g.id for g in catalogue.presumption_groups}
    children = [c for c in lib.values() if c.person.age_range[1] < 18]
    assert len(children) >= 3
    assert any("skola" in c.role_ids for c in children)
    assert any(e in {"placering_hvb", "sis_vard"} for c in children for n in c.needs for e in n.expected_efforts)
    discharge = [c for c in lib.values() if c.discharge]
    assert discharge and all(truths[c.id].discharge and "sjukhus" in c.role_ids for c in discharge)
    sick = truths["sjukskriven_utmattning"]
    assert {"forsakringskassan", "arbetsformedlingen"} <= set(sick.organisations)
    assert len({c.title for c in lib.values()}) == len(lib) and len({c.difficulty for c in lib.values()}) == 3


@pytest.mark.parametrize("case_id", sorted(load_library()))
def test_every_case_has_cards_events_goals_and_hidden_information(case_id):
    c = load_library()[case_id]
    assert c.case_card.text and c.learning_goals and c.events and c.person.wishes and c.person.goals
    assert c.person.hidden or any(r.hidden for r in c.roles)
    assert len(c.roles) >= 3 and c.case_card.inviter in c.role_ids
    truth = c.ground_truth()
    assert [n.need for n in truth.needs] == [n.id for n in c.needs]
    assert set(truth.acceptable_overall) <= {"kommun", "region"}


@pytest.mark.parametrize("case_id", sorted(load_library()))
def test_every_case_has_its_own_phases_and_every_event_a_phase_and_an_expectation(case_id):
    from simulator.cases import default_phases

    c = load_library()[case_id]
    assert 3 <= len(c.phases) <= 4, "förmöte, SIP-möte, uppföljning och kanske en fjärde fas"
    defaults = {p.instructions for p in default_phases()} | {q for p in default_phases() for q in p.questions}
    for p in c.phases:
        assert p.instructions not in defaults and len(p.questions) >= 2 and not set(p.questions) & defaults, p.id
    phase_ids = [p.id for p in c.phases]
    released = {e.id: phase_ids.index(e.phase) for e in c.events if e.phase in phase_ids}
    assert set(released) == {e.id for e in c.events}, "varje händelse ska ha en fas som finns i fallet"
    for e in c.events:
        assert e.expects.any, f"{e.id}: ingen förväntan på den reviderade planen"
        assert released[e.id] > 0, f"{e.id}: släpps innan det finns någon plan (i förmötet)"
    assert max(released.values()) == len(phase_ids) - 1, "den sista fasen är en uppföljning där planen ska ändras"


@pytest.mark.parametrize("case_id", sorted(load_library()))
def test_events_released_together_never_contradict_each_other(case_id):
    """A self-study participant gets every event of a phase at once: a plan that must close has its phase to itself."""
    c = load_library()[case_id]
    for p in c.phases:
        here = [e for e in c.events if e.phase == p.id]
        if any(e.expects.plan_closed for e in here):
            assert len(here) == 1, f"{p.id}: {[e.id for e in here]}"


def test_no_two_cases_share_phase_texts():
    lib = load_library()
    texts = [t for c in lib.values() for p in c.phases for t in (p.instructions, *p.questions)]
    assert len(texts) == len(set(texts))


@pytest.mark.parametrize("case_id", sorted(load_library()))
def test_phase_texts_do_not_give_away_the_facit(case_id, catalogue):
    """Every member of a group reads the phases, so they are held to the same leak rules as the case card."""
    from simulator.case_validation import leaks

    c = load_library()[case_id]
    for i, p in enumerate(c.phases):
        for text in (p.title, p.instructions, *p.questions):
            probe = c.model_copy(update={"case_card": c.case_card.model_copy(update={"text": text})})
            assert [m for path, m in leaks(probe, catalogue) if path == "case_card.text"] == [], f"phases[{i}]: {text}"


def test_the_expectations_use_every_kind_of_the_vocabulary():
    events = [e for c in load_library().values() for e in c.events]
    x = [e.expects for e in events]
    assert all(any(getattr(v, k) for v in x) for k in ("consent_excludes", "plan_closed", "revise", "follow_up_sooner", "discharge", "need_area"))
    assert any(e.private for e in events) and not all(e.private for e in events)
    discharge_cases = {c.id for c in load_library().values() if any(e.expects.discharge for e in c.events)}
    assert discharge_cases == {c.id for c in load_library().values() if c.discharge}


def test_variants_are_reproducible_and_distinct():
    case = load_library()["sjukskriven_utmattning"]
    assert case.variant(3) == case.variant(3)
    names = [case.variant(n).person.full_name for n in range(20)]
    assert len(set(names)) == 20
    ages = {case.variant(n).person.age for n in range(20)}
    assert ages <= set(range(34, 53)) and len(ages) > 1
    assert [s.person.full_name for s in case.variants(5)] == names[:5]


def test_fixed_fields_stay_fixed_in_every_variant():
    case = load_library()["vald_nara_relation_barn"]
    for n in range(10):
        p = case.variant(n).person
        assert p.gender.value == "kvinna"
    nyanland = load_library()["nyanland_ungdom_trauma"]
    assert {nyanland.variant(n).person.kommun for n in range(8)} == {"Sjöbyholm"}


def test_variant_fills_placeholders_and_masks_the_personnummer():
    s = load_library()["barn_skolfranvaro_npf"].variant(2)
    dumped = s.model_dump_json()
    assert "{namn}" not in dumped and "{efternamn}" not in dumped
    assert s.person.personal_id.endswith("-XXXX")
    assert s.person.network[0].name.endswith(s.person.family_name)
    assert s.person.consent.given_by == "vårdnadshavarna" and s.person.is_child


def test_genitive_placeholder():
    from simulator.cases import genitive

    assert [genitive(n) for n in ("Kim", "Lars", "Max", "Inez")] == ["Kims", "Lars", "Max", "Inez"]
    case = load_library()["barn_autism_avlastning"]
    s = case.variant(0)
    from simulator.views import render

    assert f"Är expert på {genitive(s.person.given_name)} signaler" in render(case, "participant", "md")


def test_same_variant_in_another_process_and_on_another_day():
    code = "from simulator.lookup import get_scenario; print(get_scenario('demens_hjartsvikt@4').model_dump_json())"
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in range(2)}
    assert len(outs) == 1
    today = get_scenario("demens_hjartsvikt@4")
    assert Scenario.model_validate_json(outs.pop()) == today
    from freezegun import freeze_time

    with freeze_time("2031-07-02"):
        assert load_library()["demens_hjartsvikt"].variant(4) == today


def test_get_scenario_resolves_case_ids_and_keeps_generated_ids():
    s = get_scenario("psykos_missbruk_boende@7")
    assert s.id == "psykos_missbruk_boende@7" and s.variant == 7 and s.archetype == "psykos_missbruk_boende"
    assert get_scenario("psykos_missbruk_boende") == get_scenario("psykos_missbruk_boende@0")
    assert get_scenario(s.id) == s
    assert get_scenario("ung_hvb-4-2").id == "ung_hvb-4-2"
    for bad in ("psykos_missbruk_boende@", "psykos_missbruk_boende@x", "psykos_missbruk_boende@-1", "nope@1", "@1", "psykos_missbruk_boende@١"):
        with pytest.raises(UnknownScenario, match="okänt scenario"):
            get_scenario(bad)


def test_ground_truth_is_the_simulators_kind(catalogue):
    s = get_scenario("aldre_utskrivning_hoftfraktur@1")
    t = s.ground_truth
    assert t.discharge and "utskrivning" in t.signals
    assert "utskrivningsplanering" in t.efforts_in_place
    for n in t.needs:
        for e in n.expected_efforts:
            assert n.area in catalogue.effort(e).areas


def test_regenerating_the_schema_writes_the_same_file(tmp_path, monkeypatch):
    import simulator.case_schema as cs

    target = tmp_path / "case.schema.json"
    monkeypatch.setattr(cs, "SCHEMA_PATH", target)
    cs.main()
    assert target.read_text(encoding="utf-8") == SCHEMA_PATH.read_text(encoding="utf-8")


def test_check_library_rejects_a_broken_directory(tmp_path):
    from simulator.library import InvalidLibrary, check_library

    (tmp_path / "x.yaml").write_text("id: [", encoding="utf-8")
    with pytest.raises(InvalidLibrary, match="x.yaml:1"):
        check_library(Path(tmp_path))
    assert load_library(Path(tmp_path)) == {}  # the running app: no case, and no crash


def test_the_example_in_the_trainers_guide_is_a_valid_case():
    doc = (Path(__file__).parent.parent / "docs" / "fallformat.md").read_text(encoding="utf-8")
    example = doc.split("## Exempel", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    from simulator.case_validation import load_case_text

    case, errors = load_case_text(example, "docs/fallformat.md")
    assert [str(e) for e in errors] == [] and case.variant(1).id == "skor_aldre_ensam@1"
