"""Legal rules: what SoL 2 kap. 7 § and HSL 16 kap. 4 § require of every plan."""

from __future__ import annotations

from graders.checks.common import both, quoted
from graders.context import Context, filled
from graders.registry import Finding, check


@check("L001")
def needed_efforts(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    has_needs = any(filled(n.text) for n in p.needs)
    efforts = [e for e in p.efforts if filled(e.what)]
    missing = []
    if not has_needs:
        missing.append("Planen har inga behov.")
    if not efforts:
        missing.append("Planen har inga insatser.")
    elif len(efforts) < len(p.efforts):
        missing.append(f"{len(p.efforts) - len(efforts)} insatser saknar beskrivning.")
    score = (has_needs + (len(efforts) / len(p.efforts) if p.efforts else 0)) / 2
    return Finding(score, " ".join(missing))


@check("L002")
def principal_per_effort(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    if not p.efforts:
        return Finding(0.0, "Planen har inga insatser.")
    without = [e.id for e in p.efforts if not e.organisation]
    principals = {p.principal_of(e) for e in p.efforts} - {None}
    detail = []
    if without:
        detail.append(f"Insatser utan ansvarig verksamhet: {quoted(without)}.")
    missing = [q for q in ctx.catalogue.principals if q.id not in principals]
    if missing:
        detail.append("Ingen insats ligger hos " + " eller ".join(q.name.lower() for q in missing) + ".")
    score = (len(p.efforts) - len(without)) / len(p.efforts)
    if missing:
        score *= 0.5
    return Finding(score, " ".join(detail))


@check("L003")
def other_actor_actions(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    others = [e for e in p.efforts if e.organisation and p.principal_of(e) is None and filled(e.what)]
    if others or filled(p.other_actors_note):
        return Finding(1.0)
    return Finding(0.0, "Planen nämner inga åtgärder av andra aktörer.")


@check("L004")
def overall_responsibility(ctx: Context, params: dict) -> Finding:
    o = ctx.plan.overall_responsibility
    if o.principal not in ctx.catalogue.principal_by_id:
        if o.principal:
            return Finding(0.0, f"'{o.principal}' är ingen huvudman; bara kommunen eller regionen kan ha ansvaret.")
        return Finding(0.0, "Ingen huvudman är angiven.")
    if o.organisation and ctx.catalogue.principal_of(o.organisation) != o.principal:
        name = ctx.catalogue.organisation(o.organisation).short
        return Finding(0.5, f"Verksamheten {name} tillhör inte {o.principal}en.")
    if not filled(o.person):
        return Finding(0.5, "Ingen ansvarig person är namngiven.")
    return Finding(1.0)


@check("L005")
def consent(ctx: Context, params: dict) -> Finding:
    c = ctx.plan.consent
    if not c.given:
        return Finding(0.0, "Samtycke är inte markerat som lämnat.")
    return both(filled(c.given_by), filled(c.scope), "Det står inte vem som samtyckte.", "Det står inte vad samtycket omfattar.")


def _is_person(role: str, names: list[str]) -> bool:
    folded = role.casefold()
    return any(n in folded for n in names)


@check("L006")
def participation(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    roles = [r.casefold() for r in params["person_roles"]]
    present = any(not x.organisation and _is_person(x.role, roles) for x in p.participants)
    if p.concerns.guardians and not present:  # a child: the guardians speak for the child
        guardians = [r.casefold() for r in params["guardian_roles"]]
        present = any(not x.organisation and any(g in x.role.casefold() for g in guardians) for x in p.participants)
    return both(filled(p.person_participation), present,
                "Det står inte hur personen var delaktig.", "Personen finns inte bland deltagarna.")


@check("L007")
def relatives(ctx: Context, params: dict) -> Finding:
    if filled(ctx.plan.relatives_involvement):
        return Finding(1.0)
    return Finding(0.0, "Det står inget om närstående.")


