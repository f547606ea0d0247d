"""The form ↔ Plan mapping, the debouncer, the drafting session and the trainer page, without a browser."""

import time

import pytest

from graders.plan import Plan
from sipkurs.feedback import assess
from sipkurs.session import DraftSession
from sipkurs.store import Store, StoreError
from sipkurs.plandoc import PUBLIC_IDS
from sipkurs.ui.debounce import Debouncer
from sipkurs.ui.fields import SECTIONS, Table, all_paths
from sipkurs.ui.form import PlanForm
from sipkurs.ui.trainer import TrainerApp

# Set by the app itself, not typed: the case, the authors, the time of saving, the role-play group.
APP_FIELDS = {"format", "version", "scenario_id", "authors", "updated", "group"}


def test_every_plan_field_has_an_input():
    covered = {p.split(".")[0] for p in all_paths()}
    assert covered == set(Plan.model_fields) - APP_FIELDS
    for section in SECTIONS:
        for part in section.parts:
            if isinstance(part, Table):
                row_model = Plan.model_fields[part.path].annotation.__args__[0]
                assert {c.path for c in part.columns} | ({"id"} if part.path in PUBLIC_IDS else set()) == set(row_model.model_fields)


def _filled_form() -> PlanForm:
    form = PlanForm()
    form.inputs["concerns.name"].widget.value = "Åsa Öberg"
    form.inputs["concerns.guardians"].widget.value = "Mamma\n\n Pappa "
    form.inputs["consent.given"].widget.value = True
    form.inputs["overall_responsibility.principal"].widget.value = "kommun"
    need = form.request_row("needs")
    need.inputs["text"].widget.value = "Stöd i boendet"
    need.inputs["area"].widget.value = "boende"
    goal = form.request_row("goals")
    goal.inputs["text"].widget.value = "Bo kvar i lägenheten"
    sub = form.request_row("goals")
    sub.inputs["kind"].widget.value = "sub_goal"
    sub.inputs["parent"].widget.value = "M1"
    effort = form.request_row("efforts")
    effort.inputs["what"].widget.value = "Boendestöd två gånger i veckan"
    effort.inputs["organisation"].widget.value = "socialtjanst_vuxen"
    effort.inputs["needs"].widget.boxes["B1"].value = True  # ticked, as a participant does
    effort.inputs["goals"].widget.boxes["M1"].value = True
    effort.inputs["goals"].widget.boxes["M2"].value = True
    effort.inputs["status"].widget.value = "ongoing"
    return form


def test_form_data_is_a_valid_plan_and_round_trips():
    form = _filled_form()
    data = form.data()
    plan = Plan.model_validate(data)
    assert plan.concerns.guardians == ["Mamma", "Pappa"]
    assert plan.efforts[0].needs == ["B1"] and plan.efforts[0].goals == ["M1", "M2"]
    assert plan.goals[1].parent == "M1" and plan.efforts[0].status == "ongoing"
    assert plan.closure is None
    again = PlanForm()
    again.load(data)
    assert again.data() == data
    assert [(cb.description, v) for v, cb in again.tables["efforts"].rows["I1"].inputs["needs"].widget.boxes.items()] == [
        ("B1: Stöd i boendet (I1)", "B1")
    ]


def test_link_choices_follow_rows_and_keep_what_was_chosen():
    form = _filled_form()
    edits = []
    form.on_edit = lambda path, value: edits.append((path, value))
    form.request_row("needs")
    effort = form.tables["efforts"].rows["I1"]
    assert list(effort.inputs["needs"].widget.boxes) == ["B1", "B2"]
    form.tables["goals"].rows["M1"].inputs["text"].widget.value = "Bo kvar, med stöd"  # editing a goal …
    assert form.tables["goals"].rows["M2"].inputs["parent"].widget.value == "M1"  # … keeps the sub-goal's link
    form.remove_row("needs", "B1")
    assert effort.inputs["needs"].widget.value == () and form.data()["efforts"][0]["needs"] == []
    assert form.request_row("needs").id == "B3"  # ids are never reused
    assert edits == [("goals[M1].text", "Bo kvar, med stöd")]
    Plan.model_validate(form.data())


