"""A running process sees new, edited and removed case files, and a broken file never breaks the course."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import simulator.library as library
from simulator.library import check_library, kept_cases, library_errors, load_library

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setattr(library, "RESCAN_SECONDS", 0.0)  # every call looks at the folder (production: once a second)
    shutil.copy(SCENARIOS / "skor_aldre_ensam.yaml", tmp_path)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edited_case_is_seen_without_a_restart(folder):
    assert load_library(folder)["skor_aldre_ensam"].title == "Ensam, skör och ofta på vårdcentralen"
    _edit(folder / "skor_aldre_ensam.yaml", "title: Ensam, skör", "title: Ensam och skör")
    assert load_library(folder)["skor_aldre_ensam"].title.startswith("Ensam och skör")


def test_a_new_case_appears_and_a_removed_one_goes(folder):
    shutil.copy(SCENARIOS / "demens_hjartsvikt.yaml", folder)
    assert set(load_library(folder)) == {"skor_aldre_ensam", "demens_hjartsvikt"}
    (folder / "skor_aldre_ensam.yaml").unlink()
    assert set(load_library(folder)) == {"demens_hjartsvikt"}


def test_a_broken_edit_keeps_the_last_valid_version_and_says_why(folder):
    before = load_library(folder)["skor_aldre_ensam"]
    _edit(folder / "skor_aldre_ensam.yaml", "title: Ensam, skör", "title: [Ensam, skör")
    assert load_library(folder)["skor_aldre_ensam"] is before  # participants drafting on it keep their case
    assert kept_cases(folder) == ["skor_aldre_ensam"]
    errors = library_errors(folder)
    assert errors and errors[0].file.endswith("skor_aldre_ensam.yaml") and errors[0].line in (3, 4)
    with pytest.raises(library.InvalidLibrary, match=r"skor_aldre_ensam.yaml:[34]"):
        check_library(folder)
    _edit(folder / "skor_aldre_ensam.yaml", "title: [Ensam, skör", "title: Ensam, skör")
    assert library_errors(folder) == [] and kept_cases(folder) == []


def test_a_change_in_one_file_parses_only_that_file_again(folder, monkeypatch):
    """Every running kernel rescans the library: a trainer's save must not make 40 kernels parse every case again."""
    shutil.copy(SCENARIOS / "demens_hjartsvikt.yaml", folder)
    first = load_library(folder)
    parsed = []
    real = library.validate_files.__globals__["load_case_file"]
    monkeypatch.setitem(library.validate_files.__globals__, "load_case_file",
                        lambda path, cat=None: parsed.append(Path(path).name) or real(path, cat))
    _edit(folder / "skor_aldre_ensam.yaml", "title: Ensam, skör", "title: Ensam och skör")
    again = load_library(folder)
    assert parsed == ["skor_aldre_ensam.yaml"]
    assert again["demens_hjartsvikt"] is first["demens_hjartsvikt"] and again["skor_aldre_ensam"].title.startswith("Ensam och")
    (folder / "demens_hjartsvikt.yaml").unlink()
    shutil.copy(SCENARIOS / "demens_hjartsvikt.yaml", folder)  # back, as a new file: parsed afresh
    assert set(load_library(folder)) == {"skor_aldre_ensam", "demens_hjartsvikt"}
    assert parsed[-1] == "demens_hjartsvikt.yaml"


def test_a_broken_edit_keeps_the_last_valid_version_for_new_kernels_and_restarts_too(folder):
    """A page opened later runs in a new kernel (a new process): it must find the case whose file broke meanwhile."""
    before = load_library(folder)["skor_aldre_ensam"]
    assert (folder / library.LAST_VALID / "skor_aldre_ensam.yaml").read_bytes() == (folder / "skor_aldre_ensam.yaml").read_bytes()
    _edit(folder / "skor_aldre_ensam.yaml", "title: Ensam, skör", "title: [Ensam, skör")
    library.forget_library()  # what a new process knows: nothing but the folder
    served = load_library(folder)["skor_aldre_ensam"]
    assert served.title == before.title and kept_cases(folder) == ["skor_aldre_ensam"]
    assert library_errors(folder) and set(load_library(folder)) == {"skor_aldre_ensam"}
    with pytest.raises(library.InvalidLibrary):
        check_library(folder)  # the CLI's check still refuses the file
    # Fixed with another title: that is the last valid version now.
    _edit(folder / "skor_aldre_ensam.yaml", "title: [Ensam, skör", "title: Ensam och skör")
    assert load_library(folder)["skor_aldre_ensam"].title.startswith("Ensam och skör") and kept_cases(folder) == []
    assert "Ensam och skör" in (folder / library.LAST_VALID / "skor_aldre_ensam.yaml").read_text(encoding="utf-8")
    # A removed file takes its last valid version with it; the copies are never read as cases of their own.
    (folder / "skor_aldre_ensam.yaml").unlink()
    shutil.copy(SCENARIOS / "demens_hjartsvikt.yaml", folder)
    assert set(load_library(folder)) == {"demens_hjartsvikt"}
    assert sorted(p.name for p in (folder / library.LAST_VALID).iterdir()) == ["demens_hjartsvikt.yaml"]


