"""The member's view of the exercise: the current phase with its instructions and questions, and the events.

Shows what sipkurs.session reports (which reads the store); keeps nothing of its own but the widgets. A new event is
announced in the page's status line until it has been read.
"""

from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from sipkurs import exercise
from sipkurs.templating import render


class PhasePanel:
    def __init__(self, session, announce: Callable[[str], None]) -> None:
        self.session = session
        self.announce = announce
        self.phase_html = w.HTML()
        self.next_button = w.Button(description="Börja övningen med första fasen", icon="play")
        self.next_button.on_click(lambda _b: self.next_phase())
        self.events_box = w.VBox()
        self.message = w.HTML()
        controls = [self.next_button, self.message] if session.group is None else [self.message]
        self.widget = w.VBox([self.phase_html, *controls, w.HTML("<h3>Händelser</h3>"), self.events_box])
        self.widget.add_class("sip-phase")
        self._shown: tuple | None = None
        self._seen_events: tuple | None = None
        self.refresh()

    def refresh(self) -> None:
        """Re-read the phase and the events; redraw only what changed."""
        state = self.session.exercise_state()
        phases = exercise.phases(self.session.scenario_id)
        phase = exercise.current_phase(self.session.scenario_id, state)
        shown = (state.phase_index, len(phases))
        if shown != self._shown:
            self._shown = shown
            self.phase_html.value = render(
                "phase_panel.html.j2", phase=phase, index=state.phase_index, count=len(phases),
                alone=self.session.group is None,
            )
            last = state.phase_index >= len(phases) - 1
            self.next_button.description = (
                "Börja övningen med första fasen" if state.phase_index < 0
                else "Avsluta övningen" if last else "Gå vidare till nästa fas"
            )
            self.next_button.disabled = state.phase_index >= len(phases)
        notices = self.session.notices()
        key = tuple((n.delivery_id, n.acknowledged) for n in notices)
        if key != self._seen_events:
            self._seen_events = key
            self.events_box.children = [self._notice(n) for n in notices] or [
                w.HTML('<p class="sip-hint">Inga händelser än.</p>')
            ]
            unread = [n for n in notices if not n.acknowledged]
            self.announce(f"Ny händelse: {unread[0].title}" if unread else "")

    def _notice(self, notice: exercise.Notice) -> w.Widget:
        html = w.HTML(render("event_notice.html.j2", notice=notice))
        if notice.acknowledged:
            return html
        button = w.Button(description=f"Jag har läst: {notice.title}"[:80], icon="check")
        button.on_click(lambda _b, n=notice: self.acknowledge(n.delivery_id))
        return w.VBox([html, button])

    def acknowledge(self, delivery_id: int) -> None:
        self.session.acknowledge(delivery_id)
        self.refresh()

    def next_phase(self) -> None:
        from sipkurs.store import StoreError

        if self.next_button.disabled:
            return
        self.next_button.disabled = True
        try:
            self.session.next_phase()
            self.message.value = ""
        except StoreError as exc:
            self.message.value = render("message.html.j2", text=f"{exc}.")
        self.refresh()
