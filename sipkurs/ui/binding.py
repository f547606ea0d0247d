"""Wires the plan form to a LivePlan: edits go to the store, others' changes and conflicts come back to the form.

It shows what sipkurs.live reports and keeps no plan state of its own: who changed a field last, a conflict with
both texts and the three ways out, a row that someone deleted while this page was writing in it.
"""

from __future__ import annotations

import hashlib
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


MAX_KEPT_ITEMS = 400  # kept texts one page takes back (a plan has far fewer fields)
MAX_KEPT_MESSAGE = 2_000_000  # characters of one message from the guard
MAX_MARKERS = 60  # the latest saved markers on the page: the guard compares as they arrive


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
        self._markers: dict[str, str] = {}  # path → the saved marker of its stored text (the latest MAX_MARKERS)
        # Where the guard hands back text kept from an earlier page (a JSON list of {"k": field class, "v": text}, all
        # so far): not an edit typed on top of what this page shows, so it goes through LivePlan.edit_kept.
        self.kept = w.Text(layout=w.Layout(display="none"), continuous_update=True)
        self.kept.add_class("sip-kept")
        self.kept.observe(lambda change: self.restore_kept(change["new"]), names="value")
        self._kept_done: set[bytes] = set()
        self._settled: dict[tuple[str, str], str] = {}  # kept texts settled without being stored: the guard forgets
        self._settle_on_save: dict[str, Any] = {}  # path → a text merged into the pending one: settled once it is saved
        self._panels: dict[str, tuple[w.VBox, w.HTML, w.HTML]] = {}  # path → a conflict's panel, heading and texts
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
        if not isinstance(message, str) or len(message) > MAX_KEPT_MESSAGE:
            return  # more than the guard ever keeps (20 000 characters a field): not from the guard
        try:
            kept = json.loads(message)
        except (ValueError, RecursionError):
            return  # not from the guard: nothing to restore
        for item in kept[:MAX_KEPT_ITEMS] if isinstance(kept, list) else []:
            key, text, rev = (item.get("k"), item.get("v"), item.get("r")) if isinstance(item, dict) else (None,) * 3
            if not (isinstance(key, str) and isinstance(text, str)):
                continue
            done = hashlib.sha256(f"{key}\0{text}".encode("utf-8", "surrogatepass")).digest()
            if done not in self._kept_done and len(self._kept_done) < MAX_KEPT_ITEMS:
                self._kept_done.add(done)
                self._restore_one(key, text, rev if isinstance(rev, int) and not isinstance(rev, bool) else None)

    def _restore_one(self, key: str, text: str, rev: int | None) -> None:
        from sipkurs.ui.form import field_class

        path = next((p for p in self.form.values() if field_class(p) == key), None)
        inp = self._guarded(path) if path is not None else None
        if inp is None:
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
        self.live.edit_kept(path, value, rev)
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
        for state in states:
            if state.path in self._settle_on_save and state.path not in self.live.pending:
                self._settle(state.path, self._settle_on_save.pop(state.path))

    def _guarded(self, path: str):
        """The input of a field whose text the page's guard keeps (texts, lines and dates), or None."""
        table, _, column = plandoc.parse(path)
        inp = self.form.input(path) if column or not table else None
        return inp if inp is not None and inp.field.kind in ("text", "area", "lines", "date") else None

    def _mark(self, states) -> None:
        """Tell the page's guard which texts are now in the store (and at which revision), so it can forget its own
        copy of them."""
        from sipkurs.serving.draftguard import saved_marker
        from sipkurs.ui.form import field_class

        for state in states:
            inp = self._guarded(state.path)
            if inp is None:
                continue
            if inp.field.kind == "lines" and inp.get() == state.value:
                text = inp.widget.value  # as the field shows it (blank lines and all), which is what the guard kept
            elif isinstance(state.value, list):
                text = "\n".join(str(v) for v in state.value)
            else:
                text = str(state.value or "")
            self._markers.pop(state.path, None)
            self._markers[state.path] = saved_marker(field_class(state.path), text, state.rev)
            while len(self._markers) > MAX_MARKERS:
                self._markers.pop(next(iter(self._markers)))
        self._show_markers()

    def _settle(self, path: str, text: Any) -> None:
        """Tell the page's guard to forget a kept text that will not be stored as it is (see settled_marker)."""
        from sipkurs.serving.draftguard import settled_marker
        from sipkurs.ui.form import field_class

        if self._guarded(path) is None or not isinstance(text, str | list):
            return
        shown = "\n".join(str(v) for v in text) if isinstance(text, list) else text
        self._settled[(path, shown)] = settled_marker(field_class(path), shown)
        while len(self._settled) > 20:
            self._settled.pop(next(iter(self._settled)))
        self._show_markers()

    def _show_markers(self) -> None:
        html = "".join(self._markers.values()) + "".join(self._settled.values())
        if self.guard.value != html:
            self.guard.value = html

    def conflict(self, c: Conflict) -> None:
        inp = self.form.input(c.path)
        if inp is None:
            return
        label = inp.field.label
        who = html.escape(c.theirs.author or "någon annan")
        header = (
            f'<p role="alert"><strong>{who} ändrade också fältet ”{html.escape(label)}”'
            " medan du skrev.</strong> Båda texterna finns kvar här tills du väljer.</p>"
        )
        texts = (
            f'<p class="sip-theirs"><span>Deras text:</span> {html.escape(_text(c.theirs.value))}</p>'
            f'<p class="sip-mine"><span>Din text:</span> {html.escape(_text(c.mine))}</p>'
        )
        panel = self._panels.get(c.path)
        if panel is not None and panel[0] in inp.extra:
            # Renewed (they wrote on): the texts change in place, the buttons stay where the member may be clicking,
            # and the alert is said again only if someone else wrote.
            _, head, body = panel
            if head.value != header:
                head.value = header
            if body.value != texts:
                body.value = texts
            self.changed()
            return
        head, body = w.HTML(header), w.HTML(texts)
        box = w.VBox([head, body])
        box.add_class("sip-conflict")
        buttons = [
            self._button(f"Behåll min text ({label})", lambda: self.resolve(c.path, "mine")),
            self._button(f"Behåll deras text ({label})", lambda: self.resolve(c.path, "theirs")),
        ]
        if isinstance(c.mine, str) and isinstance(c.theirs.value, str):
            buttons.append(self._button(f"Slå ihop själv ({label})", lambda: self.resolve(c.path, "merged")))
        self._panels[c.path] = (box, head, body)
        inp.show(extra=[box, w.HBox(buttons)])
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
        if choice == "theirs":  # the member's text is set aside: the page's guard must not bring it back
            self._settle(path, c.mine)
            if path in self._settle_on_save:  # and so is the member's earlier text, merged into this one before
                self._settle(path, self._settle_on_save.pop(path))
            if path in self.live.known:
                self._mark([self.live.known[path]])
        elif choice == "merged":  # their text is part of the merged one: forgotten once that is stored
            self._settle_on_save[path] = c.mine
        self._panels.pop(path, None)
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
        prefix = plandoc.row_key(table, row_id) + "."
        for path, gone in list(self.live.gone.items()):
            if path.startswith(prefix):  # what was typed into the row goes with it: not brought back by the guard
                self._settle(path, gone.value)
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
