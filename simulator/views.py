"""What each view of a case may contain: the domain rule of who sees what. Rendering lives in simulator.rendering.

- ``participant``: the case card and the person as the inviting professional knows them, the person's wishes and
  goals, network, history and consent. Never the needs analysis, the expected efforts, the facit or any role's card.
- ``role:<organisation id>``: the participant view plus that role's own card and its own hidden information.
- ``role:personen``: the participant view plus the person's own card in the first person: wishes, goals, worries,
  and what the person tells only when asked. For a child whose case has a guardian card, whoever plays this seat plays
  the guardian: the guardian's card instead (the child's secrets are not the guardian's to tell).
- ``role:narstaende``: the participant view plus the card of the relative who attends, when the case has one.
- ``trainer``: everything, including every role card, all hidden information, the events and the facit.
- ``event:<event id>``: one event as a handout the trainer gives the affected roles during the exercise.
- ``interview``: the self-study interview for the trainer who writes it: every speaker's questions by topic, with
  their phrasings, answers, follow-ups and what each reveals (so it shows hidden information, like ``trainer``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulator.casecard import ROLE_LABELS, STANCE_LABELS
from simulator.cases import DIFFICULTY_LABELS, PERSON_ROLE, RELATIVE_ROLE, Case, RelativeCard, person_values
from simulator.catalogue import Catalogue, load_catalogue
from simulator.texts import fill

VIEW_KINDS = ("participant", "trainer", "role", "event", "interview")


class UnknownView(ValueError):
    pass


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    items: tuple[str, ...] = ()  # a bullet list
    pairs: tuple[tuple[str, str], ...] = ()  # label: value
    quotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class View:
    title: str
    subtitle: str
    kind: str  # participant, trainer, role or event
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def texts(self) -> list[str]:
        out = [self.title, self.subtitle]
        for s in self.sections:
            out += [s.title, *s.paragraphs, *s.items, *s.quotes, *(f"{a}: {b}" for a, b in s.pairs)]
        return out


def parse_view(case: Case, view: str) -> tuple[str, str | None]:
    """('participant'|'trainer'|'role', role id or None); raises UnknownView with a Swedish message."""
    if view in ("participant", "trainer", "interview"):
        return view, None
    kind, _, name = view.partition(":")
    if kind == "role" and name in case.seat_ids:
        return "role", name
    if kind == "event" and name in {e.id for e in case.events}:
        return "event", name
    choices = ", ".join([*(f"role:{r}" for r in case.seat_ids), *(f"event:{e.id}" for e in case.events)])
    raise UnknownView(f"okänd vy '{view}' för fallet {case.id}; välj participant, trainer, interview eller en av: {choices}")


def build_view(case: Case, view: str, variant: int = 0, catalogue: Catalogue | None = None) -> View:
    cat = catalogue or load_catalogue()
    kind, role = parse_view(case, view)
    scenario = case.variant(variant)
    p = scenario.person
    values = person_values(p)

    def f(text: str) -> str:
        return fill(text, values)

    org = lambda o: cat.organisation(o).name if o in cat.organisation_by_id else o  # noqa: E731
    if kind == "event":
        return _event_view(case, role, variant, f, org)
    if kind == "interview":
        return _interview_view(case, variant, p, f, org)
    card = case.case_card
    sections = [
        Section("Inbjudan till SIP", paragraphs=(f(card.text),), pairs=(("Kallar", org(card.inviter)),)),
        Section("Frågor till mötet", items=tuple(f(q) for q in card.questions)) if card.questions else None,
        Section(
            "Personen",
            pairs=(
                ("Namn", p.full_name),
                ("Ålder", f"{p.age} år ({p.gender.value})"),
                ("Personnummer", f"{p.personal_id} (maskerat, fiktivt)"),
                ("Kommun", f"{p.kommun}, {p.region}"),
                ("Boende", p.living),
                ("Skola eller arbete", p.occupation),
            ),
        ),
        Section(
            "Nätverk",
            items=tuple(
                f"{m.name}, {m.relation} ({ROLE_LABELS[m.role]}), {m.age} år" + (", bor med personen" if m.lives_with else "")
                + (f" – {' '.join(m.resources)}" if m.resources else "")
                for m in p.network
            ) or ("Inga närstående är kända.",),
        ),
        Section(
            "Pågående insatser",
            items=tuple(f"{cat.effort(c.effort).name} ({cat.organisation(c.organisation).short})" for c in p.current_efforts)
            or ("Inga insatser pågår.",),
        ),
        Section("Det här har hänt", items=tuple(f"{_when(h.months_ago)}: {h.text}" for h in p.history)),
        Section("Med egna ord", quotes=p.wishes, items=tuple(f"Mål: {g}" for g in p.goals)),
        Section("Egna resurser", items=p.own_resources) if p.own_resources else None,
        Section(
            "Samtycke",
            paragraphs=(f"Samtycket lämnas av {p.consent.given_by}, som {STANCE_LABELS[p.consent.stance]}: ”{p.consent.statement}”",)
            + ((f"Begränsning: {p.consent.limit}",) if p.consent.limit else ()),
        ),
    ]
    if kind == "role":
        sections += seat_card(case, role, f, org)
    elif kind == "trainer":
        sections += _person_cards(case, f)
        if case.guardian:
            sections += _relative_cards(case.guardian, "Rollkort: vårdnadshavare", f)
        if case.relative:
            sections += _relative_cards(case.relative, "Rollkort: närstående", f)
        sections += [_role_card(case, r.organisation, f, org) for r in case.roles]
        sections += _trainer_sections(case, scenario, f, cat)
    label = {"participant": "Deltagarvy", "trainer": "Utbildarvy (med facit)"}.get(kind) or f"Rollkort: {seat_label(case, role, org)}"
    subtitle = f"{label} · fall {case.id} · variant {variant} · nivå {DIFFICULTY_LABELS[int(case.difficulty)]}"
    return View(title=f(case.title), subtitle=subtitle, kind=kind, sections=tuple(s for s in sections if s is not None))


def build_seat_view(case: Case, seat: str, variant: int = 0, catalogue: Catalogue | None = None) -> View:
    """Only one seat's own card (without the common case card): what a role-play member keeps beside the plan."""
    cat = catalogue or load_catalogue()
    if seat not in case.seat_ids:
        raise UnknownView(f"okänd plats '{seat}' i fallet {case.id}")
    values = person_values(case.variant(variant).person)
    org = lambda o: cat.organisation(o).name if o in cat.organisation_by_id else o  # noqa: E731
    label = seat_label(case, seat, org)
    return View(
        title=f"Du är {label}",
        subtitle="Ditt rollkort: bara du ser det. Berätta det som står här när det passar i samtalet.",
        kind="role",
        sections=tuple(seat_card(case, seat, lambda t: fill(t, values), org)),
    )


