"""After submission: the model answer passes the graders, and the person's verdict follows what the plan does."""

from __future__ import annotations

import pytest

from graders import grade
from graders.context import Context
from graders.debrief import debrief
from graders.model_answer import model_plan
from graders.plan import Plan
from graders.verdict import person_verdict
from simulator.catalogue import load_catalogue
from simulator.cases import person_values
from simulator.engine import archetype_names
from simulator.interviewing import InterviewSession
from simulator.library import load_library
from simulator.lookup import get_scenario
from simulator.texts import fill

LIB = load_library()
CASES = sorted(LIB)
DIMENSIONS = ["information", "delaktighet", "samverkan", "meningsfullhet"]


def not_passing(report):
    return {r.code: r.status for r in report.results if r.status in ("fail", "partial")}


@pytest.mark.parametrize("case_id", CASES)
def test_the_model_answer_passes_every_rule(case_id):
    case = LIB[case_id]
    for variant in (0, 5):
        scenario = case.variant(variant)
        plan = model_plan(scenario, case)
        failing = not_passing(grade(plan, scenario))
        assert failing == {}, failing
        assert plan.concerns.name == scenario.person.full_name and plan.scenario_id == scenario.id
        assert_written_as_a_trainer_would(plan)


def assert_written_as_a_trainer_would(plan):
    """Each effort once (linked to every need it answers), saying who gives it and when; no row pasted twice."""
    cat = load_catalogue()
    assert len({(e.effort, e.organisation) for e in plan.efforts}) == len(plan.efforts)
    for e in plan.efforts:
        assert cat.organisation(e.organisation).short in e.what and ("pågår" in e.what or "börjar" in e.what), e.what
    rows = [n.text for n in plan.needs] + [g.text for g in plan.goals] + [e.what for e in plan.efforts]
    assert len(set(rows)) == len(rows)


def test_abbreviations_are_explained_where_first_used_and_only_there():
    case = LIB["ung_hvb_placerad"]
    text = Context(model_plan(case.variant(0), case)).all_text
    assert text[text.index("BUP"):].startswith("BUP (barn- och ungdomspsykiatrin)")
    assert text.count("(barn- och ungdomspsykiatrin)") == 1 and "Förkortningar" not in text
    lss = LIB["lss_vuxen_boende"]
    text = Context(model_plan(lss.variant(0), lss)).all_text
    assert text[text.index("LSS"):].startswith("LSS-handläggare (lagen om stöd och service till vissa funktionshindrade)")


@pytest.mark.parametrize("archetype", archetype_names())
def test_the_model_answer_works_for_generated_scenarios_too(archetype):
    scenario = get_scenario(f"{archetype}-3-0")
    plan = model_plan(scenario)
    assert not_passing(grade(plan, scenario)) == {}
    assert_written_as_a_trainer_would(plan)


def test_the_model_answer_takes_in_what_the_interview_uncovers():
    case = LIB["sjukskriven_utmattning"]
    plan = model_plan(case.variant(0), case)
    assert "Kronofogden" in plan.current_situation and "Kuratorn slutar om en månad" in plan.current_situation
    assert "Diagnosen delas inte med den tidigare arbetsgivaren." in plan.consent.scope


@pytest.mark.parametrize("case_id", CASES)
def test_the_person_is_content_with_the_model_answer_and_not_with_an_empty_plan(case_id):
    case = LIB[case_id]
    good = person_verdict(model_plan(case.variant(2), case), case, 2)
    assert good.values == {d: 1.0 for d in DIMENSIONS}
    empty = person_verdict(Plan(scenario_id=case.scenario_id(2)), case, 2, revealed=set())
    assert all(v <= 0.2 for v in empty.values.values()), empty.values
    assert empty.letter[0] == "Hej!" and empty.letter[-1].endswith(empty.signature)


def sentences(verdict):
    """Everything the person says about the plan (the letter says the most important of these)."""
    return [s.text for s in verdict.signals]


def test_each_gap_in_the_plan_is_said_in_the_persons_words():
    case = LIB["psykos_missbruk_boende"]
    good = model_plan(case.variant(0), case)

    def said(update=None, **kwargs):
        plan = good.model_copy(update=update or {})
        return sentences(person_verdict(plan, case, 0, **kwargs)), person_verdict(plan, case, 0, **kwargs).values

    text, values = said({"if_plan_fails": ""})
    assert "Ingen har sagt vem jag ska ringa när det strular." in text and values["information"] < 1
    professional = [g.model_copy(update={"text": "Följsamhet till depåinjektion enligt ordination.", "own_words": False})
                    if g.kind == "long_term" else g for g in good.goals]
    text, values = said({"goals": professional, "what_matters": "", "wishes": ""})
    assert "Jag känner inte igen mina egna mål." in text and values["delaktighet"] < 1
    assert "Det som är viktigast för mig finns inte med." in text
    text, values = said({"efforts": [e for e in good.efforts if e.organisation != "socialtjanst_vuxen"],
                         "participants": [x for x in good.participants if x.organisation != "socialtjanst_vuxen"]})
    assert any(s.startswith("Ingen från socialtjänsten") for s in text) and values["samverkan"] < 1
    assert "Nu vet jag vem som gör vad." in sentences(person_verdict(good, case, 0))
    scope = good.consent.model_copy(update={"scope": "Alla får dela allt."})
    text, _ = said({"consent": scope})
    assert "Jag sa vad som inte fick lämnas ut, men det står inte i planen." in text


def test_hidden_information_left_out_is_said_as_never_asked_or_as_told():
    case = LIB["psykos_missbruk_boende"]
    good = model_plan(case.variant(0), case)
    card = fill(case.case_card.text, person_values(case.variant(0).person))  # the situation without what was asked
    plan = good.model_copy(update={"current_situation": card})
    never = sentences(person_verdict(plan, case, 0, revealed=set()))
    assert "Ingen frågade mig om pengar eller skulder, och det finns inte med i planen." in never
    told = sentences(person_verdict(plan, case, 0, revealed={"personen:0"}))
    assert "Jag berättade om pengar eller skulder när ni frågade, men det finns inte med i planen." in told


def test_a_young_childs_guardians_write_the_letter():
    case = LIB["barn_autism_avlastning"]
    verdict = person_verdict(Plan(), case, 0, revealed=set())
    guardians = [m.name.split(" ")[0] for m in case.variant(0).person.network if m.role.value == "vardnadshavare"]
    assert verdict.by_guardians and verdict.signature == " och ".join(guardians)
    assert "Ingen har sagt vem vi ska ringa när det strular." in sentences(verdict)
    teenager = person_verdict(Plan(), LIB["ung_hvb_placerad"], 0)
    assert not teenager.by_guardians and teenager.signature == LIB["ung_hvb_placerad"].variant(0).person.given_name


def test_the_debrief_gathers_model_answer_gaps_hidden_information_and_verdict():
    case = LIB["sjukskriven_utmattning"]
    session = InterviewSession(case, 1)
    session.ask("personen", "sovnen")
    result = debrief(Plan(scenario_id=case.scenario_id(1)), case, 1, session)
    assert result.model_report.score > 0.99 and result.report.score < 0.3
    assert [r.code for r in result.missed] == [r.code for r in result.report.failing]
    assert [f.key for f in result.uncovered] == ["personen:1"]
    missed = {m.fact.key: m.questions for m in result.not_uncovered}
    assert missed["personen:0"] == ("Hur går det med ekonomin?", "Finns det något mer med ekonomin hemma?")
    assert set(missed) == {"personen:0", "vardcentral:0", "forsakringskassan:0"}
    assert set(result.verdict.values) == set(DIMENSIONS)
