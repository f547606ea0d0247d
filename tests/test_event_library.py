"""Every event of the case library that says what the revised plan should show: its rules pass on a good plan of
the case revised as intended (tests/eventkit.py, written from the expectation vocabulary alone), fail on the same
plan unrevised, and the revision costs nothing under the other rules.

Until the library's events carry ``expects``, some are written into temporary copies of their cases here
(eventkit.sample_expectations); those copies go through the same validation as the library.
"""

import datetime as dt
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pytest
import yaml

from eventkit import HANDLED, good_plan, revise_as_intended, sample_expectations
from graders import EventContext, grade
from graders.plan import Plan
from sipkurs.feedback import FEEDBACK_LEVELS, assess
from test_feedback_leaks import _leaks, _shown, full_generic_plan
from graders.registry import rules
from simulator.case_validation import validate_paths
from simulator.cases import EventExpects
from simulator.library import SCENARIOS_DIR, load_library

NOW = dt.datetime(2026, 11, 24, 13, 0, tzinfo=dt.UTC)
EVENT_RULES = [r for r in rules() if r.is_event_rule]


@cache
def sample_cases() -> dict:
    """Temporary copies of library cases with the sample expectations written into their events, validated."""
    folder = Path(tempfile.mkdtemp(prefix="sipkurs-handelser-"))
    for case_id, expected in sample_expectations().items():
        data = yaml.safe_load((SCENARIOS_DIR / f"{case_id}.yaml").read_text(encoding="utf-8"))
        for ev in data["events"]:
            if ev["id"] in expected:
                ev["expects"] = expected[ev["id"]]
        header = (SCENARIOS_DIR / f"{case_id}.yaml").read_text(encoding="utf-8").splitlines()[0]  # the schema line
        text = f"{header}\n{yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)}"
        (folder / f"{case_id}.yaml").write_text(text, encoding="utf-8")
    shutil.copy(SCENARIOS_DIR / "case.schema.json", folder)
    cases, errors = validate_paths([folder])
    assert errors == [], errors
    return cases


def _pairs() -> list[tuple[str, str, str]]:
    library = [("bibliotek", c.id, e.id) for c in load_library().values() for e in c.events if e.expects.any]
    samples = [("kopia", case_id, event_id) for case_id, events in sample_expectations().items() for event_id in events]
    return sorted(library) + samples


def case_event(source: str, case_id: str, event_id: str, variant: int):
    """The event and a variant of its case, from the library or from the temporary copies."""
    case = (load_library() if source == "bibliotek" else sample_cases())[case_id]
    return next(e for e in case.events if e.id == event_id), case.variant(variant)


def test_the_helper_knows_every_kind_of_expectation():
    assert HANDLED == set(EventExpects.model_fields)
    assert {r.expects for r in EVENT_RULES} == set(EventExpects.model_fields)
    kinds = {k for events in sample_expectations().values() for x in events.values() for k in x}
    assert kinds == set(EventExpects.model_fields)  # the samples exercise every rule


@pytest.mark.parametrize(("source", "case_id", "event_id"), _pairs())
def test_event_rules_pass_on_the_revised_plan_and_fail_on_the_unrevised_one(source, case_id, event_id):
    event, scenario = case_event(source, case_id, event_id, variant=0)
    before = good_plan(scenario)
    after = revise_as_intended(before, event, scenario)
    delivered = [EventContext(event, before, NOW)]
    expected = {r.code for r in EVENT_RULES if getattr(event.expects, r.expects)}

    revised = grade(after, scenario, events=delivered)
    mine = {r.code: r for r in revised.results if r.event == event.id}
    assert set(mine) == expected
    assert {c: r.message for c, r in mine.items() if r.status != "pass"} == {}

    unrevised = grade(before, scenario, events=delivered)
    stale = {r.code: r.status for r in unrevised.results if r.event == event.id}
    assert stale == dict.fromkeys(expected, "fail")

    # Revising as intended costs nothing elsewhere (a plan closed after the withdrawal keeps its consent rule).
    plain = {r.code: r.score for r in grade(before, scenario).results}
    worse = {r.code: (plain[r.code], r.score) for r in revised.results
             if not r.event and r.family != "events" and r.score < plain[r.code] - 1e-9}
    assert worse == {}


@pytest.mark.parametrize(("source", "case_id", "event_id"), _pairs())
def test_event_feedback_gives_nothing_away_before_submission(source, case_id, event_id):
    """The event rules keep to the layers: live feedback after the event names none of the case's answer key."""
    event, scenario = case_event(source, case_id, event_id, variant=1)
    data = full_generic_plan(scenario)
    delivered = [EventContext(event, Plan.model_validate(data), NOW)]
    known = delivered[0].known(scenario).casefold()  # the group read the event (the title, if it is private)
    for level in FEEDBACK_LEVELS:
        fb = assess(data, scenario, level=level, events=delivered)
        assert any(i.event == event.id and i.open for i in fb.items)
        assert [s for s in _leaks(_shown(fb), scenario, Plan.model_validate(data)) if s not in known] == [], level
    report = grade(Plan.model_validate(data), scenario, events=delivered)
    shown = " ".join(f"{r.message} {r.guided}" for r in report.results if r.event).casefold()
    assert [s for s in _leaks(shown, scenario, Plan.model_validate(data)) if s not in known] == []
