"""The case rules against every kind of ground truth: a plan that does exactly what the facit says passes them, for
every archetype and every library case; an empty plan fails them."""

import datetime as dt

import pytest

from graders import grade
from graders.checks.case import case_terms
from graders.plan import Plan
from simulator.catalogue import load_catalogue
from simulator.engine import archetype_names
from simulator.library import load_library
from simulator.lookup import get_scenario

CASE_RULES = ("K001", "K002", "K003", "K004", "K005", "K006", "K007", "K008")
SCENARIO_IDS = [f"{a}-{seed}-0" for a in archetype_names() for seed in (0, 7)] + sorted(load_library())


def facit_plan(scenario) -> Plan:
    """A plan written straight from the facit: one need per ground-truth need, its expected efforts at a provider."""
    cat, truth = load_catalogue(), scenario.ground_truth
    descriptions = {n.id: n.description for n in scenario.person.needs}
    age = scenario.person.age
    needs, efforts = [], []
    for i, t in enumerate(truth.needs):
        needs.append({"id": f"N{i}", "area": t.area, "text": descriptions[t.need]})
        for effort_id in t.expected_efforts:
            effort = cat.effort(effort_id)
            status = "ongoing" if effort_id in truth.efforts_in_place else "planned"
            what = f"{effort.name} för personen, med start inom två veckor och avstämning vid uppföljningen."
            efforts.append({"id": f"E{len(efforts)}", "what": what, "effort": effort_id,
                            "organisation": cat.providers_for(effort_id, (age, age))[0], "needs": [f"N{i}"],
                            "status": status})
    text = ""
    if truth.presumed_sip:
        terms = case_terms()
        words = " och ".join(alts[0] for g in truth.presumption_groups for alts in terms["groups"][g])
        text = f"Personen tillhör en målgrupp där SIP ska förutsättas: {words}."
    principal = truth.acceptable_overall[0]
    org = next(o.id for o in cat.organisations if o.principal == principal)
    return Plan.model_validate({
        "format": "sipkurs-plan", "scenario_id": scenario.id, "current_situation": text, "needs": needs,
        "efforts": efforts, "established": dt.date(2026, 11, 12), "discharge_ready": dt.date(2026, 11, 10),
        "overall_responsibility": {"principal": principal, "organisation": org, "person": "Namn Namnsson"},
    })


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

