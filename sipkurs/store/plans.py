"""Plans field by field: revisions, conflicts and rows, the store being the one authority.

Every write names, per field, the revision its writer last saw. The plan's head row is updated first, which makes
writes to one plan take turns (SQLite locks the file, PostgreSQL the head row); a field whose revision moved on since
its writer saw it is not overwritten but returned as a conflict with the other text, so nobody loses a word silently.
Rows are fields too (``needs[B3]`` = True/False), so a deleted row can be restored and a cell of a deleted row is
refused visibly.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from sipkurs import plandoc
from sipkurs.store.db import StoreError, now
from sipkurs.store.notify import announce
from sipkurs.store.records import Draft, Edit, FieldState, Participant, PlanState, WriteResult
from sipkurs.store.schema import GroupRow, LegacyDraftRow, PlanFieldRow, PlanHeadRow, SeatRow

MAX_EDITS = 400  # fields in one write: a whole plan is well below this


def _state(row: PlanFieldRow) -> FieldState:
    return FieldState(row.path, row.value, row.rev, row.author, row.author_id, row.updated)


class PlanStore:
    engine = None  # set by Store

    # --- who may write which plan -------------------------------------------------------------------------------
    def owners_of(self, participant: Participant) -> list[int]:
        """Plan owners this participant may read and write: their own, then their group's."""
        with Session(self.engine) as s:
            groups = s.scalars(
                select(GroupRow.owner_id).join(SeatRow, SeatRow.group_id == GroupRow.id).where(
                    SeatRow.participant_id == participant.id
                )
            ).all()
        return [participant.owner_id, *groups]

    def _check_owner(self, participant: Participant, owner_id: int | None) -> int:
        owner_id = participant.owner_id if owner_id is None else owner_id
        if owner_id not in self.owners_of(participant):
            raise StoreError("planen tillhör inte dig eller din grupp")
        return owner_id

    # --- reading ------------------------------------------------------------------------------------------------
    def head_rev(self, owner_id: int) -> int:
        """The plan's latest revision: what a page polls to learn that something changed."""
        with Session(self.engine) as s:
            return s.scalar(select(PlanHeadRow.rev).where(PlanHeadRow.owner_id == owner_id)) or 0

    def plan_state(self, participant: Participant, owner_id: int | None = None, since: int = 0) -> PlanState:
        """Every field of the plan changed after revision ``since`` (all of them for 0), and the plan's revision."""
        owner_id = self._check_owner(participant, owner_id)
        self._ensure_head(owner_id)
        return self._fields(owner_id, since)

    def _fields(self, owner_id: int, since: int = 0) -> PlanState:
        with Session(self.engine) as s:
            rev = s.scalar(select(PlanHeadRow.rev).where(PlanHeadRow.owner_id == owner_id)) or 0
            rows = s.scalars(
                select(PlanFieldRow).where(PlanFieldRow.owner_id == owner_id, PlanFieldRow.rev > since)
            ).all()
            return PlanState(rev, {r.path: _state(r) for r in rows})

    def load_draft(self, participant: Participant, owner_id: int | None = None) -> Draft | None:
        """The plan as one document, or None if nothing has been written yet."""
        owner_id = self._check_owner(participant, owner_id)
        self._ensure_head(owner_id)
        return self._draft(owner_id)

    def _draft(self, owner_id: int) -> Draft | None:
        state = self._fields(owner_id)
        with Session(self.engine) as s:
            head = s.get(PlanHeadRow, owner_id)
            if head is None or not state.fields:
                return None
            data = plandoc.assemble({p: f.value for p, f in state.fields.items()})
            return Draft(data, head.score, list(head.missed or []), head.saves, head.updated, state.rev)

    # --- writing ------------------------------------------------------------------------------------------------
    def write(
        self,
        participant: Participant,
        edits: Iterable[Edit],
        *,
        owner_id: int | None = None,
        author: str = "",
    ) -> WriteResult:
        """Write each edit whose base revision is still the field's revision; report the others as conflicts."""
        owner_id = self._check_owner(participant, owner_id)
        return self._write(owner_id, list(edits), participant.id, author or participant.display_name)

    def _write(self, owner_id: int, edits: list[Edit], author_id: int | None, author: str, *, force: bool = False) -> WriteResult:
        if len(edits) > MAX_EDITS:
            raise StoreError(f"för många ändringar på en gång (högst {MAX_EDITS})")
        parsed = {}
        for e in edits:
            try:
                parsed[e.path] = plandoc.parse(e.path)
            except plandoc.BadPath:
                raise StoreError(f"okänt fält i planen: {e.path[:60]}") from None
        self._ensure_head(owner_id)
        rows_needed = {plandoc.row_key(t, r) for t, r, c in parsed.values() if t is not None and c is not None}
        with Session(self.engine) as s:
            try:
                rev = self._bump(s, owner_id)
                paths = {e.path for e in edits} | rows_needed
                current = {
                    r.path: r
                    for r in s.scalars(
                        select(PlanFieldRow).where(PlanFieldRow.owner_id == owner_id, PlanFieldRow.path.in_(paths))
                    ).all()
                }
                result = WriteResult(rev - 1)
                changed = False
                for e in edits:
                    table, row, column = parsed[e.path]
                    if column is not None:  # a cell: its row must exist
                        row_field = current.get(plandoc.row_key(table, row))
                        if row_field is None or not plandoc.is_live(row_field.value):
                            result.row_gone[e.path] = (
                                _state(row_field) if row_field else FieldState(plandoc.row_key(table, row), None, 0)
                            )
                            continue
                    cur = current.get(e.path)
                    new_row = table is not None and column is None and e.base_rev == 0 and not force
                    if cur is not None and cur.value == e.value and not new_row:  # already so: nothing lost
                        result.written[e.path] = _state(cur)
                        continue
                    if not force and (cur.rev if cur else 0) != e.base_rev:
                        result.conflicts[e.path] = _state(cur) if cur else FieldState(e.path, None, 0)
                        continue
                    if cur is None:
                        cur = PlanFieldRow(owner_id=owner_id, path=e.path)
                        s.add(cur)
                        current[e.path] = cur
                    cur.value, cur.rev, cur.author_id, cur.author, cur.updated = e.value, rev, author_id, author, now()
                    result.written[e.path] = _state(cur)
                    changed = True
                if not changed:
                    s.rollback()
                    return result
                announce(s, owner_id)
                s.commit()
                return WriteResult(rev, result.written, result.conflicts, result.row_gone)
            except BaseException:
                s.rollback()
                raise

    def add_row(
        self,
        participant: Participant,
        table: str,
        values: dict | None = None,
        *,
        owner_id: int | None = None,
        author: str = "",
    ) -> tuple[str, WriteResult]:
        """A new row with the next free id of its table (never one used before), and its first values.

        The id is chosen after the plan's write lock is taken, so rows added at once by several members never
        collide and nobody has to try again."""
        owner_id = self._check_owner(participant, owner_id)
        if table not in plandoc.ROW_PREFIX:
            raise StoreError(f"okänd tabell i planen: {table[:40]}")
        for column in values or {}:
            plandoc.parse(plandoc.cell_key(table, "X1", column))  # a bad column name is refused before writing
        self._ensure_head(owner_id)
        author = author or participant.display_name
        with Session(self.engine) as s, s.begin():
            rev = self._bump(s, owner_id)
            rows = dict(
                s.execute(
                    select(PlanFieldRow.path, PlanFieldRow.value).where(
                        PlanFieldRow.owner_id == owner_id,
                        PlanFieldRow.path.like(f"{table}[%]"),
                        PlanFieldRow.path.not_like(f"{table}[%].%"),
                    )
                ).all()
            )
            row_id = plandoc.next_row_id(table, [plandoc.parse(p)[1] for p in rows])
            fields = {plandoc.row_key(table, row_id): plandoc.next_position(rows, table)}
            fields.update({plandoc.cell_key(table, row_id, c): v for c, v in (values or {}).items()})
            written = {}
            announce(s, owner_id)
            for path, value in fields.items():
                row = PlanFieldRow(owner_id=owner_id, path=path, value=value, rev=rev, author_id=participant.id,
                                   author=author, updated=now())
                s.add(row)
                written[path] = FieldState(path, value, rev, author, participant.id, row.updated)
        return row_id, WriteResult(rev, written)

    @staticmethod
    def _bump(s: Session, owner_id: int) -> int:
        """The plan's next revision; the first statement of a write, so that writers to one plan take turns."""
        return s.execute(
            update(PlanHeadRow)
            .where(PlanHeadRow.owner_id == owner_id)
            .values(rev=PlanHeadRow.rev + 1, saves=PlanHeadRow.saves + 1, updated=now())
            .returning(PlanHeadRow.rev)
        ).scalar_one()

    def save_draft(
        self,
        participant: Participant,
        data: dict,
        *,
        score: float | None = None,
        missed: list | None = None,
        owner_id: int | None = None,
    ) -> None:
        """Make the plan exactly ``data`` (an import or a whole-plan save: overwrites, so only for one writer)."""
        owner_id = self._check_owner(participant, owner_id)
        self.replace_plan(owner_id, data, participant.id, participant.display_name)
        self.record_assessment(owner_id, self.head_rev(owner_id), score, missed or [])

    def replace_plan(self, owner_id: int, data: dict, author_id: int | None, author: str) -> WriteResult:
        old = {p: f.value for p, f in self._fields(owner_id).fields.items()}
        changes = plandoc.diff(old, plandoc.flatten(data))
        rows = [Edit(p, v, 0) for p, v in changes.items() if plandoc.parse(p)[2] is None]  # rows before their cells
        cells = [Edit(p, v, 0) for p, v in changes.items() if plandoc.parse(p)[2] is not None]
        return self._write(owner_id, rows + cells, author_id, author, force=True)

    def record_assessment(self, owner_id: int, rev: int, score: float | None, missed: list) -> None:
        """The grading of the plan at revision ``rev``; an older grading never replaces a newer one."""
        with Session(self.engine) as s, s.begin():
            s.execute(
                update(PlanHeadRow)
                .where(PlanHeadRow.owner_id == owner_id, PlanHeadRow.assessed_rev <= rev)
                .values(assessed_rev=rev, score=score, missed=list(missed))
            )

    # --- the head row, and stores made before field-level plans --------------------------------------------------
    def _ensure_head(self, owner_id: int) -> None:
        with Session(self.engine) as s:
            if s.get(PlanHeadRow, owner_id) is not None:
                return
            legacy = s.get(LegacyDraftRow, owner_id)
            legacy_data = dict(legacy.data) if legacy is not None else None
        try:
            with Session(self.engine) as s, s.begin():
                s.add(PlanHeadRow(owner_id=owner_id, rev=0, saves=0))
        except IntegrityError:
            return  # another page made it a moment ago
        if legacy_data:
            self.replace_plan(owner_id, legacy_data, None, "")
