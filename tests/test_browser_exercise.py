"""Running the exercise in a real Chromium: the trainer advances phases and injects events into a three-member group.

A private event reaches only its role (the others see that something happened, never its text, not even in what
their page received); reading it shows on the trainer's page, and so does a change of the plan after it; a scheduled
event fires at its minute and a paused one does not; the debrief shows the timeline with the plan's changes.
"""

from __future__ import annotations

import re
import time

import pytest

from browserkit import TRAINER_CODE, Server, launch_args, require_browser, serious_violations
from test_browser_group import Member

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "Kuratorn har sagt upp sig och slutar på fredag"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    srv = Server(tmp_path_factory.mktemp("ovning") / "kurs.db", case="sjukskriven_utmattning", pool_size=4)
    srv.start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def chromium(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(**launch_args())
        yield browser
        browser.close()


def _trainer(chromium, server):
    page = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE").new_page()
    page.set_default_timeout(60_000)
    page.goto(server.url("sip_larare.ipynb"))
    page.get_by_label("Lärarkod").fill(TRAINER_CODE)
    page.get_by_label("Lärarkod").press("Enter")
    page.get_by_role("tab", name="Grupper").click()
    page.get_by_role("button", name="Skapa grupp").click()
    page.locator(".sip-seat-table .sip-link").first.wait_for()
    rows = page.locator(".sip-seat-table tbody tr")
    links = {rows.nth(i).locator("td").first.inner_text().strip(): rows.nth(i).locator(".sip-link").inner_text().strip()
             for i in range(rows.count())}
    return page, links


def _refresh(page) -> None:
    page.get_by_role("button", name="Uppdatera nu").click()
    time.sleep(0.5)


def test_phases_events_acknowledgements_and_the_debrief(chromium, server):
    trainer, links = _trainer(chromium, server)
    vera = Member(chromium, "vardcentral", links["Vårdcentralen"], "Vera Vård")
    fia = Member(chromium, "forsakringskassan", links["Försäkringskassan"], "Fia Kassan")
    per = Member(chromium, "personen", links["Personen"], "Per Person")
    members = (vera, fia, per)
    for m in members:
        m.join()

    # Phase 1 for the group: every member's phase tab shows it.
    trainer.get_by_role("tab", name="Övningen").click()
    trainer.get_by_role("button", name="Starta eller gå till nästa fas").click()
    trainer.get_by_text("Fasen är bytt.").wait_for()
    for m in members:
        m.page.get_by_role("tab", name="Fas", exact=True).click()
        m.page.get_by_role("heading", name=re.compile(r"Fas 1 av \d")).wait_for(timeout=15_000)

    # A private event of the trainer's own, for Vårdcentralen only.
    trainer.get_by_label("Gäller").select_option(label="Grupp 1")
    trainer.get_by_label("Egen händelse: rubrik").fill("Kuratorn slutar")
    trainer.get_by_label("Vad har hänt?").fill(SECRET)
    trainer.get_by_label("Vårdcentralen").check()
    trainer.get_by_label("Bara de berörda får läsa texten").check()
    trainer.get_by_role("button", name="Skicka egen händelse").click()
    trainer.get_by_text("Din händelse är skickad.").wait_for()
    vera.page.get_by_text("Ny händelse: Kuratorn slutar").wait_for(timeout=15_000)
    vera.page.get_by_text(SECRET).wait_for()
    for m in (fia, per):
        m.page.get_by_text("Ny händelse: Något har hänt som berör Vårdcentralen").wait_for(timeout=15_000)
        assert SECRET not in m.page.content() and all(SECRET not in f for f in m.frames)
    vera.page.get_by_role("button", name="Jag har läst: Kuratorn slutar").click()
    vera.page.get_by_text("du har läst den").wait_for()
    _refresh(trainer)
    trainer.get_by_role("cell", name="1 av 3").wait_for(timeout=15_000)
    vera.page.get_by_label("Mötesledare").fill("Vera leder efter beskedet")
    time.sleep(2)
    _refresh(trainer)
    row = trainer.locator("tr", has_text="Kuratorn slutar")
    assert row.locator("td").nth(4).inner_text().strip() == "ja"  # the plan changed since the event

    # Phase 2 starts now; an event scheduled at its minute fires then, not before; a paused one never.
    trainer.get_by_role("button", name="Starta eller gå till nästa fas").click()
    trainer.get_by_text("Fasen är bytt.").wait_for()
    trainer.get_by_label("Händelse ur fallet").select_option(label="Beslut från Försäkringskassan")
    trainer.get_by_label("Vid minut av fasen (tomt: nu)").fill("0,3")
    trainer.get_by_role("button", name="Skicka händelsen").click()
    scheduled_at = time.monotonic()
    trainer.get_by_text("Händelsen är schemalagd.").wait_for()
    trainer.get_by_label("Händelse ur fallet").select_option(label="Samtycket ändras")
    trainer.get_by_role("button", name="Skicka händelsen").click()
    trainer.get_by_label("Schemalagd händelse").select_option(label="Grupp 1: Samtycket ändras (minut 0,3)")
    trainer.get_by_role("button", name="Pausa").click()
    trainer.get_by_text("Händelsen är pausad.").wait_for()
    notice = fia.page.locator(".sip-event h4", has_text="Beslut från Försäkringskassan")
    assert notice.count() == 0
    notice.wait_for(timeout=45_000)
    assert time.monotonic() - scheduled_at >= 15  # at minute 0,3 of the phase, not at once
    time.sleep(3)
    _refresh(trainer)
    assert "pausad" in trainer.locator("tr", has_text="Samtycket ändras").inner_text()
    assert fia.page.locator(".sip-event h4", has_text="Samtycket ändras").count() == 0

    # The case's event about consent: its rule fails until the group revises the plan, then passes.
    trainer.get_by_label("Vid minut av fasen (tomt: nu)").fill("")
    trainer.get_by_role("button", name="Skicka händelsen").click()  # "Samtycket ändras", now
    trainer.get_by_text("Händelsen är skickad.").wait_for()
    per.page.get_by_role("tab", name="Återkoppling").click()
    rule = per.page.locator(".sip-family li", has_text="Det ändrade samtycket står i planen och följs")
    rule.first.wait_for(timeout=30_000)
    assert "fail" in rule.first.get_attribute("class")
    per.page.get_by_label("Vilken information, till vilka").fill(
        "Vårdcentralen och Försäkringskassan får ta del av läkarintygen. Från och med nu får Arbetsförmedlingen "
        "inte ta del av läkarintygen eller planen."
    )
    per.page.locator(".sip-family li.pass", has_text="Det ändrade samtycket står i planen och följs").wait_for(timeout=15_000)

    # The phase ends (a snapshot); the debrief shows the timeline with the plan's changes, without codes or links.
    trainer.get_by_role("button", name="Starta eller gå till nästa fas").click()
    trainer.get_by_text("Fasen är bytt.").wait_for()
    trainer.get_by_role("tab", name="Genomgång").click()
    trainer.get_by_role("button", name="Visa på projektorn").click()
    trainer.get_by_role("button", name="Tillbaka till utbildarens sida").wait_for()
    trainer.locator("code.sip-link").first.wait_for(state="detached")  # the rest of the page is gone, not hidden
    body = trainer.locator(".sip-debrief")
    body.get_by_text("Tidslinje: Grupp 1").wait_for()
    text = body.inner_text()
    assert "Händelse: Kuratorn slutar" in text and "Mötesledare" in text and "Slut på" in text
    assert "Det ändrade samtycket står i planen och följs (efter ”Samtycket ändras”): saknas → godkänd" in text
    assert TRAINER_CODE not in trainer.content() and "kod=" not in trainer.content()
    assert serious_violations(trainer) == []
    assert serious_violations(fia.page) == []
    for m in members:
        m.context.close()
