"""Exports: the plan as a document a region would file (HTML and PDF from one structure), plan.json for the nbgrader
course, and the trainer's export command. User text is always escaped; å ä ö print."""

import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import pytest

from sipkurs.cli import main
from sipkurs.export import (
    PlanExportError, font_path, plan_document, plan_html, plan_json, plan_pdf, readable, status_label,
)
from sipkurs.feedback import assess
from sipkurs.store import Store

EVIL = "<img src=x onerror=alert(1)><script>alert('x')</script>"

# The parts of a plan, in the order of the regional SIP templates (DOMAIN.md, "What a plan document holds").
PARTS = [
    "Samtycke", "Mötet och personens delaktighet", "Nuläge och vad som är viktigt för personen", "Behov",
    "Mål och delmål", "Insatser", "Det personen och närstående gör själva", "Övergripande ansvar", "Kontaktpersoner",
    "Uppföljning", "Om planen inte fungerar", "Delgivning och underskrifter", "Avslut",
]
HEADINGS = ["Planen gäller", *(f"{i}. {t}" for i, t in enumerate(PARTS, start=1))]
APPENDIX = "Bilaga: Återkoppling från övningsmiljön"


class Submitted:
    number = 2
    submitted = dt.datetime(2026, 11, 24, 13, 5)  # naive UTC, as the store keeps it: 14:05 in Sweden


def _data():
    return {
        "concerns": {"name": "Åsa Öberg", "guardians": ["Märta"]},
        "current_situation": EVIL,
        "consent": {"given": True},
        "needs": [{"id": "B1", "text": "Stöd i vardagen", "area": "boende"}],
        "efforts": [{"id": "I1", "what": "Boendestöd", "organisation": "socialtjanst_vuxen", "needs": ["B1"]}],
    }


def _full():
    """A plan with every part filled: a child's plan, efforts of kommun, region and another actor, own words."""
    return {
        "format": "sipkurs-plan", "version": 1, "scenario_id": "ung_hvb_placerad@3",
        "concerns": {"name": "Elin Fiktiv", "personal_id": "20100101-XXXX", "guardians": ["Maria Fiktiv", "Jonas Fiktiv"]},
        "established": "2026-11-20",
        "consent": {"given": True, "given_by": "vårdnadshavarna", "scope": "Alla i planen", "valid_until": "2027-06-30",
                    "recorded": "I journalen"},
        "initiator": "BUP", "chair": "Sara Lind",
        "participants": [{"name": "Sara Lind", "organisation": "bup", "role": "mötesledare"},
                         {"name": "Elin Fiktiv", "organisation": "", "role": "den enskilde"}],
        "person_participation": "Elin var med hela mötet.", "relatives_involvement": "Mamma deltog.",
        "meeting_questions": ["Hur kommer Elin tillbaka till skolan?"],
        "current_situation": "Elin går inte till skolan.",
        "what_matters": "Jag vill ha kompisar.",
        "needs": [{"id": "B1", "text": "Elin behöver komma tillbaka till skolan", "area": "skolgang"},
                  {"id": "B2", "text": "Elin behöver behandling för sin oro", "area": "psykisk_halsa"}],
        "own_resources": "Elin spelar fotboll.", "relatives_resources": "Mormor kör till träningen.", "wishes": "Gå i skolan.",
        "goals": [{"id": "M1", "text": "Jag vill gå i skolan varje dag.", "kind": "long_term", "own_words": True,
                   "measure": "Närvaro 90 %", "due": "2027-06-01"},
                  {"id": "M1a", "text": "Elin är i skolan tre dagar i veckan.", "kind": "sub_goal", "parent": "M1",
                   "measure": "Närvarolistan", "due": "2027-01-31"},
                  {"id": "M2", "text": "Oron minskar.", "kind": "long_term", "measure": "Skattningsskala", "due": "2027-06-01"}],
        "efforts": [
            {"id": "I1", "what": "Familjebehandling", "organisation": "socialtjanst_barn", "needs": ["B1"], "goals": ["M1"],
             "when": "varje vecka", "start": "2026-12-01", "status": "planned"},
            {"id": "I2", "what": "Samtalsbehandling på BUP", "organisation": "bup", "needs": ["B2"], "goals": ["M2"],
             "status": "ongoing"},
            {"id": "I3", "what": "Anpassad studiegång", "organisation": "Skolan", "needs": ["B1"], "goals": ["M1a"]},
        ],
        "other_actors_note": "Skolan gör en anpassad studiegång.",
        "own_actions": [{"who": "Elin", "what": "Går till fotbollsträningen."}],
        "overall_responsibility": {"principal": "region", "organisation": "bup", "person": "Sara Lind"},
        "contacts": [{"organisation": "bup", "name": "Sara Lind", "reach": "telefon 010-000 00 00"}],
        "follow_up": {"date": "2027-02-15", "called_by": "Sara Lind", "how": "fysiskt möte", "evaluate": "Delmålen."},
        "if_plan_fails": "Ring Sara Lind.",
        "distribution": ["Vårdnadshavarna", "BUP"],
    }


