"""The case rules against every kind of ground truth: a plan that does exactly what the facit says passes them, for
every archetype and every library case; an empty plan fails them."""

import pytest

from graders import grade
from graders.model_answer import model_plan
from graders.plan import Plan
from simulator.engine import archetype_names
from simulator.library import load_library
from simulator.lookup import get_scenario

CASE_RULES = ("K001", "K002", "K003", "K004", "K005", "K006", "K007", "K008")
SCENARIO_IDS = [f"{a}-{seed}-0" for a in archetype_names() for seed in (0, 7)] + sorted(load_library())


def facit_plan(scenario) -> Plan:
    """A plan written straight from the facit: the model answer participants see after submitting."""
    return model_plan(scenario)


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_a_plan_following_the_facit_passes_every_case_rule(scenario_id):
    scenario = get_scenario(scenario_id)
    report = grade(facit_plan(scenario), scenario)
    statuses = {r.code: r.status for r in report.results if r.family == "case"}
    assert set(statuses) == set(CASE_RULES)
    assert {c: s for c, s in statuses.items() if s not in ("pass", "not_applicable")} == {}
    truth = scenario.ground_truth
    assert (statuses["K005"] == "pass") == truth.presumed_sip
    assert (statuses["K006"] == "pass") == truth.discharge
    assert (statuses["K004"] == "pass") == bool(truth.other_actors)


@pytest.mark.parametrize("scenario_id", SCENARIO_IDS)
def test_an_empty_plan_fails_the_case(scenario_id):
    scenario = get_scenario(scenario_id)
    report = grade(Plan(), scenario)
    assert report.result("K001").status == "fail" and report.result("K003").status == "fail"
    assert report.families["case"] == 0.0

