"""The self-study interview engine: menus, follow-ups, hidden information, typed questions, human roles, the log and
the state the app persists (JSON round trip)."""

from __future__ import annotations

import itertools
import json

import pytest

from simulator.interviewing import InterviewError, InterviewSession, hidden_keys, revealed_keys
from simulator.library import load_library

LIB = load_library()
PSYKOS = LIB["psykos_missbruk_boende"]


def clock():
    ticks = itertools.count()
    return lambda: f"2026-11-24T10:{next(ticks):02d}:00+00:00"


def menu_ids(session, speaker):
    return [q.id for t in session.menu(speaker) for q in t.questions]


def test_speakers_are_the_person_and_every_role_no_human_plays():
    session = InterviewSession(PSYKOS, 2, human_roles={"beroendevard"})
    speakers = session.speakers()
    assert [s.id for s in speakers] == ["personen", *(r for r in PSYKOS.role_ids if r != "beroendevard")]
    assert speakers[0].name == session.person.full_name and speakers[0].title == "personen"
    assert speakers[1].name == "Vuxenpsykiatrin (skötare och samordnare)"
    with pytest.raises(InterviewError, match="spelas av en deltagare"):
        session.menu("beroendevard")
    with pytest.raises(InterviewError, match="finns inte i fallet"):
        session.menu("polisen")
    with pytest.raises(InterviewError, match="okänd roll"):
        InterviewSession(PSYKOS, 0, human_roles={"skola"})
    assert "personen" not in [s.id for s in InterviewSession(PSYKOS, 0, human_roles={"personen"}).speakers()]


def test_the_menu_is_grouped_by_topic_and_follow_ups_appear_after_their_answer():
    session = InterviewSession(PSYKOS, 0)
    menu = session.menu("personen")
    assert [t.label for t in menu] == ["Vardagen", "Hälsan", "Boendet", "Ekonomin", "Nätverket",
                                       "Det som är viktigt för dig", "Samtycke: vad får delas och med vem"]
    assert "skulder" not in menu_ids(session, "personen")
    with pytest.raises(InterviewError, match="följdfråga"):
        session.ask("personen", "skulder")
    answer = session.ask("personen", "pengarna")
    assert [q.id for q in answer.opened] == ["skulder"] and answer.opened[0].follow_up
    assert answer.revealed == () and not answer.repeated
    assert "skulder" in menu_ids(session, "personen")
    economy = next(t for t in session.menu("personen") if t.topic == "economy")
    assert [(q.id, q.asked) for q in economy.questions] == [("pengarna", True), ("skulder", False)]


def test_a_hidden_item_is_revealed_once_by_the_question_that_uncovers_it():
    session = InterviewSession(PSYKOS, 0)
    person_missed = [m for m in session.missed() if m.fact.speaker == "personen"]
    assert session.revealed() == [] and [m.fact.key for m in person_missed] == ["personen:0"]
    assert person_missed[0].questions == ("Hur går det med pengarna?", "Har du några skulder?")
    session.ask("personen", "pengarna")
    answer = session.ask("personen", "skulder")
    assert [f.key for f in answer.revealed] == ["personen:0"]
    assert answer.revealed[0].text == "Jag är skyldig en kille tolv tusen, och han vet var jag bor."
    again = session.ask("personen", "skulder")
    assert again.repeated and again.revealed == ()
    assert not [m for m in session.missed() if m.fact.speaker == "personen"]
    assert [f.key for f in session.revealed()] == ["personen:0"]


def test_answers_are_filled_for_the_variant_and_say_who_answers():
    case = LIB["barn_autism_avlastning"]
    session = InterviewSession(case, 4)
    name = session.person.given_name
    answer = session.ask("personen", "sovnen")
    assert answer.by == "mamma" and "{" not in answer.text and name not in answer.text  # "{Hon} vaknar …"
    answer = session.ask("personen", "epilepsin")
    assert answer.by == "pappa"
    consent = InterviewSession(PSYKOS, 0).ask("personen", "samtycke")
    assert consent.hesitant and "hyresvärden" in consent.text
    role = InterviewSession(LIB["ung_hvb_placerad"], 0).ask("socialtjanst_barn", "namnden")
    assert role.revealed[0].text.startswith("Min chef har sagt")  # the role card's "Din chef" in the role's voice


