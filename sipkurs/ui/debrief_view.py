"""The debrief on the trainer page, made for a projector: large text, no codes or links on screen."""

from __future__ import annotations

import ipywidgets as w

from sipkurs.templating import render
from sipkurs.ui.app import data_link

FULL = w.Layout(width="100%", max_width="52em")


class DebriefView:
    def __init__(self, page) -> None:
        self.page = page
        self.group = w.Dropdown(description="Tidslinje för", layout=FULL)
        self.group.observe(lambda _c: self.render(), names="value")
        self.projector = w.Button(description="Visa på projektorn", icon="desktop", button_style="primary")
        self.projector.on_click(lambda _b: self.page.show_projector(True))
        self.back = w.Button(description="Tillbaka till utbildarens sida", icon="arrow-left")
        self.back.on_click(lambda _b: self.page.show_projector(False))
        self.pdf = w.Button(description="Ladda ner genomgången (PDF)", icon="file")
        self.data = w.Button(description="Rådata (CSV och JSON)", icon="table")
        self.pdf.on_click(lambda _b: self.export("pdf"))
        self.data.on_click(lambda _b: self.export("data"))
        self.downloads = w.HTML()
        self.body = w.HTML()
        self.body.add_class("sip-debrief")
        self.controls = w.VBox([self.group, w.HBox([self.projector, self.pdf, self.data]), self.downloads])
        self.widget = w.VBox([self.controls, self.body])
        self._debrief = None

    def build(self):
        from sipkurs import debrief

        return debrief.build(self.page.store, *self.page.authorised, self.group.value)

    def render(self) -> None:
        groups = self.page.store.groups(*self.page.authorised)
        options = [(g.name, g.id) for g in groups]
        if tuple(self.group.options) != tuple(options):
            current = self.group.value
            self.group.options = options
            values = [v for _, v in options]
            self.group.value = current if current in values else (values[0] if values else None)
        self._debrief = self.build()
        html = render("debrief.html.j2", d=self._debrief)
        if self.body.value != html:
            self.body.value = html

    def export(self, what: str) -> None:
        from sipkurs import debrief

        d = self._debrief or self.build()
        if what == "pdf":
            self.downloads.value = data_link(debrief.to_pdf(d), "application/pdf", "genomgang.pdf", "Ladda ner PDF")
        else:
            self.downloads.value = (
                data_link(debrief.to_csv(d).encode("utf-8-sig"), "text/csv", "genomgang.csv", "Ladda ner CSV")
                + data_link(debrief.to_json(d).encode(), "application/json", "genomgang.json", "Ladda ner JSON")
            )