def test_saved_draft_with_unknown_values_is_kept_not_dropped():
    form = PlanForm()
    form.load({"chair": "<b>Kim</b>", "efforts": [{"id": "I1", "organisation": "okand_org", "needs": ["B9"]}]})
    data = form.data()
    assert data["chair"] == "<b>Kim</b>"
    assert data["efforts"][0]["organisation"] == "okand_org"
    fb = assess(data)
    assert fb.score is None and any("okänd" in p for p in fb.problems)


def test_debouncer_coalesces_and_respects_max_wait():
    calls = []
    d = Debouncer(lambda: calls.append(time.monotonic()), delay=0.2, max_wait=0.5)
    start = time.monotonic()
    for _ in range(10):
        d()
        time.sleep(0.08)
    time.sleep(0.5)
    assert 1 <= len(calls) <= 3
    assert calls[0] - start < 0.75  # not later than max_wait after the first edit (plus timer slack)
    d()
    d.flush()
    assert not d.pending and len(calls) >= 2


@pytest.fixture()
def store(course_store):
    return course_store("K", "HEMLIG-KOD1")


def _session(store, name="Bo"):
    from sipkurs import cases

    p, _ = store.join("K", name, cases.scenario_for_variant)
    return DraftSession(store, p)


def test_session_submits_only_valid_plans_with_its_authors(store):
    session = _session(store)
    assert session.scenario is not None and session.scenario.id == session.participant.scenario_id
    session.live.load()
    session.live.edit("efforts[I1]", True)
    session.live.edit("efforts[I1].organisation", "okand_org")
    assert session.live.flush()
    with pytest.raises(StoreError, match="kan inte lämnas in"):
        session.submit()
    session.live.edit("efforts[I1].organisation", "socialtjanst_vuxen")
    session.live.edit("chair", "Kim")
    sub, new = session.submit()
    assert new and session.submit() == (sub, False)  # the same plan again: no new version
    assert sub.number == 1 and sub.data["scenario_id"] == session.participant.scenario_id
    assert sub.data["authors"] == [{"name": "Bo"}] and sub.data["chair"] == "Kim"
    fb = session.feedback()
    assert store.load_draft(session.participant).score == fb.score == sub.score


def test_trainer_page_shows_nothing_without_the_code(store):
    session = _session(store, "<img src=x onerror=alert(1)>")
    session.live.load()
    session.live.edit("chair", "x")
    session.live.flush()
    page = TrainerApp(store, "kurs=K")
    assert page.course.value == "K"
    page.login()
    assert "img" not in page.output.value and "lärarkod" in page.output.value  # no participant shown
    page.code.value = "fel"
    page.login()
    assert page.content.children == () and "<td>" not in page.output.value
    page.code.value = "hemlig-kod1"
    page.login()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.overview.value and "<img" not in page.overview.value
    assert "1 deltagare" in page.overview.value


def test_library_case_gives_each_participant_a_variant_without_facit(tmp_path):
    from sipkurs import cases

    store = Store(f"sqlite:///{tmp_path / 'c.db'}")
    store.create_course("C", case_id="sjukskriven_utmattning", trainer_code="TRAINER-KOD1")
    a, _ = store.join("C", "A", cases.scenario_for_variant)
    b, _ = store.join("C", "B", cases.scenario_for_variant)
    assert (a.scenario_id, b.scenario_id) == ("sjukskriven_utmattning@0", "sjukskriven_utmattning@1")
    card_a, card_b = cases.participant_card_html(a.scenario_id), cases.participant_card_html(b.scenario_id)
    assert card_a != card_b and "Deltagarvy" in card_a
    assert "Facit" not in card_a and "facit" not in card_a.lower()
    assert DraftSession(store, a).scenario.person.full_name != DraftSession(store, b).scenario.person.full_name
    store.close()


