"""The page guard in a real Chromium: a dead or released kernel is visible and nothing typed is lost.

A test page (tests/data/voila/draftguard.ipynb) follows the draft-guard contract the app follows: fields inside
``.sip-form`` with ``sip-k-…`` classes, a ``data-sip-scope`` element, and a saved marker per stored field.
"""

from __future__ import annotations

import json
import signal
import time

import pytest

from sipkurs.serving.config import Limits, ServeConfig
from sipkurs.serving.draftguard import saved_hash
from sipkurs.serving.pages import Page
from servers import TEST_PAGES, ServingProcess
from browserkit import CHROMIUM, CHROMIUM_ARGS, require_browser

pytestmark = [pytest.mark.browser, pytest.mark.slow]

GUARD_JS = (TEST_PAGES.parents[2] / "sipkurs/serving/share/voila/templates/sipkurs/static/sipguard.js")
FIELD = ".sip-k-test--situation textarea"
TEXT = "Åsa bor ensam och vill klara vardagen själv 😀; hon oroar sig för ekonomin och vill ha stöd i boendet nu."[:100]


@pytest.fixture(scope="module")
def chromium(tmp_path_factory):
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def _server(tmp_path, **limits) -> ServingProcess:
    config = ServeConfig(pool_size=0, folder=str(TEST_PAGES), pages=[Page("draftguard.ipynb", "Testsida", pool=0)],
                         limits=Limits(**limits))
    return ServingProcess(config, tmp_path / "server", env={"SIPKURS_TEST_STORE": str(tmp_path / "store.json")})


def test_the_page_hash_is_the_python_hash(chromium):
    page = chromium.new_page()
    page.add_script_tag(path=str(GUARD_JS))
    samples = ["", "a", "å", "åäö ÅÄÖ", "😀", "e\u0301", "Ångest & oro \"citat\" <b>", "\u202e", "x" * 10_000, TEXT]
    assert page.evaluate("s => s.map(window.sipGuard.hash)", samples) == [saved_hash(s) for s in samples]
    assert saved_hash("") == "811c9dc5" and saved_hash("a") == "e40c292c"  # FNV-1a's published values for "", "a"
    page.close()


def _stored(page) -> dict:
    return page.evaluate(
        "() => Object.fromEntries(Object.keys(localStorage).filter(k => k.startsWith('sipkurs:')).map(k => [k, JSON.parse(localStorage.getItem(k)).v]))"
    )


def test_a_killed_kernel_shows_the_banner_and_reconnecting_loses_nothing(chromium, tmp_path):
    server = _server(tmp_path)
    store = tmp_path / "store.json"
    page = chromium.new_page()
    try:
        page.goto(server.base + "/", timeout=90_000)
        field = page.locator(FIELD)
        field.wait_for(timeout=90_000)
        field.click()
        page.keyboard.type(TEXT[:60], delay=15)
        page.locator('[data-sip-saved="sip-k-test--situation"]').wait_for(state="attached", timeout=30_000)
        kernel_id = page.evaluate("JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")

        server.kernel_process(kernel_id).send_signal(signal.SIGKILL)  # mid-typing
        page.keyboard.type(TEXT[60:], delay=15)
        banner = page.get_by_role("alert").filter(has_text="tappat kontakten")
        banner.wait_for(timeout=45_000)
        assert "finns kvar i webbläsaren" in banner.inner_text()
        assert list(_stored(page).values()) == [TEXT]  # what the dead kernel never got is in the browser
        assert json.loads(store.read_text(encoding="utf-8"))["sip-k-test--situation"] != TEXT

        banner.get_by_role("button", name="Anslut igen").click()
        page.get_by_text("1 fält som inte hann sparas har återställts").wait_for(timeout=90_000)
        assert page.locator(FIELD).input_value() == TEXT
        deadline = time.monotonic() + 30
        while json.loads(store.read_text(encoding="utf-8")).get("sip-k-test--situation") != TEXT:
            assert time.monotonic() < deadline, "the restored text was not saved"
            time.sleep(0.2)
        page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('sipkurs:'))", timeout=15_000)
        assert server.kernel_process(page.evaluate(
            "JSON.parse(document.getElementById('jupyter-config-data').textContent).kernelId")).is_running()
    finally:
        page.close()
        server.stop()
    assert "page draftguard.ipynb failed" not in server.log_text()


