"""The trainer's page: the course's overview, and the role-play groups (forming them, seats, links, the chair).

Shows nothing at all until the course code and the trainer code match. Standalone Voila serves every notebook in its
folder, so a participant can open this page by URL: the check (against the hash in the store) is what keeps other
participants' work away from them, and every action here asks the store again with the trainer code.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from urllib.parse import parse_qs

import ipywidgets as w

from html import escape

from markupsafe import Markup

from sipkurs.templating import initial_capital, render
from sipkurs.ui import on_enter
from sipkurs.ui.style import STYLE

log = logging.getLogger(__name__)
REFRESH_SECONDS = 10


def sort_rows(rows, key: str) -> list:
    """Groups first, then participants, each in the chosen order."""
    orders = {
        "name": lambda r: r.display_name.casefold(),
        "score": lambda r: (r.score is None, r.score or 0),
        "updated": lambda r: -(r.updated.timestamp() if r.updated else 0),
        "submitted": lambda r: (r.submissions > 0, r.display_name.casefold()),
    }
    order = orders.get(key, orders["name"])
    return sorted(rows, key=lambda r: (r.kind != "group", order(r)))


def most_missed(rows, top: int = 5) -> list[tuple[str, int]]:
    """The rules most plans (groups' and participants') have not met yet, with how many."""
    counts = Counter(m["title"] for r in rows if r.started for m in r.missed)
    return counts.most_common(top)


class TrainerApp:
    def __init__(self, store=None, query: str = "", granted_code: str = "") -> None:
        """``granted_code``: the trainer code the server's login already checked (the page then skips its own form)."""
        self._store = store
        params = parse_qs(query.lstrip("?"))
        full = w.Layout(width="100%", max_width="40em")
        self.course = w.Text(value=(params.get("kurs") or [""])[0][:40], description="Kurskod", layout=full)
        self.code = w.Password(description="Lärarkod", layout=full)
        self.show = w.Button(description="Visa översikten", button_style="primary")
        self.show.on_click(lambda _b: self.login())
        on_enter(self.code, self.login)
        self.output = w.HTML('<div aria-live="polite"></div>')
        self.content = w.VBox()
        self.intro = w.HTML("<p>Ange kurskoden och lärarkoden som visades när kursen skapades.</p>")
        self.widget = w.VBox(
            [
                w.HTML(STYLE),
                w.HTML("<h1>Utbildarens översikt</h1>"),
                self.intro,
                self.course,
                self.code,
                self.show,
                self.output,
                self.content,
            ]
        )
        self.widget.add_class("sip-app")
        self.authorised: tuple[str, str] | None = None
        self._timer = None
        if granted_code:
            self.code.value = granted_code
            self.login()
            if self.authorised is not None:  # the login was the server's: no second form on the page
                for field in (self.intro, self.course, self.code, self.show):
                    field.layout.display = "none"

    @property
    def store(self):
        if self._store is None:
            from sipkurs.store import Store

            self._store = Store()
        return self._store

    # --- logging in -------------------------------------------------------------------------------------------
    def login(self) -> None:
        course, code = self.course.value.strip().upper(), self.code.value
        if not self.store.check_trainer(course, code):
            self.authorised = None
            self.content.children = []
            self.output.value = render("message.html.j2", text="fel kurskod eller lärarkod.")
            return
        self.authorised = (course, code)
        self.output.value = ""
        self.build()
        self.render()
        self._schedule()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no event loop (tests): refreshed by hand
        self._timer = loop.call_later(REFRESH_SECONDS, self._auto_refresh)

    def _auto_refresh(self) -> None:
        try:
            self.render()
        except Exception:  # noqa: BLE001 - a failed refresh is retried at the next one
            log.exception("refreshing the trainer page failed")
        self._schedule()

    # --- the page after logging in ------------------------------------------------------------------------------
    def build(self) -> None:
        from sipkurs import cases

        course = self.store.course(self.authorised[0])
        full = w.Layout(width="100%", max_width="40em")
        self.overview = w.HTML()
        self.groups_html = w.HTML()
        self.group_name = w.Text(description="Gruppens namn (valfritt)", placeholder="Grupp 1, Grupp 2 …", layout=full)
        options = [(f"{title} ({cid})", cid) for cid, title in cases.case_titles().items()]
        default = course.case_id if course.case_id in dict((v, k) for k, v in options) else (options[0][1] if options else None)
        self.group_case = w.Dropdown(options=options, value=default, description="Fall", layout=full)
        self.create_button = w.Button(description="Skapa grupp", button_style="primary", icon="users")
        self.create_button.on_click(lambda _b: self.create_group())
        self.seat_choice = w.Dropdown(description="Plats", layout=full)
        self.person_choice = w.Dropdown(description="Deltagare", layout=full)
        self.move_button = w.Button(description="Flytta deltagaren till platsen")
        self.vacate_button = w.Button(description="Töm platsen")
        self.chair_button = w.Button(description="Gör till mötesledare (eller ta bort)")
        self.move_button.on_click(lambda _b: self.seat_action("move"))
        self.vacate_button.on_click(lambda _b: self.seat_action("vacate"))
        self.chair_button.on_click(lambda _b: self.seat_action("chair"))
        self.action_status = w.HTML('<div aria-live="polite"></div>')
        from sipkurs.feedback import DEFAULT_LEVEL, FEEDBACK_LEVELS
        from sipkurs.session import FEEDBACK_LEVEL_SETTING

        level = self.store.setting(FEEDBACK_LEVEL_SETTING, self.authorised[0], DEFAULT_LEVEL)
        self.level = w.Dropdown(
            options=[(label, key) for key, label in FEEDBACK_LEVELS.items()],
            value=level if level in FEEDBACK_LEVELS else DEFAULT_LEVEL,
            description="Återkoppling till deltagarna",
            layout=w.Layout(width="100%", max_width="52em"),
        )
        self.level.observe(lambda _c: self.set_level(), names="value")
        self.level_status = w.HTML('<div aria-live="polite"></div>')
        self.sort = w.Dropdown(options=[("Namn", "name"), ("Poäng, lägst först", "score"), ("Senast sparat", "updated"),
                                        ("Inlämnade sist", "submitted")], description="Sortera efter", layout=full)
        self.sort.observe(lambda _c: self.render(), names="value")
        self.plan_choice = w.Dropdown(description="Plan", layout=full)
        self.view_button = w.Button(description="Visa planen", icon="eye")
        self.download_button = w.Button(description="Ladda ner planen (PDF, HTML, JSON)", icon="download")
        self.zip_button = w.Button(description="Ladda ner alla planer (ZIP)", icon="archive")
        self.summary_button = w.Button(description="Sammanställning (CSV och diagram)", icon="bar-chart")
        self.remove_button = w.Button(description="Ta bort …", icon="trash")
        self.confirm = w.HBox()
        self.view_button.on_click(lambda _b: self.view_plan())
        self.download_button.on_click(lambda _b: self.download_plan())
        self.zip_button.on_click(lambda _b: self.download_all())
        self.summary_button.on_click(lambda _b: self.download_summary())
        self.remove_button.on_click(lambda _b: self.ask_remove())
        self.plan_view = w.HTML()
        self.plan_downloads = w.HTML()
        self.refresh = w.Button(description="Uppdatera nu", icon="refresh")
        self.refresh.on_click(lambda _b: self.render())
        from sipkurs.ui.debrief_view import DebriefView
        from sipkurs.ui.trainer_exercise import ExerciseControls

        self.exercise = ExerciseControls(self)
        self.debrief = DebriefView(self)
        overview = w.VBox([
            self.level, self.level_status, self.sort, self.overview,
            w.HTML("<h3>En plan eller alla</h3>"), self.plan_choice,
            w.HBox([self.view_button, self.download_button, self.remove_button]), self.confirm,
            w.HBox([self.zip_button, self.summary_button]), self.plan_downloads, self.plan_view,
        ])
        groups = w.VBox([
            w.HTML(
                "<h2>Rollspel i grupp</h2><p>En grupp skriver en gemensam plan. Varje plats är en roll i fallet och har "
                "en egen länk: ge länken till den som ska spela rollen. Den som öppnar länken skriver sitt namn och "
                "tar platsen; bara den personen ser platsens rollkort.</p>"
            ),
            self.group_name,
            self.group_case,
            self.create_button,
            self.groups_html,
            w.HTML("<h3>Flytta, töm och välj mötesledare</h3>"),
            self.seat_choice,
            self.person_choice,
            w.HBox([self.move_button, self.vacate_button, self.chair_button]),
            self.action_status,
        ])
        self.tabs = w.Tab(
            children=[overview, groups, self.exercise.widget, self.debrief.widget],
            titles=["Översikt", "Grupper", "Övningen", "Genomgång"],
        )
        self.tabs.observe(lambda _c: self.render_debrief(), names="selected_index")
        self.tabs.add_class("sip-trainer-tabs")
        self.content.children = [w.HBox([self.refresh], layout=w.Layout(margin="1em 0")), self.tabs]

    def logged_out(self, course: str) -> None:
        """The trainer code was changed (``sipkurs course change``) while this page was open: log in again."""
        self.authorised = None
        self.content.children = []
        self.code.value = ""
        for field in (self.intro, self.course, self.code, self.show):
            field.layout.display = None
        self.output.value = render(
            "message.html.j2",
            text=f"Lärarkoden för kurs {course} har ändrats sedan du loggade in. Logga in med den nya koden.",
        )

    def render(self) -> None:
        from sipkurs import cases
        from sipkurs.roleplay import seat_lines
        from sipkurs.store import StoreError

        if self.authorised is None:
            return
        course, code = self.authorised
        try:
            rows = self.store.overview(course, code)
            groups = self.store.groups(course, code)
        except StoreError as exc:
            if not self.store.check_trainer(course, code):
                self.logged_out(course)
                return
            self.output.value = render("message.html.j2", text=f"{exc}.")
            return
        seated = {
            s.participant_id: f"{g.name} – {initial_capital(cases.seat_label(g.scenario_id, s.role))}"
            for g in groups for s in g.seats if s.participant_id
        }
        from sipkurs.selfstudy import interview_summaries

        people, facts = interview_summaries(self.store, course, code)
        rows = sort_rows(rows, self.sort.value)
        errors, files, kept = cases.library_problems()
        html = render("library_notice.html.j2", errors=errors, files=files, kept=kept)
        html += render("trainer.html.j2", course=course, rows=rows, missed=most_missed(rows), seated=seated)
        html += render("trainer_interviews.html.j2", people=people, facts=facts)
        if self.overview.value != html:
            self.overview.value = html
        view = [(g, seat_lines(self.store, g)) for g in groups]
        html = render("trainer_groups.html.j2", groups=view)
        if self.groups_html.value != html:
            self.groups_html.value = html
        self.exercise.render(groups)
        self.render_debrief()
        seats = [
            (f"{g.name} – {initial_capital(line.label)}" + (f" ({line.taken_by})" if line.taken_by else " (ledig)"), seat.id)
            for g, lines in view for seat, line in zip(g.seats, lines, strict=True)
        ]
        people = [(f"{r.id}: {r.display_name}", r.id) for r in rows if r.kind == "participant"]
        plans = [(f"{r.display_name} (grupp)" if r.kind == "group" else f"{r.id}: {r.display_name}", (r.kind, r.id))
                 for r in rows]
        if tuple(self.plan_choice.options) != tuple(plans):
            current = self.plan_choice.value
            self.plan_choice.options = plans
            values = [v for _, v in plans]
            self.plan_choice.value = current if current in values else (values[0] if values else None)
        cases_now = [(f"{title} ({cid})", cid) for cid, title in cases.case_titles().items()]  # the library is live
        for dropdown, options in ((self.seat_choice, seats), (self.person_choice, people), (self.group_case, cases_now)):
            if tuple(dropdown.options) != tuple(options):
                current = dropdown.value
                dropdown.options = options
                values = [v for _, v in options]
                dropdown.value = current if current in values else (values[0] if values else None)

    # --- plans: read, download, remove -------------------------------------------------------------------------
    def _chosen_plan(self):
        from sipkurs.collect import plan_of

        if self.authorised is None or self.plan_choice.value is None:
            return None
        return plan_of(self.store, *self.authorised, *self.plan_choice.value)

    def view_plan(self) -> None:
        from sipkurs.collect import feedback_of
        from sipkurs.export import readable

        plan = self._chosen_plan()
        if plan is None:
            return
        feedback_html = render("feedback.html.j2", feedback=feedback_of(self.store, plan))
        self.plan_view.value = render("plan_view.html.j2", plan=plan, sections=readable(plan.data),
                                      feedback_html=Markup(feedback_html))

    def download_plan(self) -> None:
        from sipkurs.collect import documents, feedback_of
        from sipkurs.ui.app import data_link

        plan = self._chosen_plan()
        if plan is None:
            return
        files = documents(plan, feedback_of(self.store, plan))
        kinds = {"plan.pdf": "application/pdf", "plan.html": "text/html", "plan.json": "application/json"}
        self.plan_downloads.value = "".join(
            data_link(content, kinds[name], f"{plan.slug}-{name}", f"Ladda ner {name}") for name, content in files.items()
        )

    def download_all(self) -> None:
        from sipkurs.collect import course_zip
        from sipkurs.ui.app import data_link

        if self.authorised is None:
            return
        content = course_zip(self.store, *self.authorised)
        self.plan_downloads.value = data_link(content, "application/zip", f"planer-{self.authorised[0]}.zip",
                                              "Ladda ner alla planer (ZIP)")

    def download_summary(self) -> None:
        from sipkurs.collect import all_plans, feedback_of, summary_files
        from sipkurs.ui.app import data_link

        if self.authorised is None:
            return
        plans = [p for p in all_plans(self.store, *self.authorised) if p.status != "not_started"]
        files = summary_files(plans, [feedback_of(self.store, p) for p in plans])
        self.plan_downloads.value = (
            data_link(files["sammanstallning.csv"], "text/csv", "sammanstallning.csv", "Ladda ner sammanställningen (CSV)")
            + data_link(files["sammanstallning.png"], "image/png", "sammanstallning.png", "Ladda ner diagrammet (PNG)")
        )

    def ask_remove(self) -> None:
        if self.plan_choice.value is None:
            return
        label = dict((v, k) for k, v in self.plan_choice.options)[self.plan_choice.value]
        yes = w.Button(description=f"Ja, ta bort {label}"[:80], button_style="danger")
        no = w.Button(description="Avbryt")
        yes.on_click(lambda _b: self.remove(self.plan_choice.value))
        no.on_click(lambda _b: setattr(self.confirm, "children", ()))
        self.confirm.children = [
            w.HTML(f'<p role="alert">Ta bort <strong>{escape(label)}</strong> ur översikten? Deras platser töms och '
                   "deras kod slutar fungera. Det som lämnats in finns kvar i lagringen.</p>"), yes, no,
        ]

    def remove(self, chosen) -> None:
        from sipkurs.store import StoreError

        self.confirm.children = ()
        try:
            self.store.remove(*self.authorised, *chosen)
        except StoreError as exc:
            self.action_status.value = render("message.html.j2", text=f"Det gick inte: {exc}.")
            return
        self.plan_view.value = ""
        self.render()

    def render_debrief(self) -> None:
        if self.authorised is not None and self.tabs.selected_index == 3:
            self.debrief.render()

    def show_projector(self, on: bool) -> None:
        """The debrief alone on the screen, in large text: nothing else of the trainer's page (no codes, no links)."""
        if on:
            self._saved_children = self.widget.children
            self.debrief.render()
            self.widget.children = [self.widget.children[0], self.debrief.back, self.debrief.body]
            self.widget.add_class("sip-projector")
        else:
            self.widget.children = self._saved_children
            self.widget.remove_class("sip-projector")

    # --- actions ------------------------------------------------------------------------------------------------
    def set_level(self) -> None:
        """How much the live feedback tells, for the whole course (participants' pages follow within seconds)."""
        from sipkurs.session import FEEDBACK_LEVEL_SETTING

        if self.authorised is None or not self.store.check_trainer(*self.authorised):
            return
        self.store.set_setting(FEEDBACK_LEVEL_SETTING, self.level.value, course=self.authorised[0])
        self.level_status.value = '<p aria-live="polite">Återkopplingsnivån är ändrad för hela kursen.</p>'

    def create_group(self) -> None:
        from sipkurs.roleplay import form_group
        from sipkurs.store import StoreError

        if self.authorised is None or self.create_button.disabled:
            return
        self.create_button.disabled = True
        try:
            group = form_group(
                self.store, *self.authorised, case_id=self.group_case.value or "", name=self.group_name.value
            )
        except StoreError as exc:
            self.action_status.value = render("message.html.j2", text=f"Gruppen skapades inte: {exc}.")
            return
        finally:
            self.create_button.disabled = False
        self.group_name.value = ""
        self.action_status.value = f'<p aria-live="polite">{group.name} är skapad med {len(group.seats)} platser.</p>'
        self.render()

    def seat_action(self, action: str) -> None:
        from sipkurs.store import StoreError

        if self.authorised is None or self.seat_choice.value is None:
            return
        course, code = self.authorised
        try:
            if action == "move":
                if self.person_choice.value is None:
                    raise StoreError("välj en deltagare")
                self.store.assign_seat(course, code, self.seat_choice.value, self.person_choice.value)
                done = "Deltagaren har flyttats till platsen."
            elif action == "vacate":
                self.store.vacate_seat(course, code, self.seat_choice.value)
                done = "Platsen är tom och har fått en ny länk om den gamla var någons personliga kod."
            else:
                self.store.set_chair(course, code, self.seat_choice.value)
                done = "Mötesledaren är ändrad."
        except StoreError as exc:
            self.action_status.value = render("message.html.j2", text=f"Det gick inte: {exc}.")
            return
        self.action_status.value = f'<p aria-live="polite">{done}</p>'
        self.render()


def trainer_app(query: str = "", store=None):
    return TrainerApp(store, query).widget