def _event_view(case: Case, event_id: str, variant: int, f, org) -> View:
    event = next(e for e in case.events if e.id == event_id)
    affected = tuple(seat_label(case, a, org) for a in event.affects)
    return View(
        title=f"Händelse: {f(event.title)}",
        subtitle=f"Händelsekort · fall {case.id} · variant {variant}",
        kind="event",
        sections=(
            Section("Det här har hänt", paragraphs=(f(event.text),)),
            Section("Berör", items=affected or ("Alla som deltar i mötet.",)),
        ),
    )


def _interview_view(case: Case, variant: int, person, f, org) -> View:
    from simulator.cases import PERSON_TOPICS_SV, ROLE_TOPICS_SV
    from simulator.interview_defaults import complete_interview, is_default

    interview = complete_interview(case)
    parts = [(PERSON_ROLE, f"Personen: {person.full_name}", interview.person, PERSON_TOPICS_SV, case.person.hidden)]
    parts += [(r.organisation, f"{org(r.organisation)} ({f(case.role(r.organisation).title)})", r, ROLE_TOPICS_SV,
               case.role(r.organisation).hidden) for r in interview.roles]
    sections = []
    for speaker, title, part, topics, hidden in parts:
        pairs = []
        menu_text = {q.id: f(q.ask[0]) for t in topics for q in getattr(part, t)}
        for topic, label in topics.items():
            for q in getattr(part, topic):
                notes = []
                if q.after:
                    notes.append("följdfråga efter: " + "; ".join(menu_text.get(a, a) for a in q.after))
                if q.reveals:
                    notes.append("avslöjar dold information: " + "; ".join(f(r) for r in q.reveals))
                if q.by:
                    notes.append(f"svarar: {f(q.by)}")
                if q.hesitant:
                    notes.append("tvekar")
                asked = f(q.ask[0]) + (f" (också: {' / '.join(f(a) for a in q.ask[1:])})" if len(q.ask) > 1 else "")
                pairs.append((f"{label}: {asked}", f(q.answer) + (f" [{'; '.join(notes)}]" if notes else "")))
        note = ("Frågorna är skapade från fallets uppgifter, eftersom fallet inte har någon skriven intervju för "
                "den här rollen." if is_default(case, speaker) else "")
        unrevealed = [h.ask for h in hidden if not any(
            " ".join(h.ask.casefold().split()) == " ".join(r.casefold().split())
            for t in topics for q in getattr(part, t) for r in q.reveals)]
        paragraphs = tuple(x for x in (note,) if x) + tuple(
            f"Ingen fråga avslöjar: {f(a)}" for a in unrevealed)
        sections.append(Section(f"Intervju: {title}", paragraphs=paragraphs, pairs=tuple(pairs)))
    return View(
        title=f"Intervju: {f(case.title)}",
        subtitle=f"Intervjun för självstudier (med dolda svar) · fall {case.id} · variant {variant}",
        kind="interview",
        sections=tuple(sections),
    )


