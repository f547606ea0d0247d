"""Where every participant's work lives: courses, participants, groups, drafts and immutable submissions.

An embedded SQLite file by default (``SIPKURS_DB`` or ``--db``); any SQLAlchemy URL (PostgreSQL) works too.
Voila kernels come and go, so the store is the only place a draft exists between keystrokes and page views.

Access model: a participant is reached only through their personal code (a random secret, stored as a hash), never
by display name, so two people who type the same name never see each other's drafts. The trainer reaches a course's
overview only with the course's trainer code. Plans belong to an *owner* (a participant or a group), so a role-play
group can share one plan later without changing the tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    DDL,
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    create_engine,
    event,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

ENV_DB = "SIPKURS_DB"
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
MAX_NAME = 80


class StoreError(Exception):
    """A refused store operation; the message is one Swedish line a user may read."""


class ImmutableSubmission(StoreError):
    def __init__(self) -> None:
        super().__init__("en inlämnad version kan inte ändras eller tas bort")


def default_url() -> str:
    """The store's URL: $SIPKURS_DB (a URL or a file path), else a file under the user's data directory."""
    value = os.environ.get(ENV_DB, "").strip()
    if value:
        return to_url(value)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "sipkurs"
    return to_url(str(base / "sipkurs.db"))


def to_url(value: str) -> str:
    """A SQLAlchemy URL from a URL or a plain file path."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def new_code(groups: int = 2, size: int = 5) -> str:
    """A random code such as ``K7QXM-2PAHD``: 50 bits for the default size, unambiguous characters."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(size)) for _ in range(groups))


def normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


MIN_TRAINER_CODE = 8  # letters or digits; a generated trainer code has 10


def _hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class CourseRow(Base):
    __tablename__ = "courses"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(200), default="")  # a case of the library …
    archetype: Mapped[str] = mapped_column(String(80), default="")  # … or generated persons of an archetype
    seed: Mapped[int] = mapped_column(Integer, default=0)
    trainer_hash: Mapped[str] = mapped_column(String(64))
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


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
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class GroupRow(Base):
    __tablename__ = "groups"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course: Mapped[str] = mapped_column(ForeignKey("courses.code"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), unique=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    scenario_id: Mapped[str] = mapped_column(String(200), default="")


class MembershipRow(Base):
    __tablename__ = "group_members"
    __table_args__ = (UniqueConstraint("group_id", "participant_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id"))
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))


class DraftRow(Base):
    """The one current draft of an owner: overwritten by every autosave."""

    __tablename__ = "drafts"
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    missed: Mapped[list] = mapped_column(JSON, default=list)  # rule codes not passed at the last grading
    saves: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)


class SubmissionRow(Base):
    """A submitted version: append-only. The API has no way to change one, and the database refuses too."""

    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per owner
    data: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    missed: Mapped[list] = mapped_column(JSON, default=list)
    submitted: Mapped[dt.datetime] = mapped_column(DateTime, default=_now)
    __table_args__ = (UniqueConstraint("owner_id", "number"),)


@event.listens_for(SubmissionRow, "before_update")
@event.listens_for(SubmissionRow, "before_delete")
def _refuse_change(mapper, connection, target) -> None:  # noqa: ARG001 - SQLAlchemy's signature
    raise ImmutableSubmission()


# The database itself refuses too, so that no other client (or a bug bypassing the ORM) can rewrite history.
for _op in ("UPDATE", "DELETE"):
    event.listen(
        SubmissionRow.__table__,
        "after_create",
        DDL(
            f"CREATE TRIGGER submissions_no_{_op.lower()} BEFORE {_op} ON submissions "
            "BEGIN SELECT RAISE(ABORT, 'submissions are append-only'); END"
        ).execute_if(dialect="sqlite"),
    )
event.listen(
    SubmissionRow.__table__,
    "after_create",
    DDL(
        "CREATE FUNCTION submissions_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION 'submissions are append-only'; END $$ LANGUAGE plpgsql; "
        "CREATE TRIGGER submissions_append_only BEFORE UPDATE OR DELETE ON submissions "
        "FOR EACH ROW EXECUTE FUNCTION submissions_append_only();"
    ).execute_if(dialect="postgresql"),
)


# --- what the API hands out ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Course:
    code: str
    case_id: str
    archetype: str
    seed: int
    created: dt.datetime


def _course(row: CourseRow) -> Course:
    return Course(row.code, row.case_id, row.archetype, row.seed, row.created)


@dataclass(frozen=True)
class Participant:
    """A joined participant. ``owner_id`` is the plan owner; the secret itself is never stored or returned."""

    id: int
    course: str
    display_name: str
    scenario_id: str
    variant: int
    owner_id: int


@dataclass(frozen=True)
class Draft:
    data: dict
    score: float | None
    missed: list
    saves: int
    updated: dt.datetime


@dataclass(frozen=True)
class Submission:
    number: int
    data: dict
    score: float | None
    missed: list
    submitted: dt.datetime


@dataclass(frozen=True)
class OverviewRow:
    """One line of the trainer's overview."""

    participant_id: int
    display_name: str
    scenario_id: str
    score: float | None
    missed: list
    updated: dt.datetime | None
    submissions: int
    last_submitted: dt.datetime | None


