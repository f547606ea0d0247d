"""The fixes issue 9 names, each pinned by a test: JSON on screen, case-insensitive principals, one message for an
incomplete personnummer, goals cut at a word, the other-actors advice, participant roles, real sources."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import labelled_scenario
from graders import grade, load_plan
from graders.checks.common import excerpt, names_role
from graders.registry import rules

PLANS = Path(__file__).parent / "data/plans"
SJUK = PLANS / "sjukskriven-1-0/utmarkt.json"


def _run(*args):
    return subprocess.run([sys.executable, "-m", "sipkurs.cli", *args], capture_output=True, text=True)


def test_grade_one_file_as_json_without_out_prints_json():
    result = _run("grade", str(SJUK), "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["scenario_id"] == "sjukskriven-1-0" and report["score"] == 1.0 and len(report["results"]) > 30


def test_grade_a_folder_as_json_prints_a_list_and_html_needs_out():
    result = _run("grade", str(PLANS / "barn_skolfranvaro-1-0"), "-f", "json")
    assert result.returncode == 0 and len(json.loads(result.stdout)) == len(list((PLANS / "barn_skolfranvaro-1-0").glob("*.json")))
    html = _run("grade", str(PLANS / "barn_skolfranvaro-1-0"), "-f", "html")
    assert html.returncode == 2 and "kräver --out" in html.stderr and "Traceback" not in html.stderr


@pytest.mark.parametrize("written", ["region", "Region", "REGION", "Regionen", "Region Mälarslätt", "regionen i länet"])
def test_overall_responsibility_is_not_case_sensitive(written):
    plan = load_plan(SJUK)
    plan.overall_responsibility.principal = written
    report = grade(plan, labelled_scenario("sjukskriven-1-0"))
    assert report.result("L004").status == "pass" and report.result("K003").status == "pass"


@pytest.mark.parametrize("person", ["Ahmed Berg, Försäkringskassan", "Ahmed Berg (FK)", "handläggare på Arbetsförmedlingen"])
def test_another_actor_anywhere_in_the_responsibility_is_refused(person):
    plan = load_plan(SJUK)
    plan.overall_responsibility.person = person
    report = grade(plan, labelled_scenario("sjukskriven-1-0"))
    assert report.result("L004").status == "fail" and report.result("K003").status == "fail"
    assert report.legal_missing == ["L004"] and not report.passed


@pytest.mark.parametrize("pid", ["19930502", "1993-05-02", "930502-XX", "19930502-XXX"])
def test_an_incomplete_personnummer_gets_its_own_message_once(pid):
    plan = load_plan(SJUK)
    plan.concerns.personal_id = pid
    message = grade(plan).result("F001").message
    assert message.count("ofullständigt") == 1 and "inte maskerat" not in message
    assert grade(plan).result("F001").status == "partial"


def test_a_full_personnummer_is_refused_as_not_masked():
    plan = load_plan(SJUK)
    plan.concerns.personal_id = "19930502-2391"
    result = grade(plan).result("F001")
    assert result.status == "fail" and result.message.count("inte maskerat") == 1


def test_the_measurable_goals_message_cuts_goal_text_at_a_word():
    plan = load_plan(PLANS / "barn_skolfranvaro-1-0/brist-vaga-mal.json")
    plan.goals[1].text = "Elisabeth ska må mycket bättre i skolan och känna sig tryggare tillsammans med sina kompisar"
    message = grade(plan).result("Q001").message
    quoted = re.findall(r"'([^']*)'", message)
    long = [q for q in quoted if q.endswith("…")]
    assert long and all(q[:-1] == q[:-1].rstrip() and plan.goals[1].text.startswith(q[:-1]) for q in long)
    assert excerpt("ett två tre fyra", 9) == "ett två…"


def test_no_other_actors_advice_is_not_given_when_another_actor_sits_at_the_table():
    plan = load_plan(PLANS / "psykos_missbruk-1-0/brist-inga-andra-aktorer.json")
    plan.participants.append(plan.participants[0].model_copy(update={"name": "Pia Ek", "organisation": "forsakringskassan",
                                                                     "role": "handläggare"}))
    plan.other_actors_note = "Inga andra aktörer har några åtgärder just nu."
    result = grade(plan).result("L003")
    assert result.status == "fail" and "Försäkringskassan deltar i mötet" in result.message
    assert "inga andra aktörer" not in result.message.casefold()


@pytest.mark.parametrize(("role", "is_person"), [
    ("den enskilde", True), ("Den enskilde, deltog digitalt", True), ("personen själv", True), ("barnet", True),
    ("den enskildes mamma", False), ("mamma till den enskilde", False), ("personligt ombud", False),
    ("kontaktperson", False), ("barnets pappa", False), ("brukarens syster", False),
])
def test_a_role_that_merely_contains_the_word_for_the_person_is_someone_else(role, is_person):
    terms = next(r for r in rules() if r.code == "L006").params["person_roles"]
    assert names_role(role, terms) is is_person


@pytest.mark.parametrize(("role", "is_guardian"), [
    ("vårdnadshavare", True), ("mamma och vårdnadshavare", True), ("vårdnadshavarens sambo", False),
    ("ombud för vårdnadshavaren", False),
])
def test_a_role_that_merely_contains_the_word_for_a_guardian_is_someone_else(role, is_guardian):
    terms = next(r for r in rules() if r.code == "L006").params["guardian_roles"]
    assert names_role(role, terms) is is_guardian


def test_rule_sources_name_real_sources_not_project_files():
    for r in rules():
        assert not re.search(r"seeds|\.ya?ml|\.py|DOMAIN|/", r.source), (r.code, r.source)
        assert "seeds/" not in r.doc and "seeds/" not in r.message, r.code
