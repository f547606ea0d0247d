"""The simulator: realistic, consistent, reproducible fictional persons with ground truth."""

import json
import random
import re
import subprocess
import sys

import pytest
from faker import Faker
from freezegun import freeze_time

from simulator import generate, generate_many, generate_variants
from simulator.archetypes import load_archetypes, load_need_templates
from simulator.casecard import case_card
from simulator.engine import UnknownArchetype
from simulator.models import Gender
from simulator.texts import fill, text_values

ARCHETYPES = sorted(load_archetypes())
SEEDS = range(40)


def dump(scenario) -> str:
    return scenario.model_dump_json()


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_every_archetype_needs_several_organisations_and_both_principals(archetype, catalogue):
    for seed in SEEDS:
        s = generate(archetype, seed)
        t = s.ground_truth
        assert 2 <= len(s.person.needs) <= 6
        assert len(t.organisations) >= 2
        principals = {catalogue.principal_of(o) for o in t.organisations} - {None}
        assert principals == {"kommun", "region"}, (archetype, seed, t.organisations)


@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_ground_truth_agrees_with_the_catalogue(archetype, catalogue):
    for seed in SEEDS:
        s = generate(archetype, seed)
        t, ages = s.ground_truth, (s.person.age, s.person.age)
        assert [n.need for n in t.needs] == [n.id for n in s.person.needs]
        for need, truth in zip(s.person.needs, t.needs):
            assert truth.area == need.area
            assert set(truth.expected_providers) <= set(truth.responders)
            for effort in truth.expected_efforts:
                assert need.area in catalogue.effort(effort).areas
                assert set(catalogue.providers_for(effort, ages)) <= set(truth.responders)
        assert t.acceptable_overall and set(t.acceptable_overall) <= {"kommun", "region"}
        for effort in t.other_actor_efforts:
            assert all(catalogue.organisation(p).is_other_actor for p in catalogue.providers_for(effort, ages))
        assert all(catalogue.organisation(o).is_other_actor for o in t.other_actors)
        in_place = [c.effort for c in s.person.current_efforts]
        assert set(t.efforts_in_place) == set(in_place)
        for c in s.person.current_efforts:
            assert catalogue.can_provide(c.organisation, c.effort, ages)
        conditions = {c for n in s.person.needs for c in n.conditions}
        assert t.presumption_groups == tuple(catalogue.presumption_groups_for(conditions))
        assert t.presumed_sip == bool(t.presumption_groups)
        assert set(t.target_groups) == set(load_archetypes()[archetype].target_groups)


def test_presumption_groups_and_discharge_follow_the_archetype():
    for seed in SEEDS:
        assert "psykisk_sjukdom_och_missbruk" in generate("psykos_missbruk", seed).ground_truth.presumption_groups
        discharge = generate("aldre_utskrivning", seed).ground_truth
        assert discharge.discharge and "demens_och_somatisk_sjukdom" in discharge.presumption_groups
        assert not generate("sjukskriven", seed).ground_truth.discharge


def test_units_that_do_not_serve_the_persons_age_are_left_out():
    for seed in SEEDS:
        for adult in ("psykos_missbruk", "sjukskriven", "lss_vuxen", "skor_aldre"):
            orgs = generate(adult, seed).ground_truth.organisations
            assert "bup" not in orgs and "socialtjanst_barn" not in orgs, (adult, seed, orgs)
        for child in ("barn_skolfranvaro", "ung_hvb", "nyanland_ungdom"):
            orgs = generate(child, seed).ground_truth.organisations
            assert "vuxenpsykiatri" not in orgs and "socialtjanst_vuxen" not in orgs, (child, seed, orgs)


def test_family_directed_efforts_keep_their_providers(catalogue):
    # föräldrastöd for an adult's children: no provider serves adults, so all providers count
    assert catalogue.providers_for("foraldrastod", (30, 30)) == ("socialtjanst_barn", "bup")
    assert catalogue.providers_for("samtalsbehandling", (30, 30)) == ("vardcentral", "vuxenpsykiatri")
    assert catalogue.providers_for("samtalsbehandling", (12, 12)) == ("vardcentral", "bup")
    assert not catalogue.can_provide("bup", "samtalsbehandling", (40, 40))
    assert catalogue.can_provide("bup", "samtalsbehandling")


