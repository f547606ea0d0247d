"""Courses and participants: creating a course, the trainer's code, joining and coming back with a personal code.

Access model: a participant is reached only through their personal code (a random secret, stored as a hash), never by
display name, so two people who type the same name never see each other's drafts. The trainer reaches a course only
with the course's trainer code.
"""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sipkurs.store.codes import MIN_TRAINER_CODE, new_code, normalise_code, weak_trainer_code
from sipkurs.store.db import StoreError
from sipkurs.store.records import Course, Participant
from sipkurs.store.schema import MAX_NAME, CourseRow, OwnerRow, ParticipantRow, RemovedOwnerRow, SettingRow


def _course(row: CourseRow) -> Course:
    return Course(row.code, row.case_id, row.archetype, row.seed, row.created)


def participant_record(row: ParticipantRow) -> Participant:
    return Participant(row.id, row.course, row.display_name, row.scenario_id, row.variant, row.owner_id)


def course_key(code: str) -> str:
    return (code or "").strip().upper()


def clean_name(display_name: str) -> str:
    """A name as others see it: control characters (a pasted NUL, which PostgreSQL refuses) and runs of space out."""
    name = " ".join("".join(ch if ch.isprintable() else " " for ch in display_name or "").split())
    if not name:
        raise StoreError("skriv ditt namn")
    if len(name) > MAX_NAME:
        raise StoreError(f"namnet får ha högst {MAX_NAME} tecken")
    return name


class CourseStore:
    engine = None  # set by Store

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
        code = course_key(code or f"SIP-{new_code(1, 5)}")
        if not code or len(code) > 40:
            raise StoreError("kurskoden måste ha 1–40 tecken")
        trainer_code = trainer_code or new_code()
        weak = weak_trainer_code(trainer_code)
        if weak:
            raise StoreError(f"{weak}; utan --trainer-code skapas en säker kod")
        for attempt in (1, 2):  # servers starting together may insert the same new course: then reopen it
            try:
                with Session(self.engine) as s, s.begin():
                    row = s.get(CourseRow, code)
                    if row is None:
                        row = CourseRow(
                            code=code, case_id=case_id, archetype=archetype, seed=seed,
                            trainer_hash=self.hash(trainer_code),
                        )
                        s.add(row)
                    else:
                        row.trainer_hash = self.hash(trainer_code)
                        if case_id or archetype:
                            row.case_id, row.archetype, row.seed = case_id, archetype, seed
                    s.flush()
                    course = _course(row)
                return course, trainer_code
            except IntegrityError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def course(self, code: str) -> Course | None:
        with Session(self.engine) as s:
            row = s.get(CourseRow, course_key(code))
            return None if row is None else _course(row)

    def check_trainer(self, course_code: str, trainer_code: str) -> bool:
        with Session(self.engine) as s:
            row = s.get(CourseRow, course_key(course_code))
            if row is None or len(normalise_code(trainer_code or "")) < MIN_TRAINER_CODE:
                return False
            ok = self.hash.matches(row.trainer_hash, trainer_code)
        if ok and row.trainer_hash != self.hash(trainer_code):  # a hash from before keys: replace it
            with Session(self.engine) as s, s.begin():
                s.get(CourseRow, row.code).trainer_hash = self.hash(trainer_code)
        return ok

    def _trainer(self, course_code: str, trainer_code: str) -> str:
        """The course key, if the trainer code is right; otherwise a refusal."""
        if not self.check_trainer(course_code, trainer_code):
            raise StoreError("fel kurskod eller lärarkod")
        return course_key(course_code)

    # --- settings -----------------------------------------------------------------------------------------------
    def set_setting(self, key: str, value: str, course: str = "") -> None:
        # Several servers may start at once on one database: when another inserts the row between our read and our
        # insert, the second attempt finds it and updates it.
        for attempt in (1, 2):
            try:
                with Session(self.engine) as s, s.begin():
                    row = s.get(SettingRow, (course_key(course), key))
                    if row is None:
                        s.add(SettingRow(course=course_key(course), key=key, value=value))
                    else:
                        row.value = value
                return
            except IntegrityError:
                if attempt == 2:
                    raise

    def setting_once(self, key: str, value: str, course: str = "") -> None:
        """Set a setting unless it is set already (several servers starting at once agree on the first)."""
        try:
            with Session(self.engine) as s, s.begin():
                if s.get(SettingRow, (course_key(course), key)) is None:
                    s.add(SettingRow(course=course_key(course), key=key, value=value))
        except IntegrityError:
            pass

    def setting(self, key: str, course: str = "", default: str = "") -> str:
        with Session(self.engine) as s:
            row = s.get(SettingRow, (course_key(course), key))
            return default if row is None else row.value

    # --- participants -------------------------------------------------------------------------------------------
    def join(self, course_code: str, display_name: str, scenario_for_variant) -> tuple[Participant, str]:
        """A new participant in the course. ``scenario_for_variant(course, n)`` names the case variant n.

        Returns the participant and their personal code: the only way back to the draft.
        """
        name = clean_name(display_name)
        course = self.course(course_code)
        if course is None:
            raise StoreError(f"kurskoden '{course_code.strip()}' finns inte")
        secret = new_code()
        with Session(self.engine) as s, s.begin():
            # Take the course's row lock first (a no-op update): two joining at once count one after the other,
            # so each gets their own variant (SQLite locks the file; PostgreSQL the row).
            s.execute(update(CourseRow).where(CourseRow.code == course.code).values(code=CourseRow.code))
            variant = s.scalar(select(func.count()).where(ParticipantRow.course == course.code)) or 0
            participant = self._add_participant(
                s, course.code, name, self.hash(secret), scenario_for_variant(course, variant), variant
            )
        return participant, secret

    @staticmethod
    def _add_participant(s: Session, course: str, name: str, secret_hash: str, scenario_id: str, variant: int) -> Participant:
        owner = OwnerRow(kind="participant", course=course)
        s.add(owner)
        s.flush()
        row = ParticipantRow(
            course=course, owner_id=owner.id, display_name=name, secret_hash=secret_hash,
            scenario_id=scenario_id, variant=variant,
        )
        s.add(row)
        s.flush()
        return participant_record(row)

    def resume(self, course_code: str, secret: str) -> Participant | None:
        """The participant with this personal code in this course, or None."""
        if not normalise_code(secret):
            return None
        with Session(self.engine) as s, s.begin():
            row = s.scalar(select(ParticipantRow).where(ParticipantRow.secret_hash.in_(self.hash.candidates(secret))))
            if row is None or row.course != course_key(course_code) or s.get(RemovedOwnerRow, row.owner_id):
                return None
            row.secret_hash = self.hash(secret)  # a hash from before keys is replaced (a no-op otherwise)
            return participant_record(row)

    def participant(self, participant_id: int) -> Participant | None:
        with Session(self.engine) as s:
            row = s.get(ParticipantRow, participant_id)
            return None if row is None else participant_record(row)
