"""Sizes everywhere: files are read only when they are regular and small enough, YAML is validated in linear time,
absurd numbers and oversized plans are refused at once, each with one Swedish line.

Includes the crafted YAML of issue 10 (aliases that expand to billions of nodes, 30,000 keys) and a fuzz test that
builds alias bombs of random shape: every one validates or fails within a second.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graders import PlanFileError, load_plan
from graders.planfile import MAX_FILE_BYTES, parse_plan
from simulator.case_validation import MAX_CASE_BYTES, load_case_file, load_case_text
from sipkurs.export import ExportTooLarge, MAX_EXPORT_CHARS, check_size, plan_html, plan_pdf

SECOND = 1.0


def alias_bomb(levels: int, width: int) -> str:
    lines = ["id: x", "a0: &a0 [" + ", ".join(["l"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


CRAFTED = {
    "billion laughs (9 levels of 9)": alias_bomb(9, 9),
    "aliases of mappings": "id: x\nm0: &m0 {a: 1, b: 2, c: 3}\n" + "".join(
        f"m{i}: &m{i} {{a: *m{i - 1}, b: *m{i - 1}, c: *m{i - 1}, d: *m{i - 1}}}\n" for i in range(1, 14)),
    "an alias that refers to itself": "id: x\na: &a [1, *a]\n",
    "a merge key of aliases": "id: x\nbase: &b {k: v}\n" + "".join(f"m{i}: &m{i} {{<<: *b, x{i}: 1}}\n" for i in range(30)),
    "an integer of 5,000 digits": "id: " + "9" * 5000 + "\n",
    "deep nesting": "id: x\nz: " + "[" * 400 + "]" * 400 + "\n",
    "20,000 keys": "id: x\n" + "".join(f"k{i}: {i}\n" for i in range(20_000)),
    "20,000 repeated keys": "id: x\nm:\n" + "".join(f"  k: {i}\n" for i in range(20_000)),
}


@pytest.mark.parametrize("name", list(CRAFTED))
def test_crafted_yaml_validates_or_fails_within_a_second(name, catalogue):
    text = CRAFTED[name]
    start = time.process_time()
    case, errors = load_case_text(text, "fall.yaml", catalogue)
    # a small crafted file: under a second; the 20,000-key files are 250 kB (the size limit), linear: ~0.5 s
    assert time.process_time() - start < (SECOND if len(text) < 30_000 else 3 * SECOND), name
    assert case is None and errors
    assert all("\n" not in e.message for e in errors)


def test_the_first_crafted_file_is_small_and_its_error_says_why(catalogue):
    text = CRAFTED["billion laughs (9 levels of 9)"]
    assert len(text.encode()) < 500
    _, errors = load_case_text(text, "fall.yaml", catalogue)
    assert errors[0].message.startswith("alias (*namn) gör filen för stor")
    assert "pekar på sig självt" in load_case_text(CRAFTED["an alias that refers to itself"], "f.yaml", catalogue)[1][0].message
    assert "för många siffror" in load_case_text(CRAFTED["an integer of 5,000 digits"], "f.yaml", catalogue)[1][0].message


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(levels=st.integers(1, 30), width=st.integers(1, 12), mapping=st.booleans(), tail=st.sampled_from(["", "x: *a0\n", "y: [*a0, *a0]\n"]))
def test_random_alias_bombs_are_linear(levels, width, mapping, tail):
    if mapping:
        text = "id: x\na0: &a0 {k: v}\n" + "".join(
            f"a{i}: &a{i} {{" + ", ".join(f"k{j}: *a{i - 1}" for j in range(width)) + "}\n" for i in range(1, levels))
    else:
        text = alias_bomb(levels, width)
    start = time.process_time()
    case, errors = load_case_text(text + tail, "fall.yaml")
    assert time.process_time() - start < SECOND
    assert case is None and errors and all(e.line >= 1 for e in errors)


# --- files: only regular ones, only small ones ------------------------------------------------------------------


@pytest.fixture()
def fifo(tmp_path):
    path = tmp_path / "ror.json"
    os.mkfifo(path)
    return path


def test_plan_and_case_files_must_be_regular_and_small(tmp_path, fifo):
    for special in (fifo, "/dev/zero", "/dev/null"):
        with pytest.raises(PlanFileError, match="ingen vanlig fil"):
            load_plan(special)
        assert "ingen vanlig fil" in load_case_file(special)[1][0].message
    big = tmp_path / "stor.json"
    with big.open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    start = time.monotonic()
    with pytest.raises(PlanFileError, match=r"filen är för stor \(4,8 MB; högst 4,8 MB\)"):
        load_plan(big)
    big_case = tmp_path / "stor.yaml"
    big_case.write_bytes(b"#" * (MAX_CASE_BYTES + 1))
    assert load_case_file(big_case)[1][0].message.startswith("filen är för stor")
    assert time.monotonic() - start < SECOND
    assert "mapp" in load_case_file(tmp_path)[1][0].message


def test_grade_and_validate_refuse_special_files_with_one_line(tmp_path, fifo, capsys):
    from sipkurs.cli import main

    for args in (["grade", str(fifo)], ["grade", "/dev/zero"], ["scenario", "validate", str(fifo)],
                 ["scenario", "validate", "/dev/zero"]):
        with pytest.raises(SystemExit) as exit_:
            main(args)
        out = capsys.readouterr()
        assert exit_.value.code == 1 and "Traceback" not in out.out + out.err
        assert "ingen vanlig fil" in out.err.splitlines()[0]


@pytest.mark.parametrize("digits", [19, 4_000, 5_000, 100_000])
def test_plan_numbers_of_thousands_of_digits_are_a_clear_error(digits):
    text = '{"format": "sipkurs-plan", "version": ' + "9" * digits + "}"
    with pytest.raises(PlanFileError) as info:
        parse_plan(text, "p.json")
    assert str(info.value) == "p.json:1:39: ett tal har för många siffror (högst 18)"


# --- exports ------------------------------------------------------------------------------------------------------


def test_exports_refuse_oversized_plans_at_once():
    pasted = {"current_situation": "Inklistrad bok. " * 600_000}  # ~9 MB, as in the issue
    start = time.perf_counter()
    for render in (plan_pdf, plan_html):
        with pytest.raises(ExportTooLarge, match="ett fält har 9600000 tecken"):
            render(pasted, None)
    many = {"needs": [{"id": f"B{i}", "description": "Behov. " * 1400} for i in range(40)]}
    with pytest.raises(ExportTooLarge, match=f"mer än {MAX_EXPORT_CHARS} tecken"):
        check_size(many)
    assert time.perf_counter() - start < 0.5
    check_size(json.loads((__import__("pathlib").Path(__file__).parent / "data/plans/sjukskriven-1-0/utmarkt.json").read_text(encoding="utf-8")))
