"""The interview in the case preview and the authoring notebook: every question, answer and reveal is shown to the
trainer who writes the case; no participant or role view shows the interview's answers."""

from __future__ import annotations

from simulator.library import SCENARIOS_DIR, load_library
from simulator.views import build_view, render, view_names
from sipkurs.ui.authoring import AuthoringApp

LIB = load_library()


def test_the_interview_view_shows_every_question_answer_and_reveal():
    case = LIB["psykos_missbruk_boende"]
    view = build_view(case, "interview", 2)
    text = "\n".join(view.texts())
    name = case.variant(2).person.full_name
    assert view.kind == "interview" and f"Intervju: Personen: {name}" in text
    assert "Ekonomin: Har du några skulder?" in text and "avslöjar dold information: pengar eller skulder" in text
    assert "följdfråga efter: Hur går det med pengarna?" in text and "[tvekar]" in text
    assert "Intervju: Beroendevården (beroendepsykiatri) (läkare på beroendemottagningen)" in text
    assert "{" not in text
    md = render(case, "interview", "md", 2)
    assert md.startswith("# Intervju: Psykos") and "Har du några skulder?" in md


def test_a_case_without_an_interview_shows_the_questions_made_from_it():
    case = LIB["skor_aldre_ensam"].model_copy(update={"interview": None})
    text = "\n".join(build_view(case, "interview").texts())
    assert "skapade från fallets uppgifter" in text and "Kan du berätta hur det är att vara ensam?" in text


def test_participant_and_role_views_never_show_interview_answers():
    case = LIB["sjukskriven_utmattning"]
    answers = [q.answer for t in ("economy", "health") for q in getattr(case.interview.person, t)]
    for view in view_names(case):
        if view in ("trainer", "role:personen"):  # the trainer sees all; the person's player knows their own story
            continue
        text = "\n".join(build_view(case, view).texts())
        assert not any(a.split(".")[0] in text for a in answers if len(a.split(".")[0]) > 30), view


def test_the_authoring_notebook_previews_the_interview(tmp_path):
    app = AuthoringApp(SCENARIOS_DIR, save_dir=tmp_path)
    app.file.value = str(SCENARIOS_DIR / "vald_nara_relation_barn.yaml")
    assert ("Intervjun (självstudier)", "interview") in app.view.options
    app.view.value = "interview"
    assert "Har han hotat med vapen?" in app.preview.value and "avslöjar dold information" in app.preview.value