def test_sick_listed_adult_meets_fk_and_af():
    for seed in SEEDS:
        t = generate("sjukskriven", seed).ground_truth
        assert {"forsakringskassan", "arbetsformedlingen"} <= set(t.other_actors)
        assert "sjukpenning" in t.other_actor_efforts


def test_children_have_guardians_who_consent():
    for archetype in ("barn_skolfranvaro", "ung_hvb", "nyanland_ungdom", "barn_funktionsnedsattning"):
        for seed in SEEDS:
            p = generate(archetype, seed).person
            assert p.is_child and p.guardians, (archetype, seed)
            assert p.consent.given_by == "vårdnadshavarna"


def test_names_fit_the_gender_and_the_generation():
    from simulator.providers.identity import given_names_for

    for s in generate_many(300, seed=9):
        p = s.person
        assert p.given_name in given_names_for(p.gender, p.birth_date.year)
    kids = [generate("barn_skolfranvaro", i).person.given_name for i in range(50)]
    elderly = [generate("aldre_utskrivning", i).person.given_name for i in range(50)]
    assert not set(kids) & set(elderly)


def test_living_text_agrees_with_the_network():
    for s in generate_many(500, seed=3):
        p = s.person
        if p.living.startswith("Bor ensam"):
            assert not any(m.lives_with for m in p.network)
            assert not any(m.relation in {"make", "maka", "sambo", "partner"} for m in p.network)


# --- reproducibility -------------------------------------------------------------------------------------------------

def test_same_seed_same_person_on_different_days():
    with freeze_time("2026-01-02"):
        first = [dump(s) for s in generate_many(30, seed=42)]
    with freeze_time("2031-07-19"):
        second = [dump(s) for s in generate_many(30, seed=42)]
    assert first == second


def test_global_random_state_does_not_matter():
    random.seed(1)
    first = dump(generate("lss_vuxen", 5))
    random.seed(2)
    Faker.seed(99)
    assert dump(generate("lss_vuxen", 5)) == first


def test_same_seed_same_person_in_other_processes():
    code = "from simulator import generate_many; print('|'.join(s.model_dump_json() for s in generate_many(10, seed=7)))"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True,
            env={"PYTHONHASHSEED": str(h), "PATH": "/usr/bin:/bin"},
        ).stdout
        for h in (0, 12345)
    }
    assert len(outputs) == 1
    assert outputs.pop().strip() == "|".join(dump(s) for s in generate_many(10, seed=7))


def test_different_seeds_differ():
    assert dump(generate("ung_hvb", 1)) != dump(generate("ung_hvb", 2))


def test_variants_are_distinct_persons_of_one_archetype():
    variants = generate_variants("vald_nara_relation", 25, seed=3)
    assert len(variants) == 25
    assert {v.archetype for v in variants} == {"vald_nara_relation"}
    assert len({v.person.full_name for v in variants}) == 25
    assert len({v.id for v in variants}) == 25
    assert len({tuple(n.id for n in v.person.needs) + (v.person.age,) for v in variants}) > 5
    assert [dump(v) for v in variants] == [dump(v) for v in generate_variants("vald_nara_relation", 25, seed=3)]


def test_unknown_archetype_names_the_choices():
    with pytest.raises(UnknownArchetype, match="välj en av: aldre_utskrivning"):
        generate("finns_inte")


# --- fictional identifiers --------------------------------------------------------------------------------------------

PERSONNUMMER = re.compile(r"(?<!\d)(\d{2})?\d{6}[-+]?\d{4}(?!\d)")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def test_luhn_helper_knows_a_valid_number():
    assert luhn_valid("8112189876")  # Skatteverket's documented example
    assert not luhn_valid("8112189875")


@pytest.mark.slow
def test_no_identifier_could_belong_to_a_real_person():
    count = 0
    for s in generate_many(100_000, seed=2026):
        pid = s.person.personal_id
        assert re.fullmatch(r"(19|20)\d{6}-XXXX", pid), pid
        assert not PERSONNUMMER.search(pid)
        count += 1
    assert count == 100_000


def test_no_personnummer_anywhere_in_the_output():
    for s in generate_many(2000, seed=11):
        text = dump(s) + case_card(s, facit=True)
        for match in PERSONNUMMER.finditer(text):
            assert not luhn_valid(match.group(0)[-10:].replace("-", "").replace("+", "")), match.group(0)