def test_typed_questions_answer_suggest_or_say_honestly_that_nothing_matches():
    session = InterviewSession(PSYKOS, 0, clock=clock())
    reply = session.ask_text("personen", "Hur mår du egentligen?")
    assert reply.kind == "answer" and reply.answer.question_id == "maendet"
    reply = session.ask_text("personen", "Vem vann melodifestivalen?")
    assert reply.kind == "none" and reply.answer is None and "Försök med andra ord" in reply.message
    reply = session.ask_text("personen", "Hur har du det?")
    assert reply.kind in ("suggest", "none")
    if reply.kind == "suggest":
        assert reply.message == "Menade du …?" and 1 <= len(reply.suggestions) <= 3


def test_a_typed_follow_up_leads_to_the_question_that_opens_it():
    session = InterviewSession(PSYKOS, 0)
    reply = session.ask_text("personen", "Har du några skulder?")
    assert reply.kind == "suggest" and reply.suggestions[0].question_id == "pengarna"
    assert session.revealed() == []
    session.ask("personen", reply.suggestions[0].question_id)
    reply = session.ask_text("personen", "Har du några skulder?")
    assert reply.kind == "answer" and [f.key for f in reply.answer.revealed] == ["personen:0"]


def test_every_question_is_logged_with_its_time():
    session = InterviewSession(PSYKOS, 0, clock=clock())
    session.ask("personen", "maendet")
    session.ask_text("personen", "Vem vann melodifestivalen?")
    session.ask("personen", "pengarna")
    session.ask_text("personen", "har du skulder")
    log = [(e.time, e.speaker, e.kind, e.question, e.text, e.revealed) for e in session.log]
    assert log == [
        ("2026-11-24T10:00:00+00:00", "personen", "menu", "maendet", None, []),
        ("2026-11-24T10:01:00+00:00", "personen", "none", None, "Vem vann melodifestivalen?", []),
        ("2026-11-24T10:02:00+00:00", "personen", "menu", "pengarna", None, []),
        ("2026-11-24T10:03:00+00:00", "personen", "answer", "skulder", "har du skulder", ["personen:0"]),
    ]
    assert session.log[3].score is not None


def test_state_round_trips_through_json():
    session = InterviewSession(PSYKOS, 5, human_roles={"beroendevard"}, clock=clock())
    session.ask("personen", "pengarna")
    session.ask("personen", "skulder")
    session.ask_text("vuxenpsykiatri", "Vad vet ni om henne?")
    session.ask_text("personen", "asdf")
    state = json.loads(json.dumps(session.to_dict()))
    assert state["format"] == "sipkurs-intervju" and state["case_id"] == PSYKOS.id and state["variant"] == 5
    again = InterviewSession.from_dict(state)  # the case comes from the library
    assert again.to_dict() == session.to_dict()
    assert again.revealed() == session.revealed() and again.missed() == session.missed()
    for speaker in [s.id for s in session.speakers()]:
        assert again.menu(speaker) == session.menu(speaker)
    assert again.speakers() == session.speakers()
    assert revealed_keys(state) == {"personen:0"}
    assert {k for k in hidden_keys(PSYKOS) if k.startswith("personen")} == {"personen:0"}


def test_a_broken_or_foreign_state_is_refused_in_swedish():
    with pytest.raises(InterviewError, match="fel format"):
        InterviewSession.from_dict({"format": "något annat"})
    state = InterviewSession(PSYKOS, 0).to_dict()
    with pytest.raises(InterviewError, match="version"):
        InterviewSession.from_dict({**state, "version": 99})
    with pytest.raises(InterviewError, match="gäller fallet"):
        InterviewSession.from_dict(state, LIB["skor_aldre_ensam"])
    with pytest.raises(InterviewError, match="finns inte i fallbiblioteket"):
        InterviewSession.from_dict({**state, "case_id": "inget_sadant_fall"})


def test_a_case_without_an_interview_is_interviewed_from_its_data():
    case = LIB["sjukskriven_utmattning"].model_copy(update={"interview": None})
    session = InterviewSession(case, 0)
    assert {t.topic for t in session.menu("personen")} >= {"everyday", "housing", "network", "what_matters", "consent"}
    assert {t.topic for t in session.menu("forsakringskassan")} >= {"knows", "offers", "when"}
    reply = session.ask_text("forsakringskassan", "Vad händer om intyget inte kommer?")
    assert reply.kind == "answer" and reply.answer.revealed[0].key == "forsakringskassan:0"
    assert reply.answer.text.startswith("Utan nytt läkarintyg")
    offers = session.ask("forsakringskassan", "vad_ni_kan_erbjuda")
    assert offers.text.startswith("Jag beslutar om ersättning")  # "Du beslutar" on the role card
