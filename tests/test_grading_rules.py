"""The labelled set: every rule fires on its flaw and stays quiet on the model plans."""

import re
from pathlib import Path

import pytest
import yaml

from graders import grade, load_plan
from graders.lix import lix
from graders.plan import Plan
from graders.registry import FAMILIES, rules, verdict_rules
from graders.ruledocs import rules_markdown
from conftest import labelled_scenario

ROOT = Path(__file__).parent.parent
PLANS = ROOT / "tests/data/plans"
MUTATED = yaml.safe_load((PLANS / "expectations.yaml").read_text(encoding="utf-8"))  # built by build_flawed.py
LABELLED = yaml.safe_load((PLANS / "labels.yaml").read_text(encoding="utf-8"))  # gaming and strong plans, by hand
EXPECT = MUTATED | LABELLED


def test_labelled_set_is_large_and_varied():
    assert len(EXPECT) >= 50 and not set(MUTATED) & set(LABELLED)
    assert len({e["scenario"] for e in EXPECT.values()}) >= 5
    kinds = [e["kind"] for e in LABELLED.values()]
    assert kinds.count("gaming") >= 6 and kinds.count("strong") >= 5
    assert all((PLANS / rel).is_file() for rel in EXPECT)
    assert sorted(p.relative_to(PLANS).as_posix() for p in PLANS.rglob("*.json")) == sorted(EXPECT)


def test_every_rule_has_a_flawed_plan_that_makes_it_fire():
    fired = {code for e in EXPECT.values() for code in e["expect"]}
    assert fired == {r.code for r in rules() if not r.is_event_rule}  # event rules: tests/test_event_rules.py


@pytest.mark.parametrize("rel", sorted(EXPECT))
def test_grader_matches_the_expected_outcome(rel):
    expected = EXPECT[rel]
    report = grade(load_plan(PLANS / rel), labelled_scenario(expected["scenario"]))
    got = {r.code: r.status for r in report.results if r.status not in ("pass", "not_applicable")}
    assert got == expected["expect"]
    for r in report.results:
        if r.status in ("fail", "partial"):
            assert r.message and "{detail}" not in r.message
    if not expected["expect"]:
        assert report.score == 1.0
    bound = expected.get("total", {})
    if "below" in bound:
        assert report.score < bound["below"], f"{rel}: {report.score:.3f}"
    if "at_least" in bound:
        assert report.score >= bound["at_least"], f"{rel}: {report.score:.3f}"


@pytest.mark.parametrize("rel", sorted(EXPECT))
def test_a_missing_legal_requirement_keeps_the_plan_below_the_pass_mark(rel):
    report = grade(load_plan(PLANS / rel), labelled_scenario(EXPECT[rel]["scenario"]))
    gate = [c for c in verdict_rules().requirements if report.result(c).status == "fail"]
    assert report.legal_missing == gate
    if gate:
        assert report.score < report.pass_mark and not report.passed
        assert report.verdict.startswith("Inte godkänd") and report.result(gate[0]).title in report.verdict
    else:
        assert report.score == report.raw_score


def test_the_legal_cap_is_what_separates_a_plan_without_consent_from_the_model_plan():
    model = grade(load_plan(PLANS / "barn_skolfranvaro-1-0/utmarkt.json"), labelled_scenario("barn_skolfranvaro-1-0"))
    flawed = grade(load_plan(PLANS / "barn_skolfranvaro-1-0/brist-utan-samtycke.json"),
                   labelled_scenario("barn_skolfranvaro-1-0"))
    assert model.passed and model.score == 1.0
    assert flawed.raw_score > 0.9 > verdict_rules().pass_mark > flawed.score == verdict_rules().cap
    assert flawed.legal_missing == ["L005"]


def test_without_scenario_case_rules_do_not_apply_and_do_not_count():
    plan = load_plan(PLANS / "sjukskriven-1-0/brist-forsakringskassan-saknas.json")
    report = grade(plan)
    assert {r.status for r in report.results if r.family == "case"} == {"not_applicable"}
    assert "case" not in report.families
    assert report.score == 1.0  # the only flaw is a case flaw
    assert grade(plan, labelled_scenario("sjukskriven-1-0")).score < 1.0


def test_empty_plan_scores_zero_and_scores_are_weighted():
    assert grade(Plan()).score == 0.0
    report = grade(Plan(), labelled_scenario("psykos_missbruk-1-0"))
    assert report.score == 0.0 and not report.passed
    for fam, score in report.families.items():
        mine = [r for r in report.results if r.family == fam and r.status != "not_applicable"]
        assert score == pytest.approx(sum(r.score * r.weight for r in mine) / sum(r.weight for r in mine), abs=1e-4)


def test_registry_codes_are_stable_and_complete():
    codes = [r.code for r in rules()]
    assert len(codes) == len(set(codes))
    prefix = {"legal": "L", "formal": "F", "checklist": "C", "case": "K", "quality": "Q", "events": "E"}
    for r in rules():
        assert re.fullmatch(r"[LFCKQE]\d{3}", r.code) and r.code[0] == prefix[r.family]
        assert r.family in FAMILIES and r.weight > 0 and r.title and r.source and r.doc and r.ok
        assert "{detail}" in r.message


def test_generated_rule_page_is_current():
    assert (ROOT / "docs/regler.md").read_text(encoding="utf-8") == rules_markdown(), (
        "docs/regler.md är inaktuell: kör sipkurs rules --markdown > docs/regler.md")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # 9 words, 1 sentence, 3 words over six letters (hemtjänst, dagverksamhet, tisdagar)
        ("Agnes får hemtjänst varje dag och dagverksamhet på tisdagar.", 9 / 1 + 100 * 3 / 9),
        ("Jag vill hem. Jag vill sova.", 3 + 0),
        ("", 0.0),
    ],
)
def test_lix(text, value):
    assert lix(text).value == pytest.approx(value)


def test_lix_long_words_counted_over_six_letters():
    r = lix("Rehabiliteringssamordning behövs. Bra.")
    assert (r.words, r.sentences, r.long_words) == (3, 2, 1)  # "behövs" has six letters: not long


def test_matching_needs_in_the_same_area_requires_a_resembling_linked_need():
    # aldre_utskrivning-1-0 has three needs in the area "boende"; hemtjänst linked only to two of them
    # must not meet the relatives' need.
    report = grade(load_plan(PLANS / "aldre_utskrivning-1-0/brist-anhorigstod-saknas.json"),
                   labelled_scenario("aldre_utskrivning-1-0"))
    k001 = report.result("K001")
    assert k001.status == "partial" and "De anhöriga turas om" in k001.facit
    assert "De anhöriga turas om" not in k001.message + k001.guided  # the case's need is the answer key
    assert "boende och vardag" in k001.guided


@pytest.mark.parametrize("rel", sorted(r for r in EXPECT if r.endswith("utmarkt.json")))
def test_model_plans_written_without_catalogue_ids_still_pass(rel):
    """A participant may write efforts as text and organisation only: needs, providers and efforts in place are then
    matched by what the text says (lemmas, compounds, the effort vocabulary), with the same verdicts."""
    scenario = labelled_scenario(EXPECT[rel]["scenario"])
    with_ids = grade(load_plan(PLANS / rel), scenario)
    plan = load_plan(PLANS / rel)
    for effort in plan.efforts:
        effort.effort = ""
    report = grade(plan, scenario)
    assert {r.code: r.status for r in report.results} == {r.code: r.status for r in with_ids.results}
