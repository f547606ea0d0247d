"""A whole self-study session in a real Chromium against `sipkurs serve --self-study`: choose a case, interview the
person (a hidden fact comes out only after the follow-up an earlier answer opens), write, submit, and learn from the
model answer and the person's letter."""

from __future__ import annotations

import re

import pytest

from browserkit import Server, launch_args, require_browser, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    srv = Server(tmp_path_factory.mktemp("sjalv") / "kurs.db", case="", pool_size=2, extra=["--self-study"])
    srv.start()
    yield srv
    srv.stop()


def test_a_whole_self_study_session(server):
    from playwright.sync_api import sync_playwright

    assert "var och en väljer sitt fall" in server.output
    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args())
        page = browser.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE").new_page()
        page.set_default_timeout(60_000)
        page.goto(server.url("sip_utkast.ipynb"))
        page.get_by_role("heading", name="Öva SIP på egen hand").wait_for()
        assert page.get_by_label("Kurskod").count() == 0
        page.get_by_label("Ditt namn").fill("Stina Studie")
        page.get_by_label("Ditt namn").press("Enter")
        page.get_by_role("heading", name="Öva på egen hand").wait_for()
        page.get_by_label("Svårighetsgrad").select_option(label="avancerad")
        page.get_by_role("button", name=re.compile(r"Välj: Psykos")).click()

        page.get_by_role("tab", name="Intervju").click()
        assert page.get_by_role("button", name=re.compile("skulder")).count() == 0  # a follow-up: not yet
        page.get_by_role("button", name="Hur går det med pengarna?").click()
        page.get_by_role("button", name=re.compile(r"Ny: .*skulder")).click()
        page.get_by_text("Det här hade du inte fått veta utan att fråga.").wait_for()
        page.get_by_label("Fråga med egna ord").fill("Vad är viktigast för dig just nu?")
        page.get_by_label("Fråga med egna ord").press("Enter")
        page.locator(".sip-exchange").nth(2).wait_for()
        assert serious_violations(page) == []

        page.get_by_label("Nuvarande situation").fill("Har skulder och en uppsagd lägenhet.")
        page.get_by_text(re.compile(r"Sparat kl\. \d\d:\d\d:\d\d")).wait_for()
        page.get_by_role("tab", name="Återkoppling").click()
        page.get_by_role("button", name="Lämna in planen").click()
        page.get_by_text(re.compile(r"Inlämnad: version 1")).wait_for()
        page.get_by_role("tab", name="Resultat").click()
        page.get_by_role("heading", name=re.compile(r"^Brev från ")).wait_for()
        assert page.get_by_text("Det du aldrig fick veta i intervjun").count() == 1
        page.get_by_role("button", name="Visa modellsvaret bredvid din plan").click()
        page.get_by_role("heading", name="Din plan och modellsvaret").wait_for()
        assert page.get_by_role("heading", name="Modellsvaret", exact=True).count() == 1
        page.get_by_role("button", name="Tillbaka till formuläret").click()
        page.get_by_label("Nuvarande situation").wait_for()
        assert serious_violations(page) == []
        browser.close()
