"""`sipkurs course` and how `sipkurs serve` treats an existing course: a restart continues it unchanged; a course is
created, and its case or trainer code changed, only on purpose."""

from __future__ import annotations

import re
import socket

import pytest

from sipkurs.cli import main
from sipkurs.store import Store, to_url


def run(capsys, monkeypatch, *args: str, answer: str | None = None) -> tuple[int, str, str]:
    if answer is not None:
        monkeypatch.setattr("sys.stdin", __import__("io").StringIO(answer + "\n"))
    with pytest.raises(SystemExit) as exit_:
        main(list(args))
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_a_course_is_created_listed_and_changed_only_when_the_trainer_says_yes(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "kurs.db")
    code, out, _ = run(capsys, monkeypatch, "course", "create", "--course", "host-26", "--case", "psykos_missbruk_boende",
                       "--db", db)
    assert code == 0 and "Kursen HOST-26 är skapad." in out and "sipkurs serve --course HOST-26" in out
    trainer = re.search(r"Lärarkod:\s+(\S+)", out).group(1)

    code, _, err = run(capsys, monkeypatch, "course", "create", "--course", "HOST-26", "--db", db)
    assert code == 1 and err.strip().endswith("kursen HOST-26 finns redan; fortsätt den med 'sipkurs serve --course HOST-26'")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1

    store = Store(to_url(db))
    store.join("HOST-26", "Anna", lambda course, n: f"{course.case_id}@{n}")
    store.close()
    code, out, _ = run(capsys, monkeypatch, "course", "list", "--db", db)
    assert code == 0 and re.search(r"^HOST-26\s+1\s+0\s+\S+ \S+\s+psykos_missbruk_boende$", out, re.M)

    # Saying no changes nothing; saying yes changes the case for those who join from now on.
    code, _, err = run(capsys, monkeypatch, "course", "change", "HOST-26", "--case", "sjukskriven_utmattning", "--db", db,
                       answer="n")
    assert code == 1 and "1 deltagare" in err and "behåller sina fall" in err and "ingenting ändrades" in err
    store = Store(to_url(db))
    assert store.course("HOST-26").case_id == "psykos_missbruk_boende"
    store.close()
    code, out, _ = run(capsys, monkeypatch, "course", "change", "host-26", "--case", "sjukskriven_utmattning",
                       "--new-trainer-code", "--db", db, answer="j")
    assert code == 0 and "Fall: sjukskriven_utmattning" in out
    new = re.search(r"Ny lärarkod:\s+(\S+)", out).group(1)
    store = Store(to_url(db))
    assert store.course("HOST-26").case_id == "sjukskriven_utmattning"
    assert store.check_trainer("HOST-26", new) and not store.check_trainer("HOST-26", trainer)
    assert store.overview("HOST-26", new)[0].scenario_id.startswith("psykos_missbruk_boende")  # Anna keeps hers
    store.close()


@pytest.mark.parametrize("args,message", [
    (("course", "change", "HOST-26", "--yes"), "ange vad som ska bytas"),
    (("course", "change", "HOST-99", "--seed", "2", "--yes"), "kursen HOST-99 finns inte; se 'sipkurs course list'"),
    (("course", "change", "HOST-26", "--case", "finns_inte", "--yes"), "okänt fall 'finns_inte'"),
    (("course", "change", "HOST-26", "--new-trainer-code", "--trainer-code", "EN-ANNAN-KOD-1", "--yes"), "inte båda"),
    (("course", "change", "HOST-26", "--trainer-code", "kort", "--yes"), "lärarkoden"),
    (("course", "create", "--course", "HÖST 26"), "kurskoden får bara innehålla"),
])
def test_odd_course_commands_give_one_swedish_line(tmp_path, capsys, monkeypatch, args, message):
    db = str(tmp_path / "kurs.db")
    assert run(capsys, monkeypatch, "course", "create", "--course", "HOST-26", "--db", db)[0] == 0
    code, _, err = run(capsys, monkeypatch, *args, "--db", db)
    assert code in (1, 2) and message in err and "Traceback" not in err


def test_list_on_a_missing_store_says_so(tmp_path, capsys, monkeypatch):
    code, _, err = run(capsys, monkeypatch, "course", "list", "--db", str(tmp_path / "finns-inte.db"))
    assert code == 1 and "finns inte" in err


