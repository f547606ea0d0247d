"""The form ↔ Plan mapping, the debouncer, the drafting session and the trainer page, without a browser."""

import time

import pytest

from graders.plan import Plan
from sipkurs.feedback import assess
from sipkurs.session import DraftSession
from sipkurs.store import Store, StoreError
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
                assert {c.path for c in part.columns} | ({"id"} if part.prefix else set()) == set(row_model.model_fields)


def _filled_form() -> PlanForm:
    form = PlanForm()
    form.inputs["concerns.name"].widget.value = "Åsa Öberg"
    form.inputs["concerns.guardians"].widget.value = "Mamma\n\n Pappa "
    form.inputs["consent.given"].widget.value = True
    form.inputs["overall_responsibility.principal"].widget.value = "kommun"
    need = form.tables["needs"].add_row()
    need.inputs["text"].widget.value = "Stöd i boendet"
    need.inputs["area"].widget.value = "boende"
    goal = form.tables["goals"].add_row()
    goal.inputs["text"].widget.value = "Bo kvar i lägenheten"
    sub = form.tables["goals"].add_row()
    sub.inputs["kind"].widget.value = "sub_goal"
    sub.inputs["parent"].widget.value = "M1"
    effort = form.tables["efforts"].add_row()
    effort.inputs["what"].widget.value = "Boendestöd två gånger i veckan"
    effort.inputs["organisation"].widget.value = "socialtjanst_vuxen"
    effort.inputs["needs"].widget.value = ("B1",)
    effort.inputs["goals"].widget.value = ("M1", "M2")
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
    assert again.tables["efforts"].rows[0].inputs["needs"].widget.options == (("B1: Stöd i boendet", "B1"),)


def test_link_choices_follow_rows_and_removed_rows_drop_links():
    form = _filled_form()
    changes = []
    form.on_change(lambda: changes.append(1))
    form.tables["needs"].add_row()
    assert [v for _, v in form.tables["efforts"].rows[0].inputs["needs"].widget.options] == ["B1", "B2"]
    form.tables["needs"].remove_row(form.tables["needs"].rows[0])
    assert form.tables["efforts"].rows[0].inputs["needs"].widget.value == ()
    assert form.tables["needs"].add_row().id == "B3"  # ids are never reused
    assert len(changes) == 3
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


def test_session_saves_invalid_drafts_and_submits_only_valid_plans(store):
    from sipkurs import cases

    p, _ = store.join("K", "Bo", cases.scenario_for_variant)
    session = DraftSession(store, p)
    assert session.scenario is not None and session.scenario.id == p.scenario_id
    bad = {"efforts": [{"id": "I1", "needs": ["B7"]}]}
    fb = session.save(bad)
    assert fb.score is None and store.load_draft(p).data["efforts"] == bad["efforts"]
    with pytest.raises(StoreError, match="kan inte lämnas in"):
        session.submit(bad)
    good = _filled_form().data()
    sub = session.submit(good)
    assert sub.number == 1 and sub.data["scenario_id"] == p.scenario_id
    assert sub.data["authors"] == [{"name": "Bo"}]
    assert store.load_draft(p).score == sub.score


def test_trainer_page_shows_nothing_without_the_code(store):
    from sipkurs import cases

    p, _ = store.join("K", "<img src=x onerror=alert(1)>", cases.scenario_for_variant)
    DraftSession(store, p).save({"chair": "x"})
    page = TrainerApp(store, "kurs=K")
    assert page.course.value == "K"
    page.render()
    assert "img" not in page.output.value and "lärarkod" in page.output.value  # no participant shown yet
    page.code.value = "fel"
    page.render()
    assert "<td>" not in page.output.value
    page.code.value = "hemlig-kod1"
    page.render()
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.output.value and "<img" not in page.output.value
    assert "1 deltagare" in page.output.value


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


def test_row_ids_from_a_stored_draft_are_shown_as_text():
    form = PlanForm()
    form.load({"needs": [{"id": "<img src=x onerror=alert(2)>", "text": "behov"}]})
    headings = [c.value for c in form.tables["needs"].rows[0].box.children if hasattr(c, "value") and "<h4>" in str(c.value)]
    assert headings and all("<img" not in h and "&lt;img src=x onerror=alert(2)&gt;" in h for h in headings)
