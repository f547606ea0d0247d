"""The trainer's page without a browser: sorting, reading a plan, downloading one or all, removing after confirming."""

from __future__ import annotations

import base64
import io
import json
import re
import zipfile

import pytest

from sipkurs import cases
from sipkurs.live import LivePlan
from sipkurs.roleplay import form_group
from sipkurs.store import Store
from sipkurs.ui.trainer import TrainerApp

TRAINER = "LARARE-KOD12"
EVIL = "<img src=x onerror=alert(1)>"


@pytest.fixture()
def page(store_url):
    store = Store(store_url)
    store.create_course("K", case_id="sjukskriven_utmattning", trainer_code=TRAINER)
    people = [store.join("K", name, cases.scenario_for_variant) for name in ("Ada", EVIL, "Cecilia")]
    for (p, _), text in zip(people, ("Ada skriver", "<b>fet</b>", ""), strict=True):
        if text:
            live = LivePlan(store, p)
            live.load()
            live.edit("current_situation", text)
            live.flush()
    store.submit(people[0][0], {"chair": "Ada"})
    group = form_group(store, "K", TRAINER)
    app = TrainerApp(store, "kurs=K")
    app.code.value = TRAINER
    app.login()
    yield app, store, people, group
    store.close()


def _links(html: str) -> dict[str, bytes]:
    return {name: base64.b64decode(data) for data, name in re.findall(r'href="data:[^;]+;base64,([^"]+)" download="([^"]+)"', html)}


def test_sorting_and_the_status_of_each_plan(page):
    app, *_ = page
    app.sort.value = "name"
    names = re.findall(r"<tr><td>\d+</td><td>([^<]+)</td>", app.overview.value)
    assert names == sorted(names, key=str.casefold)
    assert "inte påbörjad" in app.overview.value and "ja, 1 version" in app.overview.value


def test_reading_a_plan_shows_it_with_its_feedback_and_typed_html_as_text(page):
    app, store, people, _ = page
    app.plan_choice.value = ("participant", people[1][0].id)
    app.view_plan()
    html = app.plan_view.value
    assert "&lt;b&gt;fet&lt;/b&gt;" in html and "<b>fet" not in html and "<img" not in html
    assert "Återkoppling" in html and "skriver" in html


def test_downloading_one_plan_and_all_of_them(page):
    app, store, people, _ = page
    app.plan_choice.value = ("participant", people[0][0].id)
    app.download_plan()
    files = _links(app.plan_downloads.value)
    assert {n.rsplit("-", 1)[-1] for n in files} == {"plan.pdf", "plan.html", "plan.json"}
    assert next(v for n, v in files.items() if n.endswith("pdf")).startswith(b"%PDF-")
    assert json.loads(next(v for n, v in files.items() if n.endswith("json")))["chair"] == "Ada"
    app.download_all()
    [(name, content)] = _links(app.plan_downloads.value).items()
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        names = z.namelist()
    assert name.endswith(".zip") and "sammanstallning.csv" in names and "sammanstallning.png" in names
    assert sum(n.endswith("/plan.pdf") for n in names) == 2  # Ada's and the one with text: not Cecilia's empty one
    app.download_summary()
    summary = _links(app.plan_downloads.value)
    assert summary["sammanstallning.csv"].decode().startswith("kod,regel") and summary["sammanstallning.png"][:4] == b"\x89PNG"


def test_removing_asks_first_and_then_the_code_opens_nothing(page):
    app, store, people, group = page
    cecilia, secret = people[2]
    store.assign_seat("K", TRAINER, group.seats[0].id, cecilia.id)
    app.render()
    app.plan_choice.value = ("participant", cecilia.id)
    app.ask_remove()
    assert "Ta bort" in app.confirm.children[0].value and store.resume("K", secret) is not None
    app.confirm.children[2].click()  # Avbryt
    assert app.confirm.children == ()
    app.ask_remove()
    app.confirm.children[1].click()  # Ja, ta bort
    assert store.resume("K", secret) is None and "Cecilia" not in app.overview.value
    assert store.group("K", TRAINER, group.id).seats[0].participant_id is None
    app.plan_choice.value = ("group", group.id)
    app.ask_remove()
    app.confirm.children[1].click()
    assert store.groups("K", TRAINER) == []


def test_a_changed_trainer_code_logs_the_open_page_out_and_the_new_code_in(page):
    app, store, _people, _group = page
    assert "Ada" in app.overview.value
    store.change_course("K", trainer_code="NY-LARARKOD9")
    app.render()  # what the page's refresh does
    assert app.authorised is None and app.content.children == ()
    assert "Lärarkoden för kurs K har ändrats" in app.output.value and app.code.layout.display is None
    app.code.value = "NY-LARARKOD9"
    app.login()
    assert app.authorised == ("K", "NY-LARARKOD9") and app.output.value == ""
