"""Running every rule on a plan and weighing the results into family scores and a total."""

from __future__ import annotations

from functools import lru_cache

from graders.context import Context
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


def _weighted(results: list[RuleResult]) -> float:
    counted = [r for r in results if r.status != "not_applicable"]
    total = sum(r.weight for r in counted)
    return round(sum(r.score * r.weight for r in counted) / total, 4) if total else 0.0


def grade(plan: Plan, scenario: Scenario | None = None, *, plan_name: str = "") -> Report:
    """Grade a plan against every rule; case rules apply only with a scenario."""
    ctx = Context(plan, scenario)
    results = [_result(r, NOT_APPLICABLE if r.family == "case" and scenario is None else r.check(ctx, r.params))
               for r in rules()]
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
                  raw_score=raw, pass_mark=verdict.pass_mark, legal_missing=missing)
