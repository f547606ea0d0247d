"""The trainer's case editor (courses/fallredigering.ipynb): edit YAML, see errors live, preview views, make variants.

Only widgets and wiring live here. Checking is simulator.case_validation, what a view shows is simulator.views,
and the HTML comes from simulator.rendering; this module never decides anything about the domain.

The YAML text has line numbers beside it (the errors cite lines; a line with an error is marked). The text area grows
with the text and the numbers scroll with it in one box, so they stay aligned without any script in the page.
Errors are listed root cause first: when one typo causes several errors, the others are shown under it as
"följdfel" (see ``order_errors``).
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

import ipywidgets as w

from simulator.case_validation import CaseError, duplicate_id_error, load_case_text
from simulator.cases import Case
from simulator.library import SCENARIOS_DIR, forget_library, load_library
from simulator.rendering import render_html_fragment
from simulator.views import build_view, seat_label, view_names

VIEW_LABELS = {"participant": "Deltagarnas fallkort", "trainer": "Utbildarens vy (med facit)",
               "interview": "Intervjun (självstudier)"}
NEW_CASE = ""  # the file picker's value for "write a new case in the text area"
LINE_PX = 18  # the YAML text's line height: the line numbers beside it use the same

EDITOR_CSS = f"""<style>
.sip-yaml-box {{ height: 27rem; overflow: auto; border: 1px solid #9e9e9e; background: #fff; }}
.sip-yaml-box .widget-html, .sip-yaml-box .widget-textarea {{ margin: 0; }}
.sip-yaml-gutter pre {{ margin: 0; padding: 4px 6px 4px 4px; font: 13px/{LINE_PX}px monospace; color: #555;
  text-align: right; background: #f0f0f0; border-right: 1px solid #ccc; user-select: none; min-height: 100%; }}
.sip-yaml-gutter .sip-error-line {{ background: #8a1c1c; color: #fff; font-weight: bold; display: inline-block; min-width: 100%; }}
.sip-yaml-text textarea {{ font: 13px/{LINE_PX}px monospace !important; padding: 4px 6px !important; border: 0 !important;
  white-space: pre; overflow-wrap: normal; overflow-x: auto; overflow-y: hidden; resize: none; height: auto !important; }}
.sip-errors li {{ margin: .2em 0; }} .sip-errors li.sip-follow {{ margin-left: 1.5em; color: #444; }}
</style>"""


def _view_label(view: str, case: Case | None = None) -> str:
    """What the view menu says: 'Rollkort: Försäkringskassan', 'Händelse: Samtycket dras tillbaka' (not raw ids)."""
    if view in VIEW_LABELS:
        return VIEW_LABELS[view]
    kind, _, name = view.partition(":")
    if kind == "event":
        event = next((e for e in case.events if e.id == name), None) if case else None
        return f"Händelse: {event.title if event else name}"
    label = seat_label(case, name) if case else name
    return f"Rollkort: {label[:1].upper()}{label[1:]}"


# --- the order of errors -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ListedError:
    error: CaseError
    cause: CaseError | None = None  # the root cause this error follows from ("följdfel"), if it can be told


_SUGGESTED = re.compile(r"\(menar du '([^']+)'\?\)")
_UNKNOWN_ROLE = re.compile(r"^roles\[\d+\]\.organisation$")
_NEEDS_A_ROLE = ("rollkort", "ingen av fallets roller")  # errors that exist because an organisation has no role card


def _parent(path: str) -> str:
    return re.sub(r"(\.[A-Za-z_]\w*|\[\d+\])$", "", path)


def _follows_from(error: CaseError, cause: CaseError) -> bool:
    """Whether ``error`` is there only because of ``cause``. Two cases can be told from the messages: a misspelt key
    makes the real key "missing"; a misspelt value (an unknown organisation, signal …) makes every place that names
    the value meant fail. The value meant is the one the cause suggests ("menar du 'vardcentral'?"); without a
    suggestion, a misspelt organisation of a role card leaves some organisation without its role card."""
    if error == cause or _SUGGESTED.search(error.message):
        return False
    if cause.message.startswith("okänt fält"):
        return error.message.startswith("fältet saknas") and _parent(error.path) == _parent(cause.path)
    meant = _SUGGESTED.search(cause.message)
    if meant:
        return meant.group(1) in re.findall(r"\w+", error.message)
    if _UNKNOWN_ROLE.match(cause.path) and cause.message.startswith("okänd organisation"):
        return any(words in error.message for words in _NEEDS_A_ROLE) and not error.message.startswith("okänd")
    return False


def order_errors(errors: list[CaseError]) -> list[ListedError]:
    """Root causes first, in file order (a YAML syntax error is always alone and first), each followed by the errors
    that follow from it; errors whose cause cannot be told keep their place in file order."""
    errors = sorted(errors, key=lambda e: (not e.message.startswith("YAML-syntaxfel"), e.line, e.column, e.path))
    causes = [e for e in errors if not any(_follows_from(e, c) for c in errors)]
    listed, placed = [], set()
    for cause in causes:
        listed.append(ListedError(cause))
        for e in errors:
            if e not in placed and e not in causes and _follows_from(e, cause):
                listed.append(ListedError(e, cause))
                placed.add(e)
    listed += [ListedError(e) for e in errors if e not in placed and e not in causes]
    return listed


class AuthoringApp:
    """All widgets of the editor; ``widget`` is what the notebook displays."""

    def __init__(self, scenarios_dir: Path = SCENARIOS_DIR, save_dir: Path | None = None) -> None:
        self.scenarios_dir = scenarios_dir
        self.save_dir = save_dir or scenarios_dir
        self.case: Case | None = None
        self.errors: list[CaseError] = []
        self.file = w.Dropdown(
            description="Fallfil",
            options=self._file_options(),
            value=NEW_CASE,
            layout=w.Layout(width="32rem"),
        )
        self.text = w.Textarea(
            placeholder="Klistra in eller skriv ett fall i YAML (se docs/fallformat.md) …",
            continuous_update=True,
            rows=24,
            layout=w.Layout(flex="1 1 auto", width="auto"),
        )
        self.text.add_class("sip-yaml-text")
        self.gutter = w.HTML()
        self.gutter.add_class("sip-yaml-gutter")
        self.editor = w.HBox([self.gutter, self.text], layout=w.Layout(align_items="stretch"))
        self.editor.add_class("sip-yaml-box")
        self.status = w.HTML()
        self.view = w.Dropdown(description="Vy", options=[(VIEW_LABELS["participant"], "participant")],
                               layout=w.Layout(width="24rem"))
        self.variant = w.BoundedIntText(description="Variant", value=0, min=0, max=1_000_000,
                                        layout=w.Layout(width="12rem"))
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
                w.HTML(EDITOR_CSS + "<p>Välj en fallfil eller skriv ett nytt fall. Fel visas medan du skriver, med "
                       "radnumret som står till vänster om texten.</p>"),
                w.HBox([self.file, self.save, self.saved], layout=w.Layout(align_items="center")),
                w.HBox([w.VBox([self.status, self.editor], layout=w.Layout(width="50%")),
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
            # Written beside and renamed: a running course never reads a half-written file.
            partial = target.with_name(f".{target.name}.tmp")
            partial.write_text(self.text.value, encoding="utf-8")
            os.replace(partial, target)
        except OSError as exc:
            self.saved.value = f"Kunde inte spara {html.escape(str(target))} (systemfel {exc.errno})."
            return
        forget_library()  # the id check of the next new case must see this file, at once
        self.file.options = self._file_options()
        self.file.value = str(target)  # the same text: validated again as the file itself
        self.saved.value = f"Sparat som {html.escape(str(target))}."

    def _file_options(self) -> list[tuple[str, str]]:
        """The case files of the library (and of the folder cases are saved to), read afresh."""
        files = {f.resolve(): f for d in dict.fromkeys((self.scenarios_dir, self.save_dir)) for f in d.glob("*.yaml")}
        ordered = sorted(files.values(), key=lambda f: (f.name, str(f)))
        return [("(skriv ett nytt fall i textrutan)", NEW_CASE)] + [(f.name, str(f)) for f in ordered]

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
        self._number_lines()
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

    def _number_lines(self) -> None:
        """Line numbers beside the text, lines with an error marked; the text area as tall as the text."""
        count = max(1, self.text.value.count("\n") + 1)
        bad: dict[int, list[str]] = {}
        for e in self.errors:
            bad.setdefault(e.line, []).append(e.message)
        numbers = []
        for n in range(1, count + 1):
            if n in bad:
                title = html.escape(" · ".join(bad[n]), quote=True)
                numbers.append(f'<span class="sip-error-line" title="{title}">{n}</span>')
            else:
                numbers.append(str(n))
        self.gutter.value = f'<pre aria-hidden="true">{"<br>".join(numbers)}</pre>'
        self.text.rows = max(24, count + 2)  # room for the horizontal scroll bar: the box scrolls, not the text

    def _update_views(self) -> None:
        names = view_names(self.case, events=True, interview=True) if self.case else ["participant"]
        current = self.view.value
        self.view.options = [(_view_label(v, self.case), v) for v in names]
        self.view.value = current if current in names else "participant"

    @staticmethod
    def _error_list(errors: list[CaseError]) -> str:
        items = []
        for item in order_errors(errors):
            e = item.error
            where = f"rad {e.line}, kolumn {e.column}" if e.line else "filen"
            follow = f" (följdfel av felet på rad {item.cause.line})" if item.cause else ""
            items.append(
                f'<li{" class=sip-follow" if item.cause else ""}><strong>{where}</strong>'
                + (f" <code>{html.escape(e.path)}</code>" if e.path else "")
                + f": {html.escape(e.message)}{follow}</li>"
            )
        causes = sum(1 for i in order_errors(errors) if i.cause is None)
        summary = f"{len(errors)} fel" + (f", varav {len(errors) - causes} följdfel" if causes < len(errors) else "")
        return f'<div role="alert" class="sip-errors"><p>{summary}:</p><ul>{"".join(items)}</ul></div>'


def authoring_app(scenarios_dir: Path = SCENARIOS_DIR) -> w.VBox:
    """The editor's widget, for the notebook to display."""
    return AuthoringApp(scenarios_dir).widget