def test_a_library_folder_that_cannot_be_written_still_serves_its_cases(folder, caplog):
    import logging

    (folder / library.LAST_VALID).write_text("inte en mapp", encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="simulator.library"):
        assert set(load_library(folder)) == {"skor_aldre_ensam"} and library_errors(folder) == []
    assert "kan inte spara senast giltiga versioner" in caplog.text


def test_a_new_broken_file_is_refused_with_its_error_and_the_rest_still_served(folder):
    (folder / "trasigt.yaml").write_text("id: trasigt\ntitle: [\n", encoding="utf-8")
    assert set(load_library(folder)) == {"skor_aldre_ensam"}
    assert [Path(e.file).name for e in library_errors(folder)] == ["trasigt.yaml"]


def test_the_folder_is_looked_at_at_most_once_a_second(folder, monkeypatch):
    monkeypatch.setattr(library, "RESCAN_SECONDS", 3600.0)
    load_library(folder)
    shutil.copy(SCENARIOS / "demens_hjartsvikt.yaml", folder)
    assert set(load_library(folder)) == {"skor_aldre_ensam"}  # within the interval: no stat, no reload
    library.forget_library()  # what the case editor calls after saving in this process
    assert "demens_hjartsvikt" in load_library(folder)


def _trainer_page(folder, monkeypatch, course_store):
    """The trainer's page of a course, logged in, on the library in ``folder``."""
    from sipkurs.ui.trainer import TrainerApp

    monkeypatch.setattr(library, "SCENARIOS_DIR", folder)
    page = TrainerApp(course_store("K", "HEMLIG-KOD1"), "kurs=K")
    page.code.value = "HEMLIG-KOD1"
    page.login()
    return page


def test_the_trainer_sees_what_is_wrong_in_the_library_as_text(folder, monkeypatch, course_store):
    """The trainer page names each refused file with its line and message, escaped, and the cases kept as they were."""
    page = _trainer_page(folder, monkeypatch, course_store)
    assert "Fallbiblioteket har fel" not in page.overview.value
    (folder / "trasig.yaml").write_text("id: trasig\ntitle: <script>alert(1)</script>\n  : : :\n", encoding="utf-8")
    _edit(folder / "skor_aldre_ensam.yaml", "title:", "title: [")
    page.render()
    notice = page.overview.value
    assert "Fallbiblioteket har fel" in notice and "trasig.yaml:" in notice and "skor_aldre_ensam.yaml:" in notice
    assert "2 filer används inte" in notice and "fallet skor_aldre_ensam visas som det var" in notice
    assert "skor_aldre_ensam visas som de" in notice or "fallet skor_aldre_ensam" in notice
    assert "<script>" not in notice and str(folder) not in notice  # typed text escaped; no server paths shown
    (folder / "trasig.yaml").unlink()
    _edit(folder / "skor_aldre_ensam.yaml", "title: [", "title:")
    page.render()
    assert "Fallbiblioteket har fel" not in page.overview.value


def test_a_case_saved_while_the_trainer_page_is_open_can_be_chosen_for_a_new_group(folder, monkeypatch, course_store):
    page = _trainer_page(folder, monkeypatch, course_store)
    assert [v for _, v in page.group_case.options] == ["skor_aldre_ensam"]
    shutil.copy(SCENARIOS / "sjukskriven_utmattning.yaml", folder)
    page.render()
    assert "sjukskriven_utmattning" in [v for _, v in page.group_case.options]
    assert page.group_case.value == "skor_aldre_ensam"  # what the trainer had chosen stays chosen
