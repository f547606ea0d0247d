"""sipkurs.feedback: the levels, the verdict, the next three steps, the empty plan, groups, and the side panel."""

import copy
import json
import re
from pathlib import Path

from conftest import labelled_scenario
from sipkurs.feedback import DEFAULT_LEVEL, FEEDBACK_LEVELS, assess
from sipkurs.templating import render

PLANS = Path(__file__).parent / "data/plans"


def _data(rel: str) -> dict:
    return json.loads((PLANS / rel).read_text(encoding="utf-8"))


def test_levels_are_the_three_the_app_offers():
    assert list(FEEDBACK_LEVELS) == ["nudge", "guided", "facit"] and DEFAULT_LEVEL == "nudge"
    assert all(isinstance(label, str) and label for label in FEEDBACK_LEVELS.values())


def test_an_empty_plan_scores_zero_and_invites_a_first_step():
    fb = assess({}, labelled_scenario("psykos_missbruk-1-0"))
    assert fb.score == 0.0 and fb.percent == "0 %" and fb.empty
    page = render("feedback.html.j2", feedback=fb)
    assert "Börja med ett första steg" in page and 'class="sip-score">0 %<' in page
    assert 'class="fail"' not in page  # no wall of red items


def test_the_verdict_comes_first_and_names_the_missing_legal_requirement():
    fb = assess(_data("sjukskriven-1-0/brist-ansvar-hos-annan-aktor.json"), labelled_scenario("sjukskriven-1-0"))
    assert fb.passed is False and fb.legal_missing == ["Vem som har det övergripande ansvaret"]
    assert fb.score < fb.pass_mark and "Vem som har det övergripande ansvaret" in fb.verdict
    assert fb.missed[0] == "L004" and fb.next_steps[0].code == "L004"
    page = render("feedback.html.j2", feedback=fb)
    assert page.index(fb.verdict) < page.index("sip-score") < page.index("Nästa steg") < page.index("<details")


def test_next_three_steps_first_the_rest_folded_by_family():
    fb = assess(_data("sjukskriven-1-0/spel-nyckelord.json"), labelled_scenario("sjukskriven-1-0"))
    assert len(fb.next_steps) == 3
    assert [i.code for i in fb.next_steps] == fb.missed[:3]
    assert all(i.legal and i.status == "fail" for i in fb.next_steps)  # missing legal requirements come first
    page = render("feedback.html.j2", feedback=fb)
    families = re.findall(r"<summary>(\w+): (\d+) av (\d+) uppfyllda</summary>", page)
    assert [f[0] for f in families] == ["Lagkrav", "Formalia", "Checklista", "Fallet", "Kvalitet"]
    assert page.count("<details") == 5 and "<details class=\"sip-family\" open" not in page


def test_a_model_plan_passes_with_nothing_left_to_do():
    fb = assess(_data("psykos_missbruk-1-0/utmarkt.json"), labelled_scenario("psykos_missbruk-1-0"))
    assert fb.passed and fb.score == 1.0 and fb.next_steps == [] and fb.missed == []
    assert "Alla regler är uppfyllda" in render("feedback.html.j2", feedback=fb)


def test_guided_names_the_area_nudge_does_not():
    data, scenario = _data("psykos_missbruk-1-0/brist-tandvard-glomd.json"), labelled_scenario("psykos_missbruk-1-0")
    nudge = {i.code: i.message for i in assess(data, scenario).items}
    guided = {i.code: i.message for i in assess(data, scenario, level="guided").items}
    assert "tandvård" not in nudge["K001"].lower() and "rör tandvård" in guided["K001"]
    assert "tänder" not in guided["K001"]  # the case's own description of the need stays hidden
    assert assess(data, scenario, level="okänd").level == "nudge"


def test_a_group_plan_with_several_authors_grades_the_same():
    scenario = labelled_scenario("barn_skolfranvaro-1-0")
    alone = _data("barn_skolfranvaro-1-0/stark-annan-ordalydelse.json")
    group = copy.deepcopy(alone)
    group["group"] = "Grupp 7 (BUP, skolan och socialtjänsten)"
    group["authors"] = [{"name": n, "organisation": o} for n, o in
                        (("Ada", "bup"), ("Bea", "skola"), ("Cia", "socialtjanst_barn"), ("Dan", ""))]
    alone["authors"] = [{"name": "Ada", "organisation": "bup"}]
    a, g = assess(alone, scenario), assess(group, scenario)
    assert (a.score, a.missed, a.verdict) == (g.score, g.missed, g.verdict) and g.score >= 0.85


def test_typed_html_stays_text_in_the_panel():
    data = _data("barn_skolfranvaro-1-0/brist-vaga-mal.json")
    data["goals"][1]["text"] = "<img src=x onerror=alert(1)> <script>alert(2)</script>"
    page = render("feedback.html.j2", feedback=assess(data, labelled_scenario("barn_skolfranvaro-1-0")))
    assert "<img" not in page and "<script" not in page and "&lt;img src=x" in page


def test_a_draft_that_is_not_a_plan_yet_says_what_to_fix():
    fb = assess({"efforts": [{"id": "I1", "organisation": "NASA"}]})
    assert fb.score is None and fb.percent == "–" and any("okänd organisation" in p for p in fb.problems)
    assert "Rätta detta" in render("feedback.html.j2", feedback=fb)
