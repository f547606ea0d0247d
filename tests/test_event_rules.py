"""The event rules (E…), one at a time, on a model plan of the labelled set: each passes on the plan revised as the
event expects, fails on the plan as it was when the event came, is not fooled by keywords or a keystroke, and does
not apply without the event."""

import copy
import datetime as dt
import json
from pathlib import Path

import pytest

from conftest import labelled_scenario
from graders import EventContext, grade
from graders.plan import Plan
from graders.registry import rules
from graders.render import to_text
from simulator.cases import CaseEvent
from sipkurs.feedback import assess
from sipkurs.templating import render

PLANS = Path(__file__).parent / "data/plans"
SCENARIO = "sjukskriven-1-0"
NOW = dt.datetime(2026, 11, 24, 10, 30, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def scenario():
    return labelled_scenario(SCENARIO)


@pytest.fixture()
def model() -> dict:
    """Filip's model plan: established 2026-11-16, follow-up 2027-01-18, distribution 'alla som deltog i mötet'."""
    return json.loads((PLANS / SCENARIO / "utmarkt.json").read_text(encoding="utf-8"))


def event(expects: dict, *, private: bool = False, title: str = "Något har hänt") -> CaseEvent:
    """An event that, like the library's, names the organisations it is about among the roles it affects."""
    orgs = [o for o in (expects.get("consent_excludes"), *expects.get("revise", ())) if o]
    return CaseEvent(id="handelse", title=title, text="Text till de berörda.", private=private, expects=expects,
                     affects=tuple(orgs))


def judge(after: dict, before: dict, expects: dict, scenario, **kw):
    """The results of the event's rules, and the report."""
    ctx = EventContext(event(expects, **kw), Plan.model_validate(before), NOW)
    report = grade(Plan.model_validate(after), scenario, events=[ctx])
    return {r.code: r for r in report.results if r.event == "handelse"}, report


def status(after, before, expects, scenario, code, **kw) -> str:
    return judge(after, before, expects, scenario, **kw)[0][code].status


# --- applicability -----------------------------------------------------------------------------------------------
def test_without_events_every_event_rule_is_not_applicable_and_the_score_is_unchanged(model, scenario):
    plan = Plan.model_validate(model)
    plain = grade(plan, scenario)
    assert plain.score == 1.0 and "events" not in plain.families and plain.events == []
    assert {r.status for r in plain.results if r.family == "events"} == {"not_applicable"}
    assert [r.code for r in plain.results if r.family == "events"] == [r.code for r in rules() if r.is_event_rule]
    undelivered = EventContext(event({"follow_up_sooner": True}), plan, None)
    nothing_expected = EventContext(event({}), plan, NOW)
    for events in ([], [undelivered], [nothing_expected]):
        again = grade(plan, scenario, events=events)
        assert again.score == plain.score and again.results == plain.results


def test_a_rule_applies_only_to_an_event_that_expects_it(model, scenario):
    results, report = judge(model, model, {"follow_up_sooner": True}, scenario)
    assert set(results) == {"E004"} and report.events == ["handelse"]
    others = [r for r in report.results if r.family == "events" and r.code != "E004"]
    assert others and {r.status for r in others} == {"not_applicable"} and all(not r.event for r in others)


def test_each_event_gets_its_own_result_in_delivery_order(model, scenario):
    plan = Plan.model_validate(model)
    later = EventContext(CaseEvent(id="b", title="Andra", text="x", expects={"follow_up_sooner": True}), plan, NOW)
    first = EventContext(CaseEvent(id="a", title="Första", text="x", expects={"follow_up_sooner": True}), plan,
                         NOW - dt.timedelta(minutes=5))
    report = grade(plan, scenario, events=[later, first])
    assert report.events == ["a", "b"]
    assert [(r.event, r.event_title) for r in report.results if r.code == "E004"] == [("a", "Första"), ("b", "Andra")]
    assert report.result("E004", event="b").message.startswith("Efter händelsen ”Andra”:")
    assert report.families["events"] == 0.0 and report.score < 1.0


# --- E001 consent narrowed ---------------------------------------------------------------------------------------
AF = {"consent_excludes": "arbetsformedlingen"}


def narrowed(model: dict) -> dict:
    after = copy.deepcopy(model)
    after["consent"]["scope"] += " Sedan den 24 november får Arbetsförmedlingen inte längre ta del av läkarintygen."
    after["distribution"] = ["Filip Andersson", "Carl Nilsson", "Sara Lind, vårdcentralen", "Jonas Ek, socialtjänsten",
                             "Maria Holm, arbetsmarknadsenheten", "Ahmed Berg, Försäkringskassan"]
    return after


def test_e001_passes_when_consent_says_no_and_the_plan_no_longer_goes_there(model, scenario):
    results, _ = judge(narrowed(model), model, AF, scenario)
    assert results["E001"].status == "pass", results["E001"].message


def test_e001_fails_on_the_unrevised_plan(model, scenario):
    r = judge(model, model, AF, scenario)[0]["E001"]
    assert r.status == "fail" and "nämner Arbetsförmedlingen men säger inte" in r.message


@pytest.mark.parametrize("stuffing", [
    " Arbetsförmedlingen.",  # the name alone
    " Arbetsförmedlingen samtycke samtycke inte.",  # keywords and a negation, nothing about what or how
    " Arbetsförmedlingen får ta del av allt som rör arbete.",  # names it, says yes
])
def test_e001_is_not_satisfied_by_naming_the_organisation(model, scenario, stuffing):
    after = narrowed(model)
    after["consent"]["scope"] = model["consent"]["scope"] + stuffing
    assert status(after, model, AF, scenario, "E001") == "fail"


@pytest.mark.parametrize("sentence", [
    " Filip har tagit tillbaka samtycket för Arbetsförmedlingen när det gäller läkarintyg.",
    " AF ska inte längre få ta del av läkarintygen.",  # the abbreviation
    " Läkarintyg lämnas inte till Arbetsförmedlingen.",
    " Arbetsförmedlingen undantas från och med den 24 november.",
])
def test_e001_other_wordings_of_the_limit(model, scenario, sentence):
    after = narrowed(model)
    after["consent"]["scope"] = model["consent"]["scope"] + sentence
    assert status(after, model, AF, scenario, "E001") == "pass", sentence


def test_e001_struck_from_the_consent_without_a_word_is_partial(model, scenario):
    after = narrowed(model)
    after["consent"]["scope"] = ("Filip samtycker till att vårdcentralen, socialtjänsten, arbetsmarknadsenheten och "
                                 "Försäkringskassan delar uppgifter om hälsa, arbete och ekonomi med varandra.")
    r = judge(after, model, AF, scenario)[0]["E001"]
    assert r.status == "partial" and "struken ur samtycket" in r.message


def test_e001_a_copy_to_everyone_at_the_meeting_still_reaches_the_organisation(model, scenario):
    after = narrowed(model)
    after["distribution"] = model["distribution"]  # "alla som deltog i mötet": Lena Ström from AF took part
    r = judge(after, model, AF, scenario)[0]["E001"]
    assert r.status == "partial" and "alla som deltog i mötet" in r.message
    after["distribution"] = ["Filip Andersson", "alla som deltog i mötet utom Arbetsförmedlingen"]
    assert status(after, model, AF, scenario, "E001") == "pass"
    after["distribution"] = ["Filip Andersson", "Lena Ström"]  # someone who works there, by name
    assert status(after, model, AF, scenario, "E001") == "partial"


def test_e001_an_effort_that_still_sends_information_there_is_found(model, scenario):
    after = narrowed(model)
    after["efforts"][1]["what"] += " Läkaren skickar intyget till Arbetsförmedlingen varje månad."
    r = judge(after, model, AF, scenario)[0]["E001"]
    assert r.status == "partial" and "skickar intyget" in r.message


def test_e001_a_private_event_names_the_organisation_only_in_the_facit(model, scenario):
    """The group shares one feedback panel: what only the affected role read is not repeated to the others."""
    r = judge(model, model, AF, scenario, private=True)[0]["E001"]
    assert "Arbetsförmedlingen" not in r.message + r.guided and "Arbetsförmedlingen" in r.facit
    assert "den verksamhet som händelsen gäller" in r.message
    public = judge(model, model, AF, scenario)[0]["E001"]
    assert "Arbetsförmedlingen" in public.message


# --- E002 consent withdrawn --------------------------------------------------------------------------------------
CLOSED = {"plan_closed": True}


def closed(model: dict, reason: str = "Filip har återkallat sitt samtycke och vill inte ha någon plan längre. "
                                      "Han kan be om en ny plan när han vill.") -> dict:
    after = copy.deepcopy(model)
    after["closure"] = {"date": "2026-11-24", "reason": reason}
    return after


def test_e002_passes_on_a_closure_with_date_and_the_withdrawal_as_reason(model, scenario):
    assert status(closed(model), model, CLOSED, scenario, "E002") == "pass"
    for reason in ("Filip vill inte ha någon SIP längre och lämnade mötet.", "Samtycket drogs tillbaka av Filip den 24 november.",
                   "Personen tackade nej till fortsatt SIP.", "Filip ville avsluta planen på mötet.",
                   "Samtycke finns inte längre."):
        assert status(closed(model, reason), model, CLOSED, scenario, "E002") == "pass", reason


def test_e002_fails_on_the_unrevised_plan(model, scenario):
    assert status(model, model, CLOSED, scenario, "E002") == "fail"


@pytest.mark.parametrize(("reason", "expected"), [
    ("Samtycke återkallat.", "partial"),  # two words: the date counts, the reason does not
    ("Planen avslutas nu efter mötet i dag.", "partial"),  # a reason, but not the withdrawal
    ("Samtycke samtycke plan avslut.", "partial"),  # keywords
    ("Målen är nådda och planen avslutas.", "partial"),  # a good reason, but not this one
    ("Filip flyttar och vill avsluta kontakten med socialtjänsten.", "partial"),  # one effort ends, not the plan
])
def test_e002_keywords_or_another_reason_do_not_count(model, scenario, reason, expected):
    assert status(closed(model, reason), model, CLOSED, scenario, "E002") == expected
    undated = closed(model, reason)
    undated["closure"]["date"] = None
    assert status(undated, model, CLOSED, scenario, "E002") == "fail"


def test_e002_a_duly_closed_plan_is_not_failed_for_the_withdrawn_consent(model, scenario):
    after = closed(model)
    after["consent"]["given"] = False  # the group unticks consent when it is withdrawn
    results, report = judge(after, model, CLOSED, scenario)
    assert results["E002"].status == "pass"
    assert report.result("L005").status == "pass" and "före händelsen" in report.result("L005").message
    assert report.legal_missing == [] and report.passed
    unclosed = copy.deepcopy(model)
    unclosed["consent"]["given"] = False
    _, report = judge(unclosed, model, CLOSED, scenario)
    assert report.result("L005").status == "fail" and report.legal_missing == ["L005"]


# --- E003 key person leaves --------------------------------------------------------------------------------------
VC = {"revise": ["vardcentral"]}


def with_effort_text(model: dict, added: str, index: int = 0) -> dict:
    after = copy.deepcopy(model)
    after["efforts"][index]["what"] += added
    return after


@pytest.mark.parametrize("added", [
    " Kuratorn har slutat; från 1 februari tar Vera Nyberg över samtalen.",  # a new person by name
    " Kuratorn har slutat och samtalen pausas till 1 februari; under tiden ringer sjuksköterskan varannan vecka.",
    " Kuratorn har slutat, så en psykolog på vårdcentralen tar över samtalen i december.",  # a replacement, when
    " Samtalen pausas i två månader tills en ny kurator börjar.",
    " Ingen kurator finns förrän i februari; Filip kan ringa sjuksköterskan under tiden.",
    " Kuratorn har slutat. Läkaren tar över samtalen tills vidare.",
])
def test_e003_passes_on_a_new_person_a_replacement_or_a_gap_with_its_time(model, scenario, added):
    assert status(with_effort_text(model, added), model, VC, scenario, "E003") == "pass", added


def test_e003_a_new_contact_person_by_name_is_a_revision(model, scenario):
    after = copy.deepcopy(model)
    after["contacts"][0] = {"organisation": "vardcentral", "name": "Vera Nyberg", "reach": "telefon 010-000 00 09"}
    assert status(after, model, VC, scenario, "E003") == "pass"


def test_e003_fails_on_the_unrevised_plan(model, scenario):
    r = judge(model, model, VC, scenario)[0]["E003"]
    assert r.status == "fail" and "Inget i delen för vårdcentralen" in r.message


@pytest.mark.parametrize("added", [
    " Ersätts tar över vikarie i stället pausas uppehåll ny.",  # every keyword, nothing said
    " Ersätts.",
    ".",  # a keystroke
    " Kuratorn slutar.",  # the event repeated: no one, nothing, no time
    " Kuratorn slutar och samtalen pausas.",  # a gap, but for how long?
    " Ny Person tar över.",  # keywords dressed as a name
])
def test_e003_keywords_and_keystrokes_are_no_revision(model, scenario, added):
    assert status(with_effort_text(model, added), model, VC, scenario, "E003") == "fail"


def test_e003_the_whole_effort_rewritten_counts_once_it_says_who_or_when(model, scenario):
    rewritten = copy.deepcopy(model)
    rewritten["efforts"][0]["what"] = "Samtal med ny kurator på vårdcentralen från 1 februari, varannan vecka."
    assert status(rewritten, model, VC, scenario, "E003") == "pass"
    rewritten["efforts"][0]["what"] = "Samtal med kurator på vårdcentralen om stress och sömn, varannan vecka. Ny kurator."
    assert status(rewritten, model, VC, scenario, "E003") == "fail"


def test_e003_a_moved_date_or_a_new_phone_number_is_no_revision(model, scenario):
    phone = copy.deepcopy(model)
    phone["contacts"][0]["reach"] = "telefon 010-111 11 11"
    assert status(phone, model, VC, scenario, "E003") == "fail"
    after = copy.deepcopy(model)
    after["efforts"][0]["start"] = "2027-02-01"
    r = judge(after, model, VC, scenario)[0]["E003"]
    assert r.status == "fail" and "har ändrats, men ändringen säger inte vem" in r.message


def test_e003_an_effort_struck_out_and_replaced_elsewhere(model, scenario):
    moved = copy.deepcopy(model)
    del moved["efforts"][0]  # the kurator's talks at the vårdcentral (need N1)
    moved["efforts"].append({"id": "E9", "what": "Samtal hos psykiatrins behandlare i stället, varannan vecka från "
                             "januari.", "organisation": "vuxenpsykiatri", "needs": ["N1"]})
    assert status(moved, model, VC, scenario, "E003") == "pass"
    dropped = copy.deepcopy(model)
    del dropped["efforts"][0]
    r = judge(dropped, model, VC, scenario)[0]["E003"]
    assert r.status == "fail" and "har ändrats, men ändringen säger inte" in r.message


def test_e003_another_organisations_change_does_not_count(model, scenario):
    after = with_effort_text(model, " Från 1 februari tar Vera Nyberg över.", index=6)  # socialtjänsten's effort
    assert status(after, model, VC, scenario, "E003") == "fail"


def test_e003_scores_each_organisation(model, scenario):
    after = with_effort_text(model, " Kuratorn har slutat; från 1 februari tar Vera Nyberg över samtalen.")
    r = judge(after, model, {"revise": ["vardcentral", "socialtjanst_vuxen"]}, scenario)[0]["E003"]
    assert r.status == "partial" and r.score == 0.5 and "socialtjänsten (vuxen)" in r.message


# --- E004 follow-up sooner ---------------------------------------------------------------------------------------
SOONER = {"follow_up_sooner": True}


@pytest.mark.parametrize(("date", "expected"), [
    ("2026-12-01", "pass"), ("2027-01-18", "fail"), ("2027-02-01", "fail"), ("2026-11-10", "partial"), (None, "fail")])
def test_e004_the_follow_up_moves_earlier_but_stays_after_the_plan_date(model, scenario, date, expected):
    after = copy.deepcopy(model)
    after["follow_up"]["date"] = date
    assert status(after, model, SOONER, scenario, "E004") == expected


def test_e004_a_follow_up_set_for_the_first_time_counts(model, scenario):
    before = copy.deepcopy(model)
    before["follow_up"]["date"] = None
    assert status(model, before, SOONER, scenario, "E004") == "pass"


# --- E005 discharge ----------------------------------------------------------------------------------------------
DISCHARGE = {"discharge": True}


def discharged(model: dict, called_by: str = "Vera Nyberg, fast vårdkontakt på vårdcentralen") -> dict:
    after = copy.deepcopy(model)
    after["discharge_ready"] = "2026-12-02"
    after["follow_up"]["date"] = "2026-12-04"
    after["follow_up"]["called_by"] = called_by
    return after


def test_e005_passes_with_a_new_discharge_date_a_meeting_within_three_days_and_a_fast_vardkontakt(model, scenario):
    assert status(discharged(model), model, DISCHARGE, scenario, "E005") == "pass"
    effort = discharged(model, "Sara Lind, vårdcentralen")
    effort["efforts"].append({"id": "E9", "what": "Eva Dal är fast vårdkontakt och kallar till SIP före utskrivningen.",
                              "effort": "fast_vardkontakt", "organisation": "vardcentral", "needs": ["N1"]})
    assert status(effort, model, DISCHARGE, scenario, "E005") == "pass"


def test_e005_the_fast_vardkontakt_as_contact_person_or_participant(model, scenario):
    contact = discharged(model, "Sara Lind, vårdcentralen")
    contact["contacts"].append({"organisation": "vardcentral", "name": "Eva Dal", "reach": "fast vårdkontakt, 010-1"})
    assert status(contact, model, DISCHARGE, scenario, "E005") == "pass"
    present = discharged(model, "Sara Lind, vårdcentralen")
    present["established"], present["follow_up"]["date"] = "2026-12-03", "2027-01-18"  # a new SIP meeting
    present["participants"].append({"organisation": "vardcentral", "name": "Eva Dal", "role": "fast vårdkontakt"})
    assert status(present, model, DISCHARGE, scenario, "E005") == "pass"
    elsewhere = discharged(model, "Sara Lind, vårdcentralen")
    elsewhere["contacts"].append({"organisation": "socialtjanst_vuxen", "name": "Eva Dal", "reach": "fast vårdkontakt"})
    assert status(elsewhere, model, DISCHARGE, scenario, "E005") == "partial"  # the kommun has no fast vårdkontakt


def test_e005_fails_on_the_unrevised_plan_and_on_the_old_discharge_date(model, scenario):
    assert status(model, model, DISCHARGE, scenario, "E005") == "fail"
    before = copy.deepcopy(model)
    before["discharge_ready"] = "2026-11-14"
    after = discharged(model)
    after["discharge_ready"] = "2026-11-14"
    assert status(after, before, DISCHARGE, scenario, "E005") == "fail"


def test_e005_the_words_fast_vardkontakt_without_a_person_and_a_late_meeting_are_partial(model, scenario):
    r = judge(discharged(model, "fast vårdkontakt"), model, DISCHARGE, scenario)[0]["E005"]
    assert r.status == "partial" and "fast vårdkontakt" in r.message
    late = discharged(model)
    late["follow_up"]["date"] = "2026-12-09"
    r = judge(late, model, DISCHARGE, scenario)[0]["E005"]
    assert r.status == "partial" and "inom 3 dagar" in r.message


# --- E006 a new need ---------------------------------------------------------------------------------------------
HOUSING = {"need_area": "boende"}


def with_need(model: dict, text: str, *, area: str = "boende", effort: dict | None = None) -> dict:
    after = copy.deepcopy(model)
    after["needs"].append({"id": "N9", "text": text, "area": area})
    if effort is not None:
        after["efforts"].append({"id": "E9", "needs": ["N9"], **effort})
    return after


BOENDESTOD = {"what": "Boendestöd två gånger i veckan, med start inom en vecka.", "organisation": "socialtjanst_vuxen"}


def test_e006_passes_on_a_new_need_in_the_area_with_an_effort(model, scenario):
    after = with_need(model, "Filip riskerar att förlora lägenheten och behöver hjälp att behålla den.", effort=BOENDESTOD)
    assert status(after, model, HOUSING, scenario, "E006") == "pass"
    no_area = with_need(model, "Filip riskerar att förlora lägenheten och behöver hjälp att behålla den.", area="",
                        effort={**BOENDESTOD, "effort": "boendestod"})
    assert status(no_area, model, HOUSING, scenario, "E006") == "pass"


def test_e006_fails_on_the_unrevised_plan_and_on_a_need_in_another_area(model, scenario):
    assert status(model, model, HOUSING, scenario, "E006") == "fail"
    other = with_need(model, "Filip riskerar att förlora lägenheten och behöver hjälp.", area="ekonomi", effort=BOENDESTOD)
    assert status(other, model, HOUSING, scenario, "E006") == "fail"


@pytest.mark.parametrize("text", ["Behov av boende och vardag.", "Boende vardag behov behöver boende.",
                                  "Inget behov av boende och vardag finns.",
                                  "Filip behöver mer hjälp och stöd nu."])  # nothing about what he needs
def test_e006_keywords_or_a_denied_need_do_not_count(model, scenario, text):
    assert status(with_need(model, text, effort=BOENDESTOD), model, HOUSING, scenario, "E006") == "fail"


def test_e006_a_new_need_without_an_effort_is_partial(model, scenario):
    r = judge(with_need(model, "Filip riskerar att förlora lägenheten och behöver hjälp att behålla den."), model,
              HOUSING, scenario)[0]["E006"]
    assert r.status == "partial" and "ingen insats" in r.message
    assert "boende och vardag" not in r.message and "boende och vardag" in r.guided  # the area is the guided layer


def test_e006_a_need_already_there_before_the_event_is_not_new(model, scenario):
    before = with_need(model, "Filip riskerar att förlora lägenheten och behöver hjälp att behålla den.", effort=BOENDESTOD)
    assert status(before, before, HOUSING, scenario, "E006") == "fail"
    rewritten = copy.deepcopy(before)
    rewritten["needs"][-1]["text"] += " Kronofogden har bestämt datum för avhysning om tio dagar."
    assert status(rewritten, before, HOUSING, scenario, "E006") == "pass"


# --- where the results are shown ---------------------------------------------------------------------------------
def test_feedback_shows_the_event_rules_after_the_event(model, scenario):
    ctx = EventContext(event(AF, title="Samtycket ändras"), Plan.model_validate(model), NOW)
    fb = assess(model, scenario, events=[ctx])
    mine = [i for i in fb.items if i.event]
    assert [(i.code, i.event_title, i.status) for i in mine] == [("E001", "Samtycket ändras", "fail")]
    assert "E001" in fb.missed and fb.score < 1.0
    page = render("feedback.html.j2", feedback=fb)
    assert "Händelser: 0 av 1 uppfyllda" in page and "Efter händelsen ”Samtycket ändras”" in page
    assert [f.name for f in fb.families][-1] == "Händelser"
    fixed = assess(narrowed(model), scenario, events=[ctx])
    assert fixed.score == 1.0 and fixed.passed
    plain = assess(model, scenario)
    assert [i for i in fb.items if i.family != "events"] == [i for i in plain.items if i.family != "events"]


def test_text_report_names_the_event(model, scenario):
    _, report = judge(model, model, SOONER, scenario, title="Ny inläggning")
    text = to_text(report, level="nudge")
    assert "Händelser" in text and "E004" in text and "Efter händelsen ”Ny inläggning”" in text


def test_nbgrader_bridge_grades_the_events_family(model, scenario, tmp_path, capsys):
    from graders.nbgrader_bridge import autograde

    (tmp_path / "plan.json").write_text(json.dumps(narrowed(model)), encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text((PLANS / SCENARIO / "scenario.yaml").read_text(encoding="utf-8"),
                                            encoding="utf-8")
    delivered = [EventContext(event(AF, title="Samtycket ändras"), Plan.model_validate(model), NOW)]
    assert autograde("plan.json", 3, folder=tmp_path, family="events", events=delivered) == 3
    assert "E001" in capsys.readouterr().out
    assert autograde("plan.json", 3, folder=tmp_path, family="events") == 0
    assert "inga händelser har kommit" in capsys.readouterr().out
    (tmp_path / "plan.json").write_text(json.dumps(model), encoding="utf-8")
    assert autograde("plan.json", 3, folder=tmp_path, family="events", events=delivered) == 0


def test_k006_a_later_discharge_is_met_by_the_follow_up_within_three_days():
    scenario = labelled_scenario("aldre_utskrivning-1-0")
    plan = json.loads((PLANS / "aldre_utskrivning-1-0/utmarkt.json").read_text(encoding="utf-8"))
    est = dt.date.fromisoformat(plan["established"])
    plan["discharge_ready"] = (est + dt.timedelta(days=10)).isoformat()
    plan["follow_up"]["date"] = (est + dt.timedelta(days=12)).isoformat()
    assert grade(Plan.model_validate(plan), scenario).result("K006").status == "pass"
    plan["follow_up"]["date"] = (est + dt.timedelta(days=20)).isoformat()
    assert grade(Plan.model_validate(plan), scenario).result("K006").status == "partial"
