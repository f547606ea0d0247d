"""The trainer's case editor, driven in-process: set widget values, read what the trainer sees."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from simulator.library import SCENARIOS_DIR
from sipkurs.ui.authoring import NEW_CASE, AuthoringApp

BASE_FILE = SCENARIOS_DIR / "sjukskriven_utmattning.yaml"
BASE = BASE_FILE.read_text(encoding="utf-8")


@pytest.fixture
def app(tmp_path):
    return AuthoringApp(SCENARIOS_DIR, save_dir=tmp_path)


def test_starts_empty_and_lists_every_case_file(app):
    assert app.file.value == NEW_CASE and "Skriv eller välj" in app.status.value
    assert {label for label, _ in app.file.options} >= {p.name for p in SCENARIOS_DIR.glob("*.yaml")}
    assert app.save.disabled and "utan fel" in app.preview.value


def test_picking_a_file_validates_and_previews_it(app):
    app.file.value = str(SCENARIOS_DIR / "ung_hvb_placerad.yaml")
    assert "Inga fel" in app.status.value
    assert [v for _, v in app.view.options] == [
        "participant", "trainer", "role:socialtjanst_barn", "role:bup", "role:skola", "role:personen",
        "role:narstaende", "interview", "event:rymning", "event:pappan_ar_emot", "event:kontakt_slutar",
    ]
    assert [label for label, _ in app.view.options] == [
        "Deltagarnas fallkort", "Utbildarens vy (med facit)", "Rollkort: Socialtjänsten, barn och familj",
        "Rollkort: Barn- och ungdomspsykiatrin (BUP)", "Rollkort: Skolan (elevhälsa och rektor)",
        "Rollkort: Vårdnadshavare (för barnet)", "Rollkort: Närstående", "Intervjun (självstudier)",
        "Händelse: Rymning", "Händelse: Samtycket dras tillbaka", "Händelse: Nyckelperson slutar",
    ]
    assert "Placerad på HVB" in app.preview.value and "Facit" not in app.preview.value
    app.view.value = "trainer"
    assert "Facit" in app.preview.value
    app.view.value = "role:bup"
    assert "i kö sedan i fjol" in app.preview.value and "Din chef har sagt" not in app.preview.value
    app.view.value = "event:rymning"
    assert "kommer inte tillbaka till HVB-hemmet" in app.preview.value and "Facit" not in app.preview.value


def test_errors_appear_live_with_line_and_column(app):
    app.file.value = str(BASE_FILE)
    app.text.value = BASE.replace("difficulty: 1", "difficulty: 5").replace("organisation: arbetsformedlingen\n", "organisation: afx\n")
    status = app.status.value
    assert "rad 4, kolumn 13" in status and "<code>difficulty</code>" in status
    assert app.case is None and app.save.disabled
    assert "utan fel" in app.preview.value
    app.text.value = BASE.replace("difficulty: 1", "difficulty: 2")
    assert "Inga fel" in app.status.value and app.case is not None


def test_domain_errors_and_escaping_in_the_error_list(app):
    app.text.value = BASE.replace("target_groups: [sjukskrivna]", "target_groups: ['<b>x</b>']")
    assert "okänd målgrupp" in app.status.value and "&lt;b&gt;" in app.status.value and "<b>x</b>" not in app.status.value


def test_broken_yaml_never_raises(app):
    for text in ("id: [", "\t- x", "- a\n- b", "? [1]\n: 2", "---\n---\n", "a: *nope"):
        app.text.value = text
        assert "fel:" in app.status.value


def test_a_new_case_with_an_existing_id_is_refused(app):
    app.text.value = BASE
    assert "används redan i sjukskriven_utmattning.yaml" in app.status.value
    app.file.value = str(BASE_FILE)  # editing the file itself keeps its id
    assert "Inga fel" in app.status.value


def test_variant_changes_the_person_in_the_preview(app):
    app.file.value = str(BASE_FILE)
    app.variant.value = 0
    first = app.case.variant(0).person.full_name
    assert first in app.preview.value
    app.variant.value = 4
    assert app.case.variant(4).person.full_name in app.preview.value and first not in app.preview.value


def test_generate_variants_table(app):
    app.file.value = str(BASE_FILE)
    app.count.value = 6
    app.make_variants.click()
    table = app.variants.value
    assert table.count("<tr>") == 7 and "sjukskriven_utmattning@5" in table
    app.text.value = "id: ["
    assert app.variants.value == ""
    app.make_variants.click()
    assert "Rätta felen" in app.variants.value


def test_save_writes_the_valid_text_and_lists_the_new_file(app, tmp_path):
    app.text.value = BASE.replace("id: sjukskriven_utmattning", "id: mitt_nya_fall")
    assert not app.save.disabled
    app.save.click()
    saved = tmp_path / "mitt_nya_fall.yaml"
    assert saved.read_text(encoding="utf-8") == app.text.value and "Sparat" in app.saved.value
    assert ("mitt_nya_fall.yaml", str(saved)) in app.file.options and app.file.value == str(saved)
    assert "Inga fel" in app.status.value  # the saved file itself: its own id is no clash


def _listed(status: str) -> list[str]:
    """The error lines as the trainer reads them, in order."""
    return [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in re.findall(r"<li[^>]*>(.*?)</li>", status)]


def test_line_numbers_beside_the_text_mark_the_lines_with_errors(app):
    app.file.value = str(BASE_FILE)
    lines = BASE.count("\n") + 1
    numbers = re.sub(r"<[^>]+>", " ", app.gutter.value.replace("<br>", " ")).split()
    assert numbers == [str(n) for n in range(1, lines + 1)] and "sip-error-line" not in app.gutter.value
    assert app.text.rows >= lines  # the text grows with the file; the box around text and numbers scrolls
    app.text.value = BASE.replace("difficulty: 1", "difficulty: 5")
    assert re.search(r'<span class="sip-error-line" title="[^"]*">4</span>', app.gutter.value)
    app.text.value = "id: x\n" * 30
    assert app.gutter.value.count("<br>") == 30


def test_the_root_cause_comes_first_and_what_follows_from_it_is_said(app):
    app.file.value = str(BASE_FILE)
    app.text.value = BASE.replace("organisation: vardcentral\n", "organisation: vardcentrl\n", 1)
    listed = _listed(app.status.value)
    assert listed[0].startswith("rad 73, kolumn 19 roles[0].organisation: okänd organisation 'vardcentrl'")
    assert len(listed) == 5 and all("(följdfel av felet på rad 73)" in line for line in listed[1:])
    assert "5 fel, varav 4 följdfel" in app.status.value
    app.text.value = BASE.replace("organisation: arbetsformedlingen\n", "organisation: afx\n", 1)  # no suggestion
    listed = _listed(app.status.value)
    assert "okänd organisation 'afx'" in listed[0] and all("följdfel" in line for line in listed[1:]) and len(listed) == 3
    app.text.value = BASE.replace("  - id: ", "  - idd: ", 1)  # a misspelt key: the real one is then "missing"
    assert [line.split(": ", 1)[1] for line in _listed(app.status.value)] == [
        "okänt fält (kontrollera stavningen; se docs/fallformat.md)", "fältet saknas men krävs (följdfel av felet på rad 57)"]
    app.text.value = BASE.replace("difficulty: 1", "difficulty: 5") + "oops: [\n"
    listed = _listed(app.status.value)
    assert len(listed) == 1 and "YAML-syntaxfel" in listed[0]
    app.text.value = BASE.replace("difficulty: 1", "difficulty: 5").replace("target_groups: [sjukskrivna]",
                                                                          "target_groups: sjukskrivna")
    assert "följdfel" not in app.status.value  # two separate mistakes: both root causes, in file order
    assert [line.split(" ", 2)[1] for line in _listed(app.status.value)] == ["4,", "9,"]


def test_notebook_is_a_thin_shell_without_outputs_and_runs():
    import nbformat
    from nbclient import NotebookClient

    path = Path(__file__).parent.parent / "courses" / "fallredigering.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert sum(len(c.source.splitlines()) for c in code) <= 5
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in code for o in c.outputs]
    assert not any(o.output_type == "error" for o in outputs)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    assert json.loads(path.read_text(encoding="utf-8"))["cells"][1]["outputs"] == []
