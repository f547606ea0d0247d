"""Exports (HTML and PDF) and the trainer's export command: user text is always escaped, å ä ö print."""

import re

import pytest

from sipkurs.cli import main
from sipkurs.export import font_path, plan_html, plan_pdf, readable
from sipkurs.feedback import assess
from sipkurs.store import Store

EVIL = "<img src=x onerror=alert(1)><script>alert('x')</script>"


def _data():
    return {
        "concerns": {"name": "Åsa Öberg", "guardians": ["Märta"]},
        "current_situation": EVIL,
        "consent": {"given": True},
        "needs": [{"id": "B1", "text": "Stöd i vardagen", "area": "boende"}],
        "efforts": [{"id": "I1", "what": "Boendestöd", "organisation": "socialtjanst_vuxen", "needs": ["B1"]}],
    }


def test_readable_uses_form_labels_and_catalogue_names():
    sections = {s.title: s for s in readable(_data())}
    assert ("Namn", "Åsa Öberg") in sections["Vem planen gäller"].fields
    assert ("Samtycke har getts", "ja") in sections["Samtycke"].fields
    [(title, [row])] = sections["Insatser"].tables
    assert ("Ansvarig verksamhet", "Socialtjänsten, vuxenenheten") in row


def test_html_export_escapes_user_text_and_declares_swedish():
    page = plan_html(_data(), assess(_data()), name="<b>Bo</b>", title="SIP")
    assert '<html lang="sv">' in page
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>Bo" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;" in page
    assert "Åsa Öberg" in page and "Återkoppling" in page


def test_pdf_export_embeds_a_unicode_font():
    assert font_path().is_file()
    pdf = plan_pdf(_data(), assess(_data()), name="Åsa", title="SIP för Åsa")
    assert pdf.startswith(b"%PDF-") and b"DejaVu" in pdf and len(pdf) > 5000


@pytest.fixture()
def course(tmp_path):
    from sipkurs import cases

    db = tmp_path / "k.db"
    store = Store(f"sqlite:///{db}")
    store.create_course("KURS", archetype="sjukskriven", trainer_code="LARARE-KOD")
    p, _ = store.join("KURS", "Åsa", cases.scenario_for_variant)
    store.save_draft(p, _data())
    store.close()
    return db, p.id


def test_cli_export_html_and_pdf(course, tmp_path, capsys):
    db, pid = course
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--db", str(db), "--course", "kurs", "--trainer-code", "larare-kod", "--participant", str(pid)])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "utkast" in out and "&lt;script&gt;" in out and "<script>" not in out
    target = tmp_path / "plan.pdf"
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--db", str(db), "--course", "KURS", "--trainer-code", "LARARE-KOD", "--participant", str(pid),
              "-f", "pdf", "-o", str(target)])
    assert exit_.value.code == 0 and target.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--trainer-code", "fel", "--participant", "1"], "fel kurskod eller lärarkod"),
        (["--trainer-code", "LARARE-KOD", "--participant", "99"], "deltagare 99 finns inte"),
        (["--trainer-code", "LARARE-KOD", "--participant", "1", "-f", "pdf"], "PDF kräver --output"),
    ],
)
def test_cli_export_errors_are_one_swedish_line(course, capsys, args, message):
    db, _ = course
    with pytest.raises(SystemExit) as exit_:
        main(["export", "--db", str(db), "--course", "KURS", *args])
    err = capsys.readouterr().err
    assert exit_.value.code in (1, 2) and message in err and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_serve_refuses_bad_options_in_one_line(tmp_path, capsys):
    import socket

    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--db", str(tmp_path / "x.db"), "--archetype", "nope"])
    assert exit_.value.code == 2 and "okänd arketyp" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["serve", "--db", str(tmp_path / "x.db"), "--case", "finns_inte"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and "okänt fall 'finns_inte'" in err and len(err.strip().splitlines()) == 1
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as exit_:
            main(["serve", "--db", str(tmp_path / "x.db"), "--port", str(port)])
    err = capsys.readouterr().err
    assert exit_.value.code == 1 and re.search(r"porten \d+ på 127.0.0.1 är upptagen", err)


def test_export_from_a_missing_database_file_creates_nothing(tmp_path, capsys):
    from sipkurs.cli import main

    db = tmp_path / "stavfel" / "x.db"
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--db", str(db), "--course", "K", "--trainer-code", "LARARE-KOD", "--participant", "1"])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == f"sipkurs: fel: lagringen {db} finns inte\n"
    assert not db.parent.exists()


def test_a_file_that_is_not_a_database_is_one_swedish_line(tmp_path, capsys):
    from sipkurs.cli import main

    db = tmp_path / "inte.db"
    db.write_text("hej", encoding="utf-8")
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--db", str(db), "--course", "K", "--trainer-code", "LARARE-KOD", "--participant", "1"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err == f"sipkurs: fel: kunde inte öppna lagringen {db}: filen är ingen SQLite-databas\n"
