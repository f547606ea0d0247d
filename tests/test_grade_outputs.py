"""Reports (text, JSON, HTML), the sipkurs grade/rules commands and the nbgrader bridge."""

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from graders import Report, grade, load_plan
from graders.render import to_html, to_json, to_text
from conftest import labelled_scenario

ROOT = Path(__file__).parent.parent
PLANS = ROOT / "tests/data/plans"
HTML_PLAN = PLANS / "sjukskriven-1-0/brist-html-i-texten.json"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sipkurs.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_text_report_explains_what_is_missing_in_swedish():
    report = grade(load_plan(PLANS / "aldre_utskrivning-1-0/brist-utskrivning-sent.json"), labelled_scenario("aldre_utskrivning-1-0"))
    text = to_text(report)
    assert "✗ K006 SIP inom tre dagar vid utskrivning [saknas]" in text
    assert "Planen upprättades 7 dagar efter utskrivningsklar (högst 3)." in text
    assert "Fallet:" in text and "Totalt: 96 %" in text


def test_json_report_round_trips():
    report = grade(load_plan(PLANS / "barn_skolfranvaro-1-0/brist-vaga-mal.json"), labelled_scenario("barn_skolfranvaro-1-0"))
    again = Report.model_validate_json(to_json(report))
    assert again == report and again.result("Q001").status == "fail"


def test_html_escapes_everything_the_participant_typed():
    plan = load_plan(HTML_PLAN)
    html = to_html(grade(plan), plan)
    assert html.startswith("<!DOCTYPE html>\n<html lang=\"sv\">")
    assert "<script>" not in html and "<b>Grupp 3</b>" not in html
    assert "&lt;script&gt;alert(&#39;hej&#39;)&lt;/script&gt;" in html and "&lt;b&gt;Grupp 3&lt;/b&gt;" in html


def test_messages_quoting_participant_text_are_escaped_too():
    plan = load_plan(PLANS / "barn_skolfranvaro-1-0/brist-vaga-mal.json")
    plan.goals[1].text = "<img src=x onerror=alert>"
    html = to_html(grade(plan, labelled_scenario("barn_skolfranvaro-1-0")), plan)
    assert "<img" not in html and "&lt;img src=x" in html


def test_cli_grade_directory_with_a_bad_file(tmp_path):
    plans = tmp_path / "in"
    shutil.copytree(PLANS / "psykos_missbruk-1-0", plans)
    (plans / "trasig.json").write_text('{"format": "sipkurs-plan",\n "established": "2026-13-40"}', encoding="utf-8")
    out = tmp_path / "ut"
    result = run("grade", str(plans), "--out", str(out))
    assert result.returncode == 1
    errors = [l for l in result.stderr.splitlines() if l.startswith("sipkurs: fel:")]
    assert errors == [f"sipkurs: fel: {plans / 'trasig.json'}:2:2: established: ska vara ett datum (ÅÅÅÅ-MM-DD)"]
    assert "Traceback" not in result.stderr
    assert f"{plans / 'utmarkt.json'}: 100 %" in result.stdout
    graded = sorted(plans.glob("*.json"))
    assert len(list(out.glob("*.html"))) == len(graded) - 1 == len(list(out.glob("*.txt"))) == len(list(out.glob("*.json")))
    rows = list(csv.DictReader(open(out / "sammanstallning.csv", encoding="utf-8")))
    assert rows[0]["kod"] in {"K001", "K007", "L003", "L006", "L004", "C003", "C006", "C008", "F004", "K005"}
    assert {r["kod"] for r in rows if r["saknas"] != "0" or r["delvis"] != "0"} >= {"L003", "K005", "C006"}
    assert (out / "sammanstallning.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    report = json.loads((out / "brist-malgrupp-inte-namnd.json").read_text(encoding="utf-8"))
    assert report["scenario_id"] == "psykos_missbruk-1-0"


def test_cli_grade_with_explicit_scenario_and_one_format(tmp_path):
    result = run("grade", str(PLANS / "sjukskriven-1-0/utmarkt.json"), "--scenario", str(PLANS / "sjukskriven-1-0/scenario.yaml"),
                 "--out", str(tmp_path), "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.glob("utmarkt.*")] == ["utmarkt.txt"]


def test_cli_grade_unknown_scenario_is_one_line(tmp_path):
    result = run("grade", str(PLANS / "sjukskriven-1-0/utmarkt.json"), "--scenario", "finns-inte-0-0")
    assert result.returncode == 1
    assert result.stderr.strip().endswith("okänt scenario 'finns-inte-0-0'")
    assert len(result.stderr.strip().splitlines()) == 1


def test_cli_rules_list_and_one_rule():
    listing = run("rules")
    assert listing.returncode == 0 and "L004  Lagkrav     Vem som har det övergripande ansvaret" in listing.stdout
    one = run("rules", "K006")
    assert one.returncode == 0 and "Lag (2017:612)" in one.stdout and "max_days = 3" in one.stdout
    bad = run("rules", "Z999")
    assert bad.returncode == 2 and bad.stderr == "sipkurs: fel: okänd regel 'Z999'; se 'sipkurs rules' för alla koder\n"


def _execute(tmp_path, plan_text, scenario="psykos_missbruk-1-0"):
    (tmp_path / "plan.json").write_text(plan_text, encoding="utf-8")
    shutil.copy(PLANS / scenario / "scenario.yaml", tmp_path / "scenario.yaml")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "from graders.nbgrader_bridge import autograde\nautograde('plan.json', max_points=10)")]
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    return nb.cells[0].outputs


