"""The case rules against every kind of ground truth: a plan that does exactly what the facit says passes them, for
every archetype and every library case; an empty plan fails them. Also the rules' false negatives that the model
answer brought to light, pinned on small plans."""

import pytest

from graders import grade
from graders import language as lang
from graders.checks.checklist import goal_ok
from graders.checks.legal import effort_ok, need_ok
from graders.context import Context
from graders.lix import lix
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



# --- false negatives the model answer found, fixed in the rules for every plan ------------------------------------------
@pytest.mark.parametrize(("text", "is_goal"), [
    ("Jag vill bli elektriker.", True),  # says as much as "Lena vill bli elektriker.", which always counted
    ("Lena vill bli elektriker.", True),
    ("Jag vill ha något att göra varje dag.", True),
    ("Jag vill.", False),
    ("Målet är mitt.", False),
    ("Drogfri.", False),
])
def test_a_short_goal_in_the_persons_own_voice_is_a_goal(text, is_goal):
    plan = Plan(goals=[{"id": "M1", "text": text, "own_words": True}])
    assert goal_ok(Context(plan), plan.goals[0]) is is_goal


def test_the_persons_own_short_goal_is_recognised_as_theirs():
    scenario = get_scenario("lss_vuxen_boende")
    plan = model_plan(scenario)
    assert [g.text for g in plan.goals if g.kind.value == "long_term"] == ["Jag vill ha något att göra varje dag."]
    report = grade(plan, scenario)
    assert {c: report.result(c).status for c in ("C005", "C006", "K008", "Q004")} == dict.fromkeys(
        ("C005", "C006", "K008", "Q004"), "pass")


@pytest.mark.parametrize(("text", "is_need"), [
    ("Saknar sysselsättning efter skolan; behöver en meningsfull daglig aktivitet.", True),
    ("Saknas en trygg bostad efter utskrivningen.", True),
    ("Saknar inget särskilt just nu.", False),
    ("Saknar behov av stöd i boendet.", False),
    ("Inget behov av stöd i boendet.", False),
])
def test_a_need_that_says_what_the_person_lacks_is_a_need(text, is_need):
    plan = Plan(needs=[{"id": "B1", "text": text}], efforts=[{"id": "I1", "what": "Saknas i dag, kommunen ordnar det sedan."}])
    ctx = Context(plan)
    assert need_ok(ctx, plan.needs[0]) is is_need
    assert not effort_ok(ctx, plan.efforts[0])  # an effort that starts "Saknas …" says nothing is done


def test_a_condition_on_the_consent_names_nobody_to_keep_information_from():
    scenario = get_scenario("aldre_utskrivning-3-0")
    assert scenario.person.consent.limit == "Samtycket behöver prövas igen med stöd av anhörig."
    plan = model_plan(scenario)
    assert any(e.effort == "anhorigstod" for e in plan.efforts)  # "stöd" and "anhörig" are no recipients here
    assert grade(plan, scenario).result("L005").status == "pass"
    unrecorded = plan.model_copy(update={"consent": plan.consent.model_copy(
        update={"scope": plan.consent.scope.replace(scenario.person.consent.limit, "")})})
    assert grade(unrecorded, scenario).result("L005").status == "partial"


def test_a_childs_guardian_named_in_the_limit_takes_part_but_gets_no_copy():
    scenario = get_scenario("ung_hvb-12-0")
    assert scenario.person.consent.limit == "Uppgifter om droganvändning delas inte med pappa."
    plan = model_plan(scenario)
    assert any("pappa" in x.role for x in plan.participants) and grade(plan, scenario).result("L005").status == "pass"
    pappa = next(g.name for g in scenario.person.guardians if g.relation == "pappa")
    copied = plan.model_copy(update={"distribution": [*plan.distribution, f"{pappa} (pappa)"]})
    assert grade(copied, scenario).result("L005").status == "fail"


def test_a_sentence_ends_before_the_next_quote():
    text = "Hon berättade mer. ”Jag sover fyra timmar per natt.” ”Jag vill börja jobba lite i taget.” (Se nedan.) Slut"
    assert lang.sentences(text) == ("Hon berättade mer.", "”Jag sover fyra timmar per natt.”",
                                    "”Jag vill börja jobba lite i taget.”", "(Se nedan.)", "Slut")
    assert lix(text).sentences == 5
