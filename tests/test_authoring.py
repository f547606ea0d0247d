"""The trainer's case editor, driven in-process: set widget values, read what the trainer sees."""

from __future__ import annotations

import json
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
    assert ("Händelsekort: rymning", "event:rymning") in app.view.options
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


def test_save_writes_the_valid_text(app, tmp_path):
    app.text.value = BASE.replace("id: sjukskriven_utmattning", "id: mitt_nya_fall")
    assert not app.save.disabled
    app.save.click()
    saved = tmp_path / "mitt_nya_fall.yaml"
    assert saved.read_text(encoding="utf-8") == app.text.value and "Sparat" in app.saved.value


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
