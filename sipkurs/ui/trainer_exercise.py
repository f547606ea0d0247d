"""The trainer's controls for running the exercise: phases for one group or all, the case's events and the trainer's
own, now or at a minute of the phase, paused or skipped, and per group what was delivered, read and changed."""

from __future__ import annotations

import ipywidgets as w

from sipkurs import exercise
from sipkurs.templating import render
from sipkurs.ui.form import CheckList

ALL = 0  # the target "every group"
FULL = w.Layout(width="100%", max_width="52em")


def parse_minute(text: str) -> float | None:
    """'' → now; '5' or '2,5' → that minute of the phase. Raises ValueError with a Swedish message."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        minute = float(text)
    except ValueError:
        raise ValueError(f"'{text}' är ingen minut; skriv till exempel 5 eller 2,5") from None
    if not 0 <= minute <= 600:
        raise ValueError("minuten ska vara mellan 0 och 600")
    return minute


def _when(delivery) -> str:
    if delivery.status == "paused":
        return "pausad"
    return "minut " + format(delivery.minute or 0, "g").replace(".", ",")


class ExerciseControls:
    def __init__(self, page) -> None:
        self.page = page  # the TrainerApp: its store and the trainer's codes
        self.target = w.Dropdown(description="Gäller", layout=FULL)
        self.advance_button = w.Button(description="Starta eller gå till nästa fas", button_style="primary", icon="forward")
        self.advance_button.on_click(lambda _b: self.advance())
        self.event_choice = w.Dropdown(description="Händelse ur fallet", layout=FULL)
        self.minute = w.Text(description="Vid minut av fasen (tomt: nu)", placeholder="till exempel 5", layout=FULL)
        self.send_button = w.Button(description="Skicka händelsen", icon="bell")
        self.send_button.on_click(lambda _b: self.send_case_event())
        self.own_title = w.Text(description="Egen händelse: rubrik", layout=FULL)
        self.own_text = w.Textarea(description="Vad har hänt?", rows=3, layout=FULL)
        self.own_affects = CheckList("Berör (ingen vald: alla)")
        self.own_private = w.Checkbox(description="Bara de berörda får läsa texten", indent=False)
        self.own_button = w.Button(description="Skicka egen händelse", icon="pencil")
        self.own_button.on_click(lambda _b: self.send_own_event())
        self.scheduled = w.Dropdown(description="Schemalagd händelse", layout=FULL)
        self.pause_button = w.Button(description="Pausa")
        self.resume_button = w.Button(description="Återuppta")
        self.skip_button = w.Button(description="Hoppa över")
        self.pause_button.on_click(lambda _b: self.set_status("paused"))
        self.resume_button.on_click(lambda _b: self.set_status("scheduled"))
        self.skip_button.on_click(lambda _b: self.set_status("skipped"))
        self.status = w.HTML('<div aria-live="polite"></div>')
        self.table = w.HTML()
        self.widget = w.VBox([
            w.HTML("<h2>Övningen</h2><p>Välj en grupp eller alla. Faserna och händelserna syns direkt hos "
                   "gruppmedlemmarna. Planen sparas som en ögonblicksbild i slutet av varje fas.</p>"),
            self.target, self.advance_button,
            w.HTML("<h3>Händelser ur fallet</h3>"), self.event_choice, self.minute, self.send_button,
            w.HTML("<h3>Egen händelse</h3>"), self.own_title, self.own_text, self.own_affects.box, self.own_private,
            self.own_button,
            w.HTML("<h3>Schemalagda händelser</h3>"), self.scheduled,
            w.HBox([self.pause_button, self.resume_button, self.skip_button]),
            self.status, self.table,
        ])
        self.widget.add_class("sip-exercise")

    # --- reading ------------------------------------------------------------------------------------------------
    def groups(self) -> list:
        return self.page.store.groups(*self.page.authorised)

    def targets(self, groups) -> list:
        chosen = self.target.value
        return groups if chosen in (ALL, None) else [g for g in groups if g.id == chosen]

    def render(self, groups) -> None:
        self._options(self.target, [("Alla grupper", ALL), *((g.name, g.id) for g in groups)])
        targets = self.targets(groups)
        events: dict[str, str] = {}
        seats: dict[str, str] = {}
        for g in targets:
            for e in exercise.case_events(g.scenario_id):
                events.setdefault(e["event_id"], e["title"])
            for s in g.seats:
                seats.setdefault(s.role, exercise.seats_named(g.scenario_id, [s.role]))
        self._options(self.event_choice, [(title, eid) for eid, title in events.items()])
        self.own_affects.set_options([(label, role) for role, label in seats.items()])
        rows, scheduled = [], []
        for g in groups:
            self.page.store.fire_due(g.owner_id)  # scheduled events go out even when no member's page is open
            state = self.page.store.exercise(g.owner_id)
            phase = exercise.current_phase(g.scenario_id, state)
            count = len(exercise.phases(g.scenario_id))
            members = sum(1 for s in g.seats if s.participant_id)
            statuses = exercise.trainer_status(self.page.store, g.owner_id, members)
            rows.append({"group": g, "phase": phase, "index": state.phase_index, "count": count,
                         "started": state.phase_started, "events": statuses})
            scheduled += [
                (f"{g.name}: {st.delivery.title} ({_when(st.delivery)})", st.delivery.id)
                for st in statuses if st.delivery.status in ("scheduled", "paused")
            ]
        self._options(self.scheduled, scheduled)
        html = render("trainer_exercise.html.j2", rows=rows)
        if self.table.value != html:
            self.table.value = html

    @staticmethod
    def _options(dropdown, options) -> None:
        if tuple(dropdown.options) != tuple(options):
            current = dropdown.value
            dropdown.options = options
            values = [v for _, v in options]
            dropdown.value = current if current in values else (values[0] if values else None)

    # --- actions ------------------------------------------------------------------------------------------------
    def _act(self, action, done: str) -> None:
        from sipkurs.store import StoreError

        try:
            action()
        except (StoreError, ValueError) as exc:
            self.status.value = render("message.html.j2", text=f"Det gick inte: {exc}.")
            return
        self.status.value = f'<p aria-live="polite">{done}</p>'
        self.page.render()

    def advance(self) -> None:
        def go():
            for g in self.targets(self.groups()):
                self.page.store.advance_group_phase(*self.page.authorised, g.id, exercise.phase_ids(g.scenario_id))

        self._act(go, "Fasen är bytt.")

    def send_case_event(self) -> None:
        def go():
            minute = parse_minute(self.minute.value)
            if self.event_choice.value is None:
                raise ValueError("välj en händelse")
            sent = 0
            for g in self.targets(self.groups()):
                if any(e["event_id"] == self.event_choice.value for e in exercise.case_events(g.scenario_id)):
                    payload = exercise.event_payload(g.scenario_id, self.event_choice.value)
                    self.page.store.publish_event(*self.page.authorised, [g.id], minute=minute, **payload)
                    sent += 1
            if not sent:
                raise ValueError("ingen av de valda grupperna har den händelsen i sitt fall")

        self._act(go, "Händelsen är skickad." if not self.minute.value.strip() else "Händelsen är schemalagd.")

    def send_own_event(self) -> None:
        def go():
            payload = exercise.custom_payload(
                self.own_title.value, self.own_text.value, list(self.own_affects.value), self.own_private.value
            )
            groups = [g.id for g in self.targets(self.groups())]
            self.page.store.publish_event(*self.page.authorised, groups, minute=parse_minute(self.minute.value), **payload)
            self.own_title.value = self.own_text.value = ""

        self._act(go, "Din händelse är skickad.")

    def set_status(self, status: str) -> None:
        def go():
            if self.scheduled.value is None:
                raise ValueError("det finns ingen schemalagd händelse")
            self.page.store.set_delivery_status(*self.page.authorised, self.scheduled.value, status)

        self._act(go, {"paused": "Händelsen är pausad.", "scheduled": "Händelsen är återupptagen.",
                       "skipped": "Händelsen hoppas över."}[status])
