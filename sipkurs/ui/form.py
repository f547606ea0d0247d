"""ipywidgets for every plan field (built from sipkurs/ui/fields.py) and the mapping widgets ↔ plan data.

``PlanForm.data()`` returns JSON-ready plan data exactly as typed (it may not be a valid Plan yet: the store keeps it
anyway, so nothing is lost); ``PlanForm.load(data)`` puts a saved draft back into the widgets.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable

import ipywidgets as w

from sipkurs.ui.style import LABEL_STYLE
from sipkurs.ui.fields import NONE_CHOICE, SECTIONS, Field, Table, static_choices

WIDE = w.Layout(width="95%")


def _set_path(target: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def _get_path(source: dict, path: str, default=None):
    for key in path.split("."):
        if not isinstance(source, dict) or key not in source:
            return default
        source = source[key]
    return source


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


class Input:
    """One field's widget and its conversion to and from plan data."""

    def __init__(self, field: Field, label: str | None = None) -> None:
        self.field = field
        label = label or field.label
        kind = field.kind
        common = {"description": label, "style": LABEL_STYLE, "layout": WIDE}
        if kind == "text":
            self.widget = w.Text(placeholder=field.placeholder, continuous_update=True, **common)
        elif kind in ("area", "lines"):
            self.widget = w.Textarea(placeholder=field.placeholder, rows=3, continuous_update=True, **common)
        elif kind == "date":
            self.widget = w.DatePicker(description=label, style=LABEL_STYLE)
        elif kind == "check":
            self.widget = w.Checkbox(description=label, indent=False)
        elif kind == "choice":
            options = static_choices().get(field.choices, (NONE_CHOICE,))
            self.widget = w.Dropdown(options=options, value=options[0][1], **common)
        elif kind == "multi":
            self.widget = w.SelectMultiple(options=(), rows=3, **common)
        else:  # a new kind in fields.py without a widget is a programming error
            raise ValueError(f"unknown field kind {kind}")

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
            self.widget.value = "\n".join(value or [])
        elif kind == "check":
            self.widget.value = bool(value)
        elif kind == "choice":
            value = value or self.widget.options[0][1]
            if value not in [v for _, v in self.widget.options]:  # keep what was saved, even if unknown now
                self.widget.options = (*self.widget.options, (value, value))
            self.widget.value = value
        elif kind == "multi":
            self.set_options(self.widget.options, value or [])
        else:
            self.widget.value = value or ""

    def set_options(self, options, keep=None) -> None:
        """New choices for a link field; keeps the selected values that still exist."""
        keep = list(self.widget.value if keep is None else keep)
        values = [v for _, v in options]
        if self.field.kind == "multi":
            self.widget.options = tuple(options)
            self.widget.value = tuple(v for v in keep if v in values)
        else:
            current = keep[0] if isinstance(keep, list) and keep else self.widget.value
            self.widget.options = (NONE_CHOICE, *options)
            self.widget.value = current if current in values else ""


class Row:
    def __init__(self, table: Table, row_id: str, on_remove: Callable[[Row], None]) -> None:
        self.table = table
        self.id = row_id
        title = f"{table.row_label} {row_id}".strip()
        self.inputs = {f.path: Input(f, f"{f.label} ({row_id})" if row_id else f.label) for f in table.columns}
        self.remove = w.Button(
            description=f"Ta bort {table.row_label.lower()} {row_id}".strip(), icon="trash", layout=w.Layout(width="auto")
        )
        self.remove.on_click(lambda _b: on_remove(self))
        heading = w.HTML(f"<h4>{html.escape(title)}</h4>")  # row ids come from a stored draft: escape them
        self.box = w.VBox([heading, *(i.widget for i in self.inputs.values()), self.remove])
        self.box.add_class("sip-row")

    def get(self) -> dict:
        data = {"id": self.id} if self.table.prefix else {}
        for path, inp in self.inputs.items():
            _set_path(data, path, inp.get())
        return data

    def set(self, data: dict) -> None:
        for path, inp in self.inputs.items():
            value = _get_path(data, path)
            if value is not None:
                inp.set(value)


