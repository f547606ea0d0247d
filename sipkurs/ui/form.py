"""ipywidgets for every plan field (built from sipkurs/ui/fields.py), addressed by the paths of sipkurs.plandoc.

The form only shows and reports: ``on_edit(path, value)`` fires when the participant changes a field, ``on_add_row`` /
``on_remove_row`` when they add or remove a row, ``on_resolve`` when they settle a conflict. ``apply(path, value)``
shows a value that came from elsewhere (the store, another member) without reporting it back. Who changed a field
last and conflicts are shown next to the field they concern. Without a store (tests, previews) rows get local ids.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from sipkurs import plandoc
from sipkurs.ui.fields import NONE_CHOICE, SECTIONS, Field, Table, static_choices

FULL = w.Layout(width="100%")


def field_class(path: str) -> str:
    """The CSS class that names a field on the page (stable across reloads; the page script keys drafts by it)."""
    return "sip-k-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


class CheckList:
    """A multiple choice as checkboxes (no Ctrl-click): the value is the tuple of ticked option values."""

    def __init__(self, label: str, context: str = "") -> None:
        self.label = label
        self.context = context  # appended to each option, so that every checkbox on the page has its own name
        self.heading = w.HTML(f'<span class="sip-checklist-label">{html.escape(label)}</span>')
        self.empty = w.HTML('<span class="sip-hint">Inget att välja än.</span>')
        self.boxes: dict[str, w.Checkbox] = {}
        self.box = w.VBox([self.heading, self.empty])
        self.box.add_class("sip-checklist")
        self._value: tuple[str, ...] = ()
        self._observers: list[Callable[[], None]] = []
        self._quiet = False

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(v for v in self._value if v in self.boxes)

    @value.setter
    def value(self, values) -> None:
        self._value = tuple(values or ())
        self._quiet = True
        try:
            for v, cb in self.boxes.items():
                cb.value = v in self._value
        finally:
            self._quiet = False

    def set_options(self, options: list[tuple[str, str]]) -> None:
        """New choices; ticked values that still exist stay ticked (and ones that vanish come back with their row)."""
        wanted = dict((v, label) for label, v in options)
        for v in [v for v in self.boxes if v not in wanted]:
            del self.boxes[v]
        for v, label in wanted.items():
            description = f"{label} ({self.context})" if self.context else label
            if v in self.boxes:
                if self.boxes[v].description != description:
                    self.boxes[v].description = description
                continue
            cb = w.Checkbox(value=v in self._value, description=description, indent=False, layout=FULL)
            cb.observe(lambda change, v=v: self._ticked(v, change["new"]), names="value")
            self.boxes[v] = cb
        children = [self.heading, *(self.boxes[v] for v in wanted)] if wanted else [self.heading, self.empty]
        if list(self.box.children) != children:
            self.box.children = children

    def _ticked(self, v: str, on: bool) -> None:
        if self._quiet:
            return
        rest = tuple(x for x in self._value if x != v)
        self._value = (*rest, v) if on else rest
        for callback in self._observers:
            callback()

    def observe(self, callback: Callable[[], None]) -> None:
        self._observers.append(callback)


class Input:
    """One field's widget, its conversion to and from plan values, and the notes shown under it."""

    def __init__(self, path: str, field: Field, label: str, context: str = "") -> None:
        self.path = path
        self.field = field
        kind = field.kind
        common = {"description": label, "layout": FULL}
        if kind == "text":
            self.widget = w.Text(placeholder=field.placeholder, continuous_update=True, **common)
        elif kind in ("area", "lines"):
            self.widget = w.Textarea(placeholder=field.placeholder, rows=3, continuous_update=True, **common)
        elif kind == "date":
            self.widget = w.DatePicker(**common)
        elif kind == "check":
            self.widget = w.Checkbox(description=label, indent=False, layout=FULL)
        elif kind == "choice":
            options = static_choices().get(field.choices, (NONE_CHOICE,))
            self.widget = w.Dropdown(options=options, value=options[0][1], **common)
        elif kind == "multi":
            self.widget = CheckList(label, context)
        else:  # a new kind in fields.py without a widget is a programming error
            raise ValueError(f"unknown field kind {kind}")
        element = self.widget.box if kind == "multi" else self.widget
        element.add_class(field_class(path))
        self.note = w.HTML()
        self.extra: list[w.Widget] = []
        self.box = w.VBox([element])
        self.box.add_class("sip-field")

    def observe(self, callback: Callable[[], None]) -> None:
        if self.field.kind == "multi":
            self.widget.observe(callback)
        else:
            self.widget.observe(lambda _c: callback(), names="value")

    def get(self):
        value = self.widget.value
        kind = self.field.kind
        if kind == "date":
            return value.isoformat() if value else None
        if kind == "lines":
            return [line.strip() for line in value.splitlines() if line.strip()]
        if kind == "multi":
            return list(value)
        return value

    def set(self, value) -> None:
        kind = self.field.kind
        if kind == "date":
            self.widget.value = _date(value)
        elif kind == "lines":
            lines = value if isinstance(value, list) else []
            if self.get() != lines:  # the same lines typed with blank lines between: leave the text alone
                self.widget.value = "\n".join(str(x) for x in lines)
        elif kind == "check":
            self.widget.value = bool(value)
        elif kind == "choice":
            value = value if isinstance(value, str) else ""
            if value not in [v for _, v in self.widget.options]:  # keep what was saved, even if unknown now
                self.widget.options = (*self.widget.options, (value, value))
            self.widget.value = value
        elif kind == "multi":
            self.widget.value = value if isinstance(value, list | tuple) else ()
        else:
            self.widget.value = value if isinstance(value, str) else ""

    def set_options(self, options: list[tuple[str, str]]) -> None:
        """New choices for a link field; the chosen value stays, even while its row is away."""
        if self.field.kind == "multi":
            self.widget.set_options(options)
            return
        current = self.widget.value
        new = (NONE_CHOICE, *options)
        if tuple(self.widget.options) != new:
            values = [v for _, v in new]
            self.widget.options = new if current in values else (*new, (f"{current} (borttaget)", current))
            self.widget.value = current

    def show(self, *, note: str | None = None, extra: list[w.Widget] | None = None) -> None:
        """Set the line under the field (who changed it) and any panel below it (a conflict)."""
        if note is not None:
            self.note.value = note
        replaced = []
        if extra is not None:
            replaced = [x for x in self.extra if x not in extra]
            self.extra = extra
        element = self.widget.box if self.field.kind == "multi" else self.widget
        children = [element, *([self.note] if self.note.value else []), *self.extra]
        if list(self.box.children) != children:
            self.box.children = children
        for panel in replaced:  # a settled or renewed conflict's panel: its widgets would live on in the kernel
            _close_tree(panel)