def _when(months_ago: int) -> str:
    return {0: "Nyligen", 1: "För en månad sedan"}.get(months_ago, f"För {months_ago} månader sedan")


def seat_label(case: Case, seat: str, org=None) -> str:
    """What a seat is called on screen: the organisation's name, 'personen', 'vårdnadshavare' or 'närstående'."""
    if seat == PERSON_ROLE:
        return "vårdnadshavare (för barnet)" if case.is_child and case.guardian else "personen"
    if seat == RELATIVE_ROLE:
        return "närstående"
    if org is None:
        cat = load_catalogue()
        return cat.organisation(seat).name if seat in cat.organisation_by_id else seat
    return org(seat)


def seat_card(case: Case, seat: str, f, org) -> list[Section]:
    """The private card of one seat: only what whoever plays that seat may read."""
    if seat == PERSON_ROLE:
        if case.is_child and case.guardian:
            return _relative_cards(case.guardian, "Rollkort: vårdnadshavare", f)
        return _person_cards(case, f)
    if seat == RELATIVE_ROLE and case.relative:
        return _relative_cards(case.relative, "Rollkort: närstående", f)
    return [_role_card(case, seat, f, org)]


def _first_person(title: str, intro: tuple[str, ...], wishes, goals, worries, hidden, f, voices=()) -> list[Section]:
    sections = [
        Section(title, paragraphs=intro),
        Section("Så här har du det", quotes=tuple(f(v) for v in voices)) if voices else None,
        Section("Det här vill du", quotes=tuple(f(w) for w in wishes)),
        Section("Dina mål", items=tuple(f(g) for g in goals)) if goals else None,
        Section("Det här oroar dig", quotes=tuple(f(w) for w in worries)) if worries else None,
        Section(
            "Det här berättar du bara om någon frågar",
            pairs=tuple((f"Om någon frågar om {f(r.ask)}", f(r.text)) for r in hidden),
        ) if hidden else None,
    ]
    return [s for s in sections if s is not None]


