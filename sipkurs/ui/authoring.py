"""The trainer's case editor (courses/fallredigering.ipynb): edit YAML, see errors live, preview views, make variants.

Only widgets and wiring live here. Checking is simulator.case_validation, what a view shows is simulator.views,
and the HTML comes from simulator.rendering; this module never decides anything about the domain.
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as w

from simulator.case_validation import CaseError, duplicate_id_error, load_case_text
from simulator.cases import Case
from simulator.library import SCENARIOS_DIR, load_library
from simulator.rendering import render_html_fragment
from simulator.views import build_view, view_names

VIEW_LABELS = {"participant": "Deltagare", "trainer": "Utbildare (med facit)", "interview": "Intervjun (självstudier)"}
NEW_CASE = ""  # the file picker's value for "write a new case in the text area"


def _view_label(view: str) -> str:
    if view in VIEW_LABELS:
        return VIEW_LABELS[view]
    kind, _, name = view.partition(":")
    return ("Händelsekort: " if kind == "event" else "Rollkort: ") + name


class AuthoringApp:
    """All widgets of the editor; ``widget`` is what the notebook displays."""

    def __init__(self, scenarios_dir: Path = SCENARIOS_DIR, save_dir: Path | None = None) -> None:
        self.scenarios_dir = scenarios_dir
        self.save_dir = save_dir or scenarios_dir
        self.case: Case | None = None
        self.errors: list[CaseError] = []
        files = sorted(scenarios_dir.glob("*.yaml"))
        self.file = w.Dropdown(
            description="Fallfil",
            options=[("(skriv ett nytt fall i textrutan)", NEW_CASE)] + [(f.name, str(f)) for f in files],
            value=NEW_CASE,
            layout=w.Layout(width="32rem"),
        )
        self.text = w.Textarea(
            placeholder="Klistra in eller skriv ett fall i YAML (se docs/fallformat.md) …",
            continuous_update=True,
            layout=w.Layout(width="100%", height="28rem"),
        )
        self.status = w.HTML()
        self.view = w.Dropdown(description="Vy", options=[(VIEW_LABELS["participant"], "participant")])
        self.variant = w.BoundedIntText(description="Variant", value=0, min=0, max=1_000_000)
        self.preview = w.HTML()
        self.count = w.BoundedIntText(description="Antal", value=5, min=1, max=200)
        self.make_variants = w.Button(description="Generera varianter", icon="users")
        self.variants = w.HTML()
        self.save = w.Button(description="Spara fallet", icon="save", disabled=True)
        self.saved = w.HTML()

        self.file.observe(self._on_file, names="value")
        self.text.observe(self._on_text, names="value")
        self.view.observe(self._on_preview, names="value")
        self.variant.observe(self._on_preview, names="value")
        self.make_variants.on_click(self._on_variants)
        self.save.on_click(self._on_save)

        self.widget = w.VBox(
            [
                w.HTML("<h2>Fallredigering</h2><p>Välj en fallfil eller skriv ett nytt fall. Fel visas medan du skriver.</p>"),
                self.file,
                w.HBox([w.VBox([self.text, self.status, w.HBox([self.save, self.saved])], layout=w.Layout(width="50%")),
                        w.VBox([w.HBox([self.view, self.variant]), self.preview], layout=w.Layout(width="50%"))]),
                w.HTML("<h3>Varianter</h3><p>En variant per deltagare: samma fall, olika personer.</p>"),
                w.HBox([self.count, self.make_variants]),
                self.variants,
            ]
        )
        self._validate()

    # --- events ---------------------------------------------------------------------------------------------------
    def _on_file(self, change) -> None:
        if change["new"] == NEW_CASE:
            return
        path = Path(change["new"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.status.value = self._error_list([CaseError(str(path), 0, 0, "", f"kunde inte läsas ({type(exc).__name__})")])
            return
        if text == self.text.value:
            self._validate()  # same text, other file: the id check depends on which file is edited
        else:
            self.text.value = text

    def _on_text(self, change) -> None:
        self._validate()

    def _on_preview(self, change=None) -> None:
        if self.case is None:
            self.preview.value = "<p><em>Förhandsvisningen visas när fallet är utan fel.</em></p>"
            return
        view = build_view(self.case, self.view.value, self.variant.value)
        self.preview.value = render_html_fragment(view)

    def _on_variants(self, button=None) -> None:
        if self.case is None:
            self.variants.value = "<p><em>Rätta felen först.</em></p>"
            return
        rows = "".join(
            f"<tr><td><code>{html.escape(s.id)}</code></td><td>{html.escape(s.person.full_name)}</td>"
            f"<td>{s.person.age}</td><td>{html.escape(s.person.gender.value)}</td><td>{html.escape(s.person.kommun)}</td></tr>"
            for s in self.case.variants(self.count.value)
        )
        self.variants.value = (
            "<table><thead><tr><th>Id</th><th>Namn</th><th>Ålder</th><th>Kön</th><th>Kommun</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )

    def _on_save(self, button=None) -> None:
        if self.case is None:
            self.saved.value = "Rätta felen innan du sparar."
            return
        target = self.save_dir / f"{self.case.id}.yaml"
        try:
            target.write_text(self.text.value, encoding="utf-8")
        except OSError as exc:
            self.saved.value = f"Kunde inte spara {html.escape(str(target))} (systemfel {exc.errno})."
            return
        self.saved.value = f"Sparat som {html.escape(str(target))}."

    # --- checking -------------------------------------------------------------------------------------------------
    def _validate(self) -> None:
        name = Path(self.file.value).name if self.file.value != NEW_CASE else "fallet"
        if not self.text.value.strip():
            self.case, self.errors = None, []
            self.status.value = "<p>Skriv eller välj ett fall.</p>"
        else:
            self.case, self.errors = load_case_text(self.text.value, name)
            self.errors += self._clashes_with_library(name)
            if self.errors:
                self.case = None
            self.status.value = self._error_list(self.errors) if self.errors else "<p>✔ Inga fel.</p>"
        self.save.disabled = self.case is None
        self._update_views()
        self._on_preview()
        self.variants.value = ""

    def _clashes_with_library(self, name: str) -> list[CaseError]:
        """An id used by another file of the library (editing a file keeps its own id)."""
        if self.case is None:
            return []
        try:
            library = load_library(self.scenarios_dir)
        except ValueError:
            return []
        other = library.get(self.case.id)
        own_file = self.scenarios_dir / f"{self.case.id}.yaml"
        if other is None or (self.file.value != NEW_CASE and Path(self.file.value) == own_file):
            return []
        return [duplicate_id_error(self.text.value, name, self.case.id, own_file.name)]

    def _update_views(self) -> None:
        names = view_names(self.case, events=True, interview=True) if self.case else ["participant"]
        current = self.view.value
        self.view.options = [(_view_label(v), v) for v in names]
        self.view.value = current if current in names else "participant"

    @staticmethod
    def _error_list(errors: list[CaseError]) -> str:
        items = "".join(
            f"<li><strong>rad {e.line}, kolumn {e.column}</strong>"
            + (f" <code>{html.escape(e.path)}</code>" if e.path else "")
            + f": {html.escape(e.message)}</li>"
            for e in errors
        )
        return f'<div role="alert"><p>{len(errors)} fel:</p><ul>{items}</ul></div>'


def authoring_app(scenarios_dir: Path = SCENARIOS_DIR) -> w.VBox:
    """The editor's widget, for the notebook to display."""
    return AuthoringApp(scenarios_dir).widget
