"""Benchmark: time to answer one question in a self-study interview, in the kernel (p95), free text included.

Every phrasing of every question of every library case is typed into a session (``ask_text``: lemmas, n-grams,
ranking, decision, answer, log), then asked from the menu (``ask``). Also measured: the first typed question of a
fresh session (it builds the speaker's index) and a reload (``from_dict`` of a saved state, then a question).
Anchor, measured in the same run on the same typed texts: ``difflib.get_close_matches`` over the speaker's
phrasings (the standard library's fuzzy matcher, without lemmas, IDF or an answer). The ratio says how many anchor
matchings one answered question costs. Target: p95 <= 100 ms for a typed question, reload included.
"""

from __future__ import annotations

import difflib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.interview_matching import warm_up  # noqa: E402
from simulator.interviewing import InterviewSession  # noqa: E402
from simulator.library import load_library  # noqa: E402

ROUNDS = 3
TARGET_MS = 100.0


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] * 1000


def main() -> None:
    library = load_library()
    t0 = time.perf_counter()
    warm_up()  # the Swedish dictionary is opened once per kernel
    opened = time.perf_counter() - t0

    typed_times, menu_times, anchor_times, first_times, reload_times = [], [], [], [], []
    for _ in range(ROUNDS):
        for case in library.values():
            session = InterviewSession(case, 0)
            for speaker in [s.id for s in session.speakers()]:
                data = session._data[speaker]
                phrasings = [session._fill(a) for q in data.questions.values() for a in q.ask]
                fresh = InterviewSession(case, 0)
                t0 = time.perf_counter()
                fresh.ask_text(speaker, phrasings[-1])
                first_times.append(time.perf_counter() - t0)
                for text in phrasings:
                    t0 = time.perf_counter()
                    session.ask_text(speaker, text)
                    typed_times.append(time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    difflib.get_close_matches(text, phrasings, n=3, cutoff=0.0)
                    anchor_times.append(time.perf_counter() - t0)
                for qid in session.available(speaker):
                    t0 = time.perf_counter()
                    session.ask(speaker, qid)
                    menu_times.append(time.perf_counter() - t0)
            state = session.to_dict()
            t0 = time.perf_counter()
            again = InterviewSession.from_dict(state, case)
            again.ask_text("personen", "Hur mår du?")
            reload_times.append(time.perf_counter() - t0)

    typed_p95, anchor_p95 = p95(typed_times), p95(anchor_times)
    print(f"fall: {len(library)}, omgångar: {ROUNDS}, skrivna frågor: {len(typed_times)}, menyfrågor: {len(menu_times)}")
    print(f"öppna den svenska ordlistan (en gång per kärna): {opened * 1000:.0f} ms")
    print(f"skriven fråga (ask_text): median {statistics.median(typed_times) * 1000:.2f} ms, p95 {typed_p95:.2f} ms")
    print(f"fråga ur menyn (ask): p95 {p95(menu_times):.2f} ms")
    print(f"första skrivna frågan i en ny session (bygger index): p95 {p95(first_times):.1f} ms")
    print(f"omladdning (from_dict) och en fråga: p95 {p95(reload_times):.1f} ms")
    print(f"ankare difflib.get_close_matches på samma texter: p95 {anchor_p95:.3f} ms")
    print(f"kvot: en skriven fråga kostar {typed_p95 / anchor_p95:.1f} x ankaret (p95)")
    worst = max(typed_p95, p95(first_times), p95(reload_times))
    print(f"mål (p95 <= {TARGET_MS:.0f} ms, också första frågan och omladdning): "
          + ("uppfyllt" if worst <= TARGET_MS else "EJ uppfyllt"))


if __name__ == "__main__":
    main()