def _close_tree(widget: w.Widget) -> None:
    for child in getattr(widget, "children", ()):
        _close_tree(child)
    widget.close()


class Row:
    def __init__(self, table: Table, row_id: str, on_remove: Callable[[Row], None]) -> None:
        self.table = table
        self.id = row_id
        self.inputs = {
            f.path: Input(plandoc.cell_key(table.path, row_id, f.path), f, f"{f.label} ({row_id})", row_id)
            for f in table.columns
        }
        self.remove = w.Button(
            description=f"Ta bort {table.row_label.lower()} {row_id}", icon="trash", layout=w.Layout(width="auto")
        )
        self.remove.on_click(lambda _b: on_remove(self))
        heading = w.HTML(f"<h4>{html.escape(f'{table.row_label} {row_id}')}</h4>")  # ids come from the store: escape
        self.notice = w.VBox()
        self.box = w.VBox([heading, self.notice, *(i.box for i in self.inputs.values()), self.remove])
        self.box.add_class("sip-row")

    def hide(self, hidden: bool) -> None:
        self.box.layout.display = "none" if hidden else None


class TableEditor:
    def __init__(self, table: Table, form: PlanForm) -> None:
        self.table = table
        self.form = form
        self.rows: dict[str, Row] = {}
        self.hidden: set[str] = set()
        self.add = w.Button(description=table.add_label or "Lägg till", icon="plus", layout=w.Layout(width="auto"))
        self.add.on_click(lambda _b: form.request_row(table.path))
        self.rows_box = w.VBox()
        self.box = w.VBox([w.HTML(f"<h3>{html.escape(table.title)}</h3>"), self.rows_box, self.add])

    def row(self, row_id: str) -> Row:
        """The row with this id, made (at the end, so nobody's view of earlier rows is rebuilt) if new."""
        if row_id not in self.rows:
            row = Row(self.table, row_id, lambda r: self.form.remove_row(self.table.path, r.id))
            for column, inp in row.inputs.items():
                inp.observe(lambda column=column, inp=inp: self.form.edited(inp.path))
            self.rows[row_id] = row  # new rows go last: nobody's view of the rows above is rebuilt
            self.rows_box.children = [r.box for r in self.rows.values()]
        return self.rows[row_id]

    def live_ids(self) -> list[str]:
        return [r for r in self.rows if r not in self.hidden]

    def set_live(self, row_id: str, live: bool) -> None:
        row = self.row(row_id)
        (self.hidden.discard if live else self.hidden.add)(row_id)
        row.hide(not live)


