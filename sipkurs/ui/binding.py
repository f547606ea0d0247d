"""Wires the plan form to a LivePlan: edits go to the store, others' changes and conflicts come back to the form.

It shows what sipkurs.live reports and keeps no plan state of its own: who changed a field last, a conflict with
both texts and the three ways out, a row that someone deleted while this page was writing in it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

import ipywidgets as w

from sipkurs import plandoc
from sipkurs.live import Conflict, LivePlan, LiveSync, RowGone
from sipkurs.store import FieldState
from sipkurs.templating import local_time
from sipkurs.ui.form import PlanForm


def _text(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "(tomt)"
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(tomt)"
    return str(value)


class FormBinding:
    """Listener of a LivePlan (see sipkurs.live.Listener) and the form's callbacks."""

    def __init__(
        self,
        form: PlanForm,
        live: LivePlan,
        sync: LiveSync,
        *,
        show_authors: bool,
        changed: Callable[[], None],
    ) -> None:
        self.form = form
        self.live = live
        self.sync = sync
        self.show_authors = show_authors
        self.changed = changed
        self.last_saved = None
        self.too_long: set[str] = set()
        self.guard = w.HTML()  # markers for the page's draft guard: which texts are stored (sipkurs.serving.draftguard)
        self._markers: dict[str, str] = {}  # fields whose text is over the limit: kept on the page, not saved
        # Where the guard hands back text kept from an earlier page (a JSON list of {"k": field class, "v": text}, all
        # so far): not an edit typed on top of what this page shows, so it goes through LivePlan.edit_kept.
        self.kept = w.Text(layout=w.Layout(display="none"), continuous_update=True)
        self.kept.add_class("sip-kept")
        self.kept.observe(lambda change: self.restore_kept(change["new"]), names="value")
        self._kept_done: set[tuple[str, str]] = set()
        form.on_edit = self.edited
        form.on_add_row = self.add_row
        form.on_remove_row = self.remove_row
        live.listen(self)

    def start(self) -> None:
        """Show the plan as the store has it, with who wrote what."""
        values = self.live.load()
        self.form.load_values(values)
        self._mark(list(self.live.known.values()))
        if self.show_authors:
            for path in values:
                self._attribute(path)

    # --- this page's actions ------------------------------------------------------------------------------------
    def edited(self, path: str, value: Any) -> None:
        if not self._within_limit(path, value):
            self.changed()
            return
        self.live.edit(path, value)
        self.sync.edited()
        self.changed()

    def restore_kept(self, message: str) -> None:
        """Texts the page's guard kept in the browser from an earlier page (see sipguard.js): each is shown in its
        field and saved, unless someone else wrote the field since, which makes a conflict with both texts."""
        try:
            kept = json.loads(message)
        except ValueError:
            return  # not from the guard: nothing to restore
        for item in kept[:200] if isinstance(kept, list) else []:
            key, text = (item.get("k"), item.get("v")) if isinstance(item, dict) else (None, None)
            if isinstance(key, str) and isinstance(text, str) and (key, text) not in self._kept_done:
                self._kept_done.add((key, text))
                self._restore_one(key, text)

    def _restore_one(self, key: str, text: str) -> None:
        from sipkurs.ui.form import field_class

        path = next((p for p in self.form.values() if field_class(p) == key), None)
        inp = self.form.input(path) if path is not None else None
        if inp is None or inp.field.kind not in ("text", "area", "lines", "date"):
            return
        with self.form.quiet():
            if inp.field.kind == "date":
                inp.set(text)
            else:
                inp.widget.value = text
        value = inp.get()
        if not self._within_limit(path, value):
            self.changed()
            return
        self.live.edit_kept(path, value)
        self.sync.edited()
        self.changed()

    def _within_limit(self, path: str, value: Any) -> bool:
        """Texts over the plan format's limit are not saved: the field says so (and counts) until it is shortened."""
        limit = plandoc.max_length(path)
        inp = self.form.input(path)
        if limit is None or inp is None:
            return True
        lengths = [len(v) for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]
        longest = max(lengths, default=0)
        was_long = path in self.too_long
        if longest > limit:
            self.too_long.add(path)
            where = "en rad" if isinstance(value, list) else "texten"
            inp.show(note=f'<p class="sip-limit" role="alert">För lång text: {where} har {longest:,} tecken, högst '
                          f"{limit:,} får plats. Korta den så sparas den – inget av det du skrivit är sparat sedan "
                          "den blev för lång.</p>".replace(",", " "))
            return False
        self.too_long.discard(path)
        if longest > 0.8 * limit:
            inp.show(note=f'<p class="sip-hint">{longest:,} av {limit:,} tecken.</p>'.replace(",", " "))
        elif was_long or "sip-limit" in inp.note.value or "tecken.</p>" in inp.note.value:
            inp.show(note="")
            self._attribute(path)
        return True

    def add_row(self, table: str) -> str:
        row_id = self.live.add_row(table)
        self.changed()
        return row_id

    def remove_row(self, table: str, row_id: str) -> None:
        self.live.delete_row(table, row_id)
        self.changed()

    # --- what the LivePlan reports ------------------------------------------------------------------------------
    def remote_change(self, state: FieldState) -> None:
        self.form.apply(state.path, state.value)
        self._attribute(state.path)
        self._mark([state])
        self.changed()

    def saved(self, states: list[FieldState]) -> None:
        self.last_saved = local_time()
        for state in states:
            self._attribute(state.path)
        self._mark(states)

    def _mark(self, states) -> None:
        """Tell the page's guard which texts are now in the store, so it can forget its own copy of them."""
        from sipkurs.serving.draftguard import saved_marker
        from sipkurs.ui.form import field_class

        for state in states:
            inp = self.form.input(state.path) if plandoc.parse(state.path)[2] or not plandoc.parse(state.path)[0] else None
            if inp is None or inp.field.kind not in ("text", "area", "lines"):
                continue
            text = "\n".join(state.value) if isinstance(state.value, list) else str(state.value or "")
            self._markers.pop(state.path, None)
            self._markers[state.path] = saved_marker(field_class(state.path), text)
            while len(self._markers) > 40:  # the latest are enough: the guard compares as saves arrive
                self._markers.pop(next(iter(self._markers)))
        html = "".join(self._markers.values())
        if self.guard.value != html:
            self.guard.value = html

    def conflict(self, c: Conflict) -> None:
        inp = self.form.input(c.path)
        if inp is None:
            return
        label = inp.field.label
        who = html.escape(c.theirs.author or "någon annan")
        texts = (
            f'<div class="sip-conflict" role="alert"><p><strong>{who} ändrade också fältet ”{html.escape(label)}”'
            " medan du skrev.</strong> Båda texterna finns kvar här tills du väljer.</p>"
            f'<p class="sip-theirs"><span>Deras text:</span> {html.escape(_text(c.theirs.value))}</p>'
            f'<p class="sip-mine"><span>Din text:</span> {html.escape(_text(c.mine))}</p></div>'
        )
        buttons = [
            self._button(f"Behåll min text ({label})", lambda: self.resolve(c.path, "mine")),
            self._button(f"Behåll deras text ({label})", lambda: self.resolve(c.path, "theirs")),
        ]
        if isinstance(c.mine, str) and isinstance(c.theirs.value, str):
            buttons.append(self._button(f"Slå ihop själv ({label})", lambda: self.resolve(c.path, "merged")))
        inp.show(extra=[w.HTML(texts), w.HBox(buttons)])
        self.changed()

    def resolve(self, path: str, choice: str) -> None:
        c = self.live.conflicts.get(path)
        if c is None:
            return
        merged = None
        if choice == "merged":
            merged = f"{c.mine}\n\n{c.theirs.value}".strip()
        value = self.live.resolve(path, choice, merged)
        self.form.apply(path, value)
        inp = self.form.input(path)
        if inp is not None:
            inp.show(extra=[])
            if choice == "merged":
                inp.show(note='<p class="sip-hint">Båda texterna står nu i fältet: redigera dem till en.</p>')
        self.sync.edited()
        self.changed()

    def row_gone(self, gone: RowGone) -> None:
        table, row_id, _ = plandoc.parse(gone.path)
        editor = self.form.tables.get(table)
        if editor is None:
            return
        row = editor.row(row_id)
        editor.set_live(row_id, True)  # keep it on screen until this member decides
        who = html.escape(gone.row.author or "någon annan")
        texts = [
            f"{html.escape(row.inputs[plandoc.parse(p)[2]].field.label)}: {html.escape(_text(g.value))}"
            for p, g in self.live.gone.items()
            if p.startswith(plandoc.row_key(table, row_id) + ".") and plandoc.parse(p)[2] in row.inputs
        ]
        notice = w.HTML(
            f'<div class="sip-conflict" role="alert"><p><strong>{who} tog bort {html.escape(row.table.row_label.lower())}'
            f" {html.escape(row_id)} medan du skrev i den.</strong> Din ändring är inte sparad:</p>"
            + "".join(f"<p>{t}</p>" for t in texts) + "</div>"
        )
        row.notice.children = [
            notice,
            w.HBox([
                self._button(f"Återställ raden {row_id}", lambda: self._restore(table, row_id)),
                self._button(f"Låt raden {row_id} vara borttagen", lambda: self._drop(table, row_id)),
            ]),
        ]
        self.changed()

    def _restore(self, table: str, row_id: str) -> None:
        self.form.tables[table].rows[row_id].notice.children = []
        self.live.restore_row(table, row_id)
        self.changed()

    def _drop(self, table: str, row_id: str) -> None:
        editor = self.form.tables[table]
        editor.rows[row_id].notice.children = []
        self.live.drop_gone(table, row_id)
        self.form.apply(plandoc.row_key(table, row_id), False)
        self.changed()

    # --- helpers ------------------------------------------------------------------------------------------------
    def _attribute(self, path: str) -> None:
        if not self.show_authors:
            return
        state = self.live.who(path)
        table, _, column = plandoc.parse(path)
        inp = None if table and column is None else self.form.input(path)
        if inp is None or state is None or not state.author:
            return
        when = local_time(state.updated).strftime("%H:%M") if state.updated else ""
        inp.show(note=f'<p class="sip-who">Senast ändrat av {html.escape(state.author)} kl. {when}</p>')

    @staticmethod
    def _button(label: str, action: Callable[[], None]) -> w.Button:
        button = w.Button(description=label, layout=w.Layout(width="auto"))
        button.on_click(lambda _b: action())
        return button

    def status(self) -> str:
        """One line on saving: never "Sparat" for anything that is not in the store."""
        live = self.live
        if live.conflicts:
            return "Två texter står mot varandra – välj vilken som gäller (se markerade fält)."
        if live.gone:
            return "En rad du skrev i har tagits bort – välj om den ska återställas."
        if self.too_long:
            return "Inte sparat: en text är för lång (se det markerade fältet)."
        if live.failing:
            return "Kunde inte spara just nu. Det du skrivit finns kvar här; sidan försöker igen."
        if live.pending:
            return "Sparar …"
        if self.last_saved is not None:
            return f"Sparat kl. {self.last_saved:%H:%M:%S}."
        return "Inga ändringar än."
