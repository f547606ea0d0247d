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
from sipkurs.store.db import StoreError, write_session
from sipkurs.store.records import Course, CourseSummary, Participant
from sipkurs.store.schema import (
    MAX_NAME, CourseRow, GroupRow, OwnerRow, ParticipantRow, RemovedOwnerRow, SettingRow,
)


class CourseExists(StoreError):
    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(f"kursen {code} finns redan; fortsätt den med 'sipkurs serve --course {code}'")


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
        """Create a new course. Returns (course, trainer code).

        An existing code is refused (CourseExists): a course in use keeps its case and trainer code unless the trainer
        changes them on purpose (``change_course``); ``open_course`` continues it.
        """
        code = course_key(code or f"SIP-{new_code(1, 5)}")
        if not code or len(code) > 40:
            raise StoreError("kurskoden måste ha 1–40 tecken")
        trainer_code = trainer_code or new_code()
        weak = weak_trainer_code(trainer_code)
        if weak:
            raise StoreError(f"{weak}; utan --trainer-code skapas en säker kod")
        try:
            with write_session(self.engine) as s:
                if s.get(CourseRow, code) is not None:
                    raise CourseExists(code)
                row = CourseRow(
                    code=code, case_id=case_id, archetype=archetype, seed=seed, trainer_hash=self.hash(trainer_code)
                )
                s.add(row)
                s.flush()
                course = _course(row)
        except IntegrityError:  # another server created the same code a moment earlier
            raise CourseExists(code) from None
        return course, trainer_code

    def start_course(
        self,
        code: str | None = None,
        *,
        case_id: str = "",
        archetype: str = "",
        seed: int | None = None,
        trainer_code: str | None = None,
    ) -> tuple[Course, str | None]:
        """What ``sipkurs serve`` does: continue the course if it exists (``open_course``: nothing about it changes;
        the trainer code returned is None, the course keeps its own), else create it (the new trainer code returned).
        Servers starting together on a new database all end up on the one course."""
        given = {"case_id": case_id, "archetype": archetype, "seed": seed, "trainer_code": trainer_code}
        if code and self.course(code) is not None:
            return self.open_course(code, **given), None
        try:
            return self.create_course(code, case_id=case_id, archetype=archetype, seed=seed or 0, trainer_code=trainer_code)
        except CourseExists as exc:
            return self.open_course(exc.code, **given), None

    def open_course(self, code: str, *, case_id: str = "", archetype: str = "", seed: int | None = None,
                    trainer_code: str | None = None) -> Course:
        """An existing course, unchanged. What the caller gives must agree with it: another case or archetype, or a
        trainer code that is not the course's, is refused (a restart must never switch a running course's case or
        lock its trainer out). Empty arguments mean "as the course has it"."""
        course = self.course(code)
        if course is None:
            raise StoreError(f"kursen {course_key(code)} finns inte")
        has = course.case_id or course.archetype
        wants = case_id or archetype
        if wants and (case_id, archetype) != (course.case_id if case_id else "", course.archetype if archetype else ""):
            what = f"fallet {has}" if course.case_id else f"arketypen {has}" if course.archetype else "standardfallet"
            flag = f"--case {case_id}" if case_id else f"--archetype {archetype}"
            raise StoreError(
                f"kursen {course.code} har {what}; starta den utan {flag.split()[0]} för att "
                f"fortsätta den, eller byt med 'sipkurs course change {course.code} {flag}'"
            )
        if seed is not None and course.archetype and seed != course.seed:
            raise StoreError(
                f"kursen {course.code} har fröet {course.seed}; starta den utan --seed för att fortsätta den, eller byt "
                f"med 'sipkurs course change {course.code} --seed {seed}'"
            )
        if trainer_code and not self.check_trainer(course.code, trainer_code):
            raise StoreError(
                f"lärarkoden stämmer inte med kursen {course.code}; starta utan --trainer-code för att behålla "
                f"kursens kod, eller byt den med 'sipkurs course change {course.code} --new-trainer-code'"
            )
        return course

    def change_course(
        self,
        code: str,
        *,
        case_id: str | None = None,
        archetype: str | None = None,
        seed: int | None = None,
        trainer_code: str | None = None,
    ) -> Course:
        """Change a course on purpose (the CLI asks first): its case (or archetype, with seed) for participants who
        join from now on, and/or its trainer code. Participants and groups that have a case keep it."""
        if case_id and archetype:
            raise StoreError("ange antingen fall eller arketyp, inte båda")
        if trainer_code is not None:
            weak = weak_trainer_code(trainer_code)
            if weak:
                raise StoreError(weak)
        with Session(self.engine) as s, s.begin():
            row = s.get(CourseRow, course_key(code))
            if row is None:
                raise StoreError(f"kursen {course_key(code)} finns inte")
            if case_id:
                row.case_id, row.archetype = case_id, ""
            if archetype:
                row.case_id, row.archetype = "", archetype
            if seed is not None:
                row.seed = seed
            if trainer_code is not None:
                row.trainer_hash = self.hash(trainer_code)
            s.flush()
            return _course(row)

    def courses(self) -> list[CourseSummary]:
        """Every course in the store, newest first, with how many participants and groups it has."""
        with Session(self.engine) as s:
            people = dict(s.execute(select(ParticipantRow.course, func.count()).group_by(ParticipantRow.course)).all())
            groups = dict(s.execute(select(GroupRow.course, func.count()).group_by(GroupRow.course)).all())
            rows = s.scalars(select(CourseRow).order_by(CourseRow.created.desc(), CourseRow.code)).all()
            return [CourseSummary(_course(r), people.get(r.code, 0), groups.get(r.code, 0)) for r in rows]

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
                with write_session(self.engine) as s:
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
            with write_session(self.engine) as s:
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