class _Outline(HTMLParser):
    """The h2 headings of a page, in order, and the text inside blockquotes."""

    def __init__(self):
        super().__init__()
        self.headings, self.quotes, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "blockquote"):
            self._in = tag
            (self.headings if tag == "h2" else self.quotes).append("")

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in == "h2":
            self.headings[-1] += data
        elif self._in == "blockquote":
            self.quotes[-1] += data


def _outline(page: str) -> _Outline:
    parser = _Outline()
    parser.feed(page)
    return parser


def _pdf_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_readable_uses_form_labels_and_catalogue_names():
    sections = {s.title: s for s in readable(_data())}
    assert ("Namn", "Åsa Öberg") in sections["Vem planen gäller"].fields
    assert ("Samtycke har getts", "ja") in sections["Samtycke"].fields
    [(title, [row])] = sections["Insatser"].tables
    assert ("Ansvarig verksamhet", "Socialtjänsten, vuxenenheten") in row


def test_document_parts_follow_the_sip_templates():
    data = _full()
    data["efforts"].append({"id": "I4", "what": "Läxhjälp", "organisation": "Fritidsgården", "needs": ["B1"]})
    doc = plan_document(data)
    assert [p.title for p in doc.parts] == PARTS
    assert dict(doc.header.pairs) == {
        "Namn": "Elin Fiktiv", "Personnummer": "20100101-XXXX", "Vårdnadshavare": "Maria Fiktiv, Jonas Fiktiv",
        "Planen upprättad": "2026-11-20", "Initiativ till planen togs av": "BUP", "Mötesledare": "Sara Lind"}
    assert doc.participants.rows == (("Sara Lind", "Barn- och ungdomspsykiatrin (BUP)", "mötesledare"),
                                     ("Elin Fiktiv", "–", "den enskilde"))
    efforts = {b.caption: b.rows for b in doc.parts[5].blocks if b.kind == "table"}
    assert [r[0] for r in efforts["Kommunen ansvarar för"]] == ["I1"]
    assert [r[0] for r in efforts["Regionen ansvarar för"]] == ["I2"]
    assert [r[0] for r in efforts["Andra aktörer än kommun och region"]] == ["I3"]  # a unit named as the model allows
    assert [r[:3] for r in efforts["Insatser där huvudmannen inte framgår"]] == [("I4", "Läxhjälp", "Fritidsgården")]
    kommun = dict(zip(("Nr", "Insats", "Verksamhet", "Behov", "Mål", "När", "Läge"), efforts["Kommunen ansvarar för"][0]))
    assert kommun["Behov"] == "B1 Elin behöver komma tillbaka till skolan"
    assert kommun["Mål"] == "M1 Jag vill gå i skolan varje dag."
    assert kommun["När"] == "varje vecka\n2026-12-01" and kommun["Läge"] == "Planerad"
    own, other = [b for b in doc.parts[4].blocks if b.kind == "goal"]
    assert own.goal.own_words and own.goal.id == "M1" and [s.id for s in own.subgoals] == ["M1a"]
    assert other.goal.id == "M2" and not other.subgoals


def test_html_document_order_labels_and_own_words():
    page = plan_html(_full(), assess(_full()), submission=Submitted())
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    outline = _outline(page)
    assert outline.headings == [*HEADINGS, APPENDIX]  # the feedback only after the whole plan
    assert "Inlämnad version 2, 2026-11-24 14:05" in page and "Utkast" not in page
    assert [q.strip() for q in outline.quotes] == ["Jag vill ha kompisar.", "Jag vill gå i skolan varje dag."]
    assert "Maria Fiktiv, Jonas Fiktiv" in page and "@media print" in page
    draft = plan_html(_full(), assess(_full()), appendix=False)
    assert _outline(draft).headings == HEADINGS and "Utkast" in draft and "Inlämnad" not in draft


def test_empty_draft_says_what_is_missing():
    page = plan_html({}, None)
    assert _outline(page).headings == HEADINGS
    assert page.count("Inte ifyllt") >= 15 and "Inga behov angivna." in page and "Planen är inte avslutad." in page


def test_pdf_document_order_labels_and_footer():
    pages = _pdf_text(plan_pdf(_full(), assess(_full()), submission=Submitted()))
    text = "\n".join(pages)
    positions = [text.find(h) for h in [*HEADINGS, APPENDIX]]
    assert -1 not in positions and positions == sorted(positions), positions
    [first] = [p for p in pages if APPENDIX in p]
    assert first.lstrip().startswith(APPENDIX)  # the appendix starts on a page of its own
    assert all("SIP för Elin Fiktiv · Inlämnad version 2, 2026-11-24 14:05" in p for p in pages)
    assert all(re.search(rf"sida {i} av {len(pages)}", p) for i, p in enumerate(pages, start=1))
    assert "”Jag vill ha kompisar.”" in text and "Kommunen ansvarar för" in text
    draft = "\n".join(_pdf_text(plan_pdf(_full(), assess(_full()), appendix=False)))
    assert "Utkast" in draft and APPENDIX not in draft and "Inlämnad" not in draft


