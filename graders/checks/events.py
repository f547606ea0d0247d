"""Event rules: how the plan was revised after a case event the group received (graders.events.EventContext).

Each check compares the plan now with ``event.before`` (the plan when the event was delivered) and with what the
event ``expects``. What counts is what the revision *says*, never that a field was touched: an added sentence must
carry new words beyond the rule's own keywords, a limit on consent must say no to the organisation (not merely name
it), a date must move the right way.

Layers (graders.registry.Finding): ``detail`` names the event's organisation only when the event is not private
(its text named it to the whole group; the feedback the group shares never names what only the affected role read);
``guided`` names the need area; ``facit`` says what the revised plan should show, with the organisation.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from graders import language as lang
from graders.checks.common import excerpt, listing, quoted
from graders.checks.legal import CONSENT_TERMS, NEED_ECHO, effort_ok
from graders.context import Context
from graders.events import EventContext
from graders.matching import STOP, effort_candidates, efforts_of, organisations_named
from graders.plan import Plan
from graders.registry import Finding, check
from graders.substance import FILLER, Gap, denies, gap
from simulator.catalogue import load_catalogue

DIGIT = re.compile(r"\d")
# "drar/drog/tar tillbaka": the verb forms, since the lemmatiser reads "drogs" as the noun "drog".
TAKE_BACK = frozenset("dra drar drog drogs dras dragit dragits ta tar tog togs tas tagit tagits".split())
# Two capitalised words in a row: how a text names a person ("Eva Lind tar över").
FULL_NAME = re.compile(r"\b([A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?)\s+([A-ZÅÄÖÉ][a-zåäöéü]+(?:-[A-ZÅÄÖÉ][a-zåäöéü]+)?)\b")


# --- shared helpers ----------------------------------------------------------------------------------------------
def _short(ctx: Context, org_id: str) -> str:
    return ctx.catalogue.organisation(org_id).short


def _named(ctx: Context, ev: EventContext, org_id: str) -> str:
    """The organisation by name only when the whole group already knows it is concerned: the event is not private
    and names it (among the roles it affects, or in its text). Otherwise which organisation is the answer key's."""
    org = ctx.catalogue.organisation(org_id)
    text = f"{ev.event.title} {ev.event.text}".casefold()
    told = org_id in ev.event.affects or org.name.casefold() in text or org.short.casefold() in text
    return _short(ctx, org_id) if told and not ev.event.private else "den verksamhet som händelsen gäller"


