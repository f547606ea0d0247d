"""The free-text matcher on the library: each case's own phrasings, held out one at a time, find their question, and
questions about something else entirely are refused honestly.

Leave-one-out: for every phrasing of every question, the index is built from all the other phrasings (the held-out
one is not in it), and the held-out phrasing is typed. It counts as found when the matcher answers with the right
question or offers it among "Menade du …?" (the participant then picks it); a confident answer with the wrong
question is counted apart and must stay rare. Measured per case.
"""

from __future__ import annotations

from functools import cache

import pytest

from simulator.cases import PERSON_TOPICS_SV, ROLE_TOPICS_SV, person_values
from simulator.interview_defaults import complete_interview
from simulator.interview_matching import QuestionIndex, decide
from simulator.library import load_library
from simulator.texts import fill

LIB = load_library()
CASES = sorted(LIB)
MIN_FOUND = 0.90
MAX_WRONG_ANSWERS = 0.05

# Questions with no word of the interview domain in them: no person, home, money, health, family or agency.
UNRELATED = [
    "Vem vann melodifestivalen i år?", "Hur många ben har en spindel?", "Kan du rekommendera ett recept på kanelbullar?",
    "Vilken är din favoritfilm?", "asdf qwerty", "Vad är huvudstaden i Frankrike?", "Hur blir vädret i morgon?",
    "Vilket lag vann hockey-VM?", "Vad heter din katt?", "Kan du programmera i Python?", "Vad tycker du om Eurovision?",
    "Hur högt är Kebnekaise?", "", "???",
]


def _speakers(case_id: str):
    case = LIB[case_id]
    values = person_values(case.variant(0).person)
    ignore = frozenset({values["namn"], values["efternamn"], values["namns"]})
    interview = complete_interview(case)
    parts = [[q for t in PERSON_TOPICS_SV for q in getattr(interview.person, t)]]
    parts += [[q for t in ROLE_TOPICS_SV for q in getattr(r, t)] for r in interview.roles]
    for questions in parts:
        yield {q.id: ([fill(a, values) for a in q.ask], fill(q.answer, values)) for q in questions}, ignore


@cache
def held_out(case_id: str) -> dict[str, int]:
    counts = {"phrasings": 0, "found": 0, "top1": 0, "wrong_answers": 0}
    for questions, ignore in _speakers(case_id):
        for qid, (phrasings, _) in questions.items():
            for k, typed in enumerate(phrasings):
                rest = {q: (tuple(p if q != qid else p[:k] + p[k + 1:]), a) for q, (p, a) in questions.items()}
                ranked = QuestionIndex({q: v for q, v in rest.items() if v[0]}, ignore).rank(typed)
                decision = decide(ranked)
                counts["phrasings"] += 1
                counts["top1"] += bool(ranked) and ranked[0].key == qid
                counts["found"] += decision.kind != "none" and any(m.key == qid for m in decision.matches)
                counts["wrong_answers"] += decision.kind == "answer" and decision.matches[0].key != qid
    return counts


@pytest.mark.parametrize("case_id", CASES)
def test_held_out_phrasings_find_their_question(case_id):
    c = held_out(case_id)
    found, wrong = c["found"] / c["phrasings"], c["wrong_answers"] / c["phrasings"]
    print(f"{case_id}: {c['phrasings']} formuleringar, hittade {found:.0%}, bäst rankad {c['top1'] / c['phrasings']:.0%}, "
          f"fel svar {wrong:.1%}")
    assert found >= MIN_FOUND, f"{case_id}: bara {found:.0%} av de utelämnade formuleringarna hittar sin fråga"
    assert wrong <= MAX_WRONG_ANSWERS, f"{case_id}: {wrong:.1%} säkra svar på fel fråga"


@pytest.mark.parametrize("case_id", CASES)
def test_unrelated_questions_are_refused(case_id):
    for questions, ignore in _speakers(case_id):
        index = QuestionIndex({q: (tuple(p), a) for q, (p, a) in questions.items()}, ignore)
        for typed in UNRELATED:
            decision = decide(index.rank(typed))
            assert decision.kind == "none", (case_id, typed, decision)


def test_the_full_index_answers_its_own_phrasings():
    """With every phrasing in the index (as in the app), typing a phrasing always offers its question, nearly always
    first."""
    typed_count = first = 0
    for case_id in CASES:
        for questions, ignore in _speakers(case_id):
            index = QuestionIndex({q: (tuple(p), a) for q, (p, a) in questions.items()}, ignore)
            for qid, (phrasings, _) in questions.items():
                for typed in phrasings:
                    decision = decide(index.rank(typed))
                    assert decision.kind != "none" and qid in [m.key for m in decision.matches], (case_id, typed)
                    typed_count += 1
                    first += decision.matches[0].key == qid
    assert first / typed_count >= 0.97, first / typed_count


def test_inflections_typos_and_synonyms_still_match():
    questions = {
        "pengar": (("Hur går det med pengarna?", "Hur ser din ekonomi ut?"), "Hyran går först."),
        "sova": (("Hur sover du?", "Hur är det med sömnen?"), "Jag sover fyra timmar."),
        "bo": (("Hur bor du?", "Berätta om din lägenhet."), "En trea på tredje våningen."),
    }
    index = QuestionIndex(questions)
    for typed, expected in [("har du skulder?", "pengar"), ("Hur sov du i natt", "sova"), ("sömnproblem?", "sova"),
                            ("Hur ser ditt boende ut", "bo"), ("hur går det med pengrana", "pengar")]:
        ranked = index.rank(typed)
        assert ranked[0].key == expected, (typed, ranked)
