"""Role-play groups: one shared plan, one seat per role, who sits where and who is online.

Only the trainer forms groups and moves people between seats. A seat's code is its join link: the first person to
open it types their name and takes the seat, and the code becomes their personal code. A participant sits in at most
one seat; their own solo draft stays theirs.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sipkurs.store.codes import new_code, normalise_code
from sipkurs.store.courses import clean_name, course_key, participant_record
from sipkurs.store.db import StoreError, now, write_session
from sipkurs.store.records import Group, Participant, Seat, SeatInvite
from sipkurs.store.schema import MAX_NAME, GroupRow, OwnerRow, ParticipantRow, PresenceRow, RemovedOwnerRow, SeatRow

ONLINE_SECONDS = 20  # a page whose kernel has not said "still here" for this long counts as gone


class GroupStore:
    engine = None  # set by Store

    def create_group(
        self, course_code: str, trainer_code: str, *, name: str, scenario_id: str, roles: list[str]
    ) -> Group:
        """A group with one seat per role (in the given order). Returns the trainer's view (with seat codes)."""
        code = self._trainer(course_code, trainer_code)
        name = " ".join((name or "").split())
        if not roles:
            raise StoreError("en grupp behöver minst en roll")
        with Session(self.engine) as s, s.begin():
            if not name:
                count = s.scalar(select(func.count()).select_from(GroupRow).where(GroupRow.course == code)) or 0
                name = f"Grupp {count + 1}"
            if len(name) > MAX_NAME:
                raise StoreError(f"gruppens namn får ha högst {MAX_NAME} tecken")
            owner = OwnerRow(kind="group", course=code)
            s.add(owner)
            s.flush()
            group = GroupRow(course=code, owner_id=owner.id, name=name, scenario_id=scenario_id)
            s.add(group)
            s.flush()
            for i, role in enumerate(dict.fromkeys(roles)):
                s.add(SeatRow(group_id=group.id, role=role, position=i, code=new_code()))
            group_id = group.id
        return self.group(code, trainer_code, group_id)

    def group_count(self, course_code: str) -> int:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).select_from(GroupRow).where(GroupRow.course == course_key(course_code))) or 0

    # --- reading ------------------------------------------------------------------------------------------------
    def _group(self, s: Session, row: GroupRow, *, with_codes: bool) -> Group:
        seats = s.execute(
            select(SeatRow, ParticipantRow.display_name, ParticipantRow.secret_hash, PresenceRow.seen)
            .outerjoin(ParticipantRow, ParticipantRow.id == SeatRow.participant_id)
            .outerjoin(PresenceRow, PresenceRow.participant_id == SeatRow.participant_id)
            .where(SeatRow.group_id == row.id)
            .order_by(SeatRow.position)
        ).all()
        horizon = now() - dt.timedelta(seconds=ONLINE_SECONDS)
        return Group(
            row.id, row.course, row.name, row.scenario_id, row.owner_id,
            tuple(
                Seat(
                    seat.id, seat.role, seat.participant_id, name, seat.chair,
                    online=bool(seen and seen >= horizon), code=seat.code if with_codes else None,
                    code_opens=seat.participant_id is None or self.hash.matches(secret or "", seat.code),
                )
                for seat, name, secret, seen in seats
            ),
        )

    def group(self, course_code: str, trainer_code: str, group_id: int) -> Group:
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            row = s.get(GroupRow, group_id)
            if row is None or row.course != code:
                raise StoreError(f"grupp {group_id} finns inte i kursen {code}")
            return self._group(s, row, with_codes=True)

    def groups(self, course_code: str, trainer_code: str) -> list[Group]:
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s:
            removed = select(RemovedOwnerRow.owner_id)
            rows = s.scalars(
                select(GroupRow).where(GroupRow.course == code, GroupRow.owner_id.not_in(removed)).order_by(GroupRow.id)
            ).all()
            return [self._group(s, r, with_codes=True) for r in rows]

    def group_of(self, participant: Participant) -> Group | None:
        """The participant's group, as a member sees it (no seat codes), or None when drafting alone."""
        with Session(self.engine) as s:
            row = s.scalar(
                select(GroupRow).join(SeatRow, SeatRow.group_id == GroupRow.id).where(SeatRow.participant_id == participant.id)
            )
            return None if row is None else self._group(s, row, with_codes=False)

    def open_code(self, course_code: str, code: str) -> Participant | SeatInvite | None:
        """What a personal code or a seat link opens: a participant, an unclaimed seat, or nothing."""
        participant = self.resume(course_code, code)
        if participant is not None:
            return participant
        key = normalise_code(code)
        if len(key) != 10:
            return None
        with Session(self.engine) as s:
            seat = s.scalar(select(SeatRow).where(SeatRow.code == f"{key[:5]}-{key[5:]}"))
            if seat is None or seat.participant_id is not None:
                return None
            group = s.get(GroupRow, seat.group_id)
            if group.course != course_key(course_code):
                return None
            view = self._group(s, group, with_codes=False)
            return SeatInvite(group.course, view, next(x for x in view.seats if x.id == seat.id))

    # --- seats --------------------------------------------------------------------------------------------------
    def claim_seat(self, course_code: str, code: str, display_name: str) -> Participant:
        """Take an empty seat with its link: a new participant whose personal code is the seat's code."""
        name = clean_name(display_name)
        invite = self.open_code(course_code, code)
        if not isinstance(invite, SeatInvite):
            raise StoreError("platsen finns inte eller är redan tagen")
        taken = StoreError("någon tog just den platsen; fråga utbildaren efter en annan")
        try:
            with write_session(self.engine) as s:  # the group's members often take their seats at the same moment
                seat = s.get(SeatRow, invite.seat.id)
                participant = self._add_participant(
                    s, invite.course, name, self.hash(seat.code), invite.group.scenario_id, 0
                )
                claimed = s.execute(
                    update(SeatRow)
                    .where(SeatRow.id == seat.id, SeatRow.participant_id.is_(None))
                    .values(participant_id=participant.id)
                ).rowcount
                if claimed != 1:  # taken between open_code and now: roll back the new participant too
                    raise taken
        except IntegrityError:
            raise taken from None
        return participant

    def assign_seat(self, course_code: str, trainer_code: str, seat_id: int, participant_id: int) -> None:
        """Move a joined participant into a seat (out of any other seat). Whoever sat there loses the seat."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s, s.begin():
            seat = self._seat(s, code, seat_id)
            person = s.get(ParticipantRow, participant_id)
            if person is None or person.course != code:
                raise StoreError(f"deltagare {participant_id} finns inte i kursen {code}")
            for old in s.scalars(select(SeatRow).where(SeatRow.participant_id == participant_id)).all():
                self._vacate(s, old)
            if seat.participant_id is not None:
                self._vacate(s, seat)
            s.flush()
            seat.participant_id = participant_id

    def vacate_seat(self, course_code: str, trainer_code: str, seat_id: int) -> None:
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s, s.begin():
            self._vacate(s, self._seat(s, code, seat_id))

    def set_chair(self, course_code: str, trainer_code: str, seat_id: int) -> None:
        """Make this seat the meeting's chair (mötesledare); a group has at most one."""
        code = self._trainer(course_code, trainer_code)
        with Session(self.engine) as s, s.begin():
            seat = self._seat(s, code, seat_id)
            chair = not seat.chair
            s.execute(update(SeatRow).where(SeatRow.group_id == seat.group_id).values(chair=False))
            seat.chair = chair

    @staticmethod
    def _seat(s: Session, course: str, seat_id: int) -> SeatRow:
        seat = s.get(SeatRow, seat_id)
        if seat is None or s.get(GroupRow, seat.group_id).course != course:
            raise StoreError(f"platsen {seat_id} finns inte i kursen {course}")
        return seat

    def _vacate(self, s: Session, seat: SeatRow) -> None:
        """Empty a seat. If its link was the leaver's personal code, the seat gets a new link."""
        if seat.participant_id is not None:
            person = s.get(ParticipantRow, seat.participant_id)
            if person is not None and self.hash.matches(person.secret_hash, seat.code):
                seat.code = new_code()
        seat.participant_id = None

    # --- presence -----------------------------------------------------------------------------------------------
    def heartbeat(self, participant: Participant) -> None:
        """The participant's page is open (called every few seconds by their kernel)."""
        with Session(self.engine) as s, s.begin():
            row = s.get(PresenceRow, participant.id)
            if row is None:
                s.add(PresenceRow(participant_id=participant.id, seen=now()))
            else:
                row.seen = now()

    def leave(self, participant: Participant) -> None:
        """The page was closed: not online any more."""
        with Session(self.engine) as s, s.begin():
            row = s.get(PresenceRow, participant.id)
            if row is not None:
                row.seen = now() - dt.timedelta(seconds=ONLINE_SECONDS + 1)

    def member_participants(self, participant: Participant) -> list[Participant]:
        """Everyone sitting in the participant's group (for the plan's author list)."""
        group = self.group_of(participant)
        if group is None:
            return [participant]
        with Session(self.engine) as s:
            ids = [seat.participant_id for seat in group.seats if seat.participant_id]
            rows = s.scalars(select(ParticipantRow).where(ParticipantRow.id.in_(ids))).all()
            return [participant_record(r) for r in rows]
