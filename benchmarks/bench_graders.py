"""Benchmark: plans graded per second, and the live feedback a participant waits for while typing.

1. Full check: load a plan from JSON text + all rules (with the Swedish text tools) + report, over the labelled set.
   Anchor, measured in the same run on the same plans: ``Plan.model_validate_json`` (parsing and validating the plan
   without grading); the ratio says how many plan validations one full check costs. Rule results are cached (most
   plans share most results); the worst case, with that cache cleared before every plan, is printed too.
2. Live feedback: ``sipkurs.feedback.assess`` on a full plan with its case, as the app calls it after every pause in
   typing: the same text again, and the text with one more word typed into a field (a new text: the per-text caches
   miss for that field, the per-word caches mostly hit).

3. The same two with case events delivered (the event rules E…): every plan graded with three events whose
   expectations cover all six event rules, the plan at delivery being the plan itself (the hardest comparison: nothing
   revised, every sentence compared); live feedback after those events while the group revises.

Targets: >= 1,000 plans per second in one process, p95 <= 50 ms for live feedback on a full plan with a case, with
and without events.
The first grading in a process loads the language tools (about a second); that is warm-up, not measured here
(the app warms up in its pool kernels, sipkurs.feedback.warm_up).
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graders import EventContext, grade  # noqa: E402
from graders.grading import _cached_result  # noqa: E402
from graders.language import spelling_backend, warm_up  # noqa: E402
from graders.plan import Plan  # noqa: E402
from graders.planfile import parse_plan  # noqa: E402
from simulator.cases import CaseEvent  # noqa: E402
from simulator.lookup import get_scenario  # noqa: E402
from sipkurs.feedback import assess  # noqa: E402

ROUNDS = 20
TYPING = 200  # keystroke pauses simulated for the live feedback


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18] * 1000


EVENTS = (  # three events that together ask for every kind of revision
    CaseEvent(id="samtycke", title="Samtycket ändras", text="x",
              expects={"consent_excludes": "arbetsformedlingen", "revise": ["vardcentral"]}),
    CaseEvent(id="inlaggning", title="Ny inläggning", text="x",
              expects={"discharge": True, "follow_up_sooner": True, "need_area": "psykisk_halsa"}),
    CaseEvent(id="avslut", title="Samtycket dras tillbaka", text="x", expects={"plan_closed": True}),
)
DELIVERED = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)


def delivered(before: Plan) -> list[EventContext]:
    return [EventContext(e, before, DELIVERED) for e in EVENTS]


def main() -> None:
    t0 = time.perf_counter()
    warm_up()
    print(f"uppvärmning av språkverktygen: {time.perf_counter() - t0:.2f} s (stavning: {spelling_backend() or 'saknas'})")
    files = sorted((ROOT / "tests/data/plans").rglob("*.json"))
    scenarios = {d: get_scenario(str(d / "scenario.yaml")) for d in {f.parent for f in files}}
    texts = [(f.read_text(encoding="utf-8"), f.parent) for f in files]
    for text, folder in texts:  # warm caches (catalogue, rules, lemmas, words)
        grade(parse_plan(text), scenarios[folder])

    befores = [parse_plan(text) for text, _folder in texts]
    for (text, folder), before in zip(texts, befores, strict=True):  # warm the event rules' caches too
        grade(parse_plan(text), scenarios[folder], events=delivered(before))

    anchor_times, check_times, cold_times, event_times = [], [], [], []
    for _ in range(ROUNDS):  # the kinds of run take turns, so that load on a shared machine hits them alike
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
        for (text, folder), before in zip(texts, befores, strict=True):
            t0 = time.perf_counter()
            grade(parse_plan(text), scenarios[folder], events=delivered(before))
            event_times.append(time.perf_counter() - t0)

    n = len(check_times)
    per_second = n / sum(check_times)
    anchor_per_second = len(anchor_times) / sum(anchor_times)
    print(f"planer: {len(texts)} x {ROUNDS} omgångar = {n} bedömningar")
    print(f"fullständig bedömning (läs JSON + alla regler + rapport): {per_second:,.0f} planer/s, p95 {p95(check_times):.2f} ms")
    print(f"utan cachade regelresultat (värsta fall): {len(cold_times) / sum(cold_times):,.0f} planer/s, p95 {p95(cold_times):.2f} ms")
    print(f"ankare Plan.model_validate_json: {anchor_per_second:,.0f} planer/s, p95 {p95(anchor_times):.3f} ms")
    print(f"kvot: en bedömning kostar {anchor_per_second / per_second:.1f} x ankaret")
    event_per_second = len(event_times) / sum(event_times)
    print(f"med tre händelser (alla sex händelseregler): {event_per_second:,.0f} planer/s, p95 {p95(event_times):.2f} ms, "
          f"kvot {anchor_per_second / event_per_second:.1f} x ankaret")

    # Live feedback on a full plan with its case, as the app asks for it while someone types.
    folder = ROOT / "tests/data/plans/sjukskriven-1-0"
    data = json.loads((folder / "stark-annan-ordalydelse.json").read_text(encoding="utf-8"))
    scenario = scenarios[folder]
    words = "och sedan går Filip hem till sin lägenhet där han vilar en stund innan middagen".split()
    before = Plan.model_validate(data)
    lives = {}
    runs = ((" i situationen", "situation", ()), (" i en insats", "insats", ()),
            (" i en insats efter tre händelser", "insats", delivered(before)))
    for run, (label, where, events) in enumerate(runs):
        draft_data = json.loads(json.dumps(data))
        live_times = []
        for i in range(TYPING):
            draft = json.loads(json.dumps(draft_data))
            if i % 2:  # every other pause: one more word typed (a new text there: the per-text caches miss)
                field, key = (draft_data["efforts"][0], "what") if where == "insats" else (draft_data, "current_situation")
                field[key] += f" {words[(i + 5 * run) % len(words)]}"  # each run types its own texts: no cache hits
                draft = draft_data
            t0 = time.perf_counter()
            assess(draft, scenario, events=events)
            live_times.append(time.perf_counter() - t0)
        lives[label] = p95(live_times)
        print(f"återkoppling medan man skriver{label} (full plan med fall, {TYPING} pauser): median "
              f"{statistics.median(live_times) * 1000:.2f} ms, p95 {lives[label]:.2f} ms")
    ok = (min(per_second, event_per_second) >= 1000 and max(p95(check_times), p95(event_times)) < 50
          and max(lives.values()) <= 50)
    print("mål (>= 1 000 planer/s, p95 < 50 ms, återkoppling p95 <= 50 ms, med och utan händelser): "
          + ("uppfyllt" if ok else "EJ uppfyllt"))


if __name__ == "__main__":
    main()
