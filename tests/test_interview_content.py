"""The interviews of the library cases: every hidden item can be found, and no answer contradicts the case.

"Contradicts" is checked on what can be checked without reading Swedish like a person: every proper name, number,
organisation and effort an answer mentions must be one the rest of the case (the card, the person, the roles, the
hidden items: everything but the interview) already has. An invented sister, a wrong age, an agency that is not in
the case or an effort the case does not give are all caught this way.
"""

from __future__ import annotations

import re

import pytest

from simulator.cases import PERSON_ROLE, PERSON_TOPICS_SV, ROLE_TOPICS_SV, person_values, text_fields
from simulator.catalogue import load_catalogue
from simulator.interview_defaults import first_person, is_default
from simulator.interviewing import InterviewSession
from simulator.library import load_library
from simulator.texts import fill

LIB = load_library()
CASES = sorted(LIB)
VARIANTS = (0, 3)

NUMBER_WORDS = {
    "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "nio": 9, "tio": 10, "elva": 11, "tolv": 12,
    "tretton": 13, "fjorton": 14, "femton": 15, "sexton": 16, "sjutton": 17, "arton": 18, "nitton": 19,
    "tjugo": 20, "trettio": 30, "fyrtio": 40, "femtio": 50, "sextio": 60, "sjuttio": 70, "åttio": 80, "nittio": 90,
}
# Capitalised words that are not names: sentence openers after a quote or a parenthesis, and Swedish words that are
# always written with a capital.
NOT_NAMES = {"Ingen", "Ja", "Nej", "Okej", "Och", "Men", "Säg", "Baka", "Mamma", "Pappa", "Tystnad", "Tvekar",
             "Tittar", "Pekar", "Med", "Via", "Lång", "Tyst", "Suckar", "Tänker", "Simma", "Gunga", "Vara", "Skola",
             "Buss", "Hem", "Ipad", "Hästar", "Fotboll", "Trött", "Dåligt", "Bra", "Bättre", "Sådär", "Allt",
             "Gå", "Kerstin", "Min", "Mitt", "Vi", "Jag", "Det", "De", "Hon", "Han", "Där", "Här", "Nu", "Sedan",
             "Kanske", "Inte", "Att", "Om", "När", "Först", "Förut", "Antingen", "Efter", "Utan", "Lite", "Ibland"}


def _number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in NUMBER_WORDS:
        return NUMBER_WORDS[token]
    for tens, value in NUMBER_WORDS.items():  # åttioåtta, tjugofem …
        if value >= 20 and token.startswith(tens) and token[len(tens):] in NUMBER_WORDS:
            return value + NUMBER_WORDS[token[len(tens):]]
    return None


def _norm(text: str) -> str:
    return " " + " ".join(re.findall(r"\w+", text.casefold())) + " "


def _numbers(text: str) -> set[int]:
    return {n for t in re.findall(r"\w+", text.casefold()) if (n := _number(t)) is not None and n >= 3}


def _answers(case, variant):
    """(speaker, question id, filled answer) of every question the engine offers, written or made from the case."""
    session = InterviewSession(case, variant)
    values = person_values(session.person)
    for speaker, part, topics in [(PERSON_ROLE, session.interview.person, PERSON_TOPICS_SV)] + [
            (r.organisation, r, ROLE_TOPICS_SV) for r in session.interview.roles]:
        for t in topics:
            for q in getattr(part, t):
                yield speaker, q, fill(q.answer, values)


def _case_texts(case, variant) -> str:
    """Everything the case says outside its interview, filled for the variant (the facts answers may use)."""
    s = case.variant(variant)
    values = person_values(s.person)
    texts = [fill(t, values) for path, t in text_fields(case).items() if not path.startswith("interview.")]
    p = s.person
    texts += [p.full_name, p.kommun, p.region, str(p.age)] + [f"{m.name} {m.age}" for m in p.network]
    return " ".join(texts)


@pytest.mark.parametrize("case_id", CASES)
def test_every_hidden_item_is_reachable_by_a_question_path(case_id):
    """Asking every question that is available, round after round, reveals every hidden item of the case; and the
    path the debrief names for a hidden item reveals it when asked in that order."""
    case = LIB[case_id]
    session = InterviewSession(case, 1)
    keys = {f.key for f in session.hidden_facts()}
    assert len(keys) == len(case.person.hidden) + sum(len(r.hidden) for r in case.roles)
    for missed in session.missed():
        replay = InterviewSession(case, 1)
        speaker = missed.fact.speaker
        texts = {q.text: q.id for t in replay.menu(speaker) for q in t.questions}
        for question in missed.questions:
            menu = {q.text: q.id for t in replay.menu(speaker) for q in t.questions}
            assert question in menu, (question, list(menu))  # each step of the path is on the menu when its turn comes
            replay.ask(speaker, menu[question])
        assert missed.fact.key in {f.key for f in replay.revealed()}, missed
        assert texts  # the speaker has a menu at the start
    for speaker in [s.id for s in session.speakers()]:
        while True:
            fresh = [q for q in session.available(speaker) if q not in session.asked(speaker)]
            if not fresh:
                break
            for q in fresh:
                session.ask(speaker, q)
    assert {f.key for f in session.revealed()} == keys
    assert session.missed() == []


