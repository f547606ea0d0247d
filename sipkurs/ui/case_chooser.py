"""The self-study start page: choose a case by target group, difficulty and what it trains."""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from sipkurs.templating import render

ALL = ""


class CaseChooser:
    def __init__(self, choices, chosen: Callable[[str], None]) -> None:
        self.choices = choices
        self.chosen = chosen
        groups = sorted({g for c in choices for g in c.target_groups})
        levels = sorted({(c.difficulty, c.difficulty_label) for c in choices})
        full = w.Layout(width="100%", max_width="40em")
        self.group = w.Dropdown(options=[("Alla målgrupper", ALL), *((g, g) for g in groups)], description="Målgrupp",
                                layout=full)
        self.level = w.Dropdown(options=[("Alla nivåer", ALL), *((label, label) for _, label in levels)],
                                description="Svårighetsgrad", layout=full)
        self.search = w.Text(description="Vad vill du öva på?", placeholder="till exempel samtycke, barn, utskrivning",
                             layout=full)
        for control in (self.group, self.level, self.search):
            control.observe(lambda _c: self.show(), names="value")
        self.list = w.VBox()
        self.widget = w.VBox([
            w.HTML("<h1>Öva på egen hand</h1><p>Välj ett fall. Du får en egen variant av det: samma berättelse, men en "
                   "egen person. Du kan intervjua personen och verksamheterna, skriva planen och sedan se ett "
                   "modellsvar och vad personen tycker om din plan.</p>"),
            self.group, self.level, self.search, self.list,
        ])
        self.widget.add_class("sip-chooser")
        self.show()

    def visible(self):
        words = self.search.value.casefold().split()
        for c in self.choices:
            text = " ".join([c.title, c.summary, *c.learning_goals, *c.target_groups]).casefold()
            if self.group.value not in (ALL, *c.target_groups):
                continue
            if self.level.value not in (ALL, c.difficulty_label):
                continue
            if all(word in text for word in words):
                yield c

    def show(self) -> None:
        items = []
        for c in self.visible():
            button = w.Button(description=f"Välj: {c.title}"[:90], button_style="primary", icon="play",
                              layout=w.Layout(width="auto", max_width="100%"))
            button.add_class("sip-question")
            button.on_click(lambda _b, cid=c.id: self.chosen(cid))
            items += [w.HTML(render("case_choice.html.j2", c=c)), button]
        self.list.children = items or [w.HTML("<p>Inget fall passar. Ta bort något av valen ovan.</p>")]
