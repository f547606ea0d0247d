"""A plan as separately editable fields: the unit of live co-editing, revisions and conflicts.

Plan data (graders.plan.Plan as JSON) is split into *paths*, each holding one value the store versions on its own:

- a field outside tables: its dotted path, e.g. ``consent.scope`` or ``concerns.guardians`` (a list is one value);
- a table row's existence and place: ``needs[B3]`` holding its position (1, 2, …), or minus that once the row is
  deleted (kept, so that it can be restored where it was);
- a cell of a row: ``needs[B3].text``, ``efforts[I2].needs``.

Every row has a stable id (B1, M2, I3 …, handed out by the store), so rows added at the same time by different
members never collide, and links between rows (an effort's needs and goals, a sub-goal's parent) keep pointing at the
right row. Tables whose rows have no id in the plan format (participants, own actions, contacts) get ids here too;
``assemble`` leaves them out again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# Row-id prefixes: one letter per table, as on the SIP templates (Behov, Mål, Insats …).
ROW_PREFIX = {
    "participants": "D",
    "needs": "B",
    "goals": "M",
    "efforts": "I",
    "own_actions": "E",
    "contacts": "K",
}
PUBLIC_IDS = frozenset({"needs", "goals", "efforts"})  # tables whose ids are part of the plan (links point at them)
# Cells that link to rows of another table: (table, column) → the table linked to.
LINKS = {("efforts", "needs"): "needs", ("efforts", "goals"): "goals", ("goals", "parent"): "goals"}
APP_FIELDS = frozenset({"format", "version", "scenario_id", "authors", "updated", "group"})  # set by the app, not typed

ROW_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_ROW = re.compile(r"^(?P<table>[a-z_]+)\[(?P<row>[A-Za-z0-9_-]{1,40})\](?:\.(?P<column>[a-z_.]+))?$")
_SCALAR = re.compile(r"^[a-z_]+(\.[a-z_]+)*$")
MAX_PATH = 120


class BadPath(ValueError):
    pass


def row_key(table: str, row_id: str) -> str:
    return f"{table}[{row_id}]"


def cell_key(table: str, row_id: str, column: str) -> str:
    return f"{table}[{row_id}].{column}"


def parse(path: str) -> tuple[str | None, str | None, str | None]:
    """(table, row id, column) of a cell, (table, row id, None) of a row, (None, None, None) of a field outside
    tables. Raises BadPath for anything else."""
    if len(path) > MAX_PATH:
        raise BadPath(path[:40])
    m = _ROW.match(path)
    if m:
        if m["table"] not in ROW_PREFIX:
            raise BadPath(path)
        return m["table"], m["row"], m["column"]
    if _SCALAR.match(path) and path.split(".")[0] not in ROW_PREFIX and path.split(".")[0] not in APP_FIELDS:
        return None, None, None
    raise BadPath(path)


def is_live(value: Any) -> bool:
    """Whether a row's value says it exists (a positive position; True from older data)."""
    return value is True or (isinstance(value, int) and not isinstance(value, bool) and value > 0)


def deleted(value: Any) -> Any:
    """The value of a row once deleted: its position, negated (so a restore puts it back where it was)."""
    return -abs(value) if isinstance(value, int) and not isinstance(value, bool) and value else False


def restored(value: Any) -> Any:
    return abs(value) if isinstance(value, int) and not isinstance(value, bool) and value else True


def _order(row_id: str, value: Any) -> tuple[int, int]:
    pos = abs(value) if isinstance(value, int) and not isinstance(value, bool) else row_number(row_id)
    return pos, row_number(row_id)


def row_number(row_id: str) -> int:
    digits = row_id[1:]
    return int(digits) if digits.isdigit() else 0


def next_row_id(table: str, existing: Iterable[str]) -> str:
    """The next id of a table: one more than the highest ever used, so a deleted row's id is never reused."""
    return f"{ROW_PREFIX[table]}{max((row_number(r) for r in existing), default=0) + 1}"


def _walk(value: Any, prefix: str, out: dict[str, Any]) -> None:
    for key, item in value.items():
        path = f"{prefix}.{key}" if prefix else key
        if not prefix and key in APP_FIELDS:
            continue
        if not prefix and key in ROW_PREFIX:
            _rows(key, item or [], out)
        elif isinstance(item, dict):
            _walk(item, path, out)
        elif item is not None or prefix:
            out[path] = item


def _rows(table: str, rows: list, out: dict[str, Any]) -> None:
    used: list[str] = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        row_id = str(row.get("id") or "") if table in PUBLIC_IDS else ""
        if not ROW_ID.match(row_id) or row_key(table, row_id) in out:  # missing, odd or repeated: a fresh id
            row_id = next_row_id(table, used)
        used.append(row_id)
        out[row_key(table, row_id)] = len(used)
        for column, value in row.items():
            if column != "id":
                _cells(table, row_id, column, value, out)


