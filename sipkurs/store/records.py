"""What the store hands out: frozen records, never ORM rows (they outlive the session that read them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Course:
    code: str
    case_id: str
    archetype: str
    seed: int
    created: dt.datetime


@dataclass(frozen=True)
class CourseSummary:
    """A line of ``sipkurs course list``."""

    course: Course
    participants: int
    groups: int


@dataclass(frozen=True)
class Participant:
    """A joined participant. ``owner_id`` is their own plan; the secret itself is never stored or returned."""

    id: int
    course: str
    display_name: str
    scenario_id: str
    variant: int
    owner_id: int


@dataclass(frozen=True)
class Seat:
    id: int
    role: str
    participant_id: int | None
    participant_name: str | None
    chair: bool
    online: bool = False
    code: str | None = None  # only in the trainer's view of a group
    code_opens: bool = True  # the seat's link opens it (free, or it is its taker's personal code)


@dataclass(frozen=True)
class Group:
    id: int
    course: str
    name: str
    scenario_id: str
    owner_id: int
    seats: tuple[Seat, ...] = ()

    def seat_of(self, participant_id: int) -> Seat | None:
        return next((s for s in self.seats if s.participant_id == participant_id), None)

    def seat(self, role: str) -> Seat | None:
        return next((s for s in self.seats if s.role == role), None)


@dataclass(frozen=True)
class SeatInvite:
    """A seat's link opened by someone who has not claimed it yet."""

    course: str
    group: Group
    seat: Seat


@dataclass(frozen=True)
class FieldState:
    """One field of a plan as the store has it: its value, revision and who changed it last."""

    path: str
    value: Any
    rev: int
    author: str = ""
    author_id: int | None = None
    updated: dt.datetime | None = None


@dataclass(frozen=True)
class Edit:
    """A change to one field, made on top of the revision the writer last saw (0: never written)."""

    path: str
    value: Any
    base_rev: int


@dataclass(frozen=True)
class WriteResult:
    rev: int  # the plan's revision after the write (unchanged when nothing was written)
    written: dict[str, FieldState] = field(default_factory=dict)
    conflicts: dict[str, FieldState] = field(default_factory=dict)  # someone else changed these first: theirs
    row_gone: dict[str, FieldState] = field(default_factory=dict)  # cells of a row someone deleted: the row's state


@dataclass(frozen=True)
class PlanState:
    rev: int
    fields: dict[str, FieldState]


@dataclass(frozen=True)
class Draft:
    """A plan's current text as one document, with its last assessment."""

    data: dict
    score: float | None
    missed: list
    saves: int
    updated: dt.datetime
    rev: int = 0


@dataclass(frozen=True)
class Submission:
    number: int
    data: dict
    score: float | None
    missed: list
    submitted: dt.datetime


@dataclass(frozen=True)
class OverviewRow:
    """One line of the trainer's overview: a group (``kind`` "group") or a participant ("participant")."""

    kind: str
    id: int
    display_name: str
    scenario_id: str
    score: float | None
    missed: list
    updated: dt.datetime | None
    submissions: int
    last_submitted: dt.datetime | None
    members: tuple[str, ...] = ()
    started: bool = False

    @property
    def participant_id(self) -> int | None:
        return self.id if self.kind == "participant" else None


@dataclass(frozen=True)
class PhaseSnapshot:
    phase_index: int
    phase_id: str
    started: dt.datetime | None
    ended: dt.datetime
    rev: int
    data: dict


@dataclass(frozen=True)
class ExerciseState:
    """Where a plan's owner is in the exercise: -1 before the first phase; past the last phase when it is over."""

    phase_index: int
    phase_started: dt.datetime | None
    snapshots: tuple[PhaseSnapshot, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """An event for one plan's owner: scheduled, paused, skipped or delivered, and who has read it."""

    id: int
    owner_id: int
    event_id: str
    title: str
    text: str
    affects: tuple[str, ...]
    private: bool
    custom: bool
    status: str
    phase_index: int
    minute: float | None
    delivered_at: dt.datetime | None
    rev_at_delivery: int | None
    before: dict | None
    acks: dict[int, dt.datetime] = field(default_factory=dict)

    def concerns(self, role: str | None) -> bool:
        """Whether the event is about this seat (an event that names no seat concerns everyone)."""
        return not self.affects or role in self.affects
