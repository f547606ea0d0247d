"""The participant app and the trainer page in a real Chromium, against a real `sipkurs serve`.

Join, type, see the feedback change, reload, restart the server, submit: the draft is never lost. Typed HTML stays
text everywhere, and axe-core finds no serious or critical accessibility problems.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from browserkit import COURSE, EVIL, TIMEOUT, TRAINER_CODE, Server, launch_args, require_browser, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    srv = Server(tmp_path_factory.mktemp("store") / "kurs.db")
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), accept_downloads=True, **launch_args()
        )
        context.set_default_timeout(TIMEOUT)
        yield context
        context.close()


@pytest.fixture()
def page(browser):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    yield page
    assert dialogs == [], f"en dialog öppnades: {dialogs}"
    page.close()


def _join(page, server, name: str, clicks: int = 1) -> str:
    page.goto(server.url("sip_utkast.ipynb"))
    page.get_by_label("Ditt namn").fill(name)
    for _ in range(clicks):
        page.get_by_role("button", name="Börja eller fortsätt").click()
    secret = page.locator(".sip-secret").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", secret)
    return secret


def _score(page) -> str:
    return page.locator(".sip-score").text_content()  # in the feedback tab, shown or not


def _wait_saved(page) -> None:
    """Until the last change is in the store: the status says "Sparat" only when nothing is pending, and a change
    reaches the kernel and is written within a second."""
    page.wait_for_timeout(1000)
    page.get_by_text(re.compile(r"Sparat kl\. \d\d:\d\d:\d\d")).wait_for()


def test_draft_survives_reload_and_restart_and_is_submitted(server, page):
    assert f"Kurskod:    {COURSE}" in server.output and TRAINER_CODE in server.output
    secret = _join(page, server, "Kim Testare")
    page.get_by_role("tab", name="Fallet").wait_for()
    before = _score(page)
    page.get_by_label("Namn", exact=True).first.fill("Åsa Öberg")
    page.get_by_label("Nuvarande situation").fill("Bor ensam, svårt att klara vardagen.")
    page.get_by_role("button", name="Lägg till behov").click()
    page.get_by_label("Behov (B1)", exact=True).fill("Stöd i boendet")
    page.get_by_role("button", name="Lägg till insats").click()
    page.get_by_label("Insats (I1)", exact=True).fill("Boendestöd")
    page.get_by_label("Ansvarig verksamhet (I1)").select_option(label="Socialtjänsten, vuxenenheten")
    page.get_by_label("B1: Stöd i boendet (I1)").check()  # a checkbox per need, no Ctrl-click
    page.get_by_label("Planen upprättad").fill("2026-11-20")
    page.get_by_label("Samtycke har getts").check()
    _wait_saved(page)
    page.wait_for_function(f"document.querySelector('.sip-score').textContent !== {before!r}")
    after = _score(page)
    assert after != before

    # Reload: the page asks again; the personal code brings the draft back.
    page.reload()
    page.get_by_label("Personlig kod (om du har en)").fill(secret.lower())
    page.get_by_role("button", name="Börja eller fortsätt").click()
    page.get_by_text("Ditt sparade utkast är återställt.").wait_for()
    assert page.get_by_label("Nuvarande situation").input_value() == "Bor ensam, svårt att klara vardagen."
    assert page.get_by_label("Insats (I1)", exact=True).input_value() == "Boendestöd"
    assert page.get_by_label("Samtycke har getts").is_checked()

    # The server stops and starts again: the personal link still restores everything.
    server.stop()
    server.start()
    page.goto(server.url("sip_utkast.ipynb", f"&kod={secret}"))
    page.get_by_text("Ditt sparade utkast är återställt.").wait_for()
    assert page.get_by_label("Behov (B1)", exact=True).input_value() == "Stöd i boendet"
    assert page.get_by_label("Planen upprättad").input_value() == "2026-11-20"
    assert _score(page) == after

    page.get_by_role("tab", name="Återkoppling").click()
    page.get_by_role("button", name="Lämna in planen").click()
    page.get_by_text(re.compile(r"Inlämnad: version 1, \d{4}-\d\d-\d\d")).wait_for()
    page.get_by_role("button", name="Lämna in planen").click()  # unchanged: no second version
    page.get_by_text(re.compile(r"Redan inlämnad: planen är oförändrad sedan version 1")).wait_for()
    page.get_by_label("Mötesledare").fill("Kim Testare")
    _wait_saved(page)
    for _ in range(5):  # impatient clicks make one version, not five
        page.get_by_role("button", name="Lämna in planen").click()
    page.get_by_text(re.compile(r"Inlämnade versioner \(2\)")).wait_for()
    page.wait_for_timeout(1500)
    assert page.get_by_text(re.compile(r"version 3|versioner \(3\)")).count() == 0


def test_same_name_other_participant_starts_empty(server, page):
    _join(page, server, "Kim Testare")
    page.get_by_role("tab", name="Fallet").wait_for()
    assert page.get_by_label("Nuvarande situation").input_value() == ""
    assert page.get_by_text("Ditt sparade utkast är återställt.").count() == 0


def test_typed_html_stays_text_in_app_trainer_page_and_exports(server, page, tmp_path):
    _join(page, server, EVIL)
    page.get_by_label("Nuvarande situation").fill(EVIL)
    page.get_by_label("Mötesledare").fill(EVIL)
    _wait_saved(page)
    assert page.locator("h1", has_text="SIP-utkast").inner_text().endswith(EVIL)
    assert page.locator("img[src=x]").count() == 0

    page.get_by_role("tab", name="Återkoppling").click()
    page.get_by_role("button", name="Utskrift (HTML)").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner utskriften (HTML)").click()
    html = Path(download.value.path()).read_text(encoding="utf-8")
    assert '<html lang="sv">' in html and "<script>alert" not in html and "&lt;img src=x" in html
    page.get_by_role("button", name="PDF").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Ladda ner PDF").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")

    page.goto(server.url("sip_larare.ipynb"))
    page.get_by_label("Lärarkod").fill(TRAINER_CODE)
    page.get_by_role("button", name="Visa översikten").click()
    cell = page.get_by_role("cell", name=EVIL, exact=True)
    cell.wait_for()
    assert page.locator("img[src=x]").count() == 0
    page.wait_for_timeout(300)  # a dialog, if any, would have fired by now


def test_trainer_page_refuses_without_code(server, page):
    _join(page, server, "Vera Vakthund")  # someone the trainer page could show
    page.context.clear_cookies()  # no trainer session left from the other tests
    stranger = page
    stranger.goto(server.url("sip_larare.ipynb"))
    stranger.get_by_label("Lärarkod").fill("GISSAD-KOD")
    stranger.get_by_role("button", name="Visa översikten").click()
    stranger.get_by_role("alert").get_by_text("fel kurskod eller lärarkod").wait_for()
    assert stranger.get_by_role("table").count() == 0
    assert "Vera Vakthund" not in stranger.content()


def test_accessibility_of_join_form_and_trainer_pages(server, page):
    page.goto(server.url("sip_utkast.ipynb"))
    page.get_by_label("Ditt namn").wait_for()
    assert page.locator("html").get_attribute("lang") == "sv"
    problems = {"anslutning": serious_violations(page)}
    page.get_by_label("Ditt namn").fill("Tillgänglig Testare")
    page.get_by_role("button", name="Börja eller fortsätt").click()
    page.get_by_role("tab", name="Fallet").wait_for()
    for button in ("Lägg till behov", "Lägg till mål", "Lägg till insats", "Lägg till deltagare"):
        page.get_by_role("button", name=button).click()
    page.get_by_label("Insats (I1)", exact=True).wait_for()
    problems["formulär"] = serious_violations(page)
    page.goto(server.url("sip_larare.ipynb"))
    page.get_by_label("Lärarkod").fill(TRAINER_CODE)
    page.get_by_role("button", name="Visa översikten").click()
    page.get_by_role("table").wait_for()
    problems["översikt"] = serious_violations(page)
    assert problems == {"anslutning": [], "formulär": [], "översikt": []}


def test_form_works_by_keyboard(server, page):
    page.goto(server.url("sip_utkast.ipynb"))
    page.get_by_label("Ditt namn").focus()
    page.keyboard.type("Tangent Bordsson")
    page.keyboard.press("Tab")  # personal code field
    page.keyboard.press("Tab")  # the button
    page.keyboard.press("Enter")
    page.get_by_role("tab", name="Fallet").wait_for()
    add = page.get_by_role("button", name="Lägg till behov")
    add.focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Behov (B1)", exact=True)
    field.focus()
    page.keyboard.type("Skrivet med tangentbordet")
    _wait_saved(page)
    assert field.input_value() == "Skrivet med tangentbordet"
    add.focus()
    page.keyboard.press("Enter")
    page.get_by_label("Behov (B2)", exact=True).wait_for()
    page.get_by_role("button", name="Ta bort behov B2").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Behov (B2)", exact=True).wait_for(state="hidden")
    assert page.get_by_label("Behov (B1)", exact=True).input_value() == "Skrivet med tangentbordet"
