"""Self-study: the case a participant chose, and their interview with the simulated person and agencies.

The interview's state is its log of questions (simulator.interviewing), kept here after every question, so a reload
or a dead kernel loses nothing and the trainer can see which hidden facts were found.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from sipkurs.store.courses import participant_record
from sipkurs.store.db import Base, StoreError, now
from sipkurs.store.records import Participant
from sipkurs.store.schema import ParticipantRow

MAX_LOG = 2000  # questions in one interview: far beyond a real one, small enough to keep every save cheap


class InterviewRow(Base):
    __tablename__ = "interviews"
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    scenario_id: Mapped[str] = mapped_column(String(200))
    state: Mapped[dict] = mapped_column(JSON)
    updated: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


class InterviewStore:
    engine = None  # set by Store

    def choose_case(self, participant: Participant, scenario_id: str) -> Participant:
        """A self-study participant picks their case, once (their plan is about that person)."""
        with Session(self.engine) as s, s.begin():
            changed = s.execute(
                update(ParticipantRow)
                .where(ParticipantRow.id == participant.id, ParticipantRow.scenario_id == "")
                .values(scenario_id=scenario_id)
            ).rowcount
            row = s.get(ParticipantRow, participant.id)
            if not changed and row.scenario_id != scenario_id:
                raise StoreError("du har redan valt ett fall; börja om med ditt namn för att öva på ett annat")
            return participant_record(row)

    def save_interview(self, participant: Participant, scenario_id: str, state: dict) -> None:
        if len(state.get("log", ())) > MAX_LOG:
            raise StoreError(f"intervjun har redan {MAX_LOG} frågor; fler sparas inte")
        with Session(self.engine) as s, s.begin():
            row = s.get(InterviewRow, participant.id)
            if row is None:
                s.add(InterviewRow(participant_id=participant.id, scenario_id=scenario_id, state=state, updated=now()))
            else:
                row.scenario_id, row.state, row.updated = scenario_id, state, now()

    def load_interview(self, participant: Participant, scenario_id: str) -> dict | None:
        with Session(self.engine) as s:
            row = s.get(InterviewRow, participant.id)
            return dict(row.state) if row is not None and row.scenario_id == scenario_id else None

    def course_interviews(self, course_code: str, trainer_code: str) -> list[tuple[Participant, str, dict]]:
        """Every interview of the course (for the trainer's view of what was found and missed)."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            rows = s.execute(
                select(ParticipantRow, InterviewRow)
                .join(InterviewRow, InterviewRow.participant_id == ParticipantRow.id)
                .where(ParticipantRow.course == code)
                .order_by(ParticipantRow.id)
            ).all()
            return [(participant_record(p), i.scenario_id, dict(i.state)) for p, i in rows]
