"""The nbgrader course, run through nbgrader itself: generate, submit, autograde, read the gradebook."""

import json
import os
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.apps import NbGraderAPI
from traitlets.config.loader import PyFileConfigLoader

from graders import grade, load_plan
from graders.nbgrader_bridge import family_points
from simulator.lookup import get_scenario
from test_grading_cases import facit_plan

ROOT = Path(__file__).parents[1]
COURSE = ROOT / "courses" / "nbgrader"
ASSIGNMENT = "sip-grundkurs"
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
    scenario = get_scenario(template["scenario_id"])

    good = facit_plan(scenario).model_copy(update={"scenario_id": template["scenario_id"]})
    submissions = {"grupp-bra": good.model_dump_json(), "grupp-tom": json.dumps(template), "grupp-trasig": "{ inte json"}
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
