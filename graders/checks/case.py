"""Case rules: the plan against the scenario's ground truth (facit).

Without a scenario the grader marks every case rule not applicable before calling it (graders/grading.py), so these
checks always have ``ctx.scenario``."""

from __future__ import annotations

from functools import cache

import yaml

from graders.checks.common import listing, quoted
from graders.context import Context
from graders.matching import CaseMatcher, is_effort
from graders.plan import EffortStatus
from graders.registry import DATA_DIR, Finding, check

NOT_APPLICABLE = Finding(None)


@cache
def case_terms() -> dict:
    with open(DATA_DIR / "case_terms.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _name(ctx: Context, org_id: str) -> str:
    return ctx.catalogue.organisation(org_id).short


@check("K001")
def every_need_met(ctx: Context, params: dict) -> Finding:
    matches = CaseMatcher(ctx.plan, ctx.scenario, ctx.catalogue, min_length=params["keyword_min_length"],
                          stem_length=params["stem_length"], min_shared=params["min_shared_stems"]).match()
    if not matches:
        return NOT_APPLICABLE
    unmet = [m for m in matches if not m.efforts]
    detail = []
    for m in unmet:
        efforts = listing([ctx.catalogue.effort(e).name.lower() for e in m.truth.expected_efforts])
        state = "står i planen men saknar insats" if m.mentioned else "saknas"
        detail.append(f"Behovet '{m.description}' {state} (till exempel {efforts}).")
    return Finding(sum(m.score for m in matches) / len(matches), " ".join(detail))


@check("K002")
def right_provider(ctx: Context, params: dict) -> Finding:
    checked = [e for e in ctx.plan.efforts if e.effort in ctx.catalogue.effort_by_id]
    if not checked:
        return NOT_APPLICABLE
    wrong = []
    ages = (ctx.scenario.person.age,) * 2
    for e in checked:
        if not e.organisation or not ctx.catalogue.can_provide(e.organisation, e.effort, ages):
            effort = ctx.catalogue.effort(e.effort)
            who = _name(ctx, e.organisation) if e.organisation else "ingen"
            providers = ctx.catalogue.providers_for(e.effort, ages)
            wrong.append(f"'{effort.name}' ligger hos {who} men ges av {listing([_name(ctx, p) for p in providers])}")
    detail = ("; ".join(wrong) + ".") if wrong else ""
    return Finding((len(checked) - len(wrong)) / len(checked), detail)


@check("K003")
def overall_with_right_principal(ctx: Context, params: dict) -> Finding:
    o = ctx.plan.overall_responsibility
    ok = ctx.scenario.ground_truth.acceptable_overall
    names = " eller ".join(ctx.catalogue.principal_by_id[p].name.lower() for p in ok)
    if o.organisation and ctx.catalogue.organisation(o.organisation).is_other_actor:
        return Finding(0.0, f"{_name(ctx, o.organisation)} är en annan aktör och kan inte ha ansvaret; välj {names}.")
    if o.principal not in ok:
        what = f"'{o.principal}'" if o.principal else "ingen huvudman"
        return Finding(0.0, f"Planen anger {what}; i det här fallet kan {names} ha ansvaret.")
    if o.organisation and ctx.catalogue.principal_of(o.organisation) != o.principal:
        return Finding(0.5, f"{_name(ctx, o.organisation)} tillhör inte {o.principal}en.")
    return Finding(1.0)


@check("K004")
def other_actors_listed(ctx: Context, params: dict) -> Finding:
    truth = ctx.scenario.ground_truth
    if not truth.other_actors:
        return NOT_APPLICABLE
    present = {e.organisation for e in ctx.plan.efforts}
    missing = [a for a in truth.other_actors if a not in present]
    misplaced = [e for e in ctx.plan.efforts
                 if e.effort in truth.other_actor_efforts and e.organisation
                 and not ctx.catalogue.organisation(e.organisation).is_other_actor]
    detail = []
    if missing:
        detail.append(f"Åtgärder saknas från {listing([_name(ctx, a) for a in missing])}.")
    if misplaced:
        detail.append("Åtgärder som bara en annan aktör ger ligger hos kommunen eller regionen: "
                      f"{quoted([ctx.catalogue.effort(e.effort).name for e in misplaced])}.")
    total = len(truth.other_actors) + len(misplaced)
    return Finding((len(truth.other_actors) - len(missing)) / total, " ".join(detail))


@check("K005")
def presumption_group(ctx: Context, params: dict) -> Finding:
    if not ctx.scenario.ground_truth.presumed_sip:
        return NOT_APPLICABLE
    terms = case_terms()
    text = ctx.all_text_folded
    marked = any(m in text for m in terms["marker"])
    groups = ctx.scenario.ground_truth.presumption_groups
    named = any(all(any(s in text for s in alts) for alts in terms["groups"][g]) for g in groups)
    if marked and named:
        return Finding(1.0)
    group_names = listing([ctx.catalogue.presumption_group_by_id[g].name.lower() for g in groups])
    hint = f"Skriv att personen tillhör målgruppen {group_names}, där behovet av SIP ska förutsättas."
    return Finding(0.5 if marked else 0.0, hint)  # naming the conditions alone is not recognising the group


@check("K006")
def discharge_deadline(ctx: Context, params: dict) -> Finding:
    if not ctx.scenario.ground_truth.discharge:
        return NOT_APPLICABLE
    p = ctx.plan
    if p.discharge_ready is None:
        return Finding(0.0, "Datum då personen blev utskrivningsklar saknas.")
    if p.established is None:
        return Finding(0.0, "Datum för upprättande saknas.")
    days = (p.established - p.discharge_ready).days
    if days < 0:
        return Finding(0.5, "Planen är daterad före utskrivningsklar; kontrollera datumen.")
    if days > params["max_days"]:
        return Finding(0.0, f"Planen upprättades {days} dagar efter utskrivningsklar (högst {params['max_days']}).")
    return Finding(1.0)


@check("K007")
def in_place_marked(ctx: Context, params: dict) -> Finding:
    in_place = ctx.scenario.ground_truth.efforts_in_place
    if not in_place:
        return NOT_APPLICABLE
    missing, planned = [], []
    for eid in in_place:
        found = [e for e in ctx.plan.efforts if is_effort(e, eid, ctx.catalogue)]
        if not found:
            missing.append(ctx.catalogue.effort(eid).name)
        elif all(e.status is EffortStatus.planned for e in found):
            planned.append(ctx.catalogue.effort(eid).name)
    detail = []
    if planned:
        detail.append(f"Står som planerade fast de redan ges: {quoted(planned)}.")
    if missing:
        detail.append(f"Saknas i planen fast de redan ges: {quoted(missing)}.")
    return Finding((len(in_place) - len(missing) - len(planned)) / len(in_place), " ".join(detail))
