"""The tables. Each part of the store (courses, groups, plans, submissions) reads and writes its own.

A plan belongs to an *owner*: one participant (solo drafting) or one role-play group. A plan is kept field by field
(``plan_fields``, see sipkurs.plandoc) with a revision per field, and one head row per plan (``plan_heads``) with the
plan's latest revision and its last assessment. Submissions are append-only, down to the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from sipkurs.store.db import Base, StoreError, now

MAX_NAME = 80


class ImmutableSubmission(StoreError):
    def __init__(self) -> None:
        super().__init__("en inlämnad version kan inte ändras eller tas bort")


class CourseRow(Base):
    __tablename__ = "courses"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(200), default="")  # a case of the library …
    archetype: Mapped[str] = mapped_column(String(80), default="")  # … or generated persons of an archetype
    seed: Mapped[int] = mapped_column(BigInteger, default=0)  # `serve --seed` takes any non-negative number
    trainer_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class SettingRow(Base):
    """Small settings: per installation (course "") or per course, e.g. the address participants use."""

    __tablename__ = "settings"
    course: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(500))


class OwnerRow(Base):
    """Whoever a plan belongs to: one participant, or a group of participants."""

    __tablename__ = "plan_owners"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))  # "participant" | "group"
    course: Mapped[str] = mapped_column(ForeignKey("courses.code"))


class ParticipantRow(Base):
    __tablename__ = "participants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(ForeignKey("courses.code"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), unique=True)
    display_name: Mapped[str] = mapped_column(String(MAX_NAME))
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(200), default="")
    variant: Mapped[int] = mapped_column(Integer, default=0)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class GroupRow(Base):
    """A role-play group: one case variant, one plan, one seat per role."""

    __tablename__ = "role_groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(ForeignKey("courses.code"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    scenario_id: Mapped[str] = mapped_column(String(200))
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class SeatRow(Base):
    """One role of a group. ``code`` is the seat's join link; whoever claims the seat with it keeps it as their
    personal code. The trainer page shows it, so it is stored as it is (it opens nothing but this seat)."""

    __tablename__ = "seats"
    __table_args__ = (UniqueConstraint("group_id", "role"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("role_groups.id"), index=True)
    role: Mapped[str] = mapped_column(String(60))
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participants.id"), unique=True, nullable=True)
    chair: Mapped[bool] = mapped_column(Boolean, default=False)


class PresenceRow(Base):
    """When a participant's page was last seen alive (a heartbeat from their kernel)."""

    __tablename__ = "presence"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    seen: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class PlanHeadRow(Base):
    """A plan's latest revision, and its last assessment (for the trainer's overview and exports)."""

    __tablename__ = "plan_heads"
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), primary_key=True)
    rev: Mapped[int] = mapped_column(Integer, default=0)
    saves: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    assessed_rev: Mapped[int] = mapped_column(Integer, default=0)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    missed: Mapped[list] = mapped_column(JSON, default=list)  # rule codes and titles not passed at the last grading


class PlanFieldRow(Base):
    """One field of a plan (a path of sipkurs.plandoc) with the revision and author of its last change."""

    __tablename__ = "plan_fields"
    __table_args__ = (Index("ix_plan_fields_owner_rev", "owner_id", "rev"),)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), primary_key=True)
    path: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[object] = mapped_column(JSON, nullable=True)
    rev: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # participant id; None for an import
    author: Mapped[str] = mapped_column(String(200), default="")  # as shown: "Anna (Försäkringskassan)"
    updated: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class LegacyDraftRow(Base):
    """Whole-plan drafts of stores made before field-level plans; read once and imported into plan_fields."""

    __tablename__ = "drafts"
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)


class SubmissionRow(Base):
    """A submitted version: append-only. The API has no way to change one, and the database refuses too."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per owner
    data: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    missed: Mapped[list] = mapped_column(JSON, default=list)
    submitted: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    __table_args__ = (UniqueConstraint("owner_id", "number"),)


@event.listens_for(SubmissionRow, "before_update")
@event.listens_for(SubmissionRow, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001 - SQLAlchemy's signature
    raise ImmutableSubmission()


# The database itself refuses too, so that no other client (or a bug bypassing the ORM) can rewrite history.
def append_only(table, name: str) -> None:
    """Triggers that make a table append-only: SQLite refuses UPDATE and DELETE; PostgreSQL also TRUNCATE (which
    skips row triggers). OR REPLACE: the function outlives a dropped table."""
    for op in ("UPDATE", "DELETE"):
        event.listen(table, "after_create", DDL(
            f"CREATE TRIGGER {name}_no_{op.lower()} BEFORE {op} ON {name} "
            f"BEGIN SELECT RAISE(ABORT, '{name.replace('_', ' ')} are append-only'); END"
        ).execute_if(dialect="sqlite"))
    statements = (
        f"CREATE OR REPLACE FUNCTION {name}_append_only() RETURNS trigger AS $$ BEGIN "
        f"RAISE EXCEPTION '{name.replace('_', ' ')} are append-only'; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {name}_append_only BEFORE UPDATE OR DELETE ON {name} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}_append_only()",
        f"CREATE TRIGGER {name}_no_truncate BEFORE TRUNCATE ON {name} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {name}_append_only()",
    )
    for statement in statements:
        event.listen(table, "after_create", DDL(statement).execute_if(dialect="postgresql"))


append_only(SubmissionRow.__table__, "submissions")


class RemovedOwnerRow(Base):
    """A participant or group the trainer removed (a test participant, a group formed by mistake). Their plan and
    submissions stay in the database (submissions are history); they leave the overview, and their codes open nothing."""

    __tablename__ = "removed_owners"
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), primary_key=True)
    removed: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
