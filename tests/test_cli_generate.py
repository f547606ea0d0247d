"""`sipkurs generate` as a user runs it: real process, real output, one-line errors."""

import json
import subprocess
import sys

import pytest
import yaml


def run(*args):
    return subprocess.run([sys.executable, "-m", "sipkurs.cli", *args], capture_output=True, text=True)


def test_markdown_case_card():
    r = run("generate", "-a", "sjukskriven", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("# Sjukskriven vuxen")
    assert "## Aktuell situation" in r.stdout and "Facit" not in r.stdout


def test_json_is_the_scenario_and_reproducible():
    a = run("generate", "-a", "ung_hvb", "-s", "5", "-f", "json")
    b = run("generate", "-a", "ung_hvb", "-s", "5", "-f", "json")
    assert a.returncode == 0 and a.stdout == b.stdout
    data = json.loads(a.stdout)
    assert data["archetype"] == "ung_hvb" and data["ground_truth"]["needs"]


def test_yaml_variants_one_per_participant():
    r = run("generate", "-a", "lss_vuxen", "--variants", "4", "-f", "yaml")
    assert r.returncode == 0, r.stderr
    data = yaml.safe_load(r.stdout)
    assert len(data) == 4 and len({d["person"]["given_name"] + d["person"]["family_name"] for d in data}) == 4


def test_count_mixes_archetypes():
    data = json.loads(run("generate", "-n", "30", "-f", "json").stdout)
    assert len(data) == 30 and len({d["archetype"] for d in data}) > 3


def test_output_file(tmp_path):
    out = tmp_path / "fall.md"
    r = run("generate", "--facit", "-o", str(out))
    assert r.returncode == 0 and "Skrev 1 fall" in r.stderr
    assert "## Facit för utbildaren" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args, needle",
    [
        (["generate", "-a", "okänd"], "välj en av: aldre_utskrivning, barn_funktionsnedsattning"),
        (["generate", "-n", "x"], "'x' är inte ett giltigt heltal"),
        (["generate", "-n", "0"], "ligger inte inom"),
        (["generate", "-f", "xml"], "'xml' är inte ett av valen 'json', 'yaml', 'md'"),
        (["generate", "--bogus"], "okänd flagga '--bogus'"),
        (["generate", "--variants", "3"], "--variants kräver --archetype"),
        (["finns-inte"], "okänt kommando 'finns-inte'"),
    ],
)
def test_bad_input_gives_one_swedish_line_and_exit_2(args, needle):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sipkurs: fel: "), r.stderr
    assert needle in lines[0]
    assert "Traceback" not in r.stderr


def test_unwritable_output_is_one_line_exit_1(tmp_path):
    r = run("generate", "-o", str(tmp_path / "saknas" / "x.md"))
    assert r.returncode == 1
    assert r.stderr.strip() == f"sipkurs: fel: kunde inte skriva {tmp_path / 'saknas' / 'x.md'}: filen eller mappen finns inte"


def test_help_is_swedish():
    r = run("generate", "--help")
    assert r.returncode == 0 and "Användning:" in r.stdout and "Flaggor:" in r.stdout
    assert "Usage" not in r.stdout and "Options" not in r.stdout


@pytest.mark.parametrize("command", [[], ["generate"], ["rules"], ["grade"], ["scenario"], ["scenario", "preview"]])
def test_every_help_page_is_swedish(command):
    r = run(*command, "--help")
    assert r.returncode == 0 and r.stdout.startswith("Användning: sipkurs")
    for english in ("Usage", "[OPTIONS]", "COMMAND", "Options:", "Show this message"):
        assert english not in r.stdout, (command, english)