def _person_cards(case: Case, f) -> list[Section]:
    """The person's own card, in the first person: what I want, what I aim for, what worries me, what I keep to myself."""
    p = case.person
    intro = ("Du spelar personen. Tala i jagform, med dina egna ord. Du bestämmer själv vad du berättar.",)
    voices = tuple(n.voice for n in case.needs if n.voice)
    return _first_person("Rollkort: personen", intro, p.wishes, p.goals, p.worries, p.hidden, f, voices)


def _relative_cards(card: RelativeCard, title: str, f) -> list[Section]:
    intro = (f"Du spelar {f(card.member)}. Tala i jagform, med dina egna ord.", f(card.knows))
    return _first_person(title, intro, card.wishes, (), card.worries, card.hidden, f)


def _role_card(case: Case, role: str, f, org) -> Section:
    r = case.role(role)
    return Section(
        f"Rollkort: {org(role)} ({f(r.title)})",
        pairs=(
            ("Det här vet du", f(r.knows)),
            ("Ditt mandat", f(r.mandate)),
            ("Det här prioriterar du", f(r.priorities)),
            ("Din tidshorisont", f(r.time_horizon)),
            ("Här brukar du krocka med andra", f(r.clashes)),
            *((f"Berätta bara om någon frågar om {f(h.ask)}", f(h.text)) for h in r.hidden),
        ),
    )


def _trainer_sections(case: Case, scenario, f, cat: Catalogue) -> list[Section]:
    t = scenario.ground_truth
    need_by_id = {n.id: n for n in scenario.person.needs}
    names = lambda ids: ", ".join(cat.organisation(o).short for o in ids) or "–"  # noqa: E731
    groups = ", ".join(cat.presumption_group_by_id[g].name for g in t.presumption_groups)
    return [
        Section(
            "Händelser att lägga in under övningen",
            pairs=tuple((f(e.title), f(e.text) + (f" (berör: {', '.join(e.affects)})" if e.affects else "")) for e in case.events),
        ),
        Section("Lärandemål", items=tuple(f(g) for g in case.learning_goals)),
        Section(
            "Facit: behov och förväntade insatser",
            items=tuple(
                f"{cat.area_by_id[n.area].name}: {need_by_id[n.need].description} → "
                f"{', '.join(cat.effort(e).name for e in n.expected_efforts)} ({names(n.expected_providers)})"
                for n in t.needs
            ),
        ),
        Section(
            "Facit: planen som helhet",
            paragraphs=(f(case.facit.text),) if case.facit.text else (),
            pairs=(
                ("Aktörer som planen bör involvera", names(t.organisations)),
                ("Åtgärder av andra än kommun och region", ", ".join(cat.effort(e).name for e in t.other_actor_efforts) or "–"),
                ("Kan ha det övergripande ansvaret", ", ".join(cat.principal_by_id[x].name for x in t.acceptable_overall)),
                ("SIP ska förutsättas behövas", f"ja ({groups})" if t.presumed_sip else "nej, men signalerna visar behov"),
                ("Signaler", ", ".join(cat.signal_by_id[s].text for s in t.signals) or "–"),
                ("Insatser som redan ges", ", ".join(cat.effort(e).name for e in t.efforts_in_place) or "–"),
                ("Målgrupper", ", ".join(cat.target_group_by_id[g].name for g in t.target_groups)),
            )
            + (("Utskrivning", "Fast vårdkontakt kallar till SIP inom tre dagar från att personen är utskrivningsklar (lag 2017:612)."),)
            * t.discharge,
        ),
    ]


def view_names(case: Case, *, events: bool = False, interview: bool = False) -> list[str]:
    """Every view of the case; with events=True also one handout per event, with interview=True the interview."""
    names = ["participant", "trainer", *(f"role:{r}" for r in case.seat_ids)]
    names += ["interview"] if interview else []
    return names + [f"event:{e.id}" for e in case.events] if events else names


def render(case: Case, view: str = "participant", fmt: str = "md", variant: int = 0) -> str:
    """A view of a case as Markdown ('md') or a whole HTML page ('html')."""
    from simulator.rendering import render_view

    return render_view(build_view(case, view, variant), fmt)