def test_an_idle_page_is_released_with_its_websocket_open_and_says_so(chromium, tmp_path):
    server = _server(tmp_path, idle_timeout=4, abandoned_timeout=4)
    page = chromium.new_page()
    try:
        page.goto(server.base + "/", timeout=90_000)
        page.locator(FIELD).wait_for(timeout=90_000)
        assert len(server.kernels()) == 1
        page.get_by_role("alert").filter(has_text="tappat kontakten").wait_for(timeout=60_000)
        assert server.wait_kernels(lambda n: n == 0, timeout=10) == 0
        assert "open but untouched" in server.log_text()
    finally:
        page.close()
        server.stop()


def test_nothing_is_kept_without_a_scope_and_saved_text_is_forgotten(chromium, tmp_path):
    server = _server(tmp_path)
    page = chromium.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        page.goto(server.base + "/", timeout=90_000)
        page.locator(FIELD).wait_for(timeout=90_000)
        page.locator(".sip-k-test--goal input").fill("Arbeta halvtid")
        page.locator('[data-sip-saved="sip-k-test--goal"]').wait_for(state="attached", timeout=30_000)
        page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('sipkurs:'))", timeout=15_000)
        page.evaluate("document.querySelector('[data-sip-scope]').remove()")
        page.locator(".sip-k-test--goal input").fill("Utan scope")
        page.wait_for_timeout(300)
        assert _stored(page) == {}
        elsewhere = [u for u in requested if not u.startswith((server.base, "data:", "about:", "blob:"))]
        assert elsewhere == []  # nothing from the internet (no CDN, no MathJax), even with HTML on the page
    finally:
        page.close()
        server.stop()


GUARD_PAGE = """<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Test</title><script>{js}</script></head>
<body><span data-sip-scope="TEST:2"{channel} hidden></span>
<div class="sip-form"><div class="sip-k-test--situation"><textarea aria-label="Situation">{value}</textarea></div></div>
<div class="sip-kept"><input aria-label="kanal" value=""></div>
<div id="markers">{marker}</div></body></html>"""


def _open_guard_page(browser_context, value: str, stored: str, *, rev: int | None = None, channel: bool = False):
    """A page with one plan field showing ``value`` and a marker saying the store has ``stored`` at ``rev`` (no kernel;
    with ``channel`` the page hands kept text to the hidden input, as the app's pages do)."""
    from sipkurs.serving.draftguard import saved_marker

    body = GUARD_PAGE.format(js=GUARD_JS.read_text(encoding="utf-8"), value=value,
                             marker=saved_marker("sip-k-test--situation", stored, rev),
                             channel=" data-sip-kept" if channel else "")
    page = browser_context.new_page()
    page.route("http://sipkurs.test/**", lambda route: route.fulfill(body=body, content_type="text/html; charset=utf-8"))
    page.goto("http://sipkurs.test/plan")
    return page


def _app_shows(page, text: str, rev: int, settled: str | None = None) -> None:
    """What the app does when it puts a stored text into a field (no input event), marks it, and maybe says that a
    kept text is settled."""
    from sipkurs.serving.draftguard import saved_marker, settled_marker

    markers = saved_marker("sip-k-test--situation", text, rev)
    markers += settled_marker("sip-k-test--situation", settled) if settled is not None else ""
    page.evaluate("([text, markers]) => { document.querySelector('textarea').value = text;"
                  " document.getElementById('markers').innerHTML = markers; }", [text, markers])
    page.wait_for_timeout(300)