def test_pdf_embeds_a_unicode_font_and_survives_longest_texts():
    assert font_path().is_file()
    data = _full()
    data["efforts"][0]["what"] = "Ord " * 2_400  # the longest text a field holds: no row taller than a page
    data["needs"][0]["text"] = "behov " * 1_600
    pdf = plan_pdf(data, None, name="Åsa", title="SIP för Åsa")
    assert pdf.startswith(b"%PDF-") and b"DejaVu" in pdf
    text = "\n".join(_pdf_text(pdf))
    assert "Familjebehandling" not in text and text.count("Ord") > 2_000


def test_status_label():
    assert status_label(None) == "Utkast"
    assert status_label(Submitted()) == "Inlämnad version 2, 2026-11-24 14:05"


def _every_text_evil(data):
    """The same plan with every text a participant types replaced by markup, numbered so each can be found."""
    count = iter(range(1000))
    keep = {"format", "version", "id", "kind", "status", "parent", "needs", "goals", "given", "own_words",
            "established", "valid_until", "due", "start", "end", "date", "organisation", "area", "effort", "principal",
            "scenario_id", "updated"}

    def walk(value, key=""):
        if isinstance(value, dict):
            return {k: walk(v, k) for k, v in value.items()}
        if isinstance(value, list) and key not in keep:
            return [walk(v, key) for v in value]
        if isinstance(value, str) and key not in keep:
            return f"<i id=t{next(count)}>{EVIL}"
        return value

    evil = walk(data)
    evil["group"] = f"<i id=t{next(count)}>{EVIL}"
    evil["authors"] = [{"name": f"<i id=t{next(count)}>{EVIL}", "organisation": "bup"}]
    evil["closure"] = {"date": "2027-06-01", "reason": f"<i id=t{next(count)}>{EVIL}"}
    return evil, next(count)


def test_every_user_text_is_escaped_in_html_and_printed_as_text_in_pdf():
    data, n = _every_text_evil(_full())
    page = plan_html(data, assess(data), name=f"<b>{EVIL}", title=f"<b>{EVIL}")
    assert "<script" not in page and "<img" not in page and "<i id=" not in page and "<b>" not in page
    missing = [i for i in range(n) if f"&lt;i id=t{i}&gt;" not in page]
    assert not missing, missing
    flat = "".join("".join(_pdf_text(plan_pdf(data, assess(data), name=EVIL))).split())  # lines wrap anywhere
    evil = "".join(EVIL.split())
    missing = [i for i in range(n) if f"<iid=t{i}>{evil}" not in flat]  # printed as text, whole
    assert not missing, missing


def test_a_role_play_groups_export_names_the_group_and_its_members():
    data = {**_full(), "group": "Grupp A",
            "authors": [{"name": "Anna Berg", "organisation": "forsakringskassan"}, {"name": "Bo Ek", "organisation": ""}]}
    doc = plan_document(data, name="ignoreras")
    assert dict(doc.authors.pairs) == {"Rollspelsgrupp": "Grupp A", "Gruppens medlemmar": "Anna Berg (Försäkringskassan), Bo Ek"}
    page = plan_html(data, None)
    assert "Rollspelsgrupp" in page and "Grupp A" in page and "Anna Berg (Försäkringskassan), Bo Ek" in page
    text = "\n".join(_pdf_text(plan_pdf(data, None)))
    assert "Rollspelsgrupp" in text and "Anna Berg (Försäkringskassan), Bo Ek" in text
    single = plan_document({"authors": [{"name": "Åsa"}]})
    assert dict(single.authors.pairs) == {"Skriven av": "Åsa"}
    assert dict(plan_document({}, name="Bo").authors.pairs) == {"Skriven av": "Bo"}


def test_plan_json_is_read_back_by_the_nbgrader_courses_loader(tmp_path, capsys):
    from graders.nbgrader_bridge import autograde
    from graders.planfile import load_plan

    target = tmp_path / "plan.json"
    target.write_bytes(plan_json({k: v for k, v in _full().items() if k not in ("format", "version")}))
    plan = load_plan(target)
    assert plan.scenario_id == "ung_hvb_placerad@3" and plan.concerns.name == "Elin Fiktiv"
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == "sipkurs-plan"
    points = autograde("plan.json", max_points=10, folder=tmp_path)
    out = capsys.readouterr().out
    assert 0 < points <= 10 and "Kunde inte" not in out and "kunde inte läsas" not in out


def test_plan_json_refuses_an_invalid_draft_in_one_swedish_line():
    with pytest.raises(PlanExportError) as err:
        plan_json({**_full(), "current_situation": "x" * 10_001})
    assert str(err.value) == ("planen kan inte sparas som plan.json ännu: current_situation: texten är för lång "
                              "(högst 10000 tecken)")


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
    assert "Utkast" in out and "&lt;script&gt;" in out and "<script>" not in out
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
