"""Submitted versions (append-only, numbered per plan) and the trainer's overview of a course."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sipkurs.store.courses import participant_record
from sipkurs.store.db import StoreError
from sipkurs.store.records import OverviewRow, Participant, Submission
from sipkurs.store.schema import GroupRow, ParticipantRow, PlanHeadRow, RemovedOwnerRow, SeatRow, SubmissionRow


def _submission(row: SubmissionRow) -> Submission:
    return Submission(row.number, row.data, row.score, row.missed, row.submitted)


class SubmissionStore:
    engine = None  # set by Store

    def submit(
        self,
        participant: Participant,
        data: dict,
        *,
        score: float | None = None,
        missed: list | None = None,
        owner_id: int | None = None,
    ) -> Submission:
        """Keep this version for good; returns it with its number and time. Safe when two submit at once."""
        owner_id = self._check_owner(participant, owner_id)
        for _attempt in range(10):
            try:
                with Session(self.engine) as s, s.begin():
                    last = s.scalar(select(func.max(SubmissionRow.number)).where(SubmissionRow.owner_id == owner_id))
                    row = SubmissionRow(
                        owner_id=owner_id, number=(last or 0) + 1, data=data, score=score, missed=missed or []
                    )
                    s.add(row)
                    s.flush()
                    return _submission(row)
            except IntegrityError:  # someone in the group took this number a moment ago: take the next
                continue
        raise StoreError("planen kunde inte lämnas in just nu eftersom andra lämnade in samtidigt; försök igen")

    def submissions(self, participant: Participant, owner_id: int | None = None) -> list[Submission]:
        owner_id = self._check_owner(participant, owner_id)
        return self._submissions(owner_id)

    def _submissions(self, owner_id: int) -> list[Submission]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(SubmissionRow).where(SubmissionRow.owner_id == owner_id).order_by(SubmissionRow.number)
            ).all()
            return [_submission(r) for r in rows]

    # --- trainer side: every call needs the course's trainer code ------------------------------------------------
    def overview(self, course_code: str, trainer_code: str) -> list[OverviewRow]:
        """Every group, then every participant, with the latest assessment and submissions of their plan."""
        code = self._trainer(course_code, trainer_code)
        rows: list[OverviewRow] = []
        with Session(self.engine) as s:
            removed = set(s.scalars(select(RemovedOwnerRow.owner_id)).all())
            for g in s.scalars(select(GroupRow).where(GroupRow.course == code).order_by(GroupRow.id)).all():
                if g.owner_id in removed:
                    continue
                members = s.execute(
                    select(ParticipantRow.display_name)
                    .join(SeatRow, SeatRow.participant_id == ParticipantRow.id)
                    .where(SeatRow.group_id == g.id)
                    .order_by(SeatRow.position)
                ).scalars().all()
                rows.append(self._row(s, "group", g.id, g.name, g.scenario_id, g.owner_id, tuple(members)))
            participants = s.scalars(
                select(ParticipantRow).where(ParticipantRow.course == code).order_by(ParticipantRow.id)
            ).all()
            for p in participants:
                if p.owner_id not in removed:
                    rows.append(self._row(s, "participant", p.id, p.display_name, p.scenario_id, p.owner_id))
        return rows

    @staticmethod
    def _row(s: Session, kind: str, id_: int, name: str, scenario_id: str, owner_id: int, members=()) -> OverviewRow:
        head = s.get(PlanHeadRow, owner_id)
        count, last = s.execute(
            select(func.count(SubmissionRow.id), func.max(SubmissionRow.submitted)).where(
                SubmissionRow.owner_id == owner_id
            )
        ).one()
        started = head is not None and head.rev > 0
        return OverviewRow(
            kind=kind, id=id_, display_name=name, scenario_id=scenario_id,
            score=head.score if started else None, missed=list(head.missed or []) if started else [],
            updated=head.updated if started else None, submissions=count, last_submitted=last,
            members=members, started=started,
        )

    def remove(self, course_code: str, trainer_code: str, kind: str, id_: int) -> None:
        """The trainer removes a participant or a group: out of the overview, seats emptied, codes no longer open.
        Nothing is deleted: submitted versions are history, and the plan stays in the database."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s, s.begin():
            row = s.get(ParticipantRow if kind == "participant" else GroupRow, id_)
            if row is None or row.course != code:
                raise StoreError(f"{'deltagaren' if kind == 'participant' else 'gruppen'} finns inte i kursen")
            if s.get(RemovedOwnerRow, row.owner_id) is None:
                s.add(RemovedOwnerRow(owner_id=row.owner_id))
            seats = (select(SeatRow).where(SeatRow.participant_id == row.id) if kind == "participant"
                     else select(SeatRow).where(SeatRow.group_id == row.id))
            for seat in s.scalars(seats).all():
                self._vacate(s, seat)

    def is_removed(self, owner_id: int) -> bool:
        with Session(self.engine) as s:
            return s.get(RemovedOwnerRow, owner_id) is not None

    def trainer_plan(
        self, course_code: str, trainer_code: str, participant_id: int
    ) -> tuple[Participant, dict, Submission | None]:
        """A participant's latest submission (or draft) for the trainer: (participant, plan data, submission)."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            row = s.get(ParticipantRow, participant_id)
            if row is None or row.course != code:
                raise StoreError(f"deltagare {participant_id} finns inte i kursen {code}")
            participant = participant_record(row)
        return participant, *self._latest(participant.owner_id)

    def trainer_group_plan(self, course_code: str, trainer_code: str, group_id: int):
        """A group's latest submission (or draft) for the trainer: (group, plan data, submission)."""
        group = self.group(course_code, trainer_code, group_id)
        return group, *self._latest(group.owner_id)

    def _latest(self, owner_id: int) -> tuple[dict, Submission | None]:
        subs = self._submissions(owner_id)
        if subs:
            return subs[-1].data, subs[-1]
        self._ensure_head(owner_id)
        draft = self._draft(owner_id)
        return (dict(draft.data) if draft else {}), None
