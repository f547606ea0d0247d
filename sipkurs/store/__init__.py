"""Where every participant's and every group's work lives: one store, one module per concern.

- ``courses``: courses, the trainer code, participants joining and coming back with their personal code;
- ``groups``: role-play groups, their seats, who sits where and who is online;
- ``plans``: plans field by field, with revisions and conflicts (live co-editing; see sipkurs.live);
- ``submissions``: immutable submitted versions and the trainer's overview;
- ``exercise``: phases with snapshots of the plan, injected events and who has read them;
- ``interviews``: self-study, the case a participant chose and their interview with the simulated person.

An embedded SQLite file by default (``SIPKURS_DB`` or ``--db``); any SQLAlchemy URL (PostgreSQL) works too.
Voila kernels come and go, so the store is the only place a plan exists between keystrokes and page views.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from sipkurs.store.codes import MIN_TRAINER_CODE, Hasher, key_for, new_code, normalise_code
from sipkurs.store.courses import CourseExists, CourseStore
from sipkurs.store.db import ENV_DB, Base, StoreError, create_schema, default_url, make_engine, to_url
from sipkurs.store.exercise import ExerciseStore
from sipkurs.store.groups import ONLINE_SECONDS, GroupStore
from sipkurs.store.interviews import InterviewStore
from sipkurs.store.plans import PlanStore
from sipkurs.store.records import (
    Course,
    CourseSummary,
    Delivery,
    Draft,
    Edit,
    ExerciseState,
    FieldState,
    Group,
    OverviewRow,
    Participant,
    PhaseSnapshot,
    PlanState,
    Seat,
    SeatInvite,
    Submission,
    WriteResult,
)
from sipkurs.store.schema import MAX_NAME, ImmutableSubmission, SubmissionRow
from sipkurs.store.submissions import SubmissionStore

__all__ = [
    "ENV_DB", "MAX_NAME", "MIN_TRAINER_CODE", "ONLINE_SECONDS", "Base", "Course", "CourseExists", "CourseSummary", "Delivery", "Draft", "Edit",
    "ExerciseState", "FieldState", "PhaseSnapshot",
    "Group", "ImmutableSubmission", "OverviewRow", "Participant", "PlanState", "Seat", "SeatInvite", "Store",
    "StoreError", "Submission", "SubmissionRow", "WriteResult", "default_url", "new_code", "normalise_code", "to_url",
]


class Store(CourseStore, GroupStore, PlanStore, SubmissionStore, ExerciseStore, InterviewStore):
    """All reads and writes of course data. Participant data is reached only with a participant's secret."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = url or default_url()
        self.engine = engine if engine is not None else make_engine(self.url)
        create_schema(self.engine)
        self.hash = Hasher(key_for(self.url, self.setting, self.setting_once))

    def close(self) -> None:
        self.engine.dispose()
