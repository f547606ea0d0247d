"""Random and mutated plans thrown at the loader and the grader: no crash, and bad input gets a clear error.

Four tests, 10,500 examples in all (hypothesis, deadline off, cheap strategies).
"""

import datetime as dt
import json
import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graders import EventContext, PlanFileError, Report, grade
from graders.planfile import parse_plan
from graders.render import to_html, to_text
from conftest import labelled_scenario
from simulator.cases import CaseEvent

PLANS = Path(__file__).parent / "data/plans"
MODELS = {p.parent.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(PLANS.glob("*/utmarkt.json"))}
SCENARIOS = {sid: labelled_scenario(sid) for sid in MODELS}
SETTINGS = dict(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)

# A clear error: source, optional line:column, then the field path or the JSON problem, all on one line.
ERROR = re.compile(r"^<fuzz>(:\d+(:\d+)?)?: \S.*$")

texts = st.one_of(
    st.just(""), st.just("   "), st.text(max_size=40),
    st.sampled_from(["<script>alert(1)</script>", "Ångest & oro \"citat\"", "😀 \u202e åäö", "NASA", "region",
                     "kommun", "vardcentral", "2026-02-30", "19930502-1234", "BUP KBT LSS"]),
    st.integers(min_value=1, max_value=20).map(lambda n: "Lång text. " * (n * 120)),
)
values = st.one_of(texts, st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False),
                   st.lists(texts, max_size=3), st.dictionaries(st.sampled_from(["id", "text", "x"]), texts, max_size=2))


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _paths(v, (*prefix, i))


PATHS = {sid: [p for p in _paths(m) if p and p != ("format",)] for sid, m in MODELS.items()}  # format: see below


@st.composite
def mutated(draw):
    sid = draw(st.sampled_from(sorted(MODELS)))
    plan = json.loads(json.dumps(MODELS[sid]))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(PATHS[sid]))
        parent = plan
        try:
            for key in path[:-1]:
                parent = parent[key]
            action = draw(st.sampled_from(["set", "set", "delete", "empty"]))
            if action == "delete":
                del parent[path[-1]]
            elif action == "empty":
                parent[path[-1]] = type(parent[path[-1]])() if isinstance(parent[path[-1]], (str, list, dict)) else None
            else:
                parent[path[-1]] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # the path vanished under an earlier mutation
    return sid, plan


def _check(text, scenario):
    try:
        plan = parse_plan(text, "<fuzz>")
    except PlanFileError as exc:
        msg = str(exc)
        assert ERROR.match(msg), msg
        assert "\n" not in msg and "Traceback" not in msg and "pydantic" not in msg.lower()
        assert not re.search(r"Input should|Field required|Value error|Extra inputs|Expecting", msg), msg  # Swedish only
        return None
    for report in (grade(plan, scenario), grade(plan)):
        assert isinstance(report, Report) and 0 <= report.score <= 1
        assert {r.status for r in report.results} <= {"pass", "partial", "fail", "not_applicable"}
    html = to_html(report, plan)
    assert "<script>" not in html
    to_text(report)
    return plan


@settings(max_examples=6000, **SETTINGS)
@given(mutated())
def test_mutated_plans_never_crash_the_loader_or_grader(case):
    sid, plan = case
    _check(json.dumps(plan, ensure_ascii=False), SCENARIOS[sid])


@settings(max_examples=2000, **SETTINGS)
@given(st.dictionaries(st.sampled_from(["format", "version", "needs", "efforts", "goals", "consent", "participants",
                                        "concerns", "follow_up", "established", "scenario_id", "okänt"]),
                       values, max_size=6))
def test_random_objects_never_crash(data):
    data.setdefault("format", "sipkurs-plan")
    _check(json.dumps(data, ensure_ascii=False), SCENARIOS["sjukskriven-1-0"])


@settings(max_examples=2000, **SETTINGS)
@given(st.one_of(st.text(max_size=200), st.integers(0, 3000).map(lambda n: json.dumps(MODELS["sjukskriven-1-0"])[:n])))
def test_random_or_truncated_text_gives_a_clear_error(text):
    _check(text, SCENARIOS["sjukskriven-1-0"])


EVERY_KIND = CaseEvent(id="allt", title="<b>Allt</b> händer", text="x", expects={
    "consent_excludes": "arbetsformedlingen", "revise": ["vardcentral", "socialtjanst_vuxen"], "follow_up_sooner": True,
    "discharge": True, "need_area": "boende"})
CLOSING = CaseEvent(id="slut", title="Samtycket dras tillbaka", text="x", expects={"plan_closed": True})
NOW = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)


@settings(max_examples=500, **SETTINGS)
@given(mutated(), mutated())
def test_event_rules_never_crash_on_mutated_plans_before_and_after(after, before):
    sid, data = after
    try:
        plan, old = parse_plan(json.dumps(data, ensure_ascii=False)), parse_plan(json.dumps(before[1], ensure_ascii=False))
    except PlanFileError:
        return
    events = [EventContext(EVERY_KIND, old, NOW), EventContext(CLOSING, old, NOW), EventContext(EVERY_KIND, None, NOW)]
    for report in (grade(plan, SCENARIOS[sid], events=events), grade(plan, events=events)):
        assert 0 <= report.score <= 1
        mine = [r for r in report.results if r.event]
        assert len(mine) == 11 and {r.status for r in mine} <= {"pass", "partial", "fail"}
        assert "<b>Allt" not in to_html(report, plan)
