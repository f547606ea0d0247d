"""Formal rules: what every plan document states so that it can be used (regional SIP templates; the checklists of
FoU Sjuhärad Välfärd), and, for a case, that it is the case's person and that its dates hang together."""

from __future__ import annotations

import re

from graders import language as lang
from graders.checks.common import excerpt, gap_text, listing, same_name
from graders.context import Context, filled
from graders.plan import EffortStatus
from graders.registry import Finding, check
from graders.substance import Gap, gap, negated_near
from simulator.models import FICTIONAL_ID_PATTERN

FULL_ID = re.compile(r"^(19|20)?\d{6}[-+]?\d{4}$")  # a complete personnummer, 10 or 12 digits


@check("F001")
def concerns(ctx: Context, params: dict) -> Finding:
    c = ctx.plan.concerns
    pid = c.personal_id.replace(" ", "")
    if pid and FULL_ID.match(pid):
        return Finding(0.0, "Personnumret är inte maskerat; skriv det som ÅÅÅÅMMDD-XXXX så att det inte kan tillhöra någon.")
    parts, detail = [], []
    name_ok = filled(c.name) and len(lang.words(c.name)) >= 2
    if not filled(c.name):
        detail.append("Namn saknas.")
    elif not name_ok:
        detail.append("Skriv personens för- och efternamn.")
    id_ok = bool(pid) and bool(FICTIONAL_ID_PATTERN.match(pid))
    if not pid:
        detail.append("Personnummer saknas.")
    elif not id_ok:
        detail.append("Personnumret är ofullständigt; skriv det som ÅÅÅÅMMDD-XXXX (födelsedatum och fyra X).")
    if ctx.scenario is not None:
        person = ctx.scenario.person
        if name_ok and not same_name(c.name, person.full_name):
            name_ok = False
            detail.append("Namnet är inte namnet på personen i fallet.")
        if id_ok and pid != person.personal_id:
            id_ok = False
            detail.append("Personnumret är inte fallpersonens (födelsedatumet stämmer inte).")
        if person.is_child and person.guardians:
            named = [g for g in person.guardians if any(same_name(w, g.name) for w in c.guardians)]
            parts.append(bool(named))
            if not named:
                detail.append("Planen gäller ett barn: skriv vårdnadshavarnas namn.")
    parts = [name_ok, id_ok, *parts]
    return Finding(sum(parts) / len(parts), " ".join(detail))


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
    incomplete = [x.name or f"deltagare {i + 1}" for i, x in enumerate(ps)
                  if not (len(lang.words(x.name)) >= 1 and filled(x.role)
                          and gap(x.role, ("deltagare", "roll"), min_words=1, min_content=1) is Gap.none)]
    units = sum(1 for x in ps if x.organisation)
    detail = []
    if incomplete:
        detail.append(f"Namn eller roll saknas för: {listing(incomplete)}.")
    score = (len(ps) - len(incomplete)) / len(ps)
    if units < params["min_with_unit"]:
        detail.append(f"Färre än {params['min_with_unit']} deltagare har en verksamhet angiven.")
        score *= 0.5
    return Finding(score, " ".join(detail))


@check("F004")
def follow_up(ctx: Context, params: dict) -> Finding:
    f, est = ctx.plan.follow_up, ctx.plan.established
    date_ok = f.date is not None and (est is None or f.date > est)
    missing_date = "Datum för uppföljning saknas." if f.date is None else "Uppföljningen ligger inte efter planens datum."
    caller_ok = len(lang.words(f.called_by)) >= 1 and gap(f.called_by, ("kalla", "sammankallande"), min_words=1, min_content=1) is Gap.none
    return Finding((date_ok + caller_ok) / 2, " ".join(m for ok, m in ((date_ok, missing_date), (
        caller_ok, "Det står inte vem som kallar till uppföljningen.")) if not ok))


@check("F005")
def if_plan_fails(ctx: Context, params: dict) -> Finding:
    found = ctx.gap("om planen inte fungerar", ("plan", "fungera", "vända"), min_words=4)
    if found is Gap.none and negated_near(ctx.plan.if_plan_fails, ("vända", "ringa", "kontakta", "höra")):
        found = Gap.negated
    if found is Gap.none:
        return Finding(1.0)
    return Finding(0.0, gap_text("om planen inte fungerar", found))


@check("F006")
def dates_agree(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    est = p.established
    if est is None:
        return Finding(None)
    checked, wrong = 0, []
    goals = {g.id: g for g in p.goals}
    for g in p.goals:
        if g.due is None:
            continue
        checked += 1
        if g.due <= est:
            wrong.append(f"målet '{excerpt(g.text, 40)}' ska vara nått före planens datum")
        elif g.parent in goals and goals[g.parent].due is not None and g.due > goals[g.parent].due:
            wrong.append(f"delmålet '{excerpt(g.text, 40)}' ska nås efter sitt långsiktiga mål")
    for e in p.efforts:
        if e.start is None and e.end is None:
            continue
        checked += 1
        if e.start and e.end and e.end < e.start:
            wrong.append(f"insats {e.id} slutar innan den börjar")
        elif e.status is EffortStatus.planned and e.start and e.start < est:
            wrong.append(f"insats {e.id} är planerad men började före planens datum")
        elif e.status is not EffortStatus.done and e.end and e.end < est:
            wrong.append(f"insats {e.id} slutade före planens datum men står inte som genomförd")
    if p.consent.valid_until is not None:
        checked += 1
        if p.consent.valid_until <= est:
            wrong.append("samtycket gäller inte längre på planens datum")
    if not checked:
        return Finding(None)
    detail = ("Datumen hänger inte ihop: " + "; ".join(wrong[:4]) + ".") if wrong else ""
    return Finding((checked - len(wrong)) / checked, detail)

