"""The trainer's overview. Shows nothing at all until the course code and the trainer code match.

Standalone Voila serves every notebook in its folder, so a participant can open this page by URL: the check here
(against the hash in the store) is what keeps other participants' work away from them.
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs

import ipywidgets as w

from sipkurs.templating import render
from sipkurs.ui.style import LABEL_STYLE, STYLE


def most_missed(rows, top: int = 5) -> list[tuple[str, int]]:
    """The rules most participants have not met yet, with how many."""
    counts = Counter(m["title"] for r in rows for m in r.missed)
    return counts.most_common(top)


class TrainerApp:
    def __init__(self, store=None, query: str = "") -> None:
        self._store = store
        params = parse_qs(query.lstrip("?"))
        self.course = w.Text(value=(params.get("kurs") or [""])[0], description="Kurskod", style=LABEL_STYLE)
        self.code = w.Password(description="Lärarkod", style=LABEL_STYLE)
        self.show = w.Button(description="Visa översikten", button_style="primary")
        self.refresh = w.Button(description="Uppdatera", icon="refresh")
        self.show.on_click(lambda _b: self.render())
        self.refresh.on_click(lambda _b: self.render())
        self.output = w.HTML('<div aria-live="polite"></div>')
        self.widget = w.VBox(
            [
                w.HTML(STYLE + "<h1>Utbildarens översikt</h1><p>Ange kurskoden och lärarkoden som visades när kursen startades.</p>"),
                self.course,
                self.code,
                w.HBox([self.show, self.refresh]),
                self.output,
            ]
        )
        self.widget.add_class("sip-app")

    @property
    def store(self):
        if self._store is None:
            from sipkurs.store import Store

            self._store = Store()
        return self._store

    def render(self) -> None:
        from sipkurs.store import StoreError

        try:
            rows = self.store.overview(self.course.value, self.code.value)
        except StoreError as exc:
            self.output.value = render("message.html.j2", text=f"{exc}.")
            return
        self.output.value = render(
            "trainer.html.j2", course=self.course.value.strip().upper(), rows=rows, missed=most_missed(rows)
        )


def trainer_app(query: str = "", store=None):
    return TrainerApp(store, query).widget