# --- Swedish text -----------------------------------------------------------------------------------------------------

def texts_of(s):
    p = s.person
    yield from (p.living, p.occupation, p.consent.statement, *p.wishes, *p.goals, *p.own_resources)
    yield from (n.description for n in p.needs)
    yield from (n.voice for n in p.needs if n.voice)
    yield from (h.text for h in p.history)
    yield from (r for m in p.network for r in m.resources)


def test_texts_are_filled_swedish_sentences():
    swedish_letters = 0
    for s in generate_many(500, seed=5):
        for text in texts_of(s):
            assert text.strip() and "{" not in text and "}" not in text, text
            assert text[0].isupper() or text[0] in "”\"", text
            swedish_letters += sum(text.count(c) for c in "åäöÅÄÖ")
            assert not re.search(r"\b(the|and|with|of)\b", text), text
    assert swedish_letters > 1000


def test_every_template_fills_for_both_genders():
    values = {g: text_values("Alex", g, arskurs=5, manader=3) for g in Gender}
    for t in load_need_templates().values():
        for text in (*t.text, *t.voice):
            for g in Gender:
                assert "{" not in fill(text, values[g])
    for a in load_archetypes().values():
        pool = [l.text for l in a.living] + list(a.occupation) + list(a.wishes) + list(a.goals) + list(a.own_resources)
        pool += [h.text for h in a.history] + [c.statement for c in a.consent] + [r for n in a.network for r in n.resources]
        for text in pool:
            for g in Gender:
                fill(text, values[g])


def test_pronouns_follow_gender():
    assert fill("{Hon} ser {henne} och {hennes} bok", text_values("Kim", Gender.man)) == "Han ser honom och hans bok"


def test_unknown_placeholder_is_named():
    with pytest.raises(KeyError, match="okänd|unknown placeholder {oops}"):
        fill("{oops}", text_values("Kim", Gender.kvinna))


def test_case_card_is_swedish_and_facit_only_on_request():
    s = generate("psykos_missbruk", 1)
    card = case_card(s)
    for heading in ("## Personen", "## Nätverk", "## Aktuell situation", "## Med egna ord", "## Samtycke"):
        assert heading in card
    assert s.person.full_name in card and "maskerat, fiktivt" in card
    assert "Facit" not in card
    assert "## Facit för utbildaren" in case_card(s, facit=True)
    assert "Psykisk sjukdom i kombination med missbruk" in case_card(s, facit=True)


def test_scenario_json_round_trips():
    from simulator.models import Scenario

    s = generate("skor_aldre", 8)
    assert Scenario.model_validate(json.loads(dump(s))) == s


def test_generated_scenarios_are_found_by_id():
    from simulator.lookup import UnknownScenario, get_scenario

    s = generate_variants("ung_hvb", 3, seed=4)[2]
    assert get_scenario(s.id) == s
    for bad in ("ung_hvb-4", "nope-1-2", "ung_hvb-x-1", ""):
        with pytest.raises(UnknownScenario, match="okänt scenario"):
            get_scenario(bad)


def test_a_saved_scenario_file_is_found_by_path(tmp_path):
    from simulator.lookup import UnknownScenario, get_scenario

    s = generate("skor_aldre", 2)
    (tmp_path / "fall.json").write_text(s.model_dump_json(), encoding="utf-8")
    assert get_scenario(str(tmp_path / "fall.json")) == s
    assert get_scenario("fall.json", base_dir=tmp_path) == s
    (tmp_path / "trasig.yaml").write_text("person: [", encoding="utf-8")
    with pytest.raises(UnknownScenario, match="går inte att läsa som JSON eller YAML"):
        get_scenario(str(tmp_path / "trasig.yaml"))
    with pytest.raises(UnknownScenario, match="filen finns inte"):
        get_scenario("saknas.yaml", base_dir=tmp_path)
    (tmp_path / "fel.json").write_text('{"id": "x"}', encoding="utf-8")
    with pytest.raises(UnknownScenario, match=r"inget sparat scenario \(fältet schema_version|inget sparat scenario \(fältet archetype"):
        get_scenario(str(tmp_path / "fel.json"))
