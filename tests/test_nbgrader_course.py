"""The nbgrader course, run through nbgrader itself: generate, submit, autograde, read the gradebook."""

import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from graders import grade, load_plan
from graders.nbgrader_bridge import family_points, show_case
from simulator.lookup import get_scenario
from sipkurs.export import plan_json
from test_grading_cases import facit_plan

ROOT = Path(__file__).parents[1]
COURSE = ROOT / "courses" / "nbgrader"
ASSIGNMENT = "sip-grundkurs"
VARIANT = "sjukskriven_utmattning@4"  # a participant's own variant, as the app hands it out
POINTS = {"legal": 4, "formal": 2, "checklist": 2, "case": 4, "quality": 2}


def test_source_notebook_is_stored_without_outputs_and_grades_each_family():
    nb = nbformat.read(COURSE / "source" / ASSIGNMENT / "sip-inlamning.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    graded = {c.metadata.nbgrader["grade_id"]: c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")}
    families = {}
    for cell in graded.values():
        family = cell.source.split('family="')[1].split('"')[0]
        families[family] = cell.metadata.nbgrader["points"]
        assert f"max_points={families[family]}" in cell.source
    assert families == POINTS


@pytest.mark.slow
def test_course_round_trip_through_nbgrader(tmp_path, monkeypatch):
    course = tmp_path / "kurs"
    shutil.copytree(COURSE, course)
    monkeypatch.chdir(course)
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()  # the shipped configuration
    config.CourseDirectory.root = str(course)
    assert config.CourseDirectory.course_id == "sip-samverkan"
    api = NbGraderAPI(config=config)

    result = api.generate_assignment(ASSIGNMENT)
    assert result["success"], result["log"]
    release = course / "release" / ASSIGNMENT
    template = json.loads((release / "plan.json").read_text(encoding="utf-8"))
    scenario = get_scenario(VARIANT)

    # the good group's plan.json is what the app's download button writes: the model answer for its own variant
    good = plan_json(facit_plan(scenario).model_copy(update={"scenario_id": VARIANT}).model_dump(mode="json"))
    submissions = {"grupp-bra": good.decode(), "grupp-tom": json.dumps(template), "grupp-trasig": "{ inte json"}
    for student, plan_text in submissions.items():
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(release, folder)
        (folder / "plan.json").write_text(plan_text, encoding="utf-8")
        result = api.autograde(ASSIGNMENT, student)
        assert result["success"], result["log"]

    report = grade(load_plan(course / "submitted" / "grupp-bra" / ASSIGNMENT / "plan.json"), scenario)
    expected = sum(family_points(report, f, p) for f, p in POINTS.items())
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: gb.find_submission(ASSIGNMENT, s) for s in submissions}
        assert scores["grupp-bra"].max_score == sum(POINTS.values())
        assert scores["grupp-bra"].score == pytest.approx(expected)
        assert scores["grupp-bra"].score > scores["grupp-tom"].score == 0  # an empty plan earns nothing
        assert scores["grupp-trasig"].score == 0
        per_family = {g.name: g.score for g in scores["grupp-bra"].notebooks[0].grades}
        assert per_family["fallet_bedomning"] == pytest.approx(family_points(report, "case", 4))

    # the notebook showed the group its own variant: the person of variant 4, not the template's variant 0
    graded = nbformat.read(course / "autograded" / "grupp-bra" / ASSIGNMENT / "sip-inlamning.ipynb", as_version=4)
    case_cell = next(c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "fallet")
    shown = case_cell.outputs[0]["data"]["text/markdown"]
    assert scenario.person.full_name in shown and get_scenario("sjukskriven_utmattning").person.full_name not in shown

    result = api.generate_feedback(ASSIGNMENT, "grupp-bra")
    assert result["success"], result["log"]
    page = (course / "feedback" / "grupp-bra" / ASSIGNMENT / "sip-inlamning.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and "Återkoppling på er plan" in page and "poäng" in page
    visible = re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", page))
    for english in ("Test cell", "Score", "Student", "Comment", "(Top)", "Grade cell", "autograde(", "In\xa0[", "In ["):
        assert english not in visible, english
    assert "Lagkrav</a>: " in page and scenario.person.full_name in page
    assert not re.search(r"<pre>\s*\d+(\.\d+)?\s*</pre>", page)  # the points a cell returns are not shown bare


def test_show_case_reads_the_plans_own_variant(tmp_path):
    (tmp_path / "plan.json").write_bytes(plan_json({"scenario_id": VARIANT}))
    card = show_case("plan.json", folder=tmp_path)._repr_markdown_()
    assert get_scenario(VARIANT).person.full_name in card and "Facit" not in card and "variant 4" in card
    (tmp_path / "plan.json").write_text("{ trasig", encoding="utf-8")
    assert show_case("plan.json", folder=tmp_path).markdown.startswith("**Planen kunde inte läsas:** plan.json:1:3:")
    (tmp_path / "plan.json").write_bytes(plan_json({}))
    assert "anger inget fall" in show_case("plan.json", folder=tmp_path).markdown
    (tmp_path / "plan.json").write_bytes(plan_json({"scenario_id": "finns_inte@2"}))
    assert "Fallet kunde inte hittas" in show_case("plan.json", folder=tmp_path).markdown
