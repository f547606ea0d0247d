"""Live feedback never gives the exercise away: for every library case, on an empty, a partial and a full plan, at
every feedback level before submission, nothing shown holds the case's need descriptions, the names of the expected
efforts, the target or presumption groups, the other actors the facit expects, or the hidden information, unless the
participant wrote it first. Only the facit level after submission shows them."""

import html
import re

import pytest

from graders import grade
from graders.answer_key import secrets
from graders.plan import Plan
from simulator.catalogue import load_catalogue
from simulator.library import load_library
from sipkurs.feedback import FEEDBACK_LEVELS, _plan_text, assess
from sipkurs.templating import render
from test_grading_cases import facit_plan

CASES = sorted(load_library())
TAG = re.compile(r"<[^>]+>")


def _unit(scenario, principal: str) -> str:
    """A unit of the principal that serves the person's age, for plans that must not name the facit's actors."""
    age = scenario.person.age
    return next(o.id for o in load_catalogue().organisations if o.principal == principal and o.serves((age, age)))


def partial_plan(scenario) -> dict:
    """What a participant has after ten minutes: the person, a situation, one need and one effort in own words."""
    return {
        "concerns": {"name": scenario.person.full_name},
        "established": "2026-11-20",
        "consent": {"given": True},
        "current_situation": "Personen har det svårt just nu och berättar att mycket har hänt det senaste året.",
        "needs": [{"id": "B1", "text": "Personen behöver någon att prata med om hur det känns."}],
        "efforts": [{"id": "I1", "what": "Socialsekreteraren gör en bedömning tillsammans med personen.",
                     "organisation": _unit(scenario, "kommun"), "needs": ["B1"]}],
    }


def full_generic_plan(scenario) -> dict:
    """Every part of the plan filled in generic words that do not name what the case is about: the feedback then
    has the most to say about what is missing in the case."""
    person = scenario.person
    return {
        "concerns": {"name": person.full_name, "personal_id": person.personal_id,
                     "guardians": [g.name for g in person.guardians]},
        "established": "2026-11-20",
        "consent": {"given": True, "given_by": "personen", "scope": "Uppgifter om hälsa och vardag får delas mellan "
                    "dem som var med på mötet.", "valid_until": "2027-05-31"},
        "participants": [{"name": person.full_name, "role": "den enskilde"},
                         {"name": "Alex Lind", "organisation": _unit(scenario, "kommun"), "role": "socialsekreterare"},
                         {"name": "Sam Berg", "organisation": _unit(scenario, "region"), "role": "sjuksköterska"}],
        "person_participation": "Personen valde själv vad mötet skulle börja med och läste planen på slutet.",
        "relatives_involvement": "Personen ville inte bjuda in någon den här gången men kan tänka sig det senare.",
        "current_situation": "Personen har det svårt just nu och berättar att mycket har hänt det senaste året.",
        "what_matters": "Jag vill att det blir lugnare och att jag vet vem jag ska ringa.",
        "needs": [{"id": "B1", "text": "Personen behöver någon att prata med om hur det känns."},
                  {"id": "B2", "text": "Personen vill ha en fast kontakt som håller ihop allt."}],
        "own_resources": "Personen är envis och vill själv att det ska bli bättre.",
        "relatives_resources": "En vän ringer ibland och frågar hur det går.",
        "wishes": "Personen vill ha färre möten och en person att ringa.",
        "goals": [{"id": "M1", "text": "Jag vill veta vem jag ska ringa.", "kind": "long_term", "own_words": True,
                   "due": "2027-05-31"},
                  {"id": "M1a", "text": "Personen har ett telefonnummer till sin kontakt senast i december.",
                   "kind": "sub_goal", "parent": "M1", "due": "2026-12-31"}],
        "efforts": [{"id": "I1", "what": "Socialsekreteraren gör en bedömning tillsammans med personen.",
                     "organisation": _unit(scenario, "kommun"), "needs": ["B1"], "goals": ["M1"]},
                    {"id": "I2", "what": "Sjuksköterskan ringer personen varannan vecka och frågar hur det går.",
                     "organisation": _unit(scenario, "region"), "needs": ["B2"], "goals": ["M1a"], "status": "ongoing"}],
        "overall_responsibility": {"principal": "kommun", "person": "Alex Lind"},
        "follow_up": {"date": "2027-01-20", "called_by": "Alex Lind", "evaluate": "Vi går igenom delmålen och om "
                      "något behöver ändras."},
        "if_plan_fails": "Personen ringer Alex Lind på socialtjänsten, som kallar till ett nytt möte inom en vecka.",
    }


def _facit_data(scenario) -> dict:
    return facit_plan(scenario).model_dump(mode="json")


PLANS = {"tom": lambda s: {}, "påbörjad": partial_plan, "fullständig": full_generic_plan, "från facit": _facit_data}


def _shown(fb) -> str:
    """Everything the panel shows: the rendered HTML as text, and the feedback's own fields."""
    page = html.unescape(TAG.sub(" ", render("feedback.html.j2", feedback=fb)))
    parts = [page, fb.verdict, *fb.problems, *(f"{i.title} {i.message}" for i in fb.items)]
    return " ".join(parts).casefold()


def _leaks(text: str, scenario, plan: Plan) -> list[str]:
    written = _plan_text(plan)
    return [s for s in secrets(scenario) if s in text and s not in written]


@pytest.mark.parametrize("case_id", CASES)
def test_live_feedback_names_nothing_the_participant_should_find_out(case_id):
    scenario = load_library()[case_id].variant(0)
    assert secrets(scenario), "the case has an answer key"
    for name, make in PLANS.items():
        data = make(scenario)
        plan = Plan.model_validate(data)
        for level in FEEDBACK_LEVELS:
            for submitted in (False, True):
                if level == "facit" and submitted:
                    continue
                fb = assess(data, scenario, level=level, submitted=submitted)
                assert fb.score is not None, fb.problems
                assert _leaks(_shown(fb), scenario, plan) == [], (name, level, submitted)


@pytest.mark.parametrize("case_id", CASES)
def test_the_graders_keep_the_answer_key_in_its_own_layer(case_id):
    """The feedback module drops any sentence holding answer-key text as a safety net; the rules must not need it."""
    scenario = load_library()[case_id].variant(1)
    for make in (partial_plan, full_generic_plan):
        plan = Plan.model_validate(make(scenario))
        report = grade(plan, scenario)
        shown = " ".join(f"{r.message} {r.guided}" for r in report.results).casefold()
        assert _leaks(shown, scenario, plan) == []


def test_facit_after_submission_shows_the_model_answer():
    scenario = load_library()["sjukskriven_utmattning"].variant(0)
    data = partial_plan(scenario)
    before = _shown(assess(data, scenario, level="facit"))
    after = _shown(assess(data, scenario, level="facit", submitted=True))
    descriptions = [n.description.casefold() for n in scenario.person.needs]
    assert not any(d in before for d in descriptions) and "facit visas när planen är inlämnad" in before
    assert all(d in after for d in descriptions)
    assert "försäkringskassan" in after and "försäkringskassan" not in before
    assert "kronofogden" in after  # the hidden information comes out in the answer key