def _participant(row: ParticipantRow) -> Participant:
    return Participant(row.id, row.course, row.display_name, row.scenario_id, row.variant, row.owner_id)


class Store:
    """All reads and writes of course data. Participant data is reached only with a participant's secret."""

    def __init__(self, url: str | None = None, *, engine: Engine | None = None) -> None:
        self.url = url or default_url()
        if engine is None:
            kwargs = {}
            if self.url.startswith("sqlite"):
                path = self.url.split("///", 1)[-1]
                if path and path != ":memory:":
                    Path(path).parent.mkdir(parents=True, exist_ok=True)
                kwargs["connect_args"] = {"timeout": 15}
            engine = create_engine(self.url, **kwargs)
            if self.url.startswith("sqlite"):
                event.listen(engine, "connect", _sqlite_pragmas)
        self.engine = engine
        Base.metadata.create_all(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # --- courses ------------------------------------------------------------------------------------------------
    def create_course(
        self,
        code: str | None = None,
        *,
        case_id: str = "",
        archetype: str = "",
        seed: int = 0,
        trainer_code: str | None = None,
    ) -> tuple[Course, str]:
        """Create a course, or reopen an existing one with a new trainer code. Returns (course, trainer code).

        Reopening keeps the course's case unless a new one is given, so participants keep their variants.
        """
        code = (code or f"SIP-{new_code(1, 5)}").strip().upper()
        if not code or len(code) > 40:
            raise StoreError("kurskoden måste ha 1–40 tecken")
        trainer_code = trainer_code or new_code()
        if len(normalise_code(trainer_code)) < MIN_TRAINER_CODE:
            raise StoreError(f"lärarkoden måste ha minst {MIN_TRAINER_CODE} bokstäver eller siffror")
        with Session(self.engine) as s, s.begin():
            row = s.get(CourseRow, code)
            if row is None:
                row = CourseRow(
                    code=code, case_id=case_id, archetype=archetype, seed=seed, trainer_hash=_hash(trainer_code)
                )
                s.add(row)
            else:
                row.trainer_hash = _hash(trainer_code)
                if case_id or archetype:
                    row.case_id, row.archetype, row.seed = case_id, archetype, seed
            s.flush()
            course = _course(row)
        return course, trainer_code

    def course(self, code: str) -> Course | None:
        with Session(self.engine) as s:
            row = s.get(CourseRow, code.strip().upper())
            return None if row is None else _course(row)

    def check_trainer(self, course_code: str, trainer_code: str) -> bool:
        with Session(self.engine) as s:
            row = s.get(CourseRow, course_code.strip().upper())
            if row is None or len(normalise_code(trainer_code or "")) < MIN_TRAINER_CODE:
                return False
            return hmac.compare_digest(row.trainer_hash, _hash(trainer_code))

    # --- participants -------------------------------------------------------------------------------------------
    def join(self, course_code: str, display_name: str, scenario_for_variant) -> tuple[Participant, str]:
        """A new participant in the course. ``scenario_for_variant(course, n)`` names the case variant n.

        Returns the participant and their personal code: the only way back to the draft.
        """
        name = " ".join(display_name.split())
        if not name:
            raise StoreError("skriv ditt namn")
        if len(name) > MAX_NAME:
            raise StoreError(f"namnet får ha högst {MAX_NAME} tecken")
        course = self.course(course_code)
        if course is None:
            raise StoreError(f"kurskoden '{course_code.strip()}' finns inte")
        secret = new_code()
        with Session(self.engine) as s, s.begin():
            variant = s.scalar(select(func.count()).where(ParticipantRow.course == course.code)) or 0
            owner = OwnerRow(kind="participant", course=course.code)
            s.add(owner)
            s.flush()
            row = ParticipantRow(
                course=course.code,
                owner_id=owner.id,
                display_name=name,
                secret_hash=_hash(secret),
                scenario_id=scenario_for_variant(course, variant),
                variant=variant,
            )
            s.add(row)
            s.flush()
            participant = _participant(row)
        return participant, secret

    def resume(self, course_code: str, secret: str) -> Participant | None:
        """The participant with this personal code in this course, or None."""
        if not secret:
            return None
        with Session(self.engine) as s:
            row = s.scalar(select(ParticipantRow).where(ParticipantRow.secret_hash == _hash(secret)))
            if row is None or row.course != course_code.strip().upper():
                return None
            return _participant(row)

    # --- groups: a plan owned by several participants --------------------------------------------------------------
    def create_group(self, course_code: str, trainer_code: str, name: str, scenario_id: str = "") -> int:
        """A role-play group; only the trainer forms groups (the group id is not a secret)."""
        if not self.check_trainer(course_code, trainer_code):
            raise StoreError("fel kurskod eller lärarkod")
        with Session(self.engine) as s, s.begin():
            owner = OwnerRow(kind="group", course=course_code.strip().upper())
            s.add(owner)
            s.flush()
            group = GroupRow(course=owner.course, owner_id=owner.id, name=name, scenario_id=scenario_id)
            s.add(group)
            s.flush()
            return group.id

    def add_member(self, course_code: str, trainer_code: str, group_id: int, participant: Participant) -> None:
        """Put a participant in a group: the trainer's decision, never the participant's."""
        if not self.check_trainer(course_code, trainer_code):
            raise StoreError("fel kurskod eller lärarkod")
        with Session(self.engine) as s, s.begin():
            group = s.get(GroupRow, group_id)
            if group is None or group.course != participant.course or group.course != course_code.strip().upper():
                raise StoreError("gruppen finns inte i din kurs")
            s.add(MembershipRow(group_id=group_id, participant_id=participant.id))

    def owners_of(self, participant: Participant) -> list[int]:
        """Plan owners this participant may write: their own, then their groups'."""
        with Session(self.engine) as s:
            groups = s.scalars(
                select(GroupRow.owner_id)
                .join(MembershipRow, MembershipRow.group_id == GroupRow.id)
                .where(MembershipRow.participant_id == participant.id)
            ).all()
        return [participant.owner_id, *groups]

    def _check_owner(self, participant: Participant, owner_id: int | None) -> int:
        owner_id = participant.owner_id if owner_id is None else owner_id
        if owner_id not in self.owners_of(participant):
            raise StoreError("planen tillhör inte dig eller din grupp")
        return owner_id

    # --- drafts and submissions -----------------------------------------------------------------------------------
    def save_draft(
        self,
        participant: Participant,
        data: dict,
        *,
        score: float | None = None,
        missed: list | None = None,
        owner_id: int | None = None,
    ) -> None:
        owner_id = self._check_owner(participant, owner_id)
        with Session(self.engine) as s, s.begin():
            row = s.get(DraftRow, owner_id)
            if row is None:
                s.add(DraftRow(owner_id=owner_id, data=data, score=score, missed=missed or [], saves=1))
            else:
                row.data, row.score, row.missed = data, score, missed or []
                row.saves += 1
                row.updated = _now()

    def load_draft(self, participant: Participant, owner_id: int | None = None) -> Draft | None:
        owner_id = self._check_owner(participant, owner_id)
        with Session(self.engine) as s:
            row = s.get(DraftRow, owner_id)
            return None if row is None else Draft(row.data, row.score, row.missed, row.saves, row.updated)

    def submit(
        self,
        participant: Participant,
        data: dict,
        *,
        score: float | None = None,
        missed: list | None = None,
        owner_id: int | None = None,
    ) -> Submission:
        """Keep this version for good; returns it with its number and time."""
        owner_id = self._check_owner(participant, owner_id)
        with Session(self.engine) as s, s.begin():
            number = (s.scalar(select(func.max(SubmissionRow.number)).where(SubmissionRow.owner_id == owner_id)) or 0) + 1
            row = SubmissionRow(owner_id=owner_id, number=number, data=data, score=score, missed=missed or [])
            s.add(row)
            s.flush()
            return Submission(row.number, row.data, row.score, row.missed, row.submitted)

    def submissions(self, participant: Participant, owner_id: int | None = None) -> list[Submission]:
        owner_id = self._check_owner(participant, owner_id)
        return self._submissions(owner_id)

    def _submissions(self, owner_id: int) -> list[Submission]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(SubmissionRow).where(SubmissionRow.owner_id == owner_id).order_by(SubmissionRow.number)
            ).all()
            return [Submission(r.number, r.data, r.score, r.missed, r.submitted) for r in rows]

    # --- trainer side: every call needs the course's trainer code ------------------------------------------------
    def _trainer(self, course_code: str, trainer_code: str) -> str:
        if not self.check_trainer(course_code, trainer_code):
            raise StoreError("fel kurskod eller lärarkod")
        return course_code.strip().upper()

    def overview(self, course_code: str, trainer_code: str) -> list[OverviewRow]:
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            participants = s.scalars(
                select(ParticipantRow).where(ParticipantRow.course == code).order_by(ParticipantRow.id)
            ).all()
            rows = []
            for p in participants:
                draft = s.get(DraftRow, p.owner_id)
                count, last = s.execute(
                    select(func.count(SubmissionRow.id), func.max(SubmissionRow.submitted)).where(
                        SubmissionRow.owner_id == p.owner_id
                    )
                ).one()
                rows.append(
                    OverviewRow(
                        participant_id=p.id,
                        display_name=p.display_name,
                        scenario_id=p.scenario_id,
                        score=draft.score if draft else None,
                        missed=list(draft.missed) if draft else [],
                        updated=draft.updated if draft else None,
                        submissions=count,
                        last_submitted=last,
                    )
                )
        return rows

    def trainer_plan(
        self, course_code: str, trainer_code: str, participant_id: int
    ) -> tuple[Participant, dict, Submission | None]:
        """A participant's latest submission (or draft) for the trainer: (participant, plan data, submission)."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            row = s.get(ParticipantRow, participant_id)
            if row is None or row.course != code:
                raise StoreError(f"deltagare {participant_id} finns inte i kursen {code}")
            participant = _participant(row)
            draft = s.get(DraftRow, row.owner_id)
            draft_data = dict(draft.data) if draft else {}
        subs = self._submissions(participant.owner_id)
        if subs:
            return participant, subs[-1].data, subs[-1]
        return participant, draft_data, None


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # many kernels write at once; readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()