def _cells(table: str, row_id: str, column: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _cells(table, row_id, f"{column}.{key}", item, out)
    else:
        out[cell_key(table, row_id, column)] = value


def flatten(data: Mapping[str, Any]) -> dict[str, Any]:
    """Plan data → {path: value}. Rows without an id (or with a duplicate one) get the next free id."""
    out: dict[str, Any] = {}
    _walk(dict(data), "", out)
    return out


def _set(target: dict, dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    for key in parents:
        nxt = target.get(key)
        if not isinstance(nxt, dict):
            nxt = target[key] = {}
        target = nxt
    target[last] = value


def live_rows(fields: Mapping[str, Any], table: str) -> list[str]:
    """The ids of a table's rows that exist (not deleted), in their order."""
    rows = {}
    for path, value in fields.items():
        t, row, column = _split(path)
        if t == table and column is None and is_live(value):
            rows[row] = _order(row, value)
    return sorted(rows, key=rows.get)


def next_position(fields: Mapping[str, Any], table: str) -> int:
    """Where a new row goes: after every row the table has had."""
    positions = [_order(r, v)[0] for p, v in fields.items() for t, r, c in [_split(p)] if t == table and c is None]
    return max(positions, default=0) + 1


def _split(path: str) -> tuple[str | None, str | None, str | None]:
    try:
        return parse(path)
    except BadPath:
        return "", None, None  # neither a table nor a field: ignored


def assemble(fields: Mapping[str, Any]) -> dict[str, Any]:
    """{path: value} → plan data, tables in the order rows were added, deleted rows left out."""
    data: dict[str, Any] = {}
    rows: dict[str, dict[str, dict]] = {t: {} for t in ROW_PREFIX}
    order: dict[tuple[str, str], tuple[int, int]] = {}
    for path, value in fields.items():
        table, row, column = _split(path)
        if table is None:
            if value is not None:  # None is "not given": the plan's default applies
                _set(data, path, value)
        elif table and column is None and is_live(value):
            rows[table].setdefault(row, {})
            order[table, row] = _order(row, value)
    for path, value in fields.items():
        table, row, column = _split(path)
        if table and column is not None and row in rows[table] and value is not None:
            _set(rows[table][row], column, value)
    for (table, column), target in LINKS.items():  # a link to a deleted row is dropped; restoring the row restores it
        for cells in rows[table].values():
            if isinstance(cells.get(column), list):
                cells[column] = [r for r in cells[column] if r in rows[target]]
            elif column in cells and cells[column] not in rows[target]:
                cells[column] = ""
    for table, by_id in rows.items():
        if not by_id:
            continue  # an empty table is the plan's default
        ordered = sorted(by_id, key=lambda r: order[table, r])
        data[table] = [({"id": r} if table in PUBLIC_IDS else {}) | by_id[r] for r in ordered]
    closure = data.get("closure")
    if isinstance(closure, dict) and not closure.get("date") and not closure.get("reason"):
        data["closure"] = None
    return data


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """The paths whose value differs (a path missing from ``new`` counts as None, or False for a row)."""
    out = {p: v for p, v in new.items() if old.get(p) != v}
    for p in old:
        if p not in new:
            table, _, column = _split(p)
            out[p] = deleted(old[p]) if table and column is None else None
    return out


# --- sizes ------------------------------------------------------------------------------------------------------------
def _constraint(annotation, name: str) -> int | None:
    """A length constraint (``max_length``) found in an annotation or in what it wraps."""
    from typing import get_args

    for meta in getattr(annotation, "__metadata__", ()) or ():
        if getattr(meta, name, None) is not None:
            return getattr(meta, name)
    for arg in get_args(annotation):
        found = _constraint(arg, name)
        if found is not None:
            return found
    return None


@lru_cache(maxsize=512)
def max_length(path: str) -> int | None:
    """How many characters the plan format allows in this field (for a list of texts: in each line)."""
    from typing import get_args, get_origin

    from pydantic import BaseModel

    from graders.plan import Plan

    table, _, column = parse(path)
    names = path.split(".") if table is None else [table, *(column or "").split(".")]
    model: type[BaseModel] | None = Plan
    for i, name in enumerate(names):
        info = model.model_fields.get(name) if model else None
        if info is None:
            return None
        annotation = info.annotation
        if i == len(names) - 1:
            if get_origin(annotation) is list:  # a list of texts: the limit of each item
                return _constraint(get_args(annotation)[0], "max_length")
            return next((m.max_length for m in info.metadata if getattr(m, "max_length", None)), None) or _constraint(
                annotation, "max_length"
            )
        candidates = [annotation, *get_args(annotation), *(a for x in get_args(annotation) for a in get_args(x))]
        model = next((c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return None
