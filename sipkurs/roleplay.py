"""Forming role-play groups for a course: which case, which variant, which seats. Used by the trainer page and by
`sipkurs group create`; the store keeps the groups, sipkurs.cases knows the cases."""

from __future__ import annotations

from dataclasses import dataclass

from sipkurs import cases
from sipkurs.links import base_url, participant_link
from sipkurs.store import Group, Store, StoreError


@dataclass(frozen=True)
class SeatLine:
    role: str
    label: str
    link: str  # "" when the seat's taker was moved there and comes back with their own personal code
    taken_by: str | None
    chair: bool
    online: bool


def form_group(store: Store, course_code: str, trainer_code: str, *, case_id: str = "", name: str = "") -> Group:
    """A new group on the course's case (or ``case_id``), with one seat per role of the case."""
    if not store.check_trainer(course_code, trainer_code):
        raise StoreError("fel kurskod eller lärarkod")
    course = store.course(course_code)
    try:
        case_id = cases.group_case_id(course, case_id)
    except KeyError:
        which = f"'{case_id}'" if case_id else "kursens fall"
        raise StoreError(f"fallet {which} finns inte i fallbiblioteket; välj ett av: {', '.join(cases.case_ids())}") from None
    scenario_id = cases.scenario_for_group(case_id, store.group_count(course_code))
    return store.create_group(course_code, trainer_code, name=name, scenario_id=scenario_id, roles=cases.group_seats(case_id))


def seat_lines(store: Store, group: Group) -> list[SeatLine]:
    """The trainer's view of a group's seats: role, join link, who sits there."""
    base = base_url(store)
    return [
        SeatLine(
            s.role, cases.seat_label(group.scenario_id, s.role),
            participant_link(base, group.course, s.code) if s.code and s.code_opens else "",
            s.participant_name, s.chair, s.online,
        )
        for s in group.seats
    ]
