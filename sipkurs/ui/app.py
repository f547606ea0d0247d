"""The participant's app: join (alone, or in a role-play group's seat), read the case and one's own role card,
write the plan with live feedback, see the others' changes as they happen, submit, export.

Widgets and wiring only: grading is sipkurs.feedback's (the graders'), the plan's live state sipkurs.live's, the
store sipkurs.store's, the plan mapping sipkurs.ui.form's. Everything typed reaches the store within a second.
"""

from __future__ import annotations

import base64
import logging
from html import escape
from urllib.parse import parse_qs, urlencode

import ipywidgets as w

from sipkurs.templating import local_time, render
from sipkurs.ui.debounce import Debouncer
from sipkurs.ui import on_enter
from sipkurs.ui.style import STYLE

log = logging.getLogger(__name__)

# The join page needs only the widgets above: the store, the graders, the cases and the form are imported when a
# participant joins (or, with preheated kernels, before the page is requested: see preload), so a cold page is quick.
HEAVY_MODULES = (
    "sipkurs.store", "sipkurs.session", "sipkurs.cases", "sipkurs.export", "sipkurs.exercise",
    "sipkurs.ui.form", "sipkurs.ui.binding", "sipkurs.ui.phase_panel",
)
GROUP_REFRESH_TICKS = 30  # the group's list (who is online) is refreshed every 30 ticks of the live sync (~3 s)
EXERCISE_TICKS = 20  # the phase and the events are checked every ~2 s
SETTINGS_TICKS = 100  # the course's feedback level and the plan's submissions are checked every ~10 s


FREE_WRONG_CODES = 3  # mistyped codes before each further try on the page waits


def wrong_code_wait(wrong: int) -> int:
    """Seconds before the next try after ``wrong`` wrong codes on one page: 0, 0, 0, then 2, 4, 8 … up to 60. Codes
    have about 50 bits, so this is not what keeps them safe; it keeps a script on an open page from trying quickly."""
    return 0 if wrong < FREE_WRONG_CODES else min(60, 2 ** (wrong - FREE_WRONG_CODES + 1))


def data_link(content: bytes, mime: str, filename: str, label: str) -> str:
    payload = base64.b64encode(content).decode()
    return render("download.html.j2", href=f"data:{mime};base64,{payload}", filename=filename, label=label)


def _message(text: str) -> str:
    return render("message.html.j2", text=text) if text else ""


SELF_STUDY_ENV = "SIPKURS_SELF_STUDY"  # set by `sipkurs serve --self-study` to the self-study course's code


def self_study_course() -> str:
    import os

    return os.environ.get(SELF_STUDY_ENV, "")


