"""The participant's drafting app: join, read the case, fill the plan, see feedback while typing, submit, export.

Widgets and wiring only: grading is sipkurs.feedback's (the graders'), persistence sipkurs.store's, the plan mapping
sipkurs.ui.form's. Everything typed is autosaved within two seconds, so a dead kernel or a closed tab loses nothing.
"""

from __future__ import annotations

import base64
import logging
from urllib.parse import parse_qs, urlencode

import ipywidgets as w

from sipkurs.templating import local_time, render

log = logging.getLogger(__name__)
from sipkurs.ui.debounce import Debouncer
from sipkurs.ui.style import LABEL_STYLE, STYLE

# The join page needs only the widgets above: the store, the graders, the cases and the form are imported when a
# participant joins (or, with preheated kernels, before the page is requested: see preload), so a cold page is quick.
HEAVY_MODULES = ("sipkurs.store", "sipkurs.session", "sipkurs.cases", "sipkurs.export", "sipkurs.ui.form")


def data_link(content: bytes, mime: str, filename: str, label: str) -> str:
    payload = base64.b64encode(content).decode()
    return render("download.html.j2", href=f"data:{mime};base64,{payload}", filename=filename, label=label)


class ParticipantApp:
    def __init__(self, store=None, query: str = "") -> None:
        self._store = store
        params = parse_qs(query.lstrip("?"))
        self.course_param = (params.get("kurs") or [""])[0]
        code_param = (params.get("kod") or [""])[0]
        self.widget = w.VBox([w.HTML(STYLE)])
        self.widget.add_class("sip-app")
        self.session = None
        participant = self.store.resume(self.course_param, code_param) if code_param else None
        if participant is not None:
            self.start(participant, code_param)
        else:
            self.show_join("Länken gäller inte längre. Gå med igen med din personliga kod." if code_param else "")

    @property
    def store(self):
        if self._store is None:
            from sipkurs.store import Store

            self._store = Store()
        return self._store

    # --- joining ----------------------------------------------------------------------------------------------
    def show_join(self, message: str = "") -> None:
        self.course = w.Text(value=self.course_param, description="Kurskod", style=LABEL_STYLE)
        self.name = w.Text(description="Ditt namn", style=LABEL_STYLE)
        self.code = w.Text(description="Personlig kod (om du har en)", style=LABEL_STYLE, placeholder="XXXXX-XXXXX")
        self.join_button = w.Button(description="Börja eller fortsätt", button_style="primary", icon="sign-in")
        self.join_button.on_click(lambda _b: self.join())
        self.message = w.HTML(self._message(message))
        intro = w.HTML(
            "<h1>SIP-utkast</h1><p>Skriv kurskoden från utbildaren och ditt namn. Första gången får du en personlig "
            "kod: med den och kurskoden kommer du tillbaka till ditt utkast, från vilken dator som helst.</p>"
        )
        self.widget.children = [self.widget.children[0], intro, self.course, self.name, self.code, self.join_button, self.message]

    @staticmethod
    def _message(text: str) -> str:
        return render("message.html.j2", text=text) if text else ""

    def join(self) -> None:
        from sipkurs import cases
        from sipkurs.store import StoreError

        try:
            if self.code.value.strip():
                participant = self.store.resume(self.course.value, self.code.value)
                if participant is None:
                    raise StoreError("ingen deltagare med den personliga koden i den kursen")
                secret = self.code.value.strip().upper()
            else:
                participant, secret = self.store.join(self.course.value, self.name.value, cases.scenario_for_variant)
        except StoreError as exc:
            self.message.value = self._message(f"Det gick inte: {exc}.")
            return
        except (KeyError, LookupError):  # the course's case has left the library since the course was created
            log.exception("the course's case cannot be found")
            self.message.value = self._message("Kursens fall finns inte längre i fallbiblioteket. Säg till utbildaren.")
            return
        self.start(participant, secret)

    # --- drafting ---------------------------------------------------------------------------------------------
    def start(self, participant, secret: str) -> None:
        from sipkurs import cases
        from sipkurs.session import DraftSession
        from sipkurs.ui.form import PlanForm

        self.session = DraftSession(self.store, participant)
        self.form = PlanForm()
        saved = self.session.restore()
        if saved:
            self.form.load(saved)
        link = "?" + urlencode({"kurs": participant.course, "kod": secret})
        header = w.HTML(
            render("participant_header.html.j2", participant=participant, secret=secret, link=link, restored=bool(saved))
        )
        card = w.HTML(
            '<section class="sip-card" aria-label="Fallbeskrivning" tabindex="0">'
            + cases.participant_card_html(participant.scenario_id)
            + "</section>"
        )
        self.feedback_html = w.HTML()
        self.status = w.HTML('<p aria-live="polite">Inga ändringar än.</p>')
        self.submit_button = w.Button(description="Lämna in planen", button_style="success", icon="check")
        self.submit_button.on_click(lambda _b: self.submit())
        self.submit_status = w.HTML('<div aria-live="polite"></div>')
        self.html_button = w.Button(description="Utskrift (HTML)", icon="print")
        self.pdf_button = w.Button(description="PDF", icon="file")
        self.html_button.on_click(lambda _b: self.export("html"))
        self.pdf_button.on_click(lambda _b: self.export("pdf"))
        self.downloads = w.HTML()
        side = w.VBox(
            [
                w.HTML("<h2>Återkoppling</h2>"),
                self.status,
                self.feedback_html,
                self.submit_button,
                self.submit_status,
                w.HBox([self.html_button, self.pdf_button]),
                self.downloads,
            ],
            layout=w.Layout(width="36%"),
        )
        side.add_class("sip-feedback")
        main = w.VBox([w.HTML("<h2>Fallet</h2>"), card, self.form.widget], layout=w.Layout(width="62%"))
        self.widget.children = [self.widget.children[0], header, w.HBox([main, side])]
        self.saver = Debouncer(self.save, delay=0.4, max_wait=1.5)
        self.form.on_change(self.saver)
        self.show_feedback(self.session.feedback(self.form.data()))

    def show_feedback(self, fb) -> None:
        self.feedback_html.value = render("feedback.html.j2", feedback=fb)

    def save(self) -> None:
        try:
            fb = self.session.save(self.form.data())
        except Exception:  # noqa: BLE001 - a failed save must be visible, never silent; details go to the server log
            log.exception("saving a draft failed")
            self.status.value = self._message(
                "Kunde inte spara just nu. Det du skrivit finns kvar i formuläret; försök igen om en stund eller säg till utbildaren."
            )
            return
        self.show_feedback(fb)
        self.status.value = f'<p aria-live="polite">Sparat kl. {local_time():%H:%M:%S}.</p>'

    def submit(self) -> None:
        from sipkurs.store import StoreError

        self.saver.flush()
        try:
            sub = self.session.submit(self.form.data())
        except StoreError as exc:
            self.submit_status.value = self._message(f"Inte inlämnad: {exc}.")
            return
        self.submit_status.value = (
            f'<p aria-live="polite">Inlämnad: version {sub.number}, {local_time(sub.submitted):%Y-%m-%d %H:%M}. '
            "Du kan fortsätta skriva och lämna in igen.</p>"
        )

    def export(self, fmt: str) -> None:
        from sipkurs.export import plan_html, plan_pdf

        self.saver.flush()
        data = self.session.plan_data(self.form.data())
        fb = self.session.feedback(self.form.data())
        name = self.session.participant.display_name
        title = "SIP-utkast"
        if fmt == "pdf":
            self.downloads.value = data_link(plan_pdf(data, fb, name=name, title=title), "application/pdf", "sip-utkast.pdf", "Ladda ner PDF")
        else:
            page = plan_html(data, fb, name=name, title=title).encode()
            self.downloads.value = data_link(page, "text/html", "sip-utkast.html", "Ladda ner utskriften (HTML)")


def participant_app(query: str = "", store=None):
    """The widget tree the notebook displays."""
    return ParticipantApp(store, query).widget


def preload() -> None:
    """Import and warm everything a participant needs after joining (catalogue, case library, graders)."""
    import importlib

    for name in HEAVY_MODULES:
        importlib.import_module(name)
    from sipkurs.feedback import assess
    from sipkurs.ui.form import PlanForm
    from simulator.library import load_library

    load_library()
    assess(PlanForm().data())


def request_query() -> str:
    """The page's query string. With preheated kernels this waits for the page request (imports are done by then)."""
    import os

    if os.environ.get("VOILA_PREHEAT") != "True":  # a kernel started for this page: Voila set the query already
        return os.environ.get("QUERY_STRING", "")
    preload()  # a pool kernel: do the slow part before anyone waits
    from voila.utils import wait_for_request  # imports Voila's server side (~2 s): only worth it in a pool kernel

    return wait_for_request() or os.environ.get("QUERY_STRING", "")