@pytest.fixture()
def busy_port():
    """A port someone else listens on: `sipkurs serve` stops there, after every check of the course has passed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


def test_serve_continues_a_course_and_refuses_to_switch_its_case_or_mode(tmp_path, capsys, monkeypatch, busy_port):
    db = str(tmp_path / "kurs.db")
    assert run(capsys, monkeypatch, "course", "create", "--course", "VAR-26", "--trainer-code", "RATT-KOD-1234",
               "--db", db)[0] == 0
    serve = ("serve", "--course", "VAR-26", "--db", db, "--port", str(busy_port))
    code, _, err = run(capsys, monkeypatch, *serve, "--case", "barn_autism_avlastning")
    assert code == 1 and "byt med 'sipkurs course change VAR-26 --case barn_autism_avlastning'" in err
    code, _, err = run(capsys, monkeypatch, *serve, "--trainer-code", "FEL-KOD-98765")
    assert code == 1 and "lärarkoden stämmer inte med kursen VAR-26" in err
    code, _, err = run(capsys, monkeypatch, *serve, "--self-study")
    assert code == 1 and "starta den utan --self-study" in err
    # The course was created without --case (the standard case): naming that case, or the right code, agrees.
    from sipkurs.cases import DEFAULT_CASE

    for extra in ((), ("--case", DEFAULT_CASE), ("--trainer-code", "RATT-KOD-1234")):
        code, _, err = run(capsys, monkeypatch, *serve, *extra)
        assert code == 1 and f"porten {busy_port}" in err, (extra, err)
    store = Store(to_url(db))
    course = store.course("VAR-26")
    assert (course.case_id, course.archetype) == ("", "") and store.check_trainer("VAR-26", "RATT-KOD-1234")
    store.close()


def test_a_generated_course_keeps_its_seed_and_the_messages_name_the_default_case(tmp_path, capsys, monkeypatch,
                                                                                   busy_port):
    db = str(tmp_path / "kurs.db")
    assert run(capsys, monkeypatch, "course", "create", "--course", "GEN-1", "--archetype", "sjukskriven", "--seed", "4",
               "--db", db)[0] == 0
    serve = ("serve", "--course", "GEN-1", "--db", db, "--port", str(busy_port))
    code, _, err = run(capsys, monkeypatch, *serve, "--seed", "9")
    assert code == 1 and "har fröet 4" in err and "sipkurs course change GEN-1 --seed 9" in err
    code, _, err = run(capsys, monkeypatch, *serve, "--seed", "4")
    assert code == 1 and f"porten {busy_port}" in err  # the same seed agrees
    code, _, err = run(capsys, monkeypatch, "course", "create", "--course", "FALL-1", "--case", "sjukskriven_utmattning",
                       "--seed", "3", "--db", db)
    assert code == 2 and "--seed gäller bara genererade personer" in err
    assert run(capsys, monkeypatch, "course", "create", "--course", "STD-1", "--db", db)[0] == 0
    code, _, err = run(capsys, monkeypatch, "serve", "--course", "STD-1", "--db", db, "--port", str(busy_port),
                       "--case", "barn_autism_avlastning")
    assert code == 1 and "kursen STD-1 har standardfallet;" in err


def test_course_change_never_takes_the_trainer_code_from_the_environment(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "kurs.db")
    monkeypatch.setenv("SIPKURS_TRAINER_CODE", "MILJO-KOD-12345")
    assert run(capsys, monkeypatch, "course", "create", "--course", "ENV-1", "--db", db)[0] == 0
    code, out, err = run(capsys, monkeypatch, "course", "change", "ENV-1", "--new-trainer-code", "--yes", "--db", db)
    assert code == 0 and "Ny lärarkod:" in out, err
    assert run(capsys, monkeypatch, "course", "change", "ENV-1", "--case", "sjukskriven_utmattning", "--yes",
               "--db", db)[0] == 0
    store = Store(to_url(db))
    new = re.search(r"Ny lärarkod:\s+(\S+)", out).group(1)
    assert store.check_trainer("ENV-1", new) and not store.check_trainer("ENV-1", "MILJO-KOD-12345")
    store.close()


def test_a_self_study_course_is_listed_as_such_and_has_no_case_to_change(tmp_path, capsys, monkeypatch):
    from sipkurs.selfstudy import MODE_SETTING, SELF_STUDY

    db = str(tmp_path / "kurs.db")
    assert run(capsys, monkeypatch, "course", "create", "--course", "SJALV", "--db", db)[0] == 0
    store = Store(to_url(db))
    store.set_setting(MODE_SETTING, SELF_STUDY, course="SJALV")
    store.close()
    assert "självstudier: var och en väljer sitt fall" in run(capsys, monkeypatch, "course", "list", "--db", db)[1]
    code, _, err = run(capsys, monkeypatch, "course", "change", "SJALV", "--case", "sjukskriven_utmattning", "--yes",
                       "--db", db)
    assert code == 1 and "självstudiekurs" in err
