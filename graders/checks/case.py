"""Case rules: the plan against the scenario's ground truth (facit) and the person's own words.

Without a scenario the grader marks every case rule not applicable before calling it (graders/grading.py), so these
checks always have ``ctx.scenario``. What they find is said in three layers (graders.registry.Finding): ``detail``
never names what the participant is meant to find out (the case's needs, the expected efforts, the target group,
the other actors the facit expects); ``guided`` names the area of the case; ``facit`` gives the answer key.
"""

from __future__ import annotations

from functools import cache, lru_cache

import yaml

from graders import language as lang
from graders.checks.common import excerpt, listing, quoted
from graders.checks.checklist import goal_ok
from graders.checks.legal import effort_gap, need_gap, overall_principal
from graders.context import Context
from graders.matching import STOP, CaseMatcher, efforts_of, holds, is_effort
from graders.plan import EffortStatus
from graders.registry import DATA_DIR, Finding, check
from graders.substance import Gap
from simulator.catalogue import load_catalogue

NOT_APPLICABLE = Finding(None)


@cache
def case_terms() -> dict:
    with open(DATA_DIR / "case_terms.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def _name(ctx: Context, org_id: str) -> str:
    return ctx.catalogue.organisation(org_id).short


def _area(ctx: Context, area_id: str) -> str:
    return ctx.catalogue.area_by_id[area_id].name.lower()


def _effort_names(ctx: Context, ids) -> str:
    return listing([ctx.catalogue.effort(e).name.lower() for e in ids])


def _matches(plan, scenario, min_shared: int, described, ignored, ignored_needs):
    """The case matching, computed once for the same needs and efforts (live feedback grades the same plan again)."""
    efforts = tuple((e.id, e.effort, e.organisation, e.what, tuple(e.needs)) for e in plan.efforts)
    needs = tuple((n.id, n.text, n.area) for n in plan.needs)
    return _cached_matches(plan, efforts, needs, scenario, min_shared, described, ignored, ignored_needs)


_MATCH_CACHE: dict = {}


def _cached_matches(plan, efforts, needs, scenario, min_shared, described, ignored, ignored_needs):
    key = (efforts, needs, scenario, min_shared, described, ignored, ignored_needs)
    found = _MATCH_CACHE.get(key)
    if found is None:
        if len(_MATCH_CACHE) > 4096:
            _MATCH_CACHE.clear()
        found = _MATCH_CACHE[key] = CaseMatcher(plan, scenario, load_catalogue(), min_shared=min_shared,
                                                described=described, ignored=ignored,
                                                ignored_needs=ignored_needs).match()
    return found


@check("K001")
def every_need_met(ctx: Context, params: dict) -> Finding:
    gaps = {e.id: effort_gap(ctx, e) for e in ctx.plan.efforts}
    described = frozenset(i for i, g in gaps.items() if g is Gap.none)
    ignored = frozenset(i for i, g in gaps.items() if g in (Gap.negated, Gap.copy))  # "Inget boendestöd behövs"
    ignored_needs = frozenset(n.id for n in ctx.plan.needs if need_gap(ctx, n) in (Gap.negated, Gap.copy))
    matches = _matches(ctx.plan, ctx.scenario, params["min_shared_words"], described, ignored, ignored_needs)
    if not matches:
        return NOT_APPLICABLE
    unmet = [m for m in matches if not m.efforts]
    if all(m.score == 1.0 for m in matches):
        return Finding(1.0)
    mentioned = [m for m in unmet if m.mentioned]
    thin = [m for m in matches if m.efforts and not m.described]
    detail = "Minst ett behov i fallet har ingen insats som svarar mot det." if unmet else ""
    if mentioned:
        detail += " Något av dem står bland planens behov men saknar insats."
    if thin:
        detail += " Några insatser säger inte vad som ska göras, så de räknas bara till hälften."
    areas = list(dict.fromkeys(_area(ctx, m.truth.area) for m in unmet))
    guided = f"Det saknas insats för ett behov som rör {listing(areas)}." if areas else ""
    facit = " ".join(f"Behovet '{m.description}' {'saknar insats' if m.mentioned else 'saknas'} "
                     f"(till exempel {_effort_names(ctx, m.truth.expected_efforts)})." for m in unmet)
    return Finding(sum(m.score for m in matches) / len(matches), detail.strip(), guided, facit)


def _providers_named(ctx: Context, providers: tuple[str, ...]) -> tuple[str, str]:
    """Who gives an effort, for every level: kommun and region units by name; an other actor by name only if the
    facit does not expect the participant to find it (else 'en annan aktör'), and by name in the facit layer."""
    truth_others = set(ctx.scenario.ground_truth.other_actors) - {e.organisation for e in ctx.plan.efforts}
    shown, hidden = [], []
    for p in providers:
        (hidden if p in truth_others else shown).append(_name(ctx, p))
    said = listing(shown + (["en annan aktör än kommunen och regionen"] if hidden else []))
    return said, (listing(shown + hidden) if hidden else "")


@check("K002")
def right_provider(ctx: Context, params: dict) -> Finding:
    ages = (ctx.scenario.person.age,) * 2
    checked, wrong, facit = 0, [], []
    for e in ctx.plan.efforts:
        ids = efforts_of(e, ctx.catalogue)
        if not ids or not e.organisation:
            if ids and e.effort:  # a catalogue effort without organisation: wrong by definition (L002 says why)
                checked += 1
                wrong.append(f"insats {e.id} saknar verksamhet")
            continue
        checked += 1
        if any(ctx.catalogue.can_provide(e.organisation, i, ages) for i in ids):
            continue
        main = ids[0]
        said, named = _providers_named(ctx, ctx.catalogue.providers_for(main, ages))
        what = excerpt(e.what, 40) if e.what else ctx.catalogue.effort(main).name
        wrong.append(f"'{what}' ligger hos {_name(ctx, e.organisation)}, men ges vanligen av {said}")
        if named:
            facit.append(f"'{what}' ges av {named}.")
    if not checked:
        return NOT_APPLICABLE
    detail = ("; ".join(wrong) + ".") if wrong else ""
    return Finding((checked - len(wrong)) / checked, detail[:1].upper() + detail[1:], "", " ".join(facit))


@check("K003")
def overall_with_right_principal(ctx: Context, params: dict) -> Finding:
    o = ctx.plan.overall_responsibility
    ok = ctx.scenario.ground_truth.acceptable_overall
    names = " eller ".join(ctx.catalogue.principal_by_id[p].name.lower() for p in ok)
    principal, why = overall_principal(ctx)
    if principal is None:
        return Finding(0.0, why)
    if principal not in ok:
        return Finding(0.0, f"Planen lägger ansvaret hos {principal}en; i det här fallet kan {names} ha ansvaret.")
    if o.organisation and ctx.catalogue.principal_of(o.organisation) != principal:
        return Finding(0.5, f"{_name(ctx, o.organisation)} tillhör inte {principal}en.")
    return Finding(1.0)


@check("K004")
def other_actors_listed(ctx: Context, params: dict) -> Finding:
    truth = ctx.scenario.ground_truth
    if not truth.other_actors:
        return NOT_APPLICABLE
    present = {e.organisation for e in ctx.plan.efforts if lang.words(e.what) or e.effort}
    missing = [a for a in truth.other_actors if a not in present]
    misplaced = [e for e in ctx.plan.efforts if e.organisation
                 and not ctx.catalogue.organisation(e.organisation).is_other_actor
                 and any(i in truth.other_actor_efforts for i in efforts_of(e, ctx.catalogue))]
    detail, guided, facit = [], "", []
    if missing:
        detail.append("Fallet har behov där någon annan än kommunen och regionen har en åtgärd, men den åtgärden "
                      "finns inte i planen.")
        areas = [_area(ctx, t.area) for t in truth.needs
                 if any(e in truth.other_actor_efforts and set(ctx.catalogue.providers_for(e)) & set(missing)
                        for e in t.expected_efforts)]
        guided = f"Tänk på vem utanför kommunen och regionen som har en roll för behov som rör {listing(list(dict.fromkeys(areas)))}."
        facit.append(f"Åtgärder saknas från {listing([_name(ctx, a) for a in missing])}.")
    if misplaced:
        detail.append("Insatser som bara en annan aktör ger ligger hos kommunen eller regionen: "
                      f"{quoted([excerpt(e.what, 40) or e.id for e in misplaced])}.")
    total = len(truth.other_actors) + len(misplaced)
    return Finding((len(truth.other_actors) - len(missing)) / total, " ".join(detail), guided, " ".join(facit))


def _states_presumption(ctx: Context, groups: tuple[str, ...]) -> tuple[bool, bool]:
    return _presumption(tuple(ctx.prose), ctx.all_text_folded, groups)


@lru_cache(maxsize=4096)
def _presumption(prose: tuple[str, ...], all_text_folded: str, groups: tuple[str, ...]) -> tuple[bool, bool]:
    """(a sentence says the need of a SIP is presumed, one also names the group's conditions), negations excluded."""
    terms = case_terms()
    marked = named = False
    for text in prose:
        for sentence in lang.sentences(text):
            folded = sentence.casefold()
            if any(w.casefold() in lang.NEGATIONS for w in lang.words(sentence)):
                continue
            if not any(m in folded for m in terms["marker"]):
                continue
            marked = True
            window = folded
            if any(all(any(s in window for s in alts) for alts in terms["groups"][g]) for g in groups):
                named = True
    if marked and not named:  # the conditions may stand in the sentence before or after the marker
        text = all_text_folded
        named = any(all(any(s in text for s in alts) for alts in terms["groups"][g]) for g in groups)
    return marked, named


@check("K005")
def presumption_group(ctx: Context, params: dict) -> Finding:
    truth = ctx.scenario.ground_truth
    if not truth.presumed_sip:
        return NOT_APPLICABLE
    marked, named = _states_presumption(ctx, truth.presumption_groups)
    if marked and named:
        return Finding(1.0)
    group_names = listing([ctx.catalogue.presumption_group_by_id[g].name.lower() for g in truth.presumption_groups])
    detail = ("Planen säger att SIP ska förutsättas men inte vilka svårigheter hos personen som gör det."
              if marked else "Planen säger inte om personen tillhör en grupp där behovet av SIP ska förutsättas.")
    guided = "Se vilka av personens diagnoser och svårigheter som tillsammans gör att SIP ska förutsättas."
    facit = f"Personen tillhör målgruppen {group_names}, där behovet av SIP ska förutsättas."
    return Finding(0.5 if marked else 0.0, detail, guided, facit)  # naming the conditions alone is not recognising it


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
        # Ready for discharge after the plan was made (a new admission): the SIP for that discharge is the next meeting.
        fu = p.follow_up.date
        if fu is not None and 0 <= (fu - p.discharge_ready).days <= params["max_days"]:
            return Finding(1.0)
        return Finding(0.5, "Planen är daterad före utskrivningsklar, och ingen uppföljning ligger inom "
                            f"{params['max_days']} dagar efter; kontrollera datumen.")
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
            missing.append(eid)
        elif all(e.status is EffortStatus.planned for e in found):
            planned.append(eid)
    if not missing and not planned:
        return Finding(1.0)
    detail = []
    if planned:
        detail.append("Insatser som redan ges står som planerade.")
    if missing:
        detail.append("Insatser som personen redan har enligt fallet finns inte i planen.")
    areas = list(dict.fromkeys(_area(ctx, a) for e in missing + planned for a in ctx.catalogue.effort(e).areas[:1]))
    guided = f"Se efter vilket stöd personen redan har inom {listing(areas)}."
    facit = " ".join(x for x in (f"Står som planerade fast de redan ges: {_effort_names(ctx, planned)}." if planned else "",
                                 f"Saknas fast de redan ges: {_effort_names(ctx, missing)}." if missing else "") if x)
    return Finding((len(in_place) - len(missing) - len(planned)) / len(in_place), " ".join(detail), guided, facit)


# Verbs anyone says about anything: sharing them does not make a goal the person's.
COMMON_VERBS = frozenset("gå ta göra komma säga veta se ge tänka tro".split())


def _person_said(ctx: Context) -> frozenset[str]:
    """What the person says in the case, as lemmas: wishes, goals, worries, the own words about each need."""
    person = ctx.scenario.person
    texts = [*person.wishes, *person.goals, *(n.voice for n in person.needs if n.voice)]
    if ctx.case is not None:
        texts += list(ctx.case.person.worries)
    return frozenset(t for x in texts for t in lang.content(x))


def from_person(text: str, said: frozenset[str], ignore: set[str]) -> bool:
    """Whether a text shares at least two words with what the person said, or half of its words when it is short."""
    mine = frozenset(t for t in lang.content(text) if t not in ignore)
    if not mine:
        return False
    shared = sum(1 for t in mine if holds(said, t))
    return shared >= 2 or (shared >= 1 and shared / len(mine) >= 0.5)


@check("K008")
def own_goals_from_person(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    # (label, text, whether the text says something at all): a thin or pasted text marked as the person's is not theirs
    items = [(f"målet '{excerpt(g.text, 50)}'", g.text, goal_ok(ctx, g)) for g in p.goals if g.own_words and lang.words(g.text)]
    items += [(f"fältet {label}", ctx.fields[label], ctx.gap(label, ("viktig", "önskemål")) is Gap.none)
              for label in ("vad som är viktigt för personen", "önskemål") if len(lang.words(ctx.fields[label])) >= 2]
    if not items:
        return NOT_APPLICABLE
    said = _person_said(ctx)
    ignore = set(STOP | COMMON_VERBS) | {lang.lemma(ctx.scenario.person.given_name), lang.lemma(ctx.scenario.person.family_name)}
    foreign = [label for label, text, ok in items if not (ok and from_person(text, said, ignore))]
    if not foreign:
        return Finding(1.0)
    detail = (f"{listing(foreign)[:1].upper()}{listing(foreign)[1:]} liknar inte något som personen själv säger i fallet; "
              "skriv personens önskemål och mål med hens egna ord, inte det personalen vill.")
    return Finding((len(items) - len(foreign)) / len(items), detail)