def test_join_page_loads_without_the_heavy_modules():
    """A cold page imports only the widgets; the store, graders and cases come when someone joins (or preheat)."""
    import subprocess
    import sys

    code = (
        "import sys, sipkurs.ui.app, sipkurs.ui.trainer\n"
        "heavy = ('sqlalchemy', 'graders', 'simulator', 'faker', 'fpdf', 'matplotlib')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(heavy)}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_serve_runs_standalone_voila_in_swedish_with_culling(tmp_path):
    from sipkurs.serving.app import voila_config
    from sipkurs.serving.config import Limits, ServeConfig
    from sipkurs.serving.pages import PAGES, served_folder

    c = voila_config(ServeConfig(pool_size=6, limits=Limits(abandoned_timeout=120)), tmp_path)
    assert c.VoilaExporter.language_code == "sv" and c.KernelManager.transport == "ipc"
    assert c.MappingKernelManager.cull_idle_timeout == 120 and c.VoilaConfiguration.preheat_kernel
    pools = c.VoilaKernelManager
    assert pools.kernel_pools_config["sip_utkast.ipynb"]["pool_size"] == 6 and "sip_larare.ipynb" in pools.preheat_denylist
    served = sorted(p.name for p in served_folder().iterdir())
    assert served == sorted(p.notebook for p in PAGES)  # nothing else is reachable by URL


def test_odd_row_ids_from_a_stored_draft_get_fresh_ids():
    form = PlanForm()
    form.load({"needs": [{"id": "<img src=x onerror=alert(2)>", "text": "behov"}]})
    assert list(form.tables["needs"].rows) == ["B1"]
    headings = [c.value for c in form.tables["needs"].rows["B1"].box.children if "<h4>" in str(getattr(c, "value", ""))]
    assert headings == ["<h4>Behov B1</h4>"]


def test_the_trainer_chooses_the_feedback_level_and_facit_comes_only_after_submission(store):
    session = _session(store)
    session.live.load()
    session.live.edit("chair", "Kim")
    session.live.flush()
    assert session.feedback().level == "nudge" and not session.feedback().answer_key
    page = TrainerApp(store, "kurs=K")
    page.code.value = "hemlig-kod1"
    page.login()
    page.level.value = "facit"
    assert "ändrad" in page.level_status.value
    assert session.refresh_settings() and session.feedback().level == "facit"
    assert not session.feedback().answer_key  # not before the plan is submitted
    session.live.edit("current_situation", "Bor ensam")
    session.submit()
    assert session.feedback().answer_key
    other = _session(store, "Ny")
    assert other.level == "facit" and not other.feedback().answer_key


def test_text_over_the_limit_is_not_saved_and_the_field_says_so(store):
    from sipkurs.live import LiveSync
    from sipkurs.ui.binding import FormBinding

    session = _session(store)
    form = PlanForm()
    sync = LiveSync(session.live)
    binding = FormBinding(form, session.live, sync, show_authors=False, changed=lambda: None)
    binding.start()
    form.inputs["chair"].widget.value = "x" * 450
    assert "450 av 500 tecken" in form.inputs["chair"].note.value.replace("\u00a0", " ")
    form.inputs["chair"].widget.value = "x" * 600
    note = form.inputs["chair"].note.value.replace("\u00a0", " ")
    assert "För lång text" in note and "600 tecken" in note and "högst 500" in note
    assert session.live.pending["chair"].value == "x" * 450 and "för lång" in binding.status()
    form.inputs["chair"].widget.value = "Kim"
    assert not binding.too_long and form.inputs["chair"].note.value == "" and session.live.pending["chair"].value == "Kim"
    form.inputs["distribution"].widget.value = "Vårdcentralen\n" + "y" * 501
    assert "en rad har 501 tecken" in form.inputs["distribution"].note.value.replace("\u00a0", " ")


def test_text_the_browser_kept_is_shown_and_saved_once_and_bad_messages_change_nothing(store):
    """The page's guard hands back text from an earlier page through the hidden ``sip-kept`` input, as a growing list."""
    import json

    from sipkurs.live import LiveSync
    from sipkurs.ui.binding import FormBinding
    from sipkurs.ui.form import field_class

    session = _session(store)
    form = PlanForm()
    binding = FormBinding(form, session.live, LiveSync(session.live), show_authors=False, changed=lambda: None)
    binding.start()
    row = form.request_row("goals").id
    for bad in ("", "inte json", '{"k": 1}', "[1, null]", json.dumps([{"k": "sip-k-finns-inte", "v": "x"}]),
                json.dumps([{"k": field_class("consent.given"), "v": "true"}]), "[" * 100_000,
                json.dumps([{"k": field_class("chair"), "v": "x" * 2_000_001}])):
        binding.kept.value = bad
    assert not session.live.pending and not session.live.conflicts
    first = [{"k": field_class("chair"), "v": "Kim Berg"}]
    binding.kept.value = json.dumps(first)
    both = first + [{"k": field_class(f"goals[{row}].text"), "v": "Arbeta halvtid"},
                    {"k": field_class("meeting_questions"), "v": "Vem gör vad?\nNär ses vi igen?"}]
    binding.kept.value = json.dumps(both)
    assert form.inputs["chair"].widget.value == "Kim Berg"
    assert form.input(f"goals[{row}].text").widget.value == "Arbeta halvtid"
    assert session.live.flush()
    data = session.live.data()
    assert data["chair"] == "Kim Berg" and data["meeting_questions"] == ["Vem gör vad?", "När ses vi igen?"]
    assert [g["text"] for g in data["goals"]] == ["Arbeta halvtid"]
    session.live.edit("chair", "Kim")  # typed after: a later list with the same kept text does not undo it
    binding.kept.value = json.dumps(both + [])
    binding.kept.value = json.dumps(list(reversed(both)))
    assert session.live.pending["chair"].value == "Kim"
    assert session.live.flush()

    # Kept text begun on an older revision of a field written since (here in another tab): both texts, to choose.
    from sipkurs.live import LivePlan

    begun_on = session.live.known["current_situation"].rev if "current_situation" in session.live.known else 0
    other_tab = LivePlan(store, session.participant)
    other_tab.load()
    other_tab.edit("current_situation", "Skrivet i en annan flik")
    assert other_tab.flush()
    session.live.poll()
    binding.kept.value = json.dumps(both + [{"k": field_class("current_situation"), "v": "Gammalt utkast", "r": begun_on}])
    assert not session.live.flush()
    panel = form.inputs["current_situation"].extra[0]
    assert "Skrivet i en annan flik" in panel.children[1].value and "Gammalt utkast" in panel.children[1].value
    assert form.inputs["current_situation"].widget.value == "Gammalt utkast"


def test_the_conflict_panel_follows_their_newest_text_and_is_closed_when_settled(store):
    from sipkurs.live import LivePlan, LiveSync
    from sipkurs.serving.draftguard import saved_hash
    from sipkurs.ui.binding import FormBinding

    session = _session(store)
    form = PlanForm()
    binding = FormBinding(form, session.live, LiveSync(session.live), show_authors=True, changed=lambda: None)
    binding.start()
    other_tab = LivePlan(store, session.participant)
    other_tab.load()
    other_tab.edit("wishes", "Vill <b>arbeta</b>")
    assert other_tab.flush()
    form.inputs["wishes"].widget.value = "Vill ha en kontaktperson"
    assert not session.live.flush()
    inp = form.inputs["wishes"]
    box, buttons = inp.extra
    head, body = box.children
    assert 'role="alert"' in head.value and "Vill &lt;b&gt;arbeta&lt;/b&gt;" in body.value
    alert = head.value
    other_tab.edit("wishes", "Vill <b>arbeta</b> halvtid")
    assert other_tab.flush()
    session.live.poll()
    # Renewed in place: the same panel and buttons (a click on the way is not lost), the alert not said again.
    assert inp.extra == [box, buttons] and box.children == (head, body) and head.value == alert
    assert "Vill &lt;b&gt;arbeta&lt;/b&gt; halvtid" in body.value and "kontaktperson" in body.value
    assert inp.widget.value == "Vill ha en kontaktperson"  # the member's own text stays in the field
    [merge] = [b for b in buttons.children if b.description.startswith("Slå ihop")]
    merge.click()
    merged = "Vill ha en kontaktperson\n\nVill <b>arbeta</b> halvtid"
    assert inp.widget.value == merged and inp.extra == []
    assert box.comm is None and head.comm is None and buttons.comm is None and merge.comm is None  # closed
    assert f'data-sip-settled="sip-k-wishes" data-sip-hash="{saved_hash("Vill ha en kontaktperson")}"' not in binding.guard.value
    assert session.live.flush()
    # Stored: the page's guard may forget the member's own text, which is in the merged one.
    assert f'data-sip-settled="sip-k-wishes" data-sip-hash="{saved_hash("Vill ha en kontaktperson")}"' in binding.guard.value
    assert f'data-sip-saved="sip-k-wishes" data-sip-hash="{saved_hash(merged)}"' in binding.guard.value

    # "Behåll deras text": the member's text is settled at once, and the field is marked with their stored text.
    other_tab.poll()
    other_tab.edit("chair", "Kim")
    assert other_tab.flush()
    form.inputs["chair"].widget.value = "Bo"
    assert not session.live.flush()
    [keep_theirs] = [b for b in inp_buttons(form, "chair") if b.description.startswith("Behåll deras")]
    keep_theirs.click()
    assert form.inputs["chair"].widget.value == "Kim"
    assert f'data-sip-settled="sip-k-chair" data-sip-hash="{saved_hash("Bo")}"' in binding.guard.value
    assert f'data-sip-saved="sip-k-chair" data-sip-hash="{saved_hash("Kim")}"' in binding.guard.value


def inp_buttons(form, path):
    return form.input(path).extra[1].children


def test_a_warmed_up_pool_kernel_still_builds_pages_and_keeps_no_warm_up_widgets(store):
    from sipkurs.ui.app import ParticipantApp, _open_widgets, preload

    before = set(_open_widgets())
    preload()
    assert len(set(_open_widgets()) - before) < 20  # the warm-up form's widgets are closed, not sent to the page
    app = ParticipantApp(store, "?kurs=K")
    app.name.value = "Efter uppvärmningen"
    app.join()
    assert app.session is not None and app.form.inputs["chair"].widget.layout.width == "100%"
    app.close()


def test_every_seat_of_a_group_opens_its_page_and_the_interview_skips_the_played_roles(store_url):
    """The närstående seat has no part in the interview: taking it must not break the page (it once left the button
    disabled for good), and the roles people play are not offered as simulated speakers."""
    from sipkurs.roleplay import form_group
    from sipkurs.ui.app import ParticipantApp

    store = Store(store_url)
    store.create_course("G", case_id="psykos_missbruk_boende", trainer_code="HEMLIG-KOD1")
    group = form_group(store, "G", "HEMLIG-KOD1")
    assert "narstaende" in [s.role for s in group.seats]
    apps = {}
    for seat in group.seats:
        app = ParticipantApp(store, f"kurs=G&kod={seat.code}")
        app.name.value = f"Spelar {seat.role}"
        app.join_button.click()
        assert app.session is not None and "Rollkort" in app.tabs.titles, (seat.role, app.message.value)
        apps[seat.role] = app
    last = apps[group.seats[-1].role]
    if last.interview_panel is not None:
        speakers = {s.role for s in last.interview.session.speakers()}
        assert not speakers & {s.role for s in group.seats}
    for app in apps.values():
        app.close()
    store.close()


def test_a_page_that_fails_to_build_says_so_and_a_retry_opens_the_same_participant(store, monkeypatch):
    from sipkurs.ui.app import ParticipantApp

    app = ParticipantApp(store, "kurs=K")
    app.name.value = "Otur Olsson"
    real = ParticipantApp.show_feedback
    # Fails late: after the live sync exists, as a real fault in the grading or the case card would.
    monkeypatch.setattr(ParticipantApp, "show_feedback", lambda self: (_ for _ in ()).throw(RuntimeError("trasig")))
    app.join_button.click()
    assert app.session is None and app.sync is None and not app.join_button.disabled
    assert "Något gick fel på servern" in app.message.value and "trasig" not in app.message.value
    assert app.name.value == "Otur Olsson" and app.code.value  # the personal code is kept for the retry
    monkeypatch.setattr(ParticipantApp, "show_feedback", real)
    app.join_button.click()
    assert app.session is not None
    assert [r.display_name for r in store.overview("K", "HEMLIG-KOD1")] == ["Otur Olsson"]  # no second participant
    app.close()


def test_wrong_personal_codes_are_said_plainly_logged_and_slowed(store, caplog):
    from sipkurs.ui.app import FREE_WRONG_CODES, ParticipantApp, wrong_code_wait

    assert [wrong_code_wait(n) for n in range(1, 9)] == [0, 0, 2, 4, 8, 16, 32, 60]
    assert all(wrong_code_wait(n) == 0 for n in range(FREE_WRONG_CODES))
    assert wrong_code_wait(FREE_WRONG_CODES) > 0 and wrong_code_wait(100) == 60
    app = ParticipantApp(store, "kurs=K")
    app.name.value = "Gissa Gissasson"
    with caplog.at_level("WARNING", logger="sipkurs.ui.app"):
        for n in range(1, FREE_WRONG_CODES + 2):
            app.code.value = f"AAAAA-AAAA{n}"
            app._next_try = 0.0  # as if the wait had passed
            app.join_button.click()
            assert app.session is None and "ingen deltagare eller plats med den koden" in app.message.value
            assert ("försök igen om" in app.message.value) == (n >= FREE_WRONG_CODES)
    assert sum("wrong personal code for course 'K'" in r.getMessage() for r in caplog.records) == FREE_WRONG_CODES + 1
    # The wait is the page's own, not the button's: a browser that re-enables the button still has to wait.
    app.join_button.disabled = False
    app.code.value = "AAAAA-BBBBB"
    app.join_button.click()
    assert "Vänta" in app.message.value and app.wrong_codes == FREE_WRONG_CODES + 1
    assert not any("AAAAA" in r.getMessage() for r in caplog.records)  # the codes tried are never logged


def test_the_guard_is_told_of_stored_lines_as_typed_and_of_dates_with_their_revision(store):
    """The page's guard compares what it kept (the field's own text) with the markers: a list field typed with blank
    lines, and a date, must be marked as the field shows them, or the guard would keep them for a week."""
    from sipkurs.live import LiveSync
    from sipkurs.serving.draftguard import saved_hash
    from sipkurs.ui.binding import FormBinding

    session = _session(store)
    form = PlanForm()
    binding = FormBinding(form, session.live, LiveSync(session.live), show_authors=False, changed=lambda: None)
    binding.start()
    typed = "Vem gör vad?\n\nNär ses vi igen?\n"
    form.inputs["meeting_questions"].widget.value = typed
    form.inputs["established"].widget.value = __import__("datetime").date(2026, 11, 24)
    assert session.live.flush()
    rev = session.live.known["established"].rev
    assert session.live.data()["meeting_questions"] == ["Vem gör vad?", "När ses vi igen?"]
    assert f'data-sip-saved="sip-k-meeting_questions" data-sip-hash="{saved_hash(typed)}"' in binding.guard.value
    assert f'data-sip-saved="sip-k-established" data-sip-hash="{saved_hash("2026-11-24")}" data-sip-rev="{rev}"' in binding.guard.value