def _terms(words: list[str] | tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Keyword phrases as lemma sequences ("ta över" → ("ta", "över"))."""
    return _phrases(tuple(words))


@lru_cache(maxsize=64)
def _phrases(words: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(lang.lemmas(w)) for w in words if lang.words(w))


@lru_cache(maxsize=16384)
def _hits(lemma_seq: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> frozenset[tuple[str, ...]]:
    """The phrases a text holds: one-word phrases as a word of the same family, longer ones as consecutive lemmas.
    Cached: live feedback asks again for the same sentences."""
    found = set()
    lemma_set = frozenset(lemma_seq)
    for p in phrases:
        if len(p) == 1:
            if any(lang.related(x, p[0]) for x in lemma_set):
                found.add(p)
        elif any(lemma_seq[i:i + len(p)] == p for i in range(len(lemma_seq) - len(p) + 1)):
            found.add(p)
    return frozenset(found)


def _takes_back(sentence: str) -> bool:
    """'drar tillbaka', 'tog tillbaka' (the verb forms: the lemmatiser reads 'drogs' as the noun 'drog')."""
    folded = {w.casefold() for w in lang.words(sentence)}
    return "tillbaka" in folded and bool(folded & TAKE_BACK)


def _restricts(sentence: str, params: dict) -> bool:
    """A sentence that says no or sets a limit: a negation, a word like 'utom', 'undantag', 'begränsa', or a
    consent taken back."""
    if any(w.casefold() in lang.NEGATIONS for w in lang.words(sentence)) or _takes_back(sentence):
        return True
    return bool(_hits(lang.lemmas(sentence), _terms(params["restriction_words"])))


@cache
def _org_words(org_id: str) -> frozenset[str]:
    org = load_catalogue().organisation(org_id)
    return frozenset(lang.content(org.short) | lang.content(org.name) | {w.casefold() for w in lang.words(org.short)})


def _sentences(text: str) -> tuple[str, ...]:
    return lang.sentences(text or "")


def _added(old: str, new: str) -> str:
    """The sentences of ``new`` that are not in ``old`` (word for word), joined: what the revision wrote."""
    before = {" ".join(w.casefold() for w in lang.words(s)) for s in _sentences(old)}
    return " ".join(s for s in _sentences(new) if " ".join(w.casefold() for w in lang.words(s)) not in before)


def _new_lemmas(old: str, added: str) -> frozenset[str]:
    """Content lemmas of the added text that the old text did not have (filler words left out)."""
    had = lang.content(old)
    return frozenset(x for x in lang.content(added) if x not in had and x not in FILLER)


@cache
def _all_org_words() -> frozenset[str]:
    return frozenset().union(*(_org_words(o.id) for o in load_catalogue().organisations))


@lru_cache(maxsize=4096)
def _names(text: str) -> frozenset[str]:
    """Full names in a text (two capitalised words in a row, not an organisation's words), lower case."""
    orgs = _all_org_words()
    out = set()
    for first, last in FULL_NAME.findall(text or ""):
        if not ({first.casefold(), last.casefold()} & orgs or {lang.lemma(first), lang.lemma(last)} & orgs):
            out.add(f"{first} {last}".casefold())
    return frozenset(out)


# --- E001: consent narrowed --------------------------------------------------------------------------------------
def says_no_to(sentence: str, org_id: str, params: dict) -> bool:
    """A sentence that names the organisation and limits what it may take part of, with at least one word about
    what or how ('Arbetsförmedlingen får inte ta del av läkarintygen', 'Samtycket omfattar inte AF')."""
    if org_id not in organisations_named(sentence) or not _restricts(sentence, params):
        return False
    own = _org_words(org_id)
    noise = set(_terms(params["restriction_words"]))
    rest = [x for x in lang.content(sentence)
            if x not in own and (x,) not in noise and not any(lang.related(x, t) for t in CONSENT_TERMS)]
    return bool(rest)


def _generic_copy(entry: str, params: dict) -> bool:
    """A distribution entry that means everyone at the meeting: 'alla som deltog i mötet', 'samtliga deltagare'."""
    folded = {w.casefold() for w in lang.words(entry)}
    return bool(folded & {"alla", "samtliga", "samtlig"}) or bool(_hits(lang.lemmas(entry), _terms(params["everyone_words"])))


def reaching(plan: Plan, org_id: str, params: dict) -> list[str]:
    """The distribution entries that still send the plan to the organisation: by its name, by the name of someone
    who works there, or as 'everyone at the meeting' when someone from there took part, unless the entry excepts it."""
    people = [x.name for x in plan.participants if x.organisation == org_id and len(lang.words(x.name)) >= 2]
    people += [c.name for c in plan.contacts if c.organisation == org_id and len(lang.words(c.name)) >= 2]
    took_part = any(x.organisation == org_id for x in plan.participants)
    out = []
    for entry in plan.distribution:
        if org_id in organisations_named(entry) or any(_holds_name(entry, n) for n in people):
            if not any(_restricts(s, params) for s in _sentences(entry)):
                out.append(entry)
        elif took_part and _generic_copy(entry, params):
            out.append(entry)
    return out


def _holds_name(text: str, name: str) -> bool:
    mine = {w.casefold() for w in lang.words(text)}
    return all(w.casefold() in mine for w in lang.words(name))


def sharing(plan: Plan, org_id: str, params: dict) -> list[str]:
    """Sentences in the efforts of others and in what the person does that still send information to the
    organisation ('Läkaren skickar intyget till Arbetsförmedlingen')."""
    verbs = _terms(params["share_words"])
    texts = [e.what for e in plan.efforts if e.organisation != org_id] + [a.what for a in plan.own_actions]
    out = []
    for text in texts:
        for s in _sentences(text):
            if (org_id in organisations_named(s) and _hits(lang.lemmas(s), verbs)
                    and not _restricts(s, params)):
                out.append(s)
    return out


@check("E001")
def consent_excludes(ctx: Context, params: dict, ev: EventContext) -> Finding:
    org = ev.expects.consent_excludes
    who, name = _named(ctx, ev, org), _short(ctx, org)
    c, old = ctx.plan.consent, ev.baseline.consent
    before = {normal(s) for t in (old.scope, old.recorded) for s in _sentences(t)}
    # Only a sentence written since the event counts: a limit the plan had before is not the change.
    said = any(says_no_to(s, org, params) and normal(s) not in before for t in (c.scope, c.recorded)
               for s in _sentences(t))
    facit = (f"Samtycket ska säga att {name} inte längre får ta del av uppgifterna, och {name} ska inte längre få "
             "planen: stryk den ur sändlistan och ur allt som skickar uppgifter dit.")
    guided = ""
    copies, sends = reaching(ctx.plan, org, params), sharing(ctx.plan, org, params)
    if not said:
        mentioned = any(org in organisations_named(s) for t in (c.scope, c.recorded) for s in _sentences(t))
        was_named = any(org in organisations_named(s) for t in (old.scope, old.recorded) for s in _sentences(t))
        if was_named and not mentioned and not copies and not sends:
            # Struck from the list: the limit holds, but nobody reading the plan learns that consent changed.
            return Finding(0.5, f"{who[:1].upper()}{who[1:]} är struken ur samtycket, men det står inte att "
                                "samtycket har ändrats och vad de inte längre får ta del av.", guided, facit)
        detail = (f"Samtycket nämner {who} men säger inte att de inte längre får ta del av uppgifterna."
                  if mentioned else f"Samtycket säger inget om att {who} inte längre får ta del av uppgifterna.")
        return Finding(0.0, detail, guided, facit)
    detail = []
    if copies:
        detail.append(f"Sändlistan skickar fortfarande planen dit ({quoted([excerpt(x, 40) for x in copies])}).")
    if sends:
        detail.append(f"Insatser skickar fortfarande uppgifter dit ({quoted([excerpt(x, 50) for x in sends[:2]])}).")
    return Finding((1 + (not copies) + (not sends)) / 3, " ".join(detail), guided if detail else "", facit if detail else "")


# --- E002: consent withdrawn, plan closed -------------------------------------------------------------------------
def withdrawn(text: str, params: dict) -> bool:
    """A reason that says the person no longer consents: 'Filip har återkallat sitt samtycke', 'Hon vill inte ha
    någon plan längre', 'Samtycket drogs tillbaka'; 'Planen avslutas.' or 'Målen är nådda.' are other reasons."""
    withdraw = _terms(params["withdraw_words"])
    for s in _sentences(text):
        folded = [w.casefold() for w in lang.words(s)]
        seq = lang.lemmas(s)
        lemma_set = frozenset(seq)
        consent = any(lang.related(x, t) for x in lemma_set for t in CONSENT_TERMS)
        about_plan = bool(_hits(seq, _terms(params["plan_words"])))
        takes_back = bool(_hits(seq, withdraw)) or _takes_back(s)
        negated = any(w in lang.NEGATIONS for w in folded)
        if consent and (takes_back or negated):
            return True
        wants_out = "vilja" in lemma_set and (negated or bool(_hits(seq, _terms(params["end_words"]))))
        if about_plan and (takes_back or wants_out or "nej" in folded):  # "tackade nej till fortsatt SIP"
            return True
    return False


@check("E002")
def plan_closed(ctx: Context, params: dict, ev: EventContext) -> Finding:
    closure = ctx.plan.closure
    facit = ("Planen ska avslutas med datum och skäl: personen har återkallat sitt samtycke. Skriv också att personen "
             "kan be om en ny plan när som helst.")
    if closure is None or (closure.date is None and not lang.words(closure.reason)):
        return Finding(0.0, "Planen är inte avslutad: datum och skäl för avslutet saknas.", "", facit)
    earliest = max((d for d in (ctx.plan.established, ev.baseline.established) if d is not None), default=None)
    detail = []
    date_ok = closure.date is not None and (earliest is None or closure.date >= earliest)
    if closure.date is None:
        detail.append("Avslutet har inget datum.")
    elif not date_ok:
        detail.append("Avslutet är daterat före planens datum.")
    substance = gap(closure.reason, ("avsluta", "avslut", "plan", "skäl"), min_words=4, min_content=2)
    reason_ok = substance is Gap.none and withdrawn(closure.reason, params)
    if not lang.words(closure.reason):
        detail.append("Skälet till avslutet saknas.")
    elif not reason_ok:
        detail.append("Skälet säger inte med en hel mening att personen inte längre samtycker till planen.")
    return Finding((date_ok + reason_ok) / 2, " ".join(detail), "", facit if detail else "")


# --- E003: key person leaves, an organisation's part changes -------------------------------------------------------
def _part(plan: Plan, org_id: str, ids: set[str]) -> list[tuple[str, str, object]]:
    """(label, text, the row) of the organisation's efforts (also those moved away from it, by id), its contact
    persons and the overall responsibility when it holds it."""
    out = [(f"insats {e.id}", f"{e.what} {e.when}".strip(), e) for e in plan.efforts
           if e.organisation == org_id or e.id in ids]
    out += [(f"kontaktperson {c.name}", f"{c.name} {c.reach}".strip(), c) for c in plan.contacts if c.organisation == org_id]
    o = plan.overall_responsibility
    if o.organisation == org_id:
        out.append(("övergripande ansvar", o.person, o))
    return out


def _revision(ctx: Context, before: Plan, before_text: str, org_id: str, params: dict) -> tuple[bool, bool]:
    """(Whether the organisation's part changed at all since the event, whether a change names a new responsible
    person, a replacement or a gap with its time). ``before_text``: everything the plan said before the event."""
    old_ids = {e.id for e in before.efforts if e.organisation == org_id}
    old_efforts = {e.id: e for e in before.efforts}
    old_contacts = {(c.name.casefold(), c.reach.casefold()) for c in before.contacts if c.organisation == org_id}
    old_names = _names(before_text) | {c.name.casefold() for c in before.contacts}
    old_all = before_text.casefold()
    replace, pause = _terms(params["replace_words"]), _terms(params["gap_words"])
    times = _terms(params["time_words"])
    changed = good = False
    for label, text, row in _part(ctx.plan, org_id, old_ids):
        if label.startswith("kontaktperson"):
            if (row.name.casefold(), row.reach.casefold()) in old_contacts:
                continue
            changed = True
            if len(lang.words(row.name)) >= 2 and row.name.casefold() not in old_all:
                good = True  # a new contact person by name
            continue
        if label == "övergripande ansvar":
            old = before.overall_responsibility.person if before.overall_responsibility.organisation == org_id else ""
            if normal(text) != normal(old):
                changed = True
                good |= bool(_names(text) - old_names)
            continue
        old_row = old_efforts.get(row.id)
        old_text = f"{old_row.what} {old_row.when}".strip() if old_row else ""
        dates = old_row is not None and (row.start, row.end) != (old_row.start, old_row.end) and bool(row.start or row.end)
        if old_row is not None and normal(text) == normal(old_text) and row.organisation == old_row.organisation \
                and not dates and row.status == old_row.status:
            continue
        changed = True
        added = _added(old_text, text)  # a date or status moved without a word about it says nothing yet
        if added:
            timed = dates or (old_row is None and bool(row.start or row.end))
            good |= _states_change(added, old_text, old_names, replace, pause, times, timed)
    # An effort of the organisation struck out is a change; a new effort elsewhere for the same needs may say what
    # replaces it ("Samtal på vuxenpsykiatrin i stället, från januari").
    now_ids = {e.id for e in ctx.plan.efforts}
    gone = [old_efforts[i] for i in old_ids if i not in now_ids]
    if gone:
        changed = True
        needs = {n for e in gone for n in e.needs}
        for e in ctx.plan.efforts:
            if e.id not in old_efforts and (not needs or needs & set(e.needs)):
                good |= _states_change(f"{e.what} {e.when}".strip(), "", old_names, replace, pause, times,
                                       bool(e.start or e.end))
    return changed, good


def _states_change(added: str, old_text: str, old_names: set[str], replace, pause, times, dates: bool) -> bool:
    """Whether the added words say who takes over, that someone replaces, or that there is a gap until when, with
    more words of its own than keywords (a list of keywords is no revision)."""
    seq = lang.lemmas(added)
    markers = _hits(seq, replace) | _hits(seq, pause)
    marker_words = {w for p in markers for w in p}
    new = _new_lemmas(old_text, added)
    own = {x for x in new if not any(lang.related(x, w) for w in marker_words)}
    if len(lang.words(added)) < 3 or len(marker_words) > len(own) + 1:
        return False
    names = _names(added) - old_names
    timed = dates or bool(DIGIT.search(added)) or bool(_hits(tuple(x for x in seq if x in new), times))
    if names and own:
        return True  # a new responsible person by name
    if _hits(seq, replace) and (timed or len(own) >= 2):
        return True  # someone or something replaces, and when or who
    gap_said = bool(_hits(seq, pause)) or any(w.casefold() in ("saknas", "ingen", "inget") for w in lang.words(added))
    return gap_said and timed and bool(own)


def normal(text: str) -> str:
    return " ".join(w.casefold() for w in lang.words(text or ""))


def _plan_text(ctx: Context, plan: Plan) -> str:
    return Context(plan, ctx.scenario, ctx.catalogue).all_text


@check("E003")
def revise(ctx: Context, params: dict, ev: EventContext) -> Finding:
    orgs = ev.expects.revise
    before = ev.baseline
    before_text = _plan_text(ctx, before)
    untouched, unclear = [], []
    for org in orgs:
        changed, good = _revision(ctx, before, before_text, org, params)
        if not good:
            (unclear if changed else untouched).append(org)
    if not untouched and not unclear:
        return Finding(1.0)
    names = lambda ids: listing([_short(ctx, o) for o in ids])  # noqa: E731
    told = lambda ids: listing(list(dict.fromkeys(_named(ctx, ev, o) for o in ids)))  # noqa: E731 - what the group knows
    detail = []
    if untouched:
        detail.append(f"Inget i delen för {told(untouched)} (insatser, kontaktperson) har ändrats sedan händelsen.")
    if unclear:
        detail.append(f"Delen för {told(unclear)} har ändrats, men ändringen säger inte vem, vad eller hur länge.")
    guided = ""
    facit = (f"Skriv i insatserna eller kontaktpersonen för {names(untouched + unclear)} vem som tar över (namn), "
             "vad som ersätter det som faller bort, eller att det blir ett uppehåll och till när, och vad personen "
             "gör under tiden.")
    return Finding((len(orgs) - len(untouched) - len(unclear)) / len(orgs), " ".join(detail), guided, facit)


# --- E004: follow-up brought forward -----------------------------------------------------------------------------
@check("E004")
def follow_up_sooner(ctx: Context, params: dict, ev: EventContext) -> Finding:
    now, old = ctx.plan.follow_up.date, ev.baseline.follow_up.date
    est = ctx.plan.established
    facit = "Flytta uppföljningen till ett datum före det som gällde när händelsen kom, men efter planens datum."
    if now is None:
        return Finding(0.0, "Uppföljningen har inget datum.", "", facit)
    if old is not None and now >= old:
        same = "ligger kvar på samma datum som" if now == old else "ligger senare än"
        return Finding(0.0, f"Uppföljningen ({now.isoformat()}) {same} före händelsen ({old.isoformat()}).", "", facit)
    if est is not None and now <= est:
        return Finding(0.5, f"Uppföljningen ({now.isoformat()}) ligger inte efter planens datum ({est.isoformat()}).",
                       "", facit)
    return Finding(1.0)


# --- E005: discharge from hospital -------------------------------------------------------------------------------
def _fast_contact(ctx: Context) -> bool:
    """The plan names the fast vårdkontakt: an effort 'fast vårdkontakt' at a unit that gives it, or the follow-up
    called by someone named as fast vårdkontakt."""
    for e in ctx.plan.efforts:
        if "fast_vardkontakt" in efforts_of(e, ctx.catalogue) and effort_ok(ctx, e) and \
                e.organisation in ctx.catalogue.effort("fast_vardkontakt").providers:
            return True
    providers = ctx.catalogue.effort("fast_vardkontakt").providers
    p = ctx.plan
    named = [(f"{c.name} {c.reach}", c.name) for c in p.contacts if c.organisation in providers]
    named += [(f"{x.name} {x.role}", x.name) for x in p.participants if x.organisation in providers]
    if any("fast_vardkontakt" in effort_candidates(text) and len(lang.words(name)) >= 2 for text, name in named):
        return True  # a contact person or participant of the unit, by name, as fast vårdkontakt
    caller = p.follow_up.called_by
    if "fast_vardkontakt" not in effort_candidates(caller):
        return False
    return bool(_names(caller)) or any(lang.words(c.name) and _holds_name(caller, c.name) for c in p.contacts)


@check("E005")
def discharge(ctx: Context, params: dict, ev: EventContext) -> Finding:
    p, before = ctx.plan, ev.baseline
    days = params["max_days"]
    facit = (f"Skriv datum då personen blir utskrivningsklar igen, håll SIP (eller uppföljning) senast {days} dagar "
             "efter det, och skriv vem som är fast vårdkontakt och kallar till mötet.")
    dr, old_dr = p.discharge_ready, before.discharge_ready
    floor = max((d for d in (old_dr, before.established) if d is not None), default=None)
    if dr is None:
        return Finding(0.0, "Planen har inget datum då personen är utskrivningsklar.", "", facit)
    if old_dr is not None and dr <= old_dr:
        return Finding(0.0, "Datumet för utskrivningsklar är detsamma som före händelsen; det gäller den förra "
                            "utskrivningen.", "", facit)
    if floor is not None and dr < floor:
        return Finding(0.0, "Datumet för utskrivningsklar ligger före planens datum; det kan inte gälla den nya "
                            "inläggningen.", "", facit)
    meetings = [d for d in (p.established, p.follow_up.date) if d is not None]
    in_time = any(0 <= (d - dr).days <= days for d in meetings)
    contact = _fast_contact(ctx)
    detail = []
    if not in_time:
        detail.append(f"Inget möte (planens datum eller uppföljningen) ligger inom {days} dagar från utskrivningsklar.")
    if not contact:
        detail.append("Det står inte vem som är fast vårdkontakt och kallar till mötet.")
    return Finding((1 + in_time + contact) / 3, " ".join(detail), "", facit if detail else "")


# --- E006: a new need after the event ----------------------------------------------------------------------------
@lru_cache(maxsize=256)
def _responds(org_id: str, area: str, ages: tuple[int, int] | None) -> bool:
    """Whether the organisation may respond to a need in the area (as the case rules judge it; K002 says more about
    who gives which effort)."""
    return org_id in load_catalogue().responders_for_area(area, ages)


def _in_area(ctx: Context, need, area: str) -> bool:
    if need.area:
        return need.area == area
    linked = [e for e in ctx.plan.efforts if need.id in e.needs]
    named = {i for e in linked for i in efforts_of(e, ctx.catalogue)} | set(effort_candidates(need.text))
    return any(area in ctx.catalogue.effort(i).areas for i in named)


@check("E006")
def need_area(ctx: Context, params: dict, ev: EventContext) -> Finding:
    area = ev.expects.need_area
    area_name = ctx.catalogue.area_by_id[area].name.lower()
    old = {n.id: n.text for n in ev.baseline.needs}
    echo = NEED_ECHO + tuple(lang.content(area_name))
    ages = None
    if ctx.scenario is not None:
        person = ctx.scenario.person
        echo += (lang.lemma(person.given_name), lang.lemma(person.family_name))
        ages = (person.age, person.age)
    vague = set(echo) | STOP  # "behöver mer hjälp" says nothing new about what the person needs
    fresh, thin = [], []
    for n in ctx.plan.needs:
        if not _in_area(ctx, n, area):
            continue
        before = old.get(n.id, "")
        if normal(before) == normal(n.text):
            continue
        if len(_new_lemmas(before, _added(before, n.text)) - vague) < params["min_new_words"]:
            thin.append(n)
            continue
        if gap(n.text, echo, min_words=4, min_content=2) is not Gap.none or denies(n.text, rows=True):
            thin.append(n)
            continue
        fresh.append(n)
    examples = [e.name.lower() for e in ctx.catalogue.efforts if area in e.areas
                and (ctx.case is None or set(e.providers) & set(ctx.case.role_ids))][:3]
    guided = f"Det gäller ett behov som rör {area_name}."
    facit = (f"Lägg till eller skriv om ett behov som rör {area_name} och koppla en insats till det"
             + (f", till exempel {listing(examples)}." if examples else "."))
    if not fresh:
        detail = ("Ett behov har ändrats, men ändringen säger inte med egna ord vad personen behöver nu."
                  if thin else "Planen har inget nytt eller ändrat behov efter händelsen.")
        return Finding(0.0, detail, guided, facit)
    for n in fresh:
        linked = [e for e in ctx.plan.efforts if n.id in e.needs and effort_ok(ctx, e)]
        if any(e.organisation and _responds(e.organisation, area, ages) for e in linked):
            return Finding(1.0)
    return Finding(0.5, "Det nya behovet har ingen insats kopplad till sig, av en verksamhet som kan svara på det.",
                   guided, facit)
