"""The plan with its feedback as a print-friendly HTML page (Jinja2, autoescaped) and as a PDF (fpdf2, DejaVu Sans).

Both are built from the same readable view: the form's own labels (sipkurs/ui/fields.py) applied to the plan data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from graders.plan import MAX_TEXT
from sipkurs.feedback import Feedback
from sipkurs.templating import local_time, render
from sipkurs.ui.fields import SECTIONS, Table, static_choices

MAX_EXPORT_CHARS = 300_000  # all the plan's text together: a full plan is far below; a PDF of this takes a few seconds


class ExportTooLarge(ValueError):
    """The plan is too large to print; ``str(error)`` says why, in Swedish."""


def check_size(data) -> None:
    """Refuse, at once and before any rendering, a plan with a text over the form's limit or too much text in all."""
    total, stack = 0, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_TEXT:
                raise ExportTooLarge(f"planen kan inte skrivas ut: ett fält har {len(item)} tecken (högst {MAX_TEXT})")
            total += len(item)
            if total > MAX_EXPORT_CHARS:
                raise ExportTooLarge(f"planen kan inte skrivas ut: den har mer än {MAX_EXPORT_CHARS} tecken text")
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


@dataclass
class ReadableSection:
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[list[tuple[str, str]]]]] = field(default_factory=list)


def _value_text(f, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if f.kind == "check":
        return "ja" if value else "nej"
    if f.kind == "choice" and f.choices in static_choices():
        labels = dict((v, label) for label, v in static_choices()[f.choices])
        return labels.get(value, str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _get(data, path):
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def readable(data: dict) -> list[ReadableSection]:
    """The plan as sections of (label, text), in the form's order; empty fields are left out."""
    sections = []
    for section in SECTIONS:
        out = ReadableSection(section.title)
        for part in section.parts:
            if isinstance(part, Table):
                rows = []
                for row in _get(data, part.path) or []:
                    cells = [(c.label, _value_text(c, _get(row, c.path))) for c in part.columns]
                    cells = [(label, text) for label, text in cells if text]
                    if row.get("id"):
                        cells.insert(0, ("Id", str(row["id"])))
                    rows.append(cells)
                if rows:
                    out.tables.append((part.title, rows))
            else:
                text = _value_text(part, _get(data, part.path))
                if text:
                    out.fields.append((part.label, text))
        if out.fields or out.tables:
            sections.append(out)
    return sections


def plan_html(data: dict, feedback: Feedback | None, *, name: str = "", title: str = "") -> str:
    """The printable page; raises ExportTooLarge for a plan over the limits."""
    check_size(data)
    return render(
        "plan.html.j2",
        sections=readable(data),
        feedback=feedback,
        name=name,
        title=title or "Samordnad individuell plan (SIP)",
        printed=local_time().strftime("%Y-%m-%d %H:%M"),
    )


def font_path() -> Path:
    """A Unicode TTF that ships with matplotlib (a dependency), so å, ä and ö print everywhere."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def plan_pdf(data: dict, feedback: Feedback | None, *, name: str = "", title: str = "") -> bytes:
    """The PDF; raises ExportTooLarge for a plan over the limits (a 9 MB text took 71 s of CPU)."""
    check_size(data)
    from fpdf import FPDF


    pdf = FPDF(format="A4")
    pdf.set_title(title or "SIP")
    pdf.set_lang("sv")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path().with_name("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    def line(text: str, size: int = 10, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(title or "Samordnad individuell plan (SIP)", 16, True, 2)
    if name:
        line(f"Skriven av: {name}", 10)
    if feedback is not None:
        line(f"Återkoppling: {feedback.percent}", 12, True)
        for item in feedback.items:
            line(f"[{item.status_label}] {item.title}" + (f" – {item.message}" if item.message else ""), 9, gap=0.5)
        for problem in feedback.problems:
            line(f"Att rätta: {problem}", 9)
        pdf.ln(3)
    for section in readable(data):
        line(section.title, 13, True, 1.5)
        for label, text in section.fields:
            line(f"{label}: {text}")
        for table_title, rows in section.tables:
            line(table_title, 11, True)
            for row in rows:
                line(" · ".join(f"{label}: {text}" for label, text in row), 9, gap=1.5)
    return bytes(pdf.output())
