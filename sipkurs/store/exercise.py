"""Running the exercise: which phase a plan's owner is in, snapshots at the end of each phase, injected events.

Everything lives here, not in a kernel, so a restart in the middle of a phase keeps the phase, the schedule and every
acknowledgement. A scheduled event is delivered by whichever page (or the trainer's) notices first that its minute has
come (``fire_due``), at the time it was due, so nobody has to keep a timer running.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from sipkurs.store.db import Base, StoreError, now
from sipkurs.store.records import Delivery, ExerciseState, Participant, PhaseSnapshot
from sipkurs.store.schema import GroupRow, OwnerRow, ParticipantRow, PlanHeadRow, append_only

STATUSES = ("scheduled", "paused", "skipped", "delivered")
MAX_EVENT_TEXT = 2000


class ExerciseRow(Base):
    __tablename__ = "exercises"
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), primary_key=True)
    phase_index: Mapped[int] = mapped_column(Integer, default=-1)  # -1: not started
    phase_started: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)


class PhaseSnapshotRow(Base):
    """The plan as it stood when a phase ended: append-only, like submissions."""

    __tablename__ = "phase_snapshots"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), index=True)
    phase_index: Mapped[int] = mapped_column(Integer)
    phase_id: Mapped[str] = mapped_column(String(60))
    started: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    ended: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    rev: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict] = mapped_column(JSON)


class EventDeliveryRow(Base):
    __tablename__ = "event_deliveries"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("plan_owners.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(60))  # the case's event id, or "egen" for one the trainer wrote
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(String(MAX_EVENT_TEXT))
    affects: Mapped[list] = mapped_column(JSON, default=list)  # seat roles; empty: everyone
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    custom: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    phase_index: Mapped[int] = mapped_column(Integer, default=0)  # the phase whose clock a schedule counts on
    minute: Mapped[float | None] = mapped_column(Float, nullable=True)
    created: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, nullable=True)
    rev_at_delivery: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the plan when the event arrived


class EventAckRow(Base):
    __tablename__ = "event_acks"
    delivery_id: Mapped[int] = mapped_column(ForeignKey("event_deliveries.id"), primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)


append_only(PhaseSnapshotRow.__table__, "phase_snapshots")  # snapshots are history, like submissions


def _delivery(row: EventDeliveryRow, acks: dict[int, dt.datetime]) -> Delivery:
    return Delivery(
        row.id, row.owner_id, row.event_id, row.title, row.text, tuple(row.affects or ()), row.private, row.custom,
        row.status, row.phase_index, row.minute, row.delivered_at, row.rev_at_delivery, row.before, dict(acks),
    )


class ExerciseStore:
    engine = None  # set by Store

    # --- phases -------------------------------------------------------------------------------------------------
    def exercise(self, owner_id: int) -> ExerciseState:
        with Session(self.engine) as s:
            row = s.get(ExerciseRow, owner_id)
            snaps = s.scalars(
                select(PhaseSnapshotRow).where(PhaseSnapshotRow.owner_id == owner_id).order_by(PhaseSnapshotRow.id)
            ).all()
            return ExerciseState(
                row.phase_index if row else -1,
                row.phase_started if row else None,
                tuple(PhaseSnapshot(x.phase_index, x.phase_id, x.started, x.ended, x.rev, x.data) for x in snaps),
            )

    def _advance(self, owner_id: int, phase_ids: list[str], expected: int | None = None) -> ExerciseState:
        """Close the current phase (snapshot of the plan) and start the next; past the last, the exercise is over."""
        self._ensure_head(owner_id)
        draft = self._draft(owner_id)
        with Session(self.engine) as s, s.begin():
            row = s.get(ExerciseRow, owner_id)
            if row is None:
                row = ExerciseRow(owner_id=owner_id, phase_index=-1)
                s.add(row)
                s.flush()
            if expected is not None and row.phase_index != expected:
                raise StoreError("fasen har redan bytts av någon annan")
            if row.phase_index >= len(phase_ids):
                raise StoreError("övningen är redan avslutad")
            if row.phase_index >= 0:
                s.add(PhaseSnapshotRow(
                    owner_id=owner_id, phase_index=row.phase_index, phase_id=phase_ids[row.phase_index],
                    started=row.phase_started, rev=draft.rev if draft else 0, data=draft.data if draft else {},
                ))
            changed = s.execute(
                update(ExerciseRow)
                .where(ExerciseRow.owner_id == owner_id, ExerciseRow.phase_index == row.phase_index)
                .values(phase_index=row.phase_index + 1, phase_started=now())
            ).rowcount
            if changed != 1:
                raise StoreError("fasen har redan bytts av någon annan")
        return self.exercise(owner_id)

    def advance_group_phase(self, course_code: str, trainer_code: str, group_id: int, phase_ids: list[str]) -> ExerciseState:
        group = self.group(course_code, trainer_code, group_id)
        return self._advance(group.owner_id, phase_ids)

    def advance_own_phase(self, participant: Participant, phase_ids: list[str], expected: int | None = None) -> ExerciseState:
        """A participant drafting alone runs their own phases (the trainer runs a group's)."""
        return self._advance(participant.owner_id, phase_ids, expected)

    # --- events -------------------------------------------------------------------------------------------------
    def add_delivery(
        self,
        owner_id: int,
        *,
        event_id: str,
        title: str,
        text: str,
        affects: list[str],
        private: bool = False,
        custom: bool = False,
        minute: float | None = None,
    ) -> int:
        """An event for one plan's owner: delivered now (minute None) or at that minute of the current phase."""
        title, text = " ".join(title.split()), text.strip()
        if not title or not text:
            raise StoreError("en händelse behöver en rubrik och en text")
        if len(title) > 200 or len(text) > MAX_EVENT_TEXT:
            raise StoreError(f"händelsens rubrik får ha högst 200 tecken och texten högst {MAX_EVENT_TEXT}")
        if minute is not None and not 0 <= minute <= 600:
            raise StoreError("minuten ska vara mellan 0 och 600")
        state = self.exercise(owner_id)
        with Session(self.engine) as s, s.begin():
            row = EventDeliveryRow(
                owner_id=owner_id, event_id=event_id, title=title, text=text, affects=list(affects), private=private,
                custom=custom, status="scheduled", phase_index=max(state.phase_index, 0), minute=minute or 0.0,
            )
            s.add(row)
            s.flush()
            delivery_id = row.id
        if minute is None:
            self._deliver(delivery_id, now())
        return delivery_id

    def publish_event(self, course_code: str, trainer_code: str, group_ids: list[int], **event) -> list[int]:
        """The trainer's injection: to one group or several, now or at a minute of each group's current phase."""
        self._trainer(course_code, trainer_code)
        owners = [self.group(course_code, trainer_code, g).owner_id for g in group_ids]
        return [self.add_delivery(o, **event) for o in owners]

    def set_delivery_status(self, course_code: str, trainer_code: str, delivery_id: int, status: str) -> None:
        """Pause, resume or skip a scheduled event (a delivered one stays delivered)."""
        code = self._trainer(course_code, trainer_code)
        if status not in ("scheduled", "paused", "skipped"):
            raise StoreError(f"okänt läge '{status}'")
        with Session(self.engine) as s, s.begin():
            row = s.get(EventDeliveryRow, delivery_id)
            owner = s.get(OwnerRow, row.owner_id) if row else None
            if row is None or owner.course != code:
                raise StoreError(f"händelsen {delivery_id} finns inte i kursen")
            if row.status == "delivered":
                raise StoreError("händelsen är redan skickad")
            row.status = status

    def fire_due(self, owner_id: int) -> int:
        """Deliver the scheduled events whose minute of the current phase has come. Returns how many."""
        state = self.exercise(owner_id)
        if state.phase_index < 0 or state.phase_started is None:
            return 0
        with Session(self.engine) as s:
            due = [
                (r.id, state.phase_started + dt.timedelta(minutes=r.minute or 0))
                for r in s.scalars(
                    select(EventDeliveryRow).where(
                        EventDeliveryRow.owner_id == owner_id,
                        EventDeliveryRow.status == "scheduled",
                        EventDeliveryRow.phase_index == state.phase_index,
                    )
                ).all()
            ]
        fired = 0
        for delivery_id, at in due:
            if at <= now():
                fired += self._deliver(delivery_id, at)
        return fired

    def _deliver(self, delivery_id: int, at: dt.datetime) -> int:
        with Session(self.engine) as s:
            owner_id = s.get(EventDeliveryRow, delivery_id).owner_id
        draft = self._draft(owner_id)
        with Session(self.engine) as s, s.begin():
            return s.execute(  # only once, whoever gets here first
                update(EventDeliveryRow)
                .where(EventDeliveryRow.id == delivery_id, EventDeliveryRow.status == "scheduled")
                .values(status="delivered", delivered_at=at, rev_at_delivery=draft.rev if draft else 0,
                        before=draft.data if draft else {})
            ).rowcount

    def deliveries(self, owner_id: int) -> list[Delivery]:
        with Session(self.engine) as s:
            rows = s.scalars(
                select(EventDeliveryRow).where(EventDeliveryRow.owner_id == owner_id).order_by(EventDeliveryRow.id)
            ).all()
            acks: dict[int, dict[int, dt.datetime]] = {}
            for ack in s.scalars(select(EventAckRow).where(EventAckRow.delivery_id.in_([r.id for r in rows]))).all():
                acks.setdefault(ack.delivery_id, {})[ack.participant_id] = ack.at
            return [_delivery(r, acks.get(r.id, {})) for r in rows]

    def member_deliveries(self, participant: Participant, owner_id: int | None = None) -> list[Delivery]:
        owner_id = self._check_owner(participant, owner_id)
        return self.deliveries(owner_id)

    def acknowledge(self, participant: Participant, delivery_id: int, owner_id: int | None = None) -> None:
        owner_id = self._check_owner(participant, owner_id)
        with Session(self.engine) as s, s.begin():
            row = s.get(EventDeliveryRow, delivery_id)
            if row is None or row.owner_id != owner_id or row.status != "delivered":
                raise StoreError("händelsen finns inte i din plan")
            if s.get(EventAckRow, (delivery_id, participant.id)) is None:
                s.add(EventAckRow(delivery_id=delivery_id, participant_id=participant.id))

    def changed_since(self, owner_id: int, rev: int | None) -> bool:
        with Session(self.engine) as s:
            head = s.get(PlanHeadRow, owner_id)
            return head is not None and rev is not None and head.rev > rev

    def course_owners(self, course_code: str, trainer_code: str) -> list[tuple[str, int, int]]:
        """(kind, id, owner id) of every group and participant of the course, for the trainer's exercise view."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            groups = s.execute(select(GroupRow.id, GroupRow.owner_id).where(GroupRow.course == code)).all()
            people = s.execute(select(ParticipantRow.id, ParticipantRow.owner_id).where(ParticipantRow.course == code)).all()
        return [("group", g, o) for g, o in groups] + [("participant", p, o) for p, o in people]
