"""Checklist rules: the areas a plan covers according to the checklists in seeds/004."""

from __future__ import annotations

from graders.checks.common import both, quoted
from graders.context import Context, filled
from graders.plan import EffortStatus, GoalKind
from graders.registry import Finding, check


def _text_rule(value: str, empty: str) -> Finding:
    return Finding(1.0) if filled(value) else Finding(0.0, empty)


@check("C001")
def current_situation(ctx: Context, params: dict) -> Finding:
    return _text_rule(ctx.plan.current_situation, "Fältet aktuell situation är tomt.")


@check("C002")
def needs(ctx: Context, params: dict) -> Finding:
    ns = ctx.plan.needs
    if not ns:
        return Finding(0.0, "Planen har inga behov.")
    empty = [n.id for n in ns if not filled(n.text)]
    return Finding((len(ns) - len(empty)) / len(ns), f"Behov utan text: {quoted(empty)}." if empty else "")


@check("C003")
def own_resources(ctx: Context, params: dict) -> Finding:
    return _text_rule(ctx.plan.own_resources, "Fältet egna resurser är tomt.")


@check("C004")
def relatives_resources(ctx: Context, params: dict) -> Finding:
    return _text_rule(ctx.plan.relatives_resources, "Fältet närståendes resurser är tomt.")


@check("C005")
def wishes_and_goals(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    return both(filled(p.wishes) or filled(p.what_matters), any(filled(g.text) for g in p.goals),
                "Önskemål saknas.", "Planen har inga mål.")


@check("C006")
def sub_goals(ctx: Context, params: dict) -> Finding:
    goals = ctx.plan.goals
    long_term = [g for g in goals if g.kind is GoalKind.long_term]
    if not long_term:
        return Finding(0.0, "Planen har inget långsiktigt mål.")
    parents = {g.parent for g in goals if g.kind is GoalKind.sub_goal}
    lonely = [g.id for g in long_term if g.id not in parents]
    return Finding((len(long_term) - len(lonely)) / len(long_term),
                   f"Långsiktiga mål utan delmål: {quoted(lonely)}." if lonely else "")


@check("C007")
def efforts_linked(ctx: Context, params: dict) -> Finding:
    es = ctx.plan.efforts
    if not es:
        return Finding(0.0, "Planen har inga insatser.")
    no_need = [e.id for e in es if not e.needs]
    no_goal = [e.id for e in es if not e.goals]
    detail = []
    if no_need:
        detail.append(f"Insatser utan behov: {quoted(no_need)}.")
    if no_goal:
        detail.append(f"Insatser utan mål: {quoted(no_goal)}.")
    return Finding(1 - (len(no_need) + len(no_goal)) / (2 * len(es)), " ".join(detail))


@check("C008")
def done_apart_from_planned(ctx: Context, params: dict) -> Finding:
    es = ctx.plan.efforts
    if not es:
        return Finding(0.0, "Planen har inga insatser.")
    planned = any(e.status is EffortStatus.planned for e in es)
    in_place = any(e.status is not EffortStatus.planned for e in es)
    if planned and in_place:
        return Finding(1.0)
    if planned:
        return Finding(0.5, "Alla insatser står som planerade.")
    return Finding(0.5, "Ingen insats står som planerad.")


@check("C009")
def follow_up_evaluates(ctx: Context, params: dict) -> Finding:
    return _text_rule(ctx.plan.follow_up.evaluate, "Det står inte vad uppföljningen ska utvärdera.")