class TableEditor:
    def __init__(self, table: Table, changed: Callable[[], None]) -> None:
        self.table = table
        self.rows: list[Row] = []
        self._changed = changed
        self.add = w.Button(description=table.add_label or "Lägg till", icon="plus", layout=w.Layout(width="auto"))
        self.add.on_click(lambda _b: self.add_row())
        self.rows_box = w.VBox()
        self.box = w.VBox([w.HTML(f"<h3>{html.escape(table.title)}</h3>"), self.rows_box, self.add])

    def _next_id(self) -> str:
        if not self.table.prefix:
            return ""
        numbers = [int(r.id[len(self.table.prefix):]) for r in self.rows if r.id[len(self.table.prefix):].isdigit()]
        return f"{self.table.prefix}{max(numbers, default=0) + 1}"

    def add_row(self, data: dict | None = None, *, notify: bool = True) -> Row:
        row_id = str((data or {}).get("id") or self._next_id()) if self.table.prefix else ""
        row = Row(self.table, row_id, self.remove_row)
        if data:
            row.set(data)
        self.rows.append(row)
        self.rows_box.children = [r.box for r in self.rows]
        self._changed_inputs(row)
        if notify:
            self._changed()
        return row

    def remove_row(self, row: Row) -> None:
        self.rows.remove(row)
        self.rows_box.children = [r.box for r in self.rows]
        self._changed()

    def _changed_inputs(self, row: Row) -> None:
        for inp in row.inputs.values():
            inp.widget.observe(lambda _c: self._changed(), names="value")

    def get(self) -> list[dict]:
        return [r.get() for r in self.rows]

    def set(self, rows: list[dict]) -> None:
        self.rows = []
        self.rows_box.children = []
        for data in rows or []:
            self.add_row(data, notify=False)


class PlanForm:
    """The whole form. ``on_change`` callbacks run after any edit, row added or row removed."""

    def __init__(self) -> None:
        self._callbacks: list[Callable[[], None]] = []
        self._quiet = False
        self.inputs: dict[str, Input] = {}
        self.tables: dict[str, TableEditor] = {}
        sections = []
        for section in SECTIONS:
            children = [w.HTML(f"<h2>{html.escape(section.title)}</h2>")]
            for part in section.parts:
                if isinstance(part, Table):
                    editor = TableEditor(part, self._changed)
                    self.tables[part.path] = editor
                    children.append(editor.box)
                else:
                    inp = Input(part)
                    inp.widget.observe(lambda _c: self._changed(), names="value")
                    self.inputs[part.path] = inp
                    children.append(inp.widget)
            box = w.VBox(children)
            box.add_class("sip-section")
            sections.append(box)
        self.widget = w.VBox(sections)
        self.widget.add_class("sip-form")
        self._refresh_links()

    def on_change(self, callback: Callable[[], None]) -> None:
        self._callbacks.append(callback)

    def _changed(self) -> None:
        if self._quiet:
            return
        self._refresh_links()
        for callback in self._callbacks:
            callback()

    def _link_options(self, table: str) -> list[tuple[str, str]]:
        options = []
        for row in self.tables[table].rows:
            text = " ".join(str(row.inputs["text"].get()).split())
            short = text if len(text) <= 40 else text[:39] + "…"
            options.append((f"{row.id}: {short}" if short else row.id, row.id))
        return options

    def _refresh_links(self) -> None:
        """Efforts link to needs and goals, sub-goals to goals: their choices follow what is written."""
        quiet, self._quiet = self._quiet, True
        try:
            choices = {"needs": self._link_options("needs"), "goals": self._link_options("goals")}
            for editor in self.tables.values():
                for row in editor.rows:
                    for inp in row.inputs.values():
                        if inp.field.choices in choices:
                            options = [o for o in choices[inp.field.choices] if o[1] != row.id]
                            current = [tuple(o) for o in inp.widget.options if o[1]]
                            if options != current:
                                inp.set_options(options)
        finally:
            self._quiet = quiet

    def data(self) -> dict:
        """The plan data as typed: every field of the form, JSON-ready."""
        data: dict = {}
        for path, inp in self.inputs.items():
            _set_path(data, path, inp.get())
        for path, editor in self.tables.items():
            data[path] = editor.get()
        closure = data.get("closure") or {}
        if not closure.get("date") and not closure.get("reason"):
            data["closure"] = None
        return data

    def load(self, data: dict) -> None:
        """Show a saved draft; fields the draft lacks keep their empty defaults."""
        self._quiet = True
        try:
            for path, editor in self.tables.items():
                editor.set(_get_path(data, path) or [])
            self._quiet = True
            self._refresh_links()
            for path, inp in self.inputs.items():
                value = _get_path(data, path)
                if value is not None:
                    inp.set(value)
            for editor in self.tables.values():  # link fields again, now that every option exists
                for row, row_data in zip(editor.rows, _get_path(data, editor.table.path) or [], strict=False):
                    row.set(row_data)
        finally:
            self._quiet = False
