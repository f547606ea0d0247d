"""Self-study in the app without a browser: choosing a case, the interview kept in the store, the results."""

from __future__ import annotations

import ipywidgets as w
import pytest

from sipkurs import selfstudy
from sipkurs.store import Store, StoreError
from sipkurs.ui.app import SELF_STUDY_ENV, ParticipantApp
from sipkurs.ui.trainer import TrainerApp

TRAINER = "LARARE-KOD12"
CASE = "psykos_missbruk_boende"
COURSE = selfstudy.SELF_STUDY_COURSE


APPS: list[ParticipantApp] = []


@pytest.fixture()
def store(store_url, monkeypatch):
    monkeypatch.setenv(SELF_STUDY_ENV, COURSE)
    store = Store(store_url)
    store.create_course(COURSE, trainer_code=TRAINER)
    store.set_setting(selfstudy.MODE_SETTING, selfstudy.SELF_STUDY, course=COURSE)
    yield store
    while APPS:
        APPS.pop().close()
    store.close()


def _buttons(widget) -> list[w.Button]:
    out = []
    for child in getattr(widget, "children", ()):
        out += [child] if isinstance(child, w.Button) else _buttons(child)
    return out


def _join(store, name="Stina") -> ParticipantApp:
    app = ParticipantApp(store, "")
    APPS.append(app)
    app.name.value = name
    app.join()
    return app


def _chooser(app):
    return next(c for c in app.widget.children if "sip-chooser" in getattr(c, "_dom_classes", ()))


def test_the_start_page_offers_every_library_case_with_filters_and_no_facit(store):
    app = _join(store)
    chooser = _chooser(app)
    picks = [b for b in _buttons(chooser) if b.description.startswith("Välj: ")]
    assert len(picks) == len(selfstudy.case_choices()) == 12
    texts = " ".join(c.value for c in chooser.children[4].children if isinstance(c, w.HTML))
    assert "facit" not in texts.casefold() and "Nivå: grundläggande" in texts
    group = selfstudy.case_choices()[0].target_groups[0]
    chooser.children[1].value = group  # the target-group filter
    assert 0 < len([b for b in _buttons(chooser) if b.description.startswith("Välj: ")]) < 12
    chooser.children[3].value = "ordet-som-inte-finns"
    assert "Inget fall passar" in chooser.children[4].children[0].value


def test_each_participant_gets_a_variant_of_their_own_and_keeps_their_case(store):
    a, b = _join(store, "A").choosing, _join(store, "B").choosing
    pa, pb = selfstudy.choose(store, a, CASE), selfstudy.choose(store, b, CASE)
    assert pa.scenario_id.startswith(CASE) and pa.scenario_id != pb.scenario_id
    assert selfstudy.choose(store, pa, CASE).scenario_id == pa.scenario_id
    with pytest.raises(StoreError, match="redan valt"):
        selfstudy.choose(store, pa, "sjukskriven_utmattning")


def test_a_whole_session_interview_plan_submit_results_and_the_trainers_view(store):
    app = _join(store)
    pick = next(b for b in _buttons(_chooser(app)) if b.description.startswith("Välj: Psykos"))
    pick.click()
    assert app.session.scenario_id.startswith(CASE) and "Intervju" in app.tabs.titles and "Resultat" in app.tabs.titles
    panel = app.interview_panel
    assert not any("skulder" in b.description for b in _buttons(panel.menu))  # a follow-up, not there yet
    panel.ask("pengarna")
    follow_up = next(b for b in _buttons(panel.menu) if "skulder" in b.description)
    assert follow_up.description.startswith("Ny: ")
    follow_up.click()
    assert "Det här hade du inte fått veta utan att fråga." in panel.log.value
    panel.question.value = "Vad är viktigast för dig just nu?"
    panel.ask_text()
    assert panel.log.value.count("sip-exchange") == 3
    # A reload: the interview comes back from the store.
    again = ParticipantApp(store, f"?kod={app.secret}")
    APPS.append(again)
    assert again.interview_panel.log.value.count("sip-exchange") == 3
    # The participant chooses how much the feedback tells, then writes and submits.
    app.level_choice.value = "facit"
    assert app.session.level == "facit"
    app.form.inputs["chair"].widget.value = "Stina"
    app.sync.flush_now()
    app.submit()
    assert "Inlämnad: version 1" in app.submit_status.value
    body = app.results_panel.body.value
    assert "Brev från" in body and "Det du aldrig fick veta" in body and "Det planen missade" in body
    assert "pengar eller skulder" not in body  # found: not listed as missed
    app.show_comparison()
    assert app.main.children[-1] is app.comparison and "Modellsvaret" in app.comparison.value
    app.show_comparison(False)
    assert app.main.children == (app.form.widget,)
    page = TrainerApp(store, f"kurs={COURSE}")
    page.code.value = TRAINER
    page.login()
    assert "Intervjuerna" in page.overview.value and "pengar eller skulder" in page.overview.value
