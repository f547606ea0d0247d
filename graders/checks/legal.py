"""Legal rules: what SoL 2 kap. 7 § and HSL 16 kap. 4 § require of every plan, judged on what the plan says and,
where the plan is drafted for a case, against the case (whose consent, which limits, which person)."""

from __future__ import annotations

from graders import language as lang
from graders.checks.common import both, excerpt, gap_text, listing, names_role, quoted, same_name
from graders.context import Context
from graders.matching import organisations_named
from graders.registry import Finding, check
from graders.substance import GAP_SV, Gap, gap

EFFORT_ECHO = ("insats", "åtgärd", "stöd", "hjälp")
NEED_ECHO = ("behov", "behöva")
CONSENT_TERMS = ("samtycke", "samtycka", "godkänna", "medge")
# Words a refusal may hold besides the consent word itself: "Personen har inte lämnat samtycke till SIP."
REFUSAL_NOISE = frozenset("""person enskild själv lämna ge ha vilja skriva muntlig muntligt skriftlig skriftligt sip plan
möte samordnad individuell samverkan ännu nu""".split())
LIMIT_NOISE = frozenset("""uppgift information lämna dela få veta ut fråga tillfråga utan någon något annan utanför
möte person enskild behöva""".split())
RESTRICTION_WORDS = frozenset("inte ej ingen inget inga aldrig utom förutom undantag undantaget begränsning begränsat bara endast".split())
OPINION = frozenset("vilja tycka säga önska samtycka åsikt synpunkt uppfattning instämma godkänna tillfråga höra berätta inställning mening".split())


def effort_gap(ctx: Context, effort) -> Gap:
    return ctx.row_gap(f"insats {effort.id}", effort.what, EFFORT_ECHO)


def effort_ok(ctx: Context, effort) -> bool:
    """An effort whose text says what will be done (not a word or two, not pasted, not 'Ingen insats')."""
    return effort_gap(ctx, effort) is Gap.none


def need_gap(ctx: Context, need) -> Gap:
    return ctx.row_gap(f"behov {need.id}", need.text, NEED_ECHO)


def need_ok(ctx: Context, need) -> bool:
    return need_gap(ctx, need) is Gap.none


def substantive_efforts(ctx: Context) -> list:
    return [e for e in ctx.plan.efforts if effort_ok(ctx, e)]