class ParticipantApp:
    def __init__(self, store=None, query: str = "") -> None:
        self._store = store
        params = parse_qs(query.lstrip("?"))
        self.self_study = self_study_course()
        self.course_param = self.self_study or (params.get("kurs") or [""])[0][:40]
        code_param = (params.get("kod") or [""])[0][:40]
        self.widget = w.VBox([w.HTML(STYLE)])
        self.widget.add_class("sip-app")
        self.session = None
        self.sync = None
        self.wrong_codes = 0
        self._next_try = 0.0  # monotonic time before which no code is tried on this page
        opened = self.store.open_code(self.course_param, code_param) if code_param else None
        if opened is None:
            self.show_join("Länken gäller inte längre. Gå med igen med din personliga kod." if code_param else "")
        elif hasattr(opened, "seat"):
            self.show_claim(opened, code_param)
        else:
            self.start_safely(opened, code_param)

    @property
    def store(self):
        if self._store is None:
            from sipkurs.store import Store

            self._store = Store()
        return self._store

    def _show(self, *children) -> None:
        self.widget.children = [self.widget.children[0], *children]

    # --- joining ----------------------------------------------------------------------------------------------
    def show_join(self, message: str = "") -> None:
        full = w.Layout(width="100%", max_width="40em")
        self.course = w.Text(value=self.course_param, description="Kurskod", layout=full)
        self.name = w.Text(description="Ditt namn", layout=full)
        self.code = w.Text(description="Personlig kod (om du har en)", placeholder="XXXXX-XXXXX", layout=full)
        self.join_button = w.Button(description="Börja eller fortsätt", button_style="primary", icon="sign-in")
        self.join_button.on_click(lambda _b: self.join())
        for field in (self.course, self.name, self.code):
            on_enter(field, self.join)
        self.message = w.HTML(_message(message))
        if self.self_study:
            intro = w.HTML(
                "<h1>Öva SIP på egen hand</h1><p>Skriv ditt namn. Första gången får du en personlig kod: med den kommer "
                "du tillbaka till ditt arbete, från vilken dator som helst. Har du redan en kod, skriv den också.</p>"
            )
            fields = [self.name, self.code]
        else:
            intro = w.HTML(
                "<h1>SIP-utkast</h1><p>Skriv kurskoden från utbildaren och ditt namn. Första gången får du en personlig "
                "kod: med den och kurskoden kommer du tillbaka till ditt utkast, från vilken dator som helst. "
                "Har du fått en länk till en plats i en grupp, öppna den länken i stället.</p>"
            )
            fields = [self.course, self.name, self.code]
        box = w.VBox([intro, *fields, self.join_button, self.message])
        box.add_class("sip-join")
        self._show(box)

    def join(self) -> None:
        from sipkurs import cases
        from sipkurs.store import SeatInvite, StoreError

        if self.join_button.disabled or self.session is not None:  # a second click while the first is handled
            return
        import time

        left = self._next_try - time.monotonic()  # kept here, not in the button: the browser can enable a button
        if left > 0 and self.code.value.strip():
            self.message.value = _message(f"Vänta {int(left) + 1} sekunder innan du försöker med en kod igen.")
            return
        self.join_button.disabled = True
        try:
            code = self.code.value.strip()
            if code:
                opened = self.store.open_code(self.course.value, code)
                if opened is None:
                    self.wrong_code()
                    return
                if isinstance(opened, SeatInvite):
                    if not self.name.value.strip():
                        self.show_claim(opened, code)
                        return
                    opened = self.store.claim_seat(self.course.value, code, self.name.value)
                participant, secret = opened, code.upper()
            else:
                variant_of = (lambda _course, _n: "") if self.self_study else cases.scenario_for_variant
                participant, secret = self.store.join(self.course.value, self.name.value, variant_of)
        except StoreError as exc:
            self.message.value = _message(f"Det gick inte: {exc}.")
            self.join_button.disabled = False
            return
        except (KeyError, LookupError):  # the course's case has left the library since the course was created
            log.exception("the course's case cannot be found")
            self.message.value = _message("Kursens fall finns inte längre i fallbiblioteket. Säg till utbildaren.")
            self.join_button.disabled = False
            return
        except BaseException:
            self.join_button.disabled = False
            raise
        self.start_safely(participant, secret)  # the button stays disabled: clicks queued meanwhile join nobody else

    def show_claim(self, invite, code: str, message: str = "") -> None:
        """A seat's link, opened for the first time: ask for the name, then take the seat."""
        from sipkurs import cases

        label = cases.seat_label(invite.group.scenario_id, invite.seat.role)
        self.name = w.Text(description="Ditt namn", layout=w.Layout(width="100%", max_width="40em"))
        self.join_button = w.Button(description="Ta platsen", button_style="primary", icon="sign-in")
        self.message = w.HTML(_message(message))

        def claim(_=None) -> None:
            from sipkurs.store import StoreError

            if self.join_button.disabled or self.session is not None:
                return
            self.join_button.disabled = True
            try:
                participant = self.store.claim_seat(invite.course, code, self.name.value)
            except StoreError as exc:
                self.message.value = _message(f"Det gick inte: {exc}.")
                self.join_button.disabled = False
                return
            self.start_safely(participant, code)

        self.join_button.on_click(claim)
        on_enter(self.name, claim)
        intro = w.HTML(
            render("seat_invite.html.j2", group=invite.group.name, course=invite.course, seat=label)
        )
        box = w.VBox([intro, self.name, self.join_button, self.message])
        box.add_class("sip-join")
        self._show(box)

    def wrong_code(self) -> None:
        """A personal code that opens nothing: said plainly, logged, and each further try on this page waits longer."""
        import time

        self.wrong_codes += 1
        wait = wrong_code_wait(self.wrong_codes)
        self._next_try = time.monotonic() + wait
        log.warning("wrong personal code for course %r (%d on this page)", self.course.value.strip()[:40], self.wrong_codes)
        text = "Det gick inte: ingen deltagare eller plats med den koden i den kursen."
        if wait:
            text += f" Kontrollera koden och försök igen om {wait} sekunder."
        self.message.value = _message(text)
        if not wait:
            self.join_button.disabled = False
            return
        try:
            import asyncio

            asyncio.get_running_loop().call_later(wait, lambda: setattr(self.join_button, "disabled", False))
        except RuntimeError:  # no event loop (tests): the next click is let through at once
            self.join_button.disabled = False

    def start_safely(self, participant, secret: str) -> None:
        """start(), and if the server fails on the way: the join page again, filled in with the participant's own
        code (a retry opens the same participant or seat, never a new one) and a Swedish message."""
        try:
            self.start(participant, secret)
        except Exception:
            log.exception("the participant's page could not be built")
            if self.sync is not None:
                self.sync.stop()
                self.sync = None
            self.session = None
            self.show_join(
                "Något gick fel på servern när sidan skulle byggas. Din personliga kod står nedan: försök igen om en "
                "stund, och händer det igen, säg till utbildaren. Inget av det du har skrivit är förlorat."
            )
            self.course.value, self.name.value, self.code.value = participant.course, participant.display_name, secret

    # --- self-study: choosing a case ----------------------------------------------------------------------------
    def choose_case(self, participant, secret: str) -> None:
        from sipkurs.selfstudy import case_choices, choose
        from sipkurs.store import StoreError
        from sipkurs.ui.case_chooser import CaseChooser

        message = w.HTML()
        self.choosing = participant  # who is choosing (for tests and for the page's own wiring)

        def chosen(case_id: str) -> None:
            try:
                updated = choose(self.store, participant, case_id)
            except StoreError as exc:
                message.value = _message(f"Det gick inte: {exc}.")
                return
            self.start_safely(updated, secret)

        chooser = CaseChooser(case_choices(), chosen)
        header = w.HTML(render("participant_header.html.j2", participant=participant, secret=secret,
                               link="?" + urlencode({"kod": secret}), restored=False, group=None, seat="",
                               self_study=True))
        self._show(header, message, chooser.widget)

    # --- drafting ---------------------------------------------------------------------------------------------
    def start(self, participant, secret: str) -> None:
        if not participant.scenario_id:  # self-study: no case chosen yet
            self.choose_case(participant, secret)
            return
        from sipkurs import cases
        from sipkurs.live import LiveSync
        from sipkurs.session import DraftSession
        from sipkurs.ui.binding import FormBinding
        from sipkurs.ui.form import PlanForm
        from sipkurs.ui.phase_panel import PhasePanel

        self.session = session = DraftSession(self.store, participant)
        self.secret = secret
        self.form = PlanForm()
        self.sync = LiveSync(session.live, on_tick=self.tick, on_error=self.sync_error)
        self.binding = FormBinding(
            self.form, session.live, self.sync, show_authors=session.group is not None, changed=self.changed
        )
        self.binding.start()
        restored = bool(session.live.known)
        link = "?" + urlencode({"kod": secret} if self.self_study else {"kurs": participant.course, "kod": secret})
        seat = session.seat
        self.header = w.HTML(
            render(
                "participant_header.html.j2", participant=participant, secret=secret, link=link, restored=restored,
                group=session.group, seat=cases.seat_label(session.scenario_id, seat.role) if seat else "",
                self_study=bool(self.self_study),
            )
        )
        self.status = w.HTML('<p aria-live="polite" class="sip-status">Inga ändringar än.</p>')
        self.feedback_html = w.HTML()
        self.submit_button = w.Button(description="Lämna in planen", button_style="success", icon="check")
        self.submit_button.on_click(lambda _b: self.submit())
        self.submit_status = w.HTML('<div aria-live="polite"></div>')
        self.history = w.HTML()
        self.html_button = w.Button(description="Utskrift (HTML)", icon="print")
        self.pdf_button = w.Button(description="PDF", icon="file")
        self.html_button.on_click(lambda _b: self.export("html"))
        self.pdf_button.on_click(lambda _b: self.export("pdf"))
        self.json_button = w.Button(description="plan.json", icon="download",
                                    tooltip="Planen som fil till självstudiekursen i JupyterLab")
        self.json_button.on_click(lambda _b: self.export("json"))
        self.downloads = w.HTML()
        self.level_choice = None
        if session.self_study:  # alone, the participant chooses how much the feedback tells
            from sipkurs.feedback import FEEDBACK_LEVELS

            self.level_choice = w.Dropdown(
                options=[(label, key) for key, label in FEEDBACK_LEVELS.items()], value=session.level,
                description="Hur mycket återkopplingen visar", layout=w.Layout(width="100%"),
            )
            self.level_choice.observe(lambda _c: self.set_level(), names="value")
        feedback_tab = w.VBox(
            [
                *([self.level_choice] if self.level_choice else []),
                self.feedback_html,
                self.submit_button,
                self.submit_status,
                self.history,
                w.HBox([self.html_button, self.pdf_button, self.json_button]),
                self.downloads,
            ]
        )
        card = w.HTML(
            '<section class="sip-card" aria-label="Fallbeskrivning">'
            + cases.participant_card_html(session.scenario_id)
            + "</section>"
        )
        self.alert = w.HTML()
        self.show_event_button = w.Button(description="Visa händelsen", layout=w.Layout(display="none"))
        self.show_event_button.on_click(lambda _b: setattr(self.tabs, "selected_index", 0))
        self.phase_panel = PhasePanel(session, self.announce)
        tabs = [("Fas", self.phase_panel.widget), ("Fallet", card)]
        if seat is not None:
            role_card = w.HTML(
                '<section class="sip-card sip-role-card" aria-label="Ditt rollkort">'
                + cases.seat_card_html(session.scenario_id, seat.role)
                + "</section>"
            )
            self.group_html = w.HTML()
            tabs += [("Rollkort", role_card), ("Gruppen", self.group_html)]
        self.interview = session.interview()
        self.interview_panel = None
        if self.interview is not None and self.interview.session.speakers():
            from sipkurs.ui.interview_panel import InterviewPanel

            self.interview_panel = InterviewPanel(self.interview)
            tabs.append(("Intervju", self.interview_panel.widget))
        tabs.append(("Återkoppling", feedback_tab))
        self.results_panel = None
        if session.self_study:
            from sipkurs.ui.results_panel import ResultsPanel

            self.results_panel = ResultsPanel(self.show_comparison)
            tabs.append(("Resultat", self.results_panel.widget))
        self.tabs = w.Tab(children=[c for _, c in tabs], titles=[t for t, _ in tabs])
        self.tabs.selected_index = 2 if seat is not None else 1
        alert_row = w.HBox([self.alert, self.show_event_button], layout=w.Layout(align_items="center"))
        side = w.VBox([self.status, alert_row, self.tabs], layout=w.Layout(width="38%"))
        side.add_class("sip-side")
        self.comparison = w.HTML()
        self.back_to_form = w.Button(description="Tillbaka till formuläret", icon="arrow-left")
        self.back_to_form.on_click(lambda _b: self.show_comparison(False))
        self.main = main = w.VBox([self.form.widget], layout=w.Layout(width="60%"))
        main.add_class("sip-main")
        workspace = w.HBox([main, side], layout=w.Layout(width="100%"))
        workspace.add_class("sip-workspace")
        from sipkurs.serving.draftguard import scope_marker

        # The page's draft guard keeps unsaved text per plan, and reconnects to the personal link.
        guard_scope = w.HTML(scope_marker(f"{participant.course}:{session.owner_id}", kept_channel=True)
                             + f'<span data-sip-resume="{escape(link)}" hidden></span>')
        self._show(self.header, guard_scope, self.binding.guard, self.binding.kept, workspace)
        self.regrade = Debouncer(self.show_feedback, delay=0.5, max_wait=2.0)
        self.score = ""
        self._ticks = 0
        if seat is not None:
            self.show_group()
        self.show_feedback()
        self.show_history()
        self.show_results()
        self.sync.start()

    def changed(self) -> None:
        self.regrade()
        self.show_status()

    def close(self) -> None:
        """Stop the page's background work (the kernel goes away soon after; tests call this themselves)."""
        if self.sync is not None:
            self.sync.stop()
        if getattr(self, "regrade", None) is not None:
            self.regrade.cancel()

    def set_level(self) -> None:
        self.session.set_own_level(self.level_choice.value)
        self.session.refresh_settings()
        self.show_feedback()

    def show_results(self) -> None:
        """Self-study, after submitting: the person's letter, the model answer and what was never found out."""
        if self.results_panel is None or not self.session.submitted:
            return
        speakers = {s.id: s.name for s in self.interview.session.speakers()} if self.interview else {}
        person = self.session.scenario.person.given_name if self.session.scenario else "personen"
        self.results_panel.show(self.session.results(self.interview), person, speakers)

    def show_comparison(self, on: bool = True) -> None:
        """The participant's plan and the model answer side by side, in place of the form (and back)."""
        if on and self.results_panel is not None and self.results_panel.debrief is not None:
            self.comparison.value = self.results_panel.comparison_html(self.session.plan_data())
            self.main.children = [self.back_to_form, self.comparison]
        else:
            self.main.children = [self.form.widget]

    def tick(self) -> None:
        self._ticks += 1
        if self._ticks % 3 == 0:
            self.show_status()
        if self.session.group is not None and self._ticks % GROUP_REFRESH_TICKS == 0:
            self.show_group()
        if self._ticks % EXERCISE_TICKS == 0:
            self.phase_panel.refresh()
        if self._ticks % SETTINGS_TICKS == 0 and self.session.refresh_settings():
            self.show_feedback()  # the trainer changed the feedback level, or the group submitted

    def announce(self, text: str) -> None:
        """A new event, in the status line until it has been read."""
        html = f'<p class="sip-alert" role="alert">{escape(text)}</p>' if text else ""
        if self.alert.value != html:
            self.alert.value = html
            self.show_event_button.layout.display = None if text else "none"

    def sync_error(self, exc: Exception) -> None:
        from sipkurs.store import StoreError

        if isinstance(exc, StoreError):  # e.g. moved out of the group by the trainer: stop, say why
            self.sync.stop()
            self.status.value = _message(f"{exc}.")

    def show_status(self) -> None:
        score = f' <span class="sip-status-score">Poäng just nu: {self.score}</span>' if self.score else ""
        text = f'<p class="sip-status"><span aria-live="polite">{self.binding.status()}</span>{score}</p>'
        if self.status.value != text:
            self.status.value = text

    def show_group(self) -> None:
        from sipkurs import cases
        from sipkurs.store import StoreError

        try:
            group = self.session.refresh_group()
        except StoreError as exc:
            self.sync_error(exc)
            return
        seats = [
            {"label": cases.seat_label(group.scenario_id, s.role), "name": s.participant_name, "online": s.online,
             "chair": s.chair, "me": s.participant_id == self.session.participant.id}
            for s in group.seats
        ]
        html = render("group_panel.html.j2", group=group, seats=seats)
        if self.group_html.value != html:
            self.group_html.value = html

    def show_feedback(self) -> None:
        fb = self.session.feedback()
        self.feedback_html.value = render("feedback.html.j2", feedback=fb)
        self.score = fb.percent
        self.show_status()

    def show_history(self) -> None:
        subs = self.session.submissions()
        self.history.value = render("submissions.html.j2", submissions=subs)

    def submit(self) -> None:
        from sipkurs.store import StoreError

        if self.submit_button.disabled:
            return
        self.submit_button.disabled = True
        try:
            sub, new = self.session.submit()
        except StoreError as exc:
            self.submit_status.value = _message(f"Inte inlämnad: {exc}.")
            return
        finally:
            self.submit_button.disabled = False
        who = "Ni kan" if self.session.group else "Du kan"
        when = f"{local_time(sub.submitted):%Y-%m-%d %H:%M}"
        self.submit_status.value = (
            f'<p aria-live="polite">Inlämnad: version {sub.number}, {when}. {who} fortsätta skriva och lämna in igen.</p>'
            if new else
            f'<p aria-live="polite">Redan inlämnad: planen är oförändrad sedan version {sub.number} ({when}).</p>'
        )
        self.show_history()
        self.show_feedback()  # after submitting, a course on "facit" shows the model answer
        self.show_results()

    def export(self, fmt: str) -> None:
        from sipkurs.export import ExportTooLarge, PlanExportError, plan_html, plan_json, plan_pdf

        self.sync.flush_now()
        data = self.session.plan_data()
        try:
            if fmt == "json":  # the plan file the nbgrader course reads
                self.downloads.value = data_link(plan_json(data), "application/json", "plan.json", "Ladda ner plan.json")
                return
            fb = self.session.feedback()
            group = self.session.group
            name = (f"{group.name}: {', '.join(a['name'] for a in data['authors'])}" if group
                    else self.session.participant.display_name)
            submission = self.session.current_submission(data)
            stem = f"sip-version-{submission.number}" if submission else "sip-utkast"
            if fmt == "pdf":
                content = plan_pdf(data, fb, name=name, submission=submission)
                self.downloads.value = data_link(content, "application/pdf", f"{stem}.pdf", "Ladda ner PDF")
            else:
                page = plan_html(data, fb, name=name, submission=submission).encode()
                self.downloads.value = data_link(page, "text/html", f"{stem}.html", "Ladda ner utskriften (HTML)")
        except (ExportTooLarge, PlanExportError) as exc:
            self.downloads.value = _message(f"{exc}.")


