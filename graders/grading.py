"""Running every rule on a plan and weighing the results into family scores and a total.

Event rules (family "events") run once per delivered event whose ``expects`` has their field, after the other rules;
a rule no delivered event asks for gets one "not applicable" result, so a plan graded without events scores exactly as
before.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from graders.context import Context
from graders.events import EventContext, delivered
from graders.plan import Plan
from graders.registry import Finding, Rule, family_names, rules, verdict_rules
from graders.report import FamilyScore, Report, RuleResult
from simulator.models import Scenario


NOT_APPLICABLE = Finding(None)


def _status(score: float) -> str:
    if score >= 0.999:
        return "pass"
    if score <= 0.001:
        return "fail"
    return "partial"


def _result(rule: Rule, finding: Finding) -> RuleResult:
    return _cached_result(rule.code, finding)


@lru_cache(maxsize=1)
def _rule_by_code() -> dict[str, Rule]:
    return {r.code: r for r in rules()}


@lru_cache(maxsize=4096)
def _cached_result(code: str, finding: Finding) -> RuleResult:
    """The result of one rule; cached, because most plans produce the same few results (results are frozen)."""
    rule = _rule_by_code()[code]
    if finding.score is None:
        return RuleResult(code=rule.code, title=rule.title, family=rule.family, status="not_applicable", score=0.0,
                          weight=rule.weight, message=finding.detail or "Gäller inte den här planen.", source=rule.source)
    score = min(max(float(finding.score), 0.0), 1.0)
    status = _status(score)
    if status == "pass":
        message = rule.ok + (f" {finding.detail}" if finding.detail else "")
    else:
        message = rule.message.format(detail=finding.detail).strip()
    return RuleResult(code=rule.code, title=rule.title, family=rule.family, status=status,
                      score=1.0 if status == "pass" else round(score, 3), weight=rule.weight,
                      message=" ".join(message.split()), source=rule.source,
                      guided=" ".join(finding.guided.split()) if status != "pass" else "",
                      facit=" ".join(finding.facit.split()))


@lru_cache(maxsize=4096)
def _cached_event_result(code: str, finding: Finding, event: str, title: str) -> RuleResult:
    """An event rule's result, tagged with its event; the message says which event it is about."""
    base = _cached_result(code, finding)
    if base.status == "not_applicable":
        return base.model_copy(update={"event": event, "event_title": title})
    return base.model_copy(update={"event": event, "event_title": title,
                                   "message": f"Efter händelsen ”{title}”: {base.message}"})


def _event_results(ctx: Context, events: list[EventContext]) -> tuple[list[RuleResult], dict[str, list[EventContext]]]:
    """(Every event rule's results, in delivery order then code; the events each rule passed for, by code)."""
    out, passed = [], {}
    event_rules = _event_rules()
    if not events:
        return list(_idle_event_results()), passed
    for ev in events:
        title = ev.title(ctx.scenario)
        for r in event_rules:
            if not getattr(ev.expects, r.expects):
                continue
            result = _cached_event_result(r.code, r.check(ctx, r.params, ev), ev.event.id, title)
            out.append(result)
            if result.status == "pass":
                passed.setdefault(r.code, []).append(ev)
    asked = {r.code for r in out}
    out += [_result(r, IDLE) for r in event_rules if r.code not in asked]
    return out, passed


IDLE = Finding(None, "Gäller bara efter en händelse som kräver det.")


@lru_cache(maxsize=1)
def _plan_rules() -> tuple[Rule, ...]:
    return tuple(r for r in rules() if not r.is_event_rule)


@lru_cache(maxsize=1)
def _event_rules() -> tuple[Rule, ...]:
    return tuple(r for r in rules() if r.is_event_rule)


@lru_cache(maxsize=1)
def _idle_event_results() -> tuple[RuleResult, ...]:
    """Every event rule not applicable: a plan graded without events (results are frozen, so shared)."""
    return tuple(_result(r, IDLE) for r in _event_rules())


def _judged_before(ctx: Context, results: list[RuleResult], passed: dict[str, list[EventContext]]) -> list[RuleResult]:
    """Rules an event rule names in ``judged_before`` are judged on the plan as it stood before that event once the
    event rule passes: a plan duly closed because consent was withdrawn is judged on the consent it had while it was
    in force, not failed for the withdrawal it records."""
    by_code = {r.code: r for r in rules()}
    out = list(results)
    for code, events in passed.items():
        befores = [ev.before for ev in events if ev.before is not None]
        if not befores:
            continue
        earlier = Context(befores[-1], ctx.scenario, ctx.catalogue)
        title = events[-1].title(ctx.scenario)
        for name in by_code[code].params.get("judged_before", ()):
            rule = by_code[name]
            if rule.family == "case" and ctx.scenario is None:
                continue
            found = _result(rule, rule.check(earlier, rule.params))
            found = found.model_copy(update={"message": f"{found.message} Bedömd på planen som den var före "
                                                        f"händelsen ”{title}”, eftersom planen nu är avslutad."})
            out = [found if r.code == name else r for r in out]
    return out


def _weighted(results: list[RuleResult]) -> float:
    counted = [r for r in results if r.status != "not_applicable"]
    total = sum(r.weight for r in counted)
    return round(sum(r.score * r.weight for r in counted) / total, 4) if total else 0.0


def grade(plan: Plan, scenario: Scenario | None = None, *, plan_name: str = "",
          events: Iterable[EventContext] = ()) -> Report:
    """Grade a plan against every rule; case rules apply only with a scenario, event rules only after a delivered
    event that expects what they grade (``events``: graders.events.EventContext, the plan as it was at delivery)."""
    ctx = Context(plan, scenario)
    results = [_result(r, NOT_APPLICABLE if r.family == "case" and scenario is None else r.check(ctx, r.params))
               for r in _plan_rules()]
    graded = delivered(events)
    event_results, passed = _event_results(ctx, graded)
    if passed:
        results = _judged_before(ctx, results, passed)
    results += event_results
    details = []
    for family, name in family_names().items():
        mine = [r for r in results if r.family == family]
        applicable = [r for r in mine if r.status != "not_applicable"]
        if applicable:
            details.append(FamilyScore(family=family, name=name, score=_weighted(mine),
                                       passed=sum(r.status == "pass" for r in applicable), applicable=len(applicable)))
    raw = _weighted(results)
    verdict = verdict_rules()
    by_code = {r.code: r for r in results}
    missing = [c for c in verdict.requirements if by_code[c].status == "fail"]
    score = min(raw, verdict.cap) if missing else raw
    return Report(plan_name=plan_name, scenario_id=scenario.id if scenario else None, results=results,
                  score=score, families={d.family: d.score for d in details}, family_details=details,
                  raw_score=raw, pass_mark=verdict.pass_mark, legal_missing=missing,
                  events=[ev.event.id for ev in graded])