@check("L001")
def needed_efforts(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    needs_ok = [n for n in p.needs if need_ok(ctx, n)]
    efforts_ok = substantive_efforts(ctx)
    missing = []
    if not needs_ok:
        missing.append("Planen har inga behov som beskriver personens situation." if p.needs else "Planen har inga behov.")
    if not p.efforts:
        missing.append("Planen har inga insatser.")
    elif len(efforts_ok) < len(p.efforts):
        thin = [e.id for e in p.efforts if e not in efforts_ok]
        missing.append(f"Insatser som inte säger vad som ska göras (ett eller två ord, eller bara ordet insats): {quoted(thin)}.")
    if not efforts_ok:
        return Finding(0.0, " ".join(missing))
    score = (bool(needs_ok) + len(efforts_ok) / len(p.efforts)) / 2
    return Finding(score, " ".join(missing))


@check("L002")
def principal_per_effort(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    efforts = substantive_efforts(ctx)
    if not efforts:
        return Finding(0.0, "Planen har inga insatser som säger vad som ska göras.")
    without = [e.id for e in efforts if not e.organisation]
    principals = {p.principal_of(e) for e in efforts} - {None}
    detail = []
    if without:
        detail.append(f"Insatser utan ansvarig verksamhet: {quoted(without)}.")
    missing = [q for q in ctx.catalogue.principals if q.id not in principals]
    if missing:
        detail.append("Ingen insats ligger hos " + " eller ".join(q.name.lower() for q in missing) + ".")
    score = (len(efforts) - len(without)) / len(efforts)
    if missing:
        score *= 0.5
    return Finding(score, " ".join(detail))


@check("L003")
def other_actor_actions(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    others = [e for e in substantive_efforts(ctx) if e.organisation and p.principal_of(e) is None]
    if others:
        return Finding(1.0)
    at_table = [x for x in p.participants if x.organisation and ctx.catalogue.organisation(x.organisation).is_other_actor]
    note = ctx.gap("andra aktörer", ("aktör", "annan", "åtgärd"), deniable=False, min_words=3, min_content=1)
    if at_table:
        names = listing(sorted({ctx.catalogue.organisation(x.organisation).short for x in at_table}))
        return Finding(0.0, f"{names[:1].upper()}{names[1:]} deltar i mötet men har ingen åtgärd i planen; "
                            "skriv in vad de gör som en insats med deras namn.")
    if note is Gap.none:
        return Finding(1.0)
    advice = ("Skriv in de andra aktörernas åtgärder som insatser med deras namn, eller skriv med en mening varför "
              "inga andra aktörer har åtgärder just nu.")
    if note is Gap.empty:
        return Finding(0.0, f"Planen nämner inga åtgärder av andra aktörer. {advice}")
    return Finding(0.0, f"{gap_text('andra aktörer', note)} {advice}")


def principal_named(text: str) -> set[str]:
    """kommun and/or region as a free text names them ("Region Skogsmark", "Kommunen", "landstinget")."""
    lemma_set = frozenset(lang.lemmas(text))
    out = set()
    if any(x == "kommun" or x.endswith("kommun") for x in lemma_set):
        out.add("kommun")
    if any(x in ("region", "landsting") or x.endswith(("region", "landsting")) for x in lemma_set):
        out.add("region")
    return out


def overall_principal(ctx: Context) -> tuple[str | None, str]:
    """The principal holding the overall responsibility and, if there is none, why (in Swedish)."""
    o = ctx.plan.overall_responsibility
    named = principal_named(o.principal)
    others = [org for org in organisations_named(f"{o.principal}\n{o.person}")
              if ctx.catalogue.organisation(org).is_other_actor]
    if o.organisation and ctx.catalogue.organisation(o.organisation).is_other_actor:
        others.append(o.organisation)
    if others:
        who = listing(sorted({ctx.catalogue.organisation(x).short for x in others}))
        return None, f"Ansvaret är lagt på {who}, som är en annan aktör och inte kan ha det övergripande ansvaret."
    if len(named) > 1:
        return None, "Både kommunen och regionen står som ansvariga; bara en huvudman kan ha det övergripande ansvaret."
    if not named:
        if o.principal:
            return None, f"'{excerpt(o.principal, 40)}' är ingen huvudman; bara kommunen eller regionen kan ha ansvaret."
        return None, "Ingen huvudman är angiven."
    return named.pop(), ""


@check("L004")
def overall_responsibility(ctx: Context, params: dict) -> Finding:
    o = ctx.plan.overall_responsibility
    principal, why = overall_principal(ctx)
    if principal is None:
        return Finding(0.0, why)
    if o.organisation and ctx.catalogue.principal_of(o.organisation) != principal:
        name = ctx.catalogue.organisation(o.organisation).short
        return Finding(0.5, f"Verksamheten {name} tillhör inte {principal}en.")
    words = lang.words(o.person)
    if len(words) < 2 or gap(o.person, ("ansvarig", "person", "samordnare"), min_words=2, min_content=1) is not Gap.none:
        return Finding(0.5, "Ingen ansvarig person är namngiven (skriv för- och efternamn och roll).")
    return Finding(1.0)


# --- consent -----------------------------------------------------------------------------------------------------
def _consent_texts(ctx: Context) -> list[str]:
    c = ctx.plan.consent
    return [t for t in (c.given_by, c.scope, c.recorded) if t]


def refuses(text: str, extra_noise: frozenset[str] = frozenset()) -> bool:
    """A consent text that says no: 'Nej.', 'Samtycker inte.', 'Inget samtycke har lämnats.' A negated consent with
    an object ('samtycker inte till att hyresvärden får veta') is a limit, not a refusal."""
    for sentence in lang.sentences(text):
        folded = [w.casefold() for w in lang.words(sentence)]
        if folded[:1] == ["nej"]:
            return True
        lemma_set = frozenset(lang.lemmas(sentence))
        names_consent = any(any(lang.related(x, t) for x in lemma_set) for t in CONSENT_TERMS)
        if names_consent and any(w in lang.NEGATIONS for w in folded):
            rest = {x for x in lang.content(sentence)
                    if not any(lang.related(x, t) for t in CONSENT_TERMS) and x not in REFUSAL_NOISE | extra_noise}
            if not rest:
                return True
    return False


def _limit_terms(limit: str) -> tuple[frozenset[str], frozenset[str]]:
    """From the case's limit on consent: (every word that says what or whom it concerns, the recipients only)."""
    tokens = lang.words(limit)
    folded = [w.casefold() for w in tokens]
    recipients: set[str] = set()
    for i, w in enumerate(folded):
        if w in ("till", "med"):
            for nxt in tokens[i + 1:]:
                low = nxt.casefold()
                if low in ("utan", "om", "innan", "förrän", "så"):
                    break
                if low not in lang.FUNCTION_WORDS:
                    recipients.add(lang.lemma(nxt))
            break
    every = {x for x in lang.content(limit)  # the consent word itself is in every consent text: it records nothing
             if x not in LIMIT_NOISE and not any(lang.related(x, t) for t in CONSENT_TERMS)}
    return frozenset(every), frozenset(r for r in recipients if r not in LIMIT_NOISE)


def _shares_plan(ctx: Context) -> list[tuple[str, str]]:
    """(Where, text) of every place a plan sends information to someone: participants, contacts, distribution,
    efforts."""
    p = ctx.plan
    out = [("deltagare", f"{x.name} {x.role}") for x in p.participants]
    out += [("kontakter", f"{x.name}") for x in p.contacts]
    out += [("sändlista", d) for d in p.distribution]
    out += [("insatser", s) for e in p.efforts for s in lang.sentences(e.what)
            if not any(w.casefold() in lang.NEGATIONS for w in lang.words(s))]
    return out


def _consent_for_case(ctx: Context) -> tuple[float, list[str]]:
    """What the case adds to the consent rule: (score cap, findings)."""
    person = ctx.scenario.person
    c = ctx.plan.consent
    findings, cap = [], 1.0
    by_folded = c.given_by.casefold()
    person_words = [person.given_name, person.family_name]
    if person.is_child and person.guardians:
        guardian_words = [w for g in person.guardians for w in lang.words(g.name)] + [g.relation for g in person.guardians]
        names_guardian = (names_role(c.given_by, ["vårdnadshavare", "vårdnadshavaren", "vårdnadshavarna", "föräldrarna",
                                                  "föräldrar", "båda föräldrarna", "god man", "gode mannen"])
                          or any(w.casefold() in by_folded for w in guardian_words if len(w) > 2))
        if not names_guardian:
            return 0.0, ["För ett barn lämnar vårdnadshavarna samtycket; det står inte att de har gjort det."]
        if len(person.guardians) > 1:
            plural = names_role(c.given_by, ["vårdnadshavarna", "föräldrarna", "båda", "båda föräldrarna", "båda vårdnadshavarna"])
            each = all(any(w.casefold() in by_folded for w in (*lang.words(g.name)[:1], g.relation)) for g in person.guardians)
            if not (plural or each):
                cap = min(cap, 0.5)
                findings.append("Barnet har två vårdnadshavare; båda behöver samtycka.")
        child_terms = {person.given_name.casefold(), "barnet", "barnets", "eleven", "ungdomen", "sonen", "dottern",
                       "pojken", "flickan", "tjejen", "killen"}
        texts = _consent_texts(ctx) + [ctx.plan.person_participation]
        heard = any(any(w.casefold() in child_terms for w in lang.words(t)) and bool(set(lang.lemmas(t)) & OPINION)
                    for t in texts)
        if not heard:
            cap = min(cap, 0.5)
            findings.append("Det står inte vad barnet själv tycker om planen och om att uppgifter delas.")
    elif not person.is_child:
        own = (names_role(c.given_by, ["personen", "den enskilde", "brukaren", "patienten", "klienten", "själv", "jag"])
               or any(same_name(w, " ".join(person_words)) for w in lang.words(c.given_by)))
        if c.given_by and not own:
            return 0.0, [f"Samtycket är lämnat av '{excerpt(c.given_by, 40)}', men bara personen själv kan samtycka till en SIP."]
    limit = person.consent.limit
    if limit:
        every, recipients = _limit_terms(limit)
        # A limit restricts sharing only when it says so ("delas inte med", "bara med"); "Samtycket behöver prövas
        # igen med stöd av anhörig" is a condition on the consent, and its "med" names no recipient.
        restricts = bool({w.casefold() for w in lang.words(limit)} & RESTRICTION_WORDS)
        exempt = set(ctx.scenario.ground_truth.organisations) | (set(ctx.case.role_ids) if ctx.case else set())
        exempt_terms = {t for org in exempt for t in lang.content(ctx.catalogue.organisation(org).short)}
        watched = {r for r in recipients if r not in exempt_terms} if restricts else set()
        # A child's guardians take part in the plan by law (they consent for the child): a limit that names one
        # ("delas inte med pappa") restricts what is said while that guardian is there, not that the guardian is.
        guardian_terms = ({lang.lemma(w) for g in person.guardians for w in lang.words(f"{g.name} {g.relation}")}
                          if person.is_child else set())
        broken = [(where, text) for where, text in _shares_plan(ctx)
                  if any(lang.shares(frozenset(lang.lemmas(text)), r) for r in watched
                         if not (where == "deltagare" and r in guardian_terms))]
        if broken:
            where, text = broken[0]
            return 0.0, [f"Planen delar uppgifter där personens samtycke inte medger det ({where}: '{excerpt(text, 40)}')."]
        consent_text = " ".join(_consent_texts(ctx))
        lemma_set = frozenset(lang.lemmas(consent_text))
        recorded = (any(lang.shares(lemma_set, t) for t in every)
                    and (not restricts or bool({w.casefold() for w in lang.words(consent_text)} & RESTRICTION_WORDS)))
        if not recorded:
            cap = min(cap, 0.5)
            findings.append("Personen har satt en gräns för vad som får delas, och den gränsen står inte i samtycket.")
    return cap, findings


@check("L005")
def consent(ctx: Context, params: dict) -> Finding:
    c = ctx.plan.consent
    if not c.given:
        return Finding(0.0, "Samtycke är inte markerat som lämnat.")
    noise = frozenset()
    if ctx.scenario is not None:
        noise = frozenset(lang.lemma(w) for w in (ctx.scenario.person.given_name, ctx.scenario.person.family_name))
    if any(refuses(t, noise) for t in _consent_texts(ctx)):
        return Finding(0.0, "Samtycket är markerat som lämnat, men texten säger att samtycke inte finns.")
    detail = []
    if not c.given_by:
        detail.append("Det står inte vem som samtyckte.")
    scope_gap = ctx.gap("samtyckets omfattning", CONSENT_TERMS + ("omfatta", "gälla"), deniable=False)
    if scope_gap is not Gap.none:
        detail.append(f"Fältet samtyckets omfattning {GAP_SV[scope_gap]}: skriv vilka uppgifter som får delas och med vilka.")
    score = (bool(c.given_by) + (scope_gap is Gap.none)) / 2
    if ctx.scenario is not None:
        cap, found = _consent_for_case(ctx)
        if cap == 0.0:
            return Finding(0.0, " ".join(found))
        detail += found
        score = min(score, cap) if found else score
    return Finding(score, " ".join(detail))


# --- participation -----------------------------------------------------------------------------------------------
def person_present(ctx: Context, params: dict) -> bool:
    p = ctx.plan
    roles = params["person_roles"]
    unaffiliated = [x for x in p.participants if not x.organisation]
    if any(names_role(x.role, roles) for x in unaffiliated):
        return True
    if ctx.scenario is not None:
        person = ctx.scenario.person
        given = person.given_name.casefold()
        return any(same_name(x.name, person.full_name) and given in {w.casefold() for w in lang.words(x.name)}
                   for x in unaffiliated)
    return False


def guardians_present(ctx: Context, params: dict) -> bool:
    p = ctx.plan
    unaffiliated = [x for x in p.participants if not x.organisation]
    if any(names_role(x.role, params["guardian_roles"]) for x in unaffiliated):
        return True
    if ctx.scenario is not None:
        return any(same_name(x.name, g.name) for x in unaffiliated for g in ctx.scenario.person.guardians)
    return False


@check("L006")
def participation(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    is_child = bool(p.concerns.guardians) or (ctx.scenario is not None and ctx.scenario.person.is_child)
    present = person_present(ctx, params) or (is_child and guardians_present(ctx, params))
    found = ctx.gap("personens delaktighet", ("delaktig", "delaktighet", "delta", "vara"), negatable=True)
    how = f"Fältet personens delaktighet {GAP_SV[found]}." if found is not Gap.none else ""
    who = ("Varken barnet eller vårdnadshavarna finns bland deltagarna." if is_child
           else "Personen finns inte bland deltagarna (roll till exempel 'den enskilde', utan verksamhet).")
    return both(found is Gap.none, present, how, who)


@check("L007")
def relatives(ctx: Context, params: dict) -> Finding:
    found = ctx.gap("närståendes medverkan", ("närstående", "anhörig", "medverkan"), deniable=False)
    if found is Gap.none:
        return Finding(1.0)
    return Finding(0.0, gap_text("närståendes medverkan", found))
