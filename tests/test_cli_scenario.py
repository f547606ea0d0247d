"""`sipkurs scenario validate|preview|list` as a user runs them: real process, exit codes, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from simulator.library import SCENARIOS_DIR

BASE = (SCENARIOS_DIR / "sjukskriven_utmattning.yaml").read_text(encoding="utf-8")


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sipkurs.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_validate_defaults_to_the_library():
    r = run("scenario", "validate")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip().endswith("fall utan fel.") and int(r.stdout.split()[0]) >= 12


def test_validate_reports_every_error_with_position_and_exit_1(tmp_path):
    bad = tmp_path / "trasig.yaml"
    bad.write_text(BASE.replace("difficulty: 1", "difficulty: 7").replace("organisation: arbetsformedlingen\n", "organisation: af\n"), encoding="utf-8")
    (tmp_path / "binar.yaml").write_bytes(b"\xff\xfe\x00")
    (tmp_path / "tom.yaml").write_text("", encoding="utf-8")
    r = run("scenario", "validate", str(tmp_path), str(tmp_path / "saknas.yaml"))
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert "Traceback" not in r.stderr
    assert f"{bad}:4:13: difficulty: ogiltigt värde; tillåtna värden: 1, 2 eller 3" in lines
    assert f"{tmp_path / 'binar.yaml'}:1:1: filen är inte UTF-8; spara den som UTF-8" in lines
    assert f"{tmp_path / 'tom.yaml'}:1:1: filen är tom; ett fall behöver minst id, title och person" in lines
    assert f"{tmp_path / 'saknas.yaml'}: filen finns inte" in lines
    assert lines[-1] == "4 fel i fallfilerna."


def test_validate_domain_errors_name_file_line_and_column(tmp_path):
    bad = tmp_path / "fall.yaml"
    bad.write_text(BASE.replace("organisation: arbetsformedlingen\n", "organisation: af\n"), encoding="utf-8")
    r = run("scenario", "validate", str(bad))
    assert r.returncode == 1
    assert r.stderr.splitlines()[0].startswith(f"{bad}:") and "roles[2].organisation: okänd organisation 'af'" in r.stderr


def test_list_shows_id_title_difficulty_and_groups():
    r = run("scenario", "list")
    assert r.returncode == 0
    line = next(x for x in r.stdout.splitlines() if x.startswith("ung_hvb_placerad"))
    assert "avancerad" in line and "Placerad på HVB" in line and "placerade_barn" in line
    assert len(r.stdout.splitlines()) >= 12


@pytest.mark.parametrize("view", ["participant", "trainer", "role:bup", "role:personen"])
def test_preview_views(view):
    r = run("scenario", "preview", "ung_hvb_placerad", "--view", view, "--variant", "2")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Placerad på HVB") and "variant 2" in r.stdout
    assert ("Facit" in r.stdout) == (view == "trainer")


def test_preview_accepts_a_scenario_id_with_its_variant():
    a = run("scenario", "preview", "skor_aldre_ensam@3")
    b = run("scenario", "preview", "skor_aldre_ensam", "--variant", "3")
    assert a.returncode == 0 and a.stdout == b.stdout and "variant 3" in a.stdout
    bad = run("scenario", "preview", "skor_aldre_ensam@x")
    assert bad.returncode == 2 and "ogiltigt varianttal" in bad.stderr


def test_preview_html_to_file(tmp_path):
    out = tmp_path / "fall.html"
    r = run("scenario", "preview", "lss_vuxen_boende", "--view", "role:funktionsstod", "--format", "html", "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>\n<html lang=\"sv\">")


@pytest.mark.parametrize(
    "args,code,message",
    [
        (["nope"], 2, "okänt fall 'nope'"),
        (["lss_vuxen_boende", "--view", "role:polisen"], 2, "okänd vy 'role:polisen'"),
        (["lss_vuxen_boende", "--format", "pdf"], 2, "fel:"),
        (["lss_vuxen_boende", "--variant", "-1"], 2, "fel:"),
        (["lss_vuxen_boende", "-o", "/nonexistent/dir/x.md"], 1, "kunde inte skriva"),
    ],
)
def test_preview_errors_are_one_line(args, code, message):
    r = run("scenario", "preview", *args)
    assert r.returncode == code
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
