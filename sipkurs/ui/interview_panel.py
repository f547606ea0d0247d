"""The interview tab: ask the simulated person (or an agency no one plays) from a menu or in one's own words.

What is said comes from simulator.interviewing through sipkurs.selfstudy.Interview, which saves after every question.
"""

from __future__ import annotations

import ipywidgets as w

from sipkurs.templating import render
from sipkurs.ui import on_enter

MAX_SHOWN = 30  # exchanges shown (the whole log is kept)


class InterviewPanel:
    def __init__(self, interview) -> None:
        self.interview = interview
        speakers = interview.session.speakers()
        self.speaker = w.Dropdown(
            options=[(s.name if s.id != "personen" else f"Personen: {s.name}", s.id) for s in speakers],
            description="Vem frågar du?", layout=w.Layout(width="100%"),
        )
        self.speaker.observe(lambda _c: self.show_menu(), names="value")
        self.question = w.Text(description="Fråga med egna ord", placeholder="Till exempel: Hur sover du?",
                               layout=w.Layout(width="100%"))
        self.ask_button = w.Button(description="Fråga", icon="comment")
        self.ask_button.on_click(lambda _b: self.ask_text())
        on_enter(self.question, self.ask_text)
        self.reply = w.VBox()
        self.menu = w.VBox()
        self.log = w.HTML()
        self.exchanges: list[dict] = []
        self.widget = w.VBox([
            w.HTML('<p class="sip-hint">Personen och verksamheterna svarar med egna ord. En del berättar de bara om '
                   "du frågar om rätt sak, och en del svar öppnar följdfrågor.</p>"),
            self.speaker, self.question, self.ask_button, self.reply, self.log,
            w.HTML("<h3>Frågor att välja</h3>"), self.menu,
        ])
        self.widget.add_class("sip-interview")
        self._replay()
        self.show_menu()

    def _replay(self) -> None:
        """Show what was asked before this page opened (the interview is kept in the store)."""
        self.exchanges = [self._exchange(answer) for answer in self.interview.session.transcript()]
        self._show_log()

    def _exchange(self, answer) -> dict:
        name = next((s.name for s in self.interview.session.speakers() if s.id == answer.speaker), answer.speaker)
        return {"who": answer.by or name, "question": answer.question, "text": answer.text, "hesitant": answer.hesitant,
                "revealed": bool(answer.revealed), "opened": [q.text for q in answer.opened]}

    def _show_log(self) -> None:
        self.log.value = render("interview_log.html.j2", exchanges=list(reversed(self.exchanges))[:MAX_SHOWN])

    def show_menu(self) -> None:
        children = []
        for topic in self.interview.session.menu(self.speaker.value):
            buttons = []
            for q in topic.questions:
                label = ("✓ " if q.asked else "Ny: " if q.follow_up else "") + q.text
                button = w.Button(description=label, tooltip=q.text, layout=w.Layout(width="auto", max_width="100%"))
                button.add_class("sip-question")
                button.on_click(lambda _b, qid=q.id: self.ask(qid))
                buttons.append(button)
            children += [w.HTML(f"<h4>{topic.label}</h4>"), w.VBox(buttons)] if buttons else []
        self.menu.children = children or [w.HTML('<p class="sip-hint">Inga fler frågor just nu.</p>')]

    def ask(self, question_id: str) -> None:
        from simulator.interviewing import InterviewError

        try:
            answer = self.interview.session.ask(self.speaker.value, question_id)
        except InterviewError as exc:
            self.reply.children = [w.HTML(render("message.html.j2", text=str(exc)))]
            return
        self._answered(answer)

    def ask_text(self) -> None:
        from simulator.interviewing import InterviewError

        text = self.question.value.strip()
        if not text:
            return
        try:
            reply = self.interview.session.ask_text(self.speaker.value, text[:500])
        except InterviewError as exc:
            self.reply.children = [w.HTML(render("message.html.j2", text=str(exc)))]
            return
        self.interview.save()
        if reply.kind == "answer":
            self.question.value = ""
            self._answered(reply.answer, saved=True)
            return
        items = [w.HTML(f'<p class="sip-hint">{_escape(reply.message)}</p>')]
        for suggestion in reply.suggestions:
            button = w.Button(description=f"Menade du: {suggestion.text}", layout=w.Layout(width="auto", max_width="100%"))
            button.add_class("sip-question")
            button.on_click(lambda _b, qid=suggestion.question_id: self.ask(qid))
            items.append(button)
        self.reply.children = items

    def _answered(self, answer, *, saved: bool = False) -> None:
        if not saved:
            self.interview.save()
        self.exchanges.append(self._exchange(answer))
        self.reply.children = []
        self._show_log()
        self.show_menu()


def _escape(text: str) -> str:
    from html import escape

    return escape(text)
