"""Checklist rules: the areas a plan covers according to FoU Sjuhärad Välfärd's checklists (in Kunskapsguiden's
"SIP och samverkanstips"), each judged on whether the text says something, not only on whether it is filled."""

from __future__ import annotations

from graders.checks.common import quoted, text_rule
from graders.checks.legal import need_ok, substantive_efforts
from graders.context import Context
from graders.plan import EffortStatus, GoalKind
from graders.registry import Finding, check
from graders.substance import GAP_SV, Gap

GOAL_ECHO = ("mål", "delmål", "långsiktig")


def goal_ok(ctx: Context, goal) -> bool:
    """A goal whose text says what the person wants to reach (not a word or two, not pasted, not denied)."""
    return ctx.row_gap(f"mål {goal.id}", goal.text, GOAL_ECHO) is Gap.none


@check("C001")
def current_situation(ctx: Context, params: dict) -> Finding:
    return text_rule(ctx, "aktuell situation", ("aktuell", "situation", "nuläge"), min_words=params["min_words"])


@check("C002")
def needs(ctx: Context, params: dict) -> Finding:
    ns = ctx.plan.needs
    if not ns:
        return Finding(0.0, "Planen har inga behov.")
    thin = [n.id for n in ns if not need_ok(ctx, n)]
    texts = [" ".join(n.text.casefold().split()) for n in ns if n.text]
    repeated = len(texts) - len(set(texts))
    detail = f"Behov som inte beskriver något (tomma, ett eller två ord, eller bara ordet behov): {quoted(thin)}." if thin else ""
    if repeated:
        detail += " Samma behov står flera gånger."
    return Finding((len(ns) - len(thin) - repeated) / len(ns), detail.strip())


@check("C003")
def own_resources(ctx: Context, params: dict) -> Finding:
    return text_rule(ctx, "egna resurser", ("egen", "resurs"), negatable=True)


@check("C004")
def relatives_resources(ctx: Context, params: dict) -> Finding:
    return text_rule(ctx, "närståendes resurser", ("närstående", "anhörig", "resurs"), deniable=False, min_content=1)


@check("C005")
def wishes_and_goals(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    wish_gaps = [ctx.gap("önskemål", ("önskemål", "önska", "vilja")),
                 ctx.gap("vad som är viktigt för personen", ("viktig",))]
    wishes_ok = Gap.none in wish_gaps
    goals_ok = any(goal_ok(ctx, g) for g in p.goals)
    detail = []
    if not wishes_ok:
        shown = next(g for g in wish_gaps if g is not Gap.empty) if any(g is not Gap.empty for g in wish_gaps) else Gap.empty
        detail.append("Önskemål saknas." if shown is Gap.empty else f"Fältet önskemål {GAP_SV[shown]}.")
    if not goals_ok:
        detail.append("Planen har inga mål som säger vad personen vill nå." if p.goals else "Planen har inga mål.")
    return Finding((wishes_ok + goals_ok) / 2, " ".join(detail))


@check("C006")
def sub_goals(ctx: Context, params: dict) -> Finding:
    goals = [g for g in ctx.plan.goals if goal_ok(ctx, g)]
    long_term = [g for g in goals if g.kind is GoalKind.long_term]
    if not long_term:
        return Finding(0.0, "Planen har inget långsiktigt mål som säger vad personen vill nå.")
    parents = {g.parent for g in goals if g.kind is GoalKind.sub_goal}
    lonely = [g.id for g in long_term if g.id not in parents]
    return Finding((len(long_term) - len(lonely)) / len(long_term),
                   f"Långsiktiga mål utan delmål: {quoted(lonely)}." if lonely else "")


@check("C007")
def efforts_linked(ctx: Context, params: dict) -> Finding:
    es = substantive_efforts(ctx)
    if not es:
        return Finding(0.0, "Planen har inga insatser som säger vad som ska göras.")
    good_needs = {n.id for n in ctx.plan.needs if need_ok(ctx, n)}
    good_goals = {g.id for g in ctx.plan.goals if goal_ok(ctx, g)}
    no_need = [e.id for e in es if not set(e.needs) & good_needs]
    no_goal = [e.id for e in es if not set(e.goals) & good_goals]
    detail = []
    if no_need:
        detail.append(f"Insatser utan behov: {quoted(no_need)}.")
    if no_goal:
        detail.append(f"Insatser utan mål: {quoted(no_goal)}.")
    return Finding(1 - (len(no_need) + len(no_goal)) / (2 * len(es)), " ".join(detail))


@check("C008")
def done_apart_from_planned(ctx: Context, params: dict) -> Finding:
    es = substantive_efforts(ctx)
    if not es:
        return Finding(0.0, "Planen har inga insatser som säger vad som ska göras.")
    planned = any(e.status is EffortStatus.planned for e in es)
    in_place = any(e.status is not EffortStatus.planned for e in es)
    nothing_yet = ctx.scenario is not None and not ctx.scenario.person.current_efforts
    if planned and (in_place or nothing_yet):  # a person with no support yet has only planned efforts
        return Finding(1.0)
    if planned:
        return Finding(0.5, "Alla insatser står som planerade.")
    return Finding(0.5, "Ingen insats står som planerad.")


@check("C009")
def follow_up_evaluates(ctx: Context, params: dict) -> Finding:
    return text_rule(ctx, "vad uppföljningen utvärderar", ("uppföljning", "utvärdera", "följa"), negatable=True)
