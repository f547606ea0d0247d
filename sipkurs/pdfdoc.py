"""Drawing a PlanDocument (sipkurs.export) as an A4 PDF with fpdf2 and DejaVu Sans.

Text typed by participants is always drawn as plain text (fpdf2's markdown is never switched on), so nothing they
write can change the layout. A table row taller than a page cannot be drawn by fpdf2, so such a table is drawn as
one block of fields per row instead.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

FONT = "DejaVu"
GREY = (90, 90, 90)
RULE = (150, 150, 150)
HEADING_FILL = (232, 232, 232)
STATUS_COLOURS = {True: (29, 92, 46), False: (138, 28, 28)}  # submitted: green, draft: red
LABEL_WIDTH = 58  # mm, the label column of label–value pairs
LINE = 5  # mm per line of 10 pt text


class _Pdf(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.footer_text} · sida {self.page_no()} av {{nb}}", align="C")
        self.set_text_color(0)


def render_pdf(doc, title: str, font: Path) -> bytes:
    footer = " · ".join(t for t in (f"SIP för {doc.person}" if doc.person else "SIP", doc.status) if t)
    pdf = _Pdf(footer)
    pdf.set_title(title)
    pdf.set_lang("sv")
    pdf.set_creator("sipkurs")
    pdf.add_font(FONT, "", str(font))
    pdf.add_font(FONT, "B", str(font.with_name("DejaVuSans-Bold.ttf")))
    pdf.add_font(FONT, "I", str(font.with_name("DejaVuSans-Oblique.ttf")))
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    _Writer(pdf).document(doc)
    return bytes(pdf.output())


class _Writer:
    def __init__(self, pdf: _Pdf) -> None:
        self.pdf = pdf

    # --- primitives ---------------------------------------------------------------------------------------------
    def font(self, style: str = "", size: float = 10) -> None:
        self.pdf.set_font(FONT, style, size)

    def para(self, text: str, style: str = "", size: float = 10, gap: float = 1.5, indent: float = 0,
             colour=None) -> None:
        self.font(style, size)
        if colour:
            self.pdf.set_text_color(*colour)
        self.pdf.set_x(self.pdf.l_margin + indent)
        self.pdf.multi_cell(self.pdf.epw - indent, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        self.pdf.set_text_color(0)
        self.pdf.ln(gap)

    def missing(self, indent: float = 0) -> None:
        self.para("Inte ifyllt", "I", 9.5, indent=indent, colour=GREY)

    def label(self, text: str, keep: float = 16) -> None:
        """A label kept on the same page as at least ``keep`` mm of what follows it."""
        if self.pdf.will_page_break(keep):
            self.pdf.add_page()
        self.para(text, "B", 10, gap=0.8)

    def pair(self, label: str, value: str) -> None:
        pdf = self.pdf
        self.font("B", 9.5)
        lines = max(len(pdf.multi_cell(LABEL_WIDTH - 2, LINE, label, dry_run=True, output="LINES")),
                    len(pdf.multi_cell(pdf.epw - LABEL_WIDTH, LINE, value or "–", dry_run=True, output="LINES")))
        if pdf.will_page_break(lines * LINE):
            pdf.add_page()
        top = pdf.get_y()
        pdf.multi_cell(LABEL_WIDTH - 2, LINE, label, align="L", new_x="LMARGIN", new_y="NEXT")
        after_label = pdf.get_y()
        pdf.set_xy(pdf.l_margin + LABEL_WIDTH, top)
        if value:
            self.font("", 10)
            pdf.multi_cell(pdf.epw - LABEL_WIDTH, LINE, value, align="L", new_x="LMARGIN", new_y="NEXT")
        else:
            self.font("I", 9.5)
            pdf.set_text_color(*GREY)
            pdf.multi_cell(pdf.epw - LABEL_WIDTH, LINE, "Inte ifyllt", align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0)
        pdf.set_y(max(pdf.get_y(), after_label) + 1)

    def quote(self, text: str, indent: float = 0) -> None:
        """The person's own words: indented, oblique, with a bar on the left."""
        pdf = self.pdf
        page, top = pdf.page_no(), pdf.get_y()
        self.para(f"”{text}”", "I", 10.5, gap=0, indent=indent + 6)
        if pdf.page_no() == page:  # the bar only when the quote stays on one page
            pdf.set_draw_color(*RULE)
            pdf.set_line_width(0.8)
            pdf.line(pdf.l_margin + indent + 2, top, pdf.l_margin + indent + 2, pdf.get_y())
            pdf.set_line_width(0.2)
            pdf.set_draw_color(0)
        pdf.ln(2)

    def heading(self, text: str, size: float = 13, section: bool = True) -> None:
        pdf = self.pdf
        if pdf.will_page_break(24):
            pdf.add_page()
        pdf.ln(2)
        if section:
            pdf.start_section(text)
        self.para(text, "B", size, gap=0.5)
        pdf.set_draw_color(*RULE)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + pdf.epw, pdf.get_y())
        pdf.set_draw_color(0)
        pdf.ln(2.5)

    # --- blocks ------------------------------------------------------------------------------------------------
    def table(self, block) -> None:
        if block.caption:
            self.label(block.caption)
        if not block.rows:
            if block.empty:
                self.para(block.empty, "I", 9.5, colour=GREY)
            return
        if not self._fits(block):
            self._records(block)
            return
        pdf = self.pdf
        self.font("", self._size(block))
        with pdf.table(col_widths=block.widths, text_align="LEFT", v_align="TOP", line_height=4.2, padding=1.2,
                       headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_FILL),
                       min_row_height=10 if block.style == "signatures" else None,
                       first_row_as_headings=True, repeat_headings=1) as table:
            table.row(block.columns)
            for row in block.rows:
                table.row(row)
        pdf.ln(3)

    def _fits(self, block) -> bool:
        """Whether every row of the table fits on one page at the table's column widths."""
        pdf = self.pdf
        self.font("", self._size(block))
        total = sum(block.widths)
        page = pdf.h - pdf.t_margin - pdf.b_margin - 20
        for row in block.rows:
            for text, width in zip(row, block.widths, strict=False):
                cell = max(pdf.epw * width / total - 3, 1)
                if len(text) * 2.0 / cell * 4.2 < page / 2:  # even at 2 mm a character, clearly short enough
                    continue
                lines = pdf.multi_cell(cell, 4.2, text, dry_run=True, output="LINES")
                if len(lines) * 4.2 > page:
                    return False
        return True

    @staticmethod
    def _size(block) -> float:
        return 8 if len(block.columns) > 5 else 8.5

    def _records(self, block) -> None:
        for row in block.rows:
            for label, text in zip(block.columns, row, strict=False):
                self.pair(label, text)
            self.pdf.ln(2)

    def goal(self, block) -> None:
        g = block.goal
        if g is not None:
            self.label(f"{g.id} Långsiktigt mål" if g.id else "Långsiktigt mål", keep=32)
            if g.own_words and g.text:
                self.quote(g.text)
            elif g.text:
                self.para(g.text)
            else:
                self.missing()
            self.pair("Så vet vi att målet är nått", g.measure)
            self.pair("Klart senast", g.due)
        if block.subgoals:
            rows = tuple((s.id, f"”{s.text}”" if s.own_words and s.text else s.text, s.measure, s.due)
                         for s in block.subgoals)
            from sipkurs.export import TableBlock

            self.table(TableBlock("", ("Nr", "Delmål", "Så vet vi att delmålet är nått", "Klart senast"), rows,
                                  (0.8, 4.2, 3.6, 1.4)))
        self.pdf.ln(1.5)

    def block(self, b) -> None:
        if b.kind == "fields":
            for label, value in b.pairs:
                self.pair(label, value)
            self.pdf.ln(1)
        elif b.kind == "text":
            self.label(b.label)
            if b.text:
                self.para(b.text, gap=2.5)
            else:
                self.missing()
        elif b.kind == "quote":
            self.label(b.label)
            self.quote(b.text)
        elif b.kind == "items":
            self.label(b.label)
            if b.items:
                for item in b.items:
                    self.para(f"•  {item}", gap=0.8, indent=3)
                self.pdf.ln(1.5)
            else:
                self.missing()
        elif b.kind == "table":
            self.table(b)
        elif b.kind == "goal":
            self.goal(b)
        elif b.kind == "note":
            self.para(b.text, "I", 10)

    # --- the document ------------------------------------------------------------------------------------------
    def document(self, doc) -> None:
        pdf = self.pdf
        self.para(doc.title, "B", 17, gap=1.5)
        self.font("B", 10.5)
        pdf.set_text_color(*STATUS_COLOURS[doc.submitted])
        pdf.set_draw_color(*STATUS_COLOURS[doc.submitted])
        pdf.cell(pdf.get_string_width(doc.status) + 6, 7, doc.status, border=1, align="C",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        pdf.set_draw_color(0)
        pdf.ln(4)
        self.heading("Planen gäller", 12)
        for label, value in doc.header.pairs:
            self.pair(label, value)
        pdf.ln(1)
        self.table(doc.participants)
        for label, value in doc.authors.pairs:
            self.pair(label, value)
        for part in doc.parts:
            self.heading(f"{part.number}. {part.title}")
            for b in part.blocks:
                self.block(b)
        self.para(f"Utskriven {doc.printed}", "", 8, colour=GREY)
        if doc.feedback is not None:
            self.appendix(doc.feedback)

    def appendix(self, fb) -> None:
        pdf = self.pdf
        pdf.add_page()
        self.heading("Bilaga: Återkoppling från övningsmiljön", 13)
        self.para("Bilagan hör inte till planen. Den visar vad övningsmiljöns bedömning säger om planen.", "I", 9,
                  colour=GREY)
        self.pair("Resultat", fb.percent)
        if fb.verdict:
            self.pair("Samlad bedömning", fb.verdict)
        if fb.problems:
            self.label("Att rätta innan planen kan bedömas")
            for p in fb.problems:
                self.para(f"•  {p}", size=9.5, gap=0.8, indent=3)
        for family in fb.families:
            self.label(f"{family.name} ({family.passed} av {family.applicable} godkända)")
            for item in family.items:
                if item.status == "not_applicable":
                    continue
                text = f"[{item.status_label}] {item.title}" + (f" – {item.message}" if item.message else "")
                self.para(text, size=9, gap=0.8, indent=3)
            pdf.ln(1.5)
