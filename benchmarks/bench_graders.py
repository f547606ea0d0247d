"""Benchmark: plans graded per second and p95 of one full check (load from JSON text + all rules + report).

Anchor, measured in the same run on the same plans: ``Plan.model_validate_json`` (parsing and validating the plan
without grading). The ratio says how many plan validations one full check costs.
Rule results are cached (most plans share most results); the worst case, with that cache cleared before every
plan, is printed too. Targets: >= 1,000 plans per second in one process, p95 < 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders import grade  # noqa: E402
from graders.grading import _cached_result  # noqa: E402
from graders.plan import Plan  # noqa: E402
from graders.planfile import parse_plan  # noqa: E402
from simulator.lookup import get_scenario  # noqa: E402

ROUNDS = 20


def main() -> None:
    files = sorted((ROOT / "tests/data/plans").rglob("*.json"))
    texts = [(f.read_text(encoding="utf-8"), f.parent.name) for f in files]
    scenarios = {sid: get_scenario(sid) for _, sid in texts}
    for text, sid in texts:  # warm caches (catalogue, rules, stems)
        grade(parse_plan(text), scenarios[sid])

    anchor_times, check_times, cold_times = [], [], []
    for _ in range(ROUNDS):
        for text, sid in texts:  # worst case: no result cached from an earlier plan
            _cached_result.cache_clear()
            t0 = time.perf_counter()
            grade(parse_plan(text), scenarios[sid])
            cold_times.append(time.perf_counter() - t0)
        for text, _sid in texts:
            t0 = time.perf_counter()
            Plan.model_validate_json(text)
            anchor_times.append(time.perf_counter() - t0)
        for text, sid in texts:
            t0 = time.perf_counter()
            grade(parse_plan(text), scenarios[sid])
            check_times.append(time.perf_counter() - t0)

    n = len(check_times)
    per_second = n / sum(check_times)
    anchor_per_second = len(anchor_times) / sum(anchor_times)
    p95 = statistics.quantiles(check_times, n=20)[18] * 1000
    anchor_p95 = statistics.quantiles(anchor_times, n=20)[18] * 1000
    print(f"planer: {len(texts)} x {ROUNDS} omgångar = {n} bedömningar")
    print(f"fullständig bedömning (läs JSON + alla regler + rapport): {per_second:,.0f} planer/s, p95 {p95:.2f} ms")
    cold_p95 = statistics.quantiles(cold_times, n=20)[18] * 1000
    print(f"utan cachade regelresultat (värsta fall): {len(cold_times) / sum(cold_times):,.0f} planer/s, p95 {cold_p95:.2f} ms")
    print(f"ankare Plan.model_validate_json: {anchor_per_second:,.0f} planer/s, p95 {anchor_p95:.3f} ms")
    print(f"kvot: en bedömning kostar {anchor_per_second / per_second:.1f} x ankaret")
    ok = per_second >= 1000 and p95 < 50
    print("mål (>= 1 000 planer/s, p95 < 50 ms): " + ("uppfyllt" if ok else "EJ uppfyllt"))


if __name__ == "__main__":
    main()