def test_a_typed_text_the_app_settled_does_not_come_back_and_one_it_only_covered_does(chromium):
    """A member's text lost a conflict and was merged (or set aside): the app says it is settled, and opening the page
    again must not put it back over the plan (seen in CI: a merged text overwritten after a restart). Text the app
    merely covered with someone's newer text (a conflict still open) is kept until then."""
    context = chromium.new_context()
    try:
        page = _open_guard_page(context, "", "", rev=3)
        page.locator("textarea").fill("Ring socialtjänstens mottagning")
        page.wait_for_timeout(200)
        assert list(_stored(page).values()) == ["Ring socialtjänstens mottagning"]
        _app_shows(page, "Ring Försäkringskassans kundcenter", rev=4)  # theirs, shown while the member decides
        assert list(_stored(page).values()) == ["Ring socialtjänstens mottagning"]
        merged = "Ring socialtjänstens mottagning\n\nRing Försäkringskassans kundcenter"
        _app_shows(page, merged, rev=5, settled="Ring socialtjänstens mottagning")
        assert _stored(page) == {}
        page.close()

        again = _open_guard_page(context, merged, merged, rev=5)
        again.wait_for_timeout(300)
        assert again.locator("textarea").input_value() == merged
        assert again.locator(".sip-notice").count() == 0
    finally:
        context.close()


def test_kept_text_remembers_the_revision_it_was_begun_on_and_goes_back_through_the_apps_input(chromium):
    """The kept entry carries the revision its text was begun on (the newest marker of its field then, not one that
    came while typing), and a page with the app's input hands it over there with that revision, not into the field's
    own events (which the app would take as typed on top of what the page shows now)."""
    import json

    from sipkurs.serving.draftguard import saved_marker

    context = chromium.new_context()
    try:
        page = _open_guard_page(context, "Gammal text", "Gammal text", rev=7, channel=True)
        page.locator("textarea").fill("Ny text som aldrig sparades")
        page.evaluate("marker => { document.getElementById('markers').innerHTML = marker; }",
                      saved_marker("sip-k-test--situation", "Någon annans text", 9))
        page.locator("textarea").press("End")
        page.keyboard.type("!")
        page.wait_for_timeout(300)
        [entry] = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('sipkurs:'))"
                                ".map(k => JSON.parse(localStorage.getItem(k)))")
        assert entry["v"] == "Ny text som aldrig sparades!" and entry["r"] == 7
        page.close()

        again = _open_guard_page(context, "Någon annans text", "Någon annans text", rev=9, channel=True)
        typed = []
        again.expose_function("sawInput", lambda: typed.append(1))
        again.evaluate("document.querySelector('textarea').addEventListener('input', () => window.sawInput())")
        again.get_by_text("1 fält som inte hann sparas har återställts").wait_for(timeout=5_000)
        assert json.loads(again.locator(".sip-kept input").input_value()) == [
            {"k": "sip-k-test--situation", "v": "Ny text som aldrig sparades!", "r": 7}]
        assert again.locator("textarea").input_value() == "Ny text som aldrig sparades!" and typed == []
    finally:
        context.close()


def test_a_text_typed_on_a_page_that_died_is_restored_over_the_stored_one(chromium):
    """Without the app's input (a page that has none) an entry from an earlier page is typed back into its field,
    whatever the field shows; an entry typed here survives the app storing some other text meanwhile."""
    context = chromium.new_context()
    try:
        page = _open_guard_page(context, "Gammal text", "Gammal text")
        page.locator("textarea").fill("Ny text som aldrig sparades")
        from sipkurs.serving.draftguard import saved_marker

        page.evaluate("marker => { document.getElementById('markers').innerHTML = marker; }",
                      saved_marker("sip-k-test--situation", "Någon annans text"))
        page.wait_for_timeout(300)
        assert list(_stored(page).values()) == ["Ny text som aldrig sparades"]
        page.close()

        again = _open_guard_page(context, "Gammal text", "Gammal text")
        again.get_by_text("1 fält som inte hann sparas har återställts").wait_for(timeout=5_000)
        assert again.locator("textarea").input_value() == "Ny text som aldrig sparades"
    finally:
        context.close()