def participant_app(query: str = "", store=None):
    """The widget tree the notebook displays."""
    return ParticipantApp(store, query).widget


def preload() -> None:
    """Import and warm everything a participant needs after joining (catalogue, case library, graders)."""
    import importlib

    for name in HEAVY_MODULES:
        importlib.import_module(name)
    from sipkurs.feedback import assess, warm_up
    from sipkurs.ui.form import PlanForm
    from simulator.library import load_library

    from simulator.interview_matching import warm_up as warm_interview

    load_library()
    warm_up()  # the graders' Swedish language tools
    warm_interview()  # the interview's dictionary
    existing = set(_open_widgets())  # after the imports: shared layouts (form.FULL) are made then and stay
    assess(PlanForm().data())
    for key, widget in _open_widgets().items():  # nothing of the warm-up goes to the page: it sends only its own
        if key not in existing:
            widget.close()


def _open_widgets() -> dict:
    """ipywidgets' registry of open widgets (``Widget.widgets``, deprecated in 8 without a public replacement)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return dict(w.Widget.widgets)


def request_query() -> str:
    """The page's query string. With preheated kernels this waits for the page request (imports are done by then)."""
    import os

    if os.environ.get("VOILA_PREHEAT") != "True":  # a kernel started for this page: Voila set the query already
        return os.environ.get("QUERY_STRING", "")
    preload()  # a pool kernel: do the slow part before anyone waits
    from sipkurs.serving.preheat import wait_for_request  # Voila's protocol without importing Voila (~42 MiB)

    wait_for_request()
    return os.environ.get("QUERY_STRING", "")
