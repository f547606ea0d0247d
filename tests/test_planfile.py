import json
from pathlib import Path

import pytest

from graders import PlanFileError, grade, load_plan
from graders.planfile import dump_plan, parse_plan, plan_schema
from simulator.lookup import get_scenario

ROOT = Path(__file__).parent.parent
MODEL = ROOT / "tests/data/plans/sjukskriven-1-0/utmarkt.json"


def test_model_plan_round_trips():
    plan = load_plan(MODEL)
    assert parse_plan(dump_plan(plan)) == plan
    assert json.loads(dump_plan(plan))["format"] == "sipkurs-plan"


def test_unknown_organisation_names_file_line_column_and_field(tmp_path):
    text = MODEL.read_text(encoding="utf-8").replace('"organisation": "vardcentral"', '"organisation": "NASA"', 1)
    bad = tmp_path / "plan.json"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(bad)
    msg = str(info.value)
    line = next(i for i, l in enumerate(text.splitlines(), 1) if '"NASA"' in l)
    column = text.splitlines()[line - 1].index('"organisation"') + 1
    assert msg == f"{bad}:{line}:{column}: participants[2].organisation: okänd organisation 'NASA'"
    assert "\n" not in msg


def test_json_syntax_error_has_line_and_column(tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text('{\n  "format": "sipkurs-plan",\n  "group" "x"\n}\n', encoding="utf-8")
    with pytest.raises(PlanFileError, match=r"p\.json:3:11: ogiltig JSON \(kolon saknas\)$"):
        load_plan(bad)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"[1, 2]", "ska innehålla ett JSON-objekt"),
        (b'{"format": "annat"}', ':1:2: inte en planfil'),
        (b'{"format": "sipkurs-plan", "version": 2}', ":1:28: version: ogiltigt värde"),
        ("{\"format\": \"sipkurs-plan\", \"established\": \"igår\"}".encode(), "established: ska vara ett datum"),
        ("{\"format\": \"sipkurs-plan\", \"okänt\": 1}".encode(), "okänt: okänt fält"),
        (b'{"format": "sipkurs-plan", "efforts": [{"id": "E1", "needs": ["N9"]}]}', "okänt behov 'N9'"),
        (b"\xff\xfe{}", ":1:1: filen är inte UTF-8-kodad"),
    ],
)
def test_bad_files_give_one_swedish_line(tmp_path, content, expected):
    bad = tmp_path / "p.json"
    bad.write_bytes(content)
    with pytest.raises(PlanFileError) as info:
        load_plan(bad)
    assert expected in str(info.value)
    assert str(info.value).startswith(str(bad))
    assert "\n" not in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(PlanFileError, match="filen finns inte"):
        load_plan(tmp_path / "nej.json")
    with pytest.raises(PlanFileError, match="mapp"):
        load_plan(tmp_path)


def test_schema_file_is_current():
    stored = json.loads((ROOT / "graders/plan.schema.json").read_text(encoding="utf-8"))
    assert stored == plan_schema(), "graders/plan.schema.json är inaktuell: kör graders.planfile.write_schema()"


def test_documented_example_is_the_shipped_file_and_is_gradable():
    example = ROOT / "docs/exempel-plan.json"
    doc = (ROOT / "docs/planformat.md").read_text(encoding="utf-8")
    body = doc.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(body) == json.loads(example.read_text(encoding="utf-8"))
    plan = load_plan(example)
    report = grade(plan, get_scenario(plan.scenario_id))
    assert report.score == 1.0
    assert all(r.status in ("pass", "not_applicable") for r in report.results)


def test_broken_link_points_at_the_linking_field(tmp_path):
    bad = tmp_path / "p.json"
    bad.write_text('{"format": "sipkurs-plan",\n "needs": [{"id": "N1"}],\n "efforts": [\n  {"id": "E1", "needs": ["N1"]},\n'
                   '  {"id": "E2",\n   "needs": ["N9"]}]}\n', encoding="utf-8")
    with pytest.raises(PlanFileError) as info:
        load_plan(bad)
    assert str(info.value) == f"{bad}:6:4: efforts[1].needs: okänt behov 'N9'"


def test_schema_accepts_every_plan_of_the_labelled_set():
    import jsonschema

    schema = json.loads((ROOT / "graders/plan.schema.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted((ROOT / "tests/data/plans").rglob("*.json")):
        assert not list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8")))), path
    assert list(validator.iter_errors({"format": "sipkurs-plan", "version": 1, "okänt": 1}))
