"""The exercise as a process: phases from the case, events from the case (or written by the trainer), who reads what.

The store keeps the state (sipkurs.store.exercise); this module knows the case: which phases, an event's text filled
in for the group's variant, which seat an event concerns, what a member may see of an event that concerns another
seat, and which events come by themselves to someone practising alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sipkurs import cases
from sipkurs.store import Delivery, ExerciseState, Participant, Store, StoreError

CUSTOM_EVENT = "egen"


@dataclass(frozen=True)
class PhaseView:
    index: int
    id: str
    title: str
    instructions: str
    questions: tuple[str, ...]
    count: int

    @property
    def label(self) -> str:
        return f"Fas {self.index + 1} av {self.count}: {self.title}"


@dataclass(frozen=True)
class Notice:
    """What one member sees of a delivered event: all of it, or that something happened to another seat."""

    delivery_id: int
    title: str
    text: str
    mine: bool  # the event concerns this member's seat (or everyone)
    acknowledged: bool
    who: str  # the seats it concerns, as people call them


def _case(scenario_id: str):
    return cases.library_case(scenario_id)


def phases(scenario_id: str) -> list[PhaseView]:
    """The phases of the exercise for this scenario (the case's own, or förmöte, SIP-möte, uppföljning)."""
    from simulator.cases import default_phases

    case, variant = _case(scenario_id)
    raw = case.exercise_phases if case is not None else default_phases()
    fill = _filler(scenario_id)
    return [
        PhaseView(i, p.id, fill(p.title), fill(p.instructions), tuple(fill(q) for q in p.questions), len(raw))
        for i, p in enumerate(raw)
    ]


def phase_ids(scenario_id: str) -> list[str]:
    return [p.id for p in phases(scenario_id)]


def current_phase(scenario_id: str, state: ExerciseState) -> PhaseView | None:
    """The phase now, or None before the first and after the last."""
    all_phases = phases(scenario_id)
    return all_phases[state.phase_index] if 0 <= state.phase_index < len(all_phases) else None


def _filler(scenario_id: str):
    from simulator.cases import person_values
    from simulator.texts import fill

    case, variant = _case(scenario_id)
    if case is None:
        return lambda text: text
    values = person_values(case.variant(variant).person)
    return lambda text: fill(text, values)


def case_events(scenario_id: str) -> list[dict]:
    """The case's events as the trainer page lists them, texts filled in for the variant."""
    case, _ = _case(scenario_id)
    if case is None:
        return []
    fill = _filler(scenario_id)
    return [
        {"event_id": e.id, "title": fill(e.title), "text": fill(e.text), "affects": list(e.affects), "private": e.private,
         "phase": e.phase}
        for e in case.events
    ]


def event_payload(scenario_id: str, event_id: str) -> dict:
    """What the store keeps of a case event for one group: its id, title and text for the group's variant, seats."""
    for event in case_events(scenario_id):
        if event["event_id"] == event_id:
            return {k: v for k, v in event.items() if k != "phase"}
    raise StoreError(f"fallet har ingen händelse '{event_id}'")


def custom_payload(title: str, text: str, affects: list[str], private: bool) -> dict:
    return {"event_id": CUSTOM_EVENT, "title": title, "text": text, "affects": list(affects), "private": private,
            "custom": True}


def seats_named(scenario_id: str, roles) -> str:
    from sipkurs.templating import initial_capital

    return ", ".join(initial_capital(cases.seat_label(scenario_id, r)) for r in roles) or "alla"


def notices(deliveries: list[Delivery], scenario_id: str, role: str | None, participant_id: int) -> list[Notice]:
    """What a member sees of the delivered events, newest first. A private event about another seat shows only that
    something happened to that seat: its text never reaches this member's page."""
    out = []
    for d in deliveries:
        if d.status != "delivered":
            continue
        who = seats_named(scenario_id, d.affects)
        mine = d.concerns(role)
        if mine or not d.private:
            title, text = d.title, d.text
        else:
            title, text = f"Något har hänt som berör {who}", "De som berörs vet mer. Fråga dem om de vill berätta."
        out.append(Notice(d.id, title, text, mine, participant_id in d.acks, who))
    return list(reversed(out))


def release_phase_events(store: Store, participant: Participant, scenario_id: str, state: ExerciseState) -> int:
    """Alone (solo or self-study), the case's events of a phase come by themselves when the phase starts."""
    phase = current_phase(scenario_id, state)
    if phase is None:
        return 0
    already = {d.event_id for d in store.deliveries(participant.owner_id)}
    released = 0
    for event in case_events(scenario_id):
        if event["phase"] == phase.id and event["event_id"] not in already:
            payload = {k: v for k, v in event.items() if k != "phase"}
            store.add_delivery(participant.owner_id, **payload)
            released += 1
    return released


@dataclass(frozen=True)
class EventStatus:
    """The trainer's line for one event in one group."""

    delivery: Delivery
    members: int
    acknowledged: int
    changed_since: bool


def trainer_status(store: Store, owner_id: int, member_count: int) -> list[EventStatus]:
    return [
        EventStatus(d, member_count, len(d.acks), store.changed_since(owner_id, d.rev_at_delivery))
        for d in store.deliveries(owner_id)
    ]


def event_contexts(deliveries: list[Delivery], scenario_id: str, until=None) -> list:
    """The delivered case events as the graders judge a revision: the event, the plan when it came, and when.
    The trainer's own events have no expectations and are left out; ``until`` keeps those delivered by then."""
    from graders import EventContext
    from graders.plan import Plan
    from pydantic import ValidationError

    case, _ = _case(scenario_id)
    if case is None:
        return []
    by_id = {e.id: e for e in case.events}
    out = []
    for d in deliveries:
        if d.status != "delivered" or d.custom or d.event_id not in by_id:
            continue
        if until is not None and d.delivered_at > until:
            continue
        try:
            before = Plan.model_validate(d.before) if d.before else None
        except ValidationError:
            before = None
        out.append(EventContext(by_id[d.event_id], before, d.delivered_at))
    return out