@pytest.mark.slow
def test_nbgrader_cell_returns_points_as_last_expression_and_writes_no_stderr(tmp_path):
    text = (PLANS / "psykos_missbruk-1-0/brist-mal-utan-delmal.json").read_text(encoding="utf-8")
    outputs = _execute(tmp_path, text)
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    results = [o for o in outputs if o.output_type == "execute_result"]
    assert len(results) == 1
    points = float(results[0]["data"]["text/plain"])
    expected = grade(load_plan(tmp_path / "plan.json"), labelled_scenario("psykos_missbruk-1-0")).points(10)
    assert points == expected and 0 < points < 10
    stdout = "".join(o["text"] for o in outputs if o.get("name") == "stdout")
    assert "C006 Långsiktiga mål nedbrutna i delmål [saknas]" in stdout and f"Poäng: {points:g} av 10" in stdout

    broken = _execute(tmp_path, "{ inte json")
    assert not [o for o in broken if o.output_type == "error" or o.get("name") == "stderr"]
    assert [o["data"]["text/plain"] for o in broken if o.output_type == "execute_result"] == ["0.0"]
    assert "Planen kunde inte läsas" in "".join(o["text"] for o in broken if o.get("name") == "stdout")


def test_cli_grade_one_plan_prints_the_whole_feedback():
    result = run("grade", str(PLANS / "psykos_missbruk-1-0/brist-malgrupp-inte-namnd.json"))
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Återkoppling på SIP-utkastet")
    assert "✗ K005 Målgrupp där SIP ska förutsättas [saknas]" in result.stdout
    assert "psykisk sjukdom i kombination med missbruk" in result.stdout


def test_cli_grade_without_scenario_grades_without_the_case(tmp_path):
    plan = json.loads((PLANS / "sjukskriven-1-0/utmarkt.json").read_text(encoding="utf-8"))
    plan["scenario_id"] = ""
    (tmp_path / "p.json").write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
    result = run("grade", str(tmp_path / "p.json"))
    assert result.returncode == 0 and "Fallet: inte bedömt (inget scenario angivet)" in result.stdout


def test_html_shows_the_efforts_escaped():
    plan = load_plan(PLANS / "sjukskriven-1-0/utmarkt.json")
    plan.efforts[0].what = "<i>Samtal</i> & stöd"
    html = to_html(grade(plan), plan)
    assert "<i>Samtal" not in html and "&lt;i&gt;Samtal&lt;/i&gt; &amp; stöd" in html
    assert "<td>vårdcentralen</td>" in html and "<td>pågående</td>" in html


def test_cli_grade_summary_that_cannot_be_written_is_one_line(tmp_path):
    (tmp_path / "sammanstallning.csv").mkdir()
    result = run("grade", str(PLANS / "sjukskriven-1-0"), "--out", str(tmp_path))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == f"sipkurs: fel: kunde inte skriva sammanställningen i {tmp_path}: det är en mapp"