def test_some_hidden_items_come_only_after_an_earlier_answer():
    """Progressive disclosure exists in the library: a hidden item whose every revealing question is a follow-up."""
    behind = []
    for case_id in CASES:
        session = InterviewSession(LIB[case_id], 0)
        for m in session.missed():
            if len(m.questions) > 1:
                behind.append((case_id, m.fact.key))
    assert len(behind) >= 6, behind


@pytest.mark.parametrize("case_id", CASES)
def test_library_interviews_are_written_with_several_phrasings(case_id):
    case = LIB[case_id]
    assert not is_default(case, PERSON_ROLE) and not any(is_default(case, r) for r in case.role_ids)
    session = InterviewSession(case, 0)
    topics = {m.topic for m in session.menu(PERSON_ROLE)}
    assert {"everyday", "health", "network", "what_matters", "consent"} <= topics
    for speaker, q, _ in _answers(case, 0):
        assert len(q.ask) >= 3, (speaker, q.id)


@pytest.mark.parametrize("case_id", CASES)
def test_no_answer_contradicts_the_case(case_id, catalogue):
    case = LIB[case_id]
    org_words = {o.id: {o.name.casefold(), o.short.casefold()} for o in catalogue.organisations}
    in_case = set(case.role_ids) | {c.organisation for c in case.person.current_efforts}
    in_place = {c.effort for c in case.person.current_efforts}
    said_in_card = _norm(" ".join(t for path, t in text_fields(case).items() if path.startswith(("case_card.", "person."))))
    for variant in VARIANTS:
        facts = _case_texts(case, variant)
        fact_words = set(re.findall(r"\w+", facts))
        fact_numbers = _numbers(facts) | {m.age for m in case.variant(variant).person.network}
        folded = facts.casefold()
        for speaker, q, answer in _answers(case, variant):
            where = f"{case_id} {speaker}.{q.id}"
            # proper names: a capitalised word inside a sentence must be one the case already uses
            for name in re.findall(r"(?<![.!?…:()”]\s)(?<!^)\b([A-ZÅÄÖ][a-zåäöé]+)", answer):
                base = name[:-1] if name.endswith("s") and name[:-1] in fact_words else name  # genitive: Robins
                if base not in NOT_NAMES:
                    assert base in fact_words or base.casefold() in folded, f"{where}: okänt namn '{name}'"
            # numbers: ages, counts and durations must be the case's
            for n in _numbers(answer):
                assert n in fact_numbers, f"{where}: talet {n} finns inte i fallet"
            # organisations: only those the person has in the case
            text = _norm(answer)
            for org, names in org_words.items():
                if any(_norm(n) in text for n in names) and org not in in_case:
                    assert any(_norm(n) in _norm(facts) for n in names), f"{where}: nämner {org}, som inte finns i fallet"
            # efforts: the person never names an effort the case does not already give
            if speaker == PERSON_ROLE:
                for e in catalogue.efforts:
                    if _norm(e.name) in text:
                        assert e.id in in_place or _norm(e.name) in said_in_card, f"{where}: nämner insatsen '{e.name}'"


@pytest.mark.parametrize("case_id", CASES)
def test_hidden_answers_say_what_the_hidden_item_says(case_id):
    """The answer that reveals a hidden item carries its content (most of its words), so the card and the
    interview tell the same secret."""
    case = LIB[case_id]
    for speaker, q, answer in _answers(case, 0):
        for ask in q.reveals:
            hidden = case.person.hidden if speaker == PERSON_ROLE else case.role(speaker).hidden
            item = next(h for h in hidden if h.ask.casefold() == ask.casefold())
            text = item.text if speaker == PERSON_ROLE else first_person(item.text)
            words = {w for w in re.findall(r"\w{4,}", text.casefold()) if "{" not in w}
            said = set(re.findall(r"\w{4,}", answer.casefold()))
            assert len(words & said) >= 0.6 * len(words), (case_id, q.id, words - said)


def test_the_catalogue_names_every_library_organisation(catalogue):
    assert all(r in load_catalogue().organisation_by_id for c in LIB.values() for r in c.role_ids)
