"""Formal rules: what every plan document states so that it can be used (regional templates, seeds/004)."""

from __future__ import annotations

from graders.checks.common import both
from graders.context import Context, filled
from graders.registry import Finding, check
from simulator.models import FICTIONAL_ID_PATTERN


@check("F001")
def concerns(ctx: Context, params: dict) -> Finding:
    c = ctx.plan.concerns
    if c.personal_id and not FICTIONAL_ID_PATTERN.match(c.personal_id):
        return Finding(0.0, "Personnumret är inte maskerat; skriv det som ÅÅÅÅMMDD-XXXX.")
    return both(filled(c.name), bool(c.personal_id), "Namn saknas.", "Personnummer saknas.")


@check("F002")
def established(ctx: Context, params: dict) -> Finding:
    if ctx.plan.established is None:
        return Finding(0.0, "Datum för upprättande saknas.")
    return Finding(1.0)


@check("F003")
def participants(ctx: Context, params: dict) -> Finding:
    ps = ctx.plan.participants
    if len(ps) < params["min_participants"]:
        return Finding(0.0, f"Planen har färre än {params['min_participants']} deltagare.")
    incomplete = [x.name or f"deltagare {i + 1}" for i, x in enumerate(ps) if not (filled(x.name) and filled(x.role))]
    units = sum(1 for x in ps if x.organisation)
    detail = []
    if incomplete:
        detail.append(f"Namn eller roll saknas för: {', '.join(incomplete)}.")
    score = (len(ps) - len(incomplete)) / len(ps)
    if units < params["min_with_unit"]:
        detail.append(f"Färre än {params['min_with_unit']} deltagare har en verksamhet angiven.")
        score *= 0.5
    return Finding(score, " ".join(detail))


@check("F004")
def follow_up(ctx: Context, params: dict) -> Finding:
    f, est = ctx.plan.follow_up, ctx.plan.established
    date_ok = f.date is not None and (est is None or f.date > est)
    missing_date = "Datum för uppföljning saknas." if f.date is None else "Uppföljningen ligger före upprättandet."
    return both(date_ok, filled(f.called_by), missing_date, "Det står inte vem som kallar till uppföljningen.")


@check("F005")
def if_plan_fails(ctx: Context, params: dict) -> Finding:
    if filled(ctx.plan.if_plan_fails):
        return Finding(1.0)
    return Finding(0.0, "Fältet är tomt.")
