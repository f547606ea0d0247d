"""Benchmark: plans graded per second, and the live feedback a participant waits for while typing.

1. Full check: load a plan from JSON text + all rules (with the Swedish text tools) + report, over the labelled set.
   Anchor, measured in the same run on the same plans: ``Plan.model_validate_json`` (parsing and validating the plan
   without grading); the ratio says how many plan validations one full check costs. Rule results are cached (most
   plans share most results); the worst case, with that cache cleared before every plan, is printed too.
2. Live feedback: ``sipkurs.feedback.assess`` on a full plan with its case, as the app calls it after every pause in
   typing: the same text again, and the text with one more word typed into a field (a new text: the per-text caches
   miss for that field, the per-word caches mostly hit).

Targets: >= 1,000 plans per second in one process, p95 <= 50 ms for live feedback on a full plan with a case.
The first grading in a process loads the language tools (about a second); that is warm-up, not measured here
(the app warms up in its pool kernels, sipkurs.feedback.warm_up).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders import grade  # noqa: E402
from graders.grading import _cached_result  # noqa: E402
from graders.language import spelling_backend, warm_up  # noqa: E402
from graders.plan import Plan  # noqa: E402
from graders.planfile import parse_plan  # noqa: E402
from simulator.lookup import get_scenario  # noqa: E402
from sipkurs.feedback import assess  # noqa: E402

ROUNDS = 20
TYPING = 200  # keystroke pauses simulated for the live feedback


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] * 1000


def main() -> None:
    t0 = time.perf_counter()
    warm_up()
    print(f"uppvärmning av språkverktygen: {time.perf_counter() - t0:.2f} s (stavning: {spelling_backend() or 'saknas'})")
    files = sorted((ROOT / "tests/data/plans").rglob("*.json"))
    scenarios = {d: get_scenario(str(d / "scenario.yaml")) for d in {f.parent for f in files}}
    texts = [(f.read_text(encoding="utf-8"), f.parent) for f in files]
    for text, folder in texts:  # warm caches (catalogue, rules, lemmas, words)
        grade(parse_plan(text), scenarios[folder])

    anchor_times, check_times, cold_times = [], [], []
    for _ in range(ROUNDS):
        for text, folder in texts:  # worst case: no result cached from an earlier plan
            _cached_result.cache_clear()
            t0 = time.perf_counter()
            grade(parse_plan(text), scenarios[folder])
            cold_times.append(time.perf_counter() - t0)
        for text, _folder in texts:
            t0 = time.perf_counter()
            Plan.model_validate_json(text)
            anchor_times.append(time.perf_counter() - t0)
        for text, folder in texts:
            t0 = time.perf_counter()
            grade(parse_plan(text), scenarios[folder])
            check_times.append(time.perf_counter() - t0)

    n = len(check_times)
    per_second = n / sum(check_times)
    anchor_per_second = len(anchor_times) / sum(anchor_times)
    print(f"planer: {len(texts)} x {ROUNDS} omgångar = {n} bedömningar")
    print(f"fullständig bedömning (läs JSON + alla regler + rapport): {per_second:,.0f} planer/s, p95 {p95(check_times):.2f} ms")
    print(f"utan cachade regelresultat (värsta fall): {len(cold_times) / sum(cold_times):,.0f} planer/s, p95 {p95(cold_times):.2f} ms")
    print(f"ankare Plan.model_validate_json: {anchor_per_second:,.0f} planer/s, p95 {p95(anchor_times):.3f} ms")
    print(f"kvot: en bedömning kostar {anchor_per_second / per_second:.1f} x ankaret")

    # Live feedback on a full plan with its case, as the app asks for it while someone types.
    folder = ROOT / "tests/data/plans/sjukskriven-1-0"
    data = json.loads((folder / "stark-annan-ordalydelse.json").read_text(encoding="utf-8"))
    scenario = scenarios[folder]
    words = "och sedan går Filip hem till sin lägenhet där han vilar en stund innan middagen".split()
    live_times = []
    for i in range(TYPING):
        draft = json.loads(json.dumps(data))
        if i % 2:  # every other pause: one more word typed into the situation
            data["current_situation"] += f" {words[i % len(words)]}"
            draft = data
        t0 = time.perf_counter()
        assess(draft, scenario)
        live_times.append(time.perf_counter() - t0)
    live = p95(live_times)
    print(f"återkoppling medan man skriver (full plan med fall, {TYPING} pauser): median "
          f"{statistics.median(live_times) * 1000:.2f} ms, p95 {live:.2f} ms")
    ok = per_second >= 1000 and p95(check_times) < 50 and live <= 50
    print("mål (>= 1 000 planer/s, p95 < 50 ms, återkoppling p95 <= 50 ms): " + ("uppfyllt" if ok else "EJ uppfyllt"))


if __name__ == "__main__":
    main()