class PlanForm:
    """The whole form. Report edits to ``on_edit``; show values from elsewhere with ``apply``."""

    def __init__(self) -> None:
        self.on_edit: Callable[[str, Any], None] | None = None
        self.on_add_row: Callable[[str], str] | None = None  # table → new row id (from the store)
        self.on_remove_row: Callable[[str, str], None] | None = None
        self._quiet = 0
        self.inputs: dict[str, Input] = {}
        self.tables: dict[str, TableEditor] = {}
        sections = []
        for section in SECTIONS:
            children = [w.HTML(f"<h2>{html.escape(section.title)}</h2>")]
            for part in section.parts:
                if isinstance(part, Table):
                    editor = TableEditor(part, self)
                    self.tables[part.path] = editor
                    children.append(editor.box)
                else:
                    inp = Input(part.path, part, part.label)
                    inp.observe(lambda path=part.path: self.edited(path))
                    self.inputs[part.path] = inp
                    children.append(inp.box)
            box = w.VBox(children)
            box.add_class("sip-section")
            sections.append(box)
        self.widget = w.VBox(sections)
        self.widget.add_class("sip-form")
        self._refresh_links()

    # --- finding inputs ---------------------------------------------------------------------------------------
    def input(self, path: str) -> Input | None:
        table, row, column = plandoc.parse(path)
        if table is None:
            return self.inputs.get(path)
        if column is None or table not in self.tables:
            return None
        return self.tables[table].row(row).inputs.get(column)

    # --- what the participant does ----------------------------------------------------------------------------
    def edited(self, path: str) -> None:
        if self._quiet:
            return
        inp = self.input(path)
        self._refresh_links()
        if self.on_edit is not None and inp is not None:
            self.on_edit(path, inp.get())

    def request_row(self, table: str, data: dict | None = None) -> Row:
        """Add a row: its id from the store (``on_add_row``), or the next local one without a store."""
        editor = self.tables[table]
        row_id = self.on_add_row(table) if self.on_add_row else plandoc.next_row_id(table, editor.rows)
        with self.quiet():
            row = editor.row(row_id)
            editor.set_live(row_id, True)
            for column, value in (data or {}).items():
                if column in row.inputs:
                    row.inputs[column].set(value)
        self._refresh_links()
        return row

    def remove_row(self, table: str, row_id: str) -> None:
        self.tables[table].set_live(row_id, False)
        self._refresh_links()
        if self.on_remove_row is not None:
            self.on_remove_row(table, row_id)

    # --- showing values from elsewhere ------------------------------------------------------------------------
    def quiet(self):
        form = self

        class _Quiet:
            def __enter__(self):
                form._quiet += 1

            def __exit__(self, *exc):
                form._quiet -= 1

        return _Quiet()

    def apply(self, path: str, value: Any) -> None:
        """Show a value of one path (a field, a cell, or a row's existence) without reporting it as an edit."""
        table, row, column = plandoc.parse(path)
        with self.quiet():
            if table is not None and column is None:
                if table in self.tables:
                    self.tables[table].set_live(row, plandoc.is_live(value))
            else:
                inp = self.input(path)
                if inp is not None:
                    inp.set(value)
        self._refresh_links()

    def load_values(self, values: dict[str, Any]) -> None:
        """Show a whole plan given as {path: value}: rows first, so that links find their rows."""
        rows = {p: v for p, v in values.items() if plandoc.parse(p)[0] is not None and plandoc.parse(p)[2] is None}
        with self.quiet():
            for table in self.tables:  # in the plan's order, so that each table lists its rows as the plan does
                for row_id in plandoc.live_rows(rows, table):
                    self.apply(plandoc.row_key(table, row_id), rows[plandoc.row_key(table, row_id)])
            for path, value in rows.items():
                if not plandoc.is_live(value):
                    self.apply(path, value)
            self._refresh_links()
            for path, value in values.items():
                if path not in rows:
                    self.apply(path, value)
        self._refresh_links()

    def load(self, data: dict) -> None:
        """Show saved plan data; fields the data lacks keep their empty defaults."""
        self.load_values(plandoc.flatten(data))

    # --- reading ----------------------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """Every field, cell and row of the form as {path: value}."""
        out: dict[str, Any] = {path: inp.get() for path, inp in self.inputs.items()}
        for table, editor in self.tables.items():
            for position, (row_id, row) in enumerate(editor.rows.items(), start=1):
                out[plandoc.row_key(table, row_id)] = position if row_id not in editor.hidden else -position
                for inp in row.inputs.values():
                    out[inp.path] = inp.get()
        return out

    def data(self) -> dict:
        """The plan data as shown: every field of the form, JSON-ready (links to removed rows left out)."""
        return plandoc.assemble(self.values())

    # --- links between rows -----------------------------------------------------------------------------------
    def _link_options(self, table: str) -> list[tuple[str, str]]:
        editor = self.tables[table]
        options = []
        for row_id in editor.live_ids():
            text = " ".join(str(editor.rows[row_id].inputs["text"].get()).split())
            short = text if len(text) <= 40 else text[:39] + "…"
            options.append((f"{row_id}: {short}" if short else row_id, row_id))
        return options

    def _refresh_links(self) -> None:
        """Efforts link to needs and goals, sub-goals to goals: their choices follow what is written, and what was
        chosen stays chosen."""
        with self.quiet():
            choices = {"needs": self._link_options("needs"), "goals": self._link_options("goals")}
            for editor in self.tables.values():
                for row in editor.rows.values():
                    for inp in row.inputs.values():
                        if inp.field.choices in choices:
                            inp.set_options([o for o in choices[inp.field.choices] if o[1] != row.id])
