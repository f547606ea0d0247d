"""Group role-play in a real Chromium against a real `sipkurs serve`: five members, five browsers, one plan.

The trainer forms the group on the trainer page; each member opens their seat's link. Each sees their own role card
and never another's (neither on the page nor in anything the page received); edits to different fields reach every
page; two people writing in one field both keep their text on screen; a reload and a server restart lose nothing.
"""

from __future__ import annotations

import html
import re
import time

import pytest

from browserkit import TRAINER_CODE, Server, launch_args, require_browser, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CASE = "psykos_missbruk_boende"  # socialtjänst, psykiatri and Försäkringskassan at one table
SEATS = ("vuxenpsykiatri", "socialtjanst_vuxen", "forsakringskassan", "personen", "narstaende")
CONVERGE_S = 2.0


def _private_texts() -> dict[str, list[str]]:
    """Per seat, the sentences of its card that no other view a member gets contains (what must never leak)."""
    from simulator.library import load_library
    from simulator.views import build_seat_view, build_view

    case = load_library()[CASE]
    common = "\n".join(build_view(case, "participant", 0).texts())
    out = {}
    for seat in case.seat_ids:
        texts = []
        for section in build_seat_view(case, seat, 0).sections:
            texts += [*section.paragraphs, *section.items, *section.quotes, *(b for _, b in section.pairs)]
        out[seat] = [t for t in texts if len(t) > 25 and t not in common]
    return out


def _normalise(payload) -> str:
    """What a websocket frame carries, as text: JSON escapes and HTML entities undone."""
    text = payload.decode("utf-8", "ignore") if isinstance(payload, bytes) else payload
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    text = text.replace('\\"', '"').replace("\\n", "\n")
    return html.unescape(text)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    srv = Server(tmp_path_factory.mktemp("grupp") / "kurs.db", case=CASE, pool_size=6)
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


def _form_group(chromium, server) -> dict[str, str]:
    """The trainer logs in, creates a group and reads the seats' links: {seat label: link}."""
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(server.url("sip_larare.ipynb"))
    page.get_by_label("Lärarkod").fill(TRAINER_CODE)
    page.get_by_label("Lärarkod").press("Enter")
    page.get_by_role("tab", name="Grupper").click()
    page.get_by_role("button", name="Skapa grupp").click()
    created = page.get_by_text(re.compile(r"Grupp \d+ är skapad"))
    created.wait_for()
    name = created.inner_text().split(" är skapad")[0].strip()
    table = page.locator(".sip-seat-table").filter(has=page.locator("caption", has_text=f"{name} –"))
    table.locator(".sip-link").first.wait_for()
    rows = table.locator("tbody tr")
    links = {}
    for i in range(rows.count()):
        label = rows.nth(i).locator("td").first.inner_text().strip()
        links[label] = rows.nth(i).locator(".sip-link").inner_text().strip()
    context.close()
    return links


class Member:
    def __init__(self, chromium, seat: str, link: str, name: str) -> None:
        self.seat, self.link, self.name = seat, link, name
        self.context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="sv-SE")
        self.page = self.context.new_page()
        self.page.set_default_timeout(60_000)
        self.frames: list[str] = []
        self.page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: self.frames.append(_normalise(payload))))

    def join(self) -> None:
        self.page.goto(self.link)
        self.page.get_by_label("Ditt namn").fill(self.name)
        self.page.get_by_role("button", name="Ta platsen").click()
        self.page.get_by_role("heading", name=re.compile("SIP i grupp")).wait_for()

    def value(self, label: str) -> str:
        return self.page.get_by_label(label, exact=True).input_value()

    def wait_value(self, label: str, text: str, timeout: float) -> None:
        self.page.wait_for_function(
            "([label, text]) => [...document.querySelectorAll('label')].some(l => l.textContent.trim() === label"
            " && document.getElementById(l.htmlFor) && document.getElementById(l.htmlFor).value === text)",
            arg=[label, text],
            timeout=timeout * 1000,
        )


def test_five_members_draft_one_plan_live(chromium, server):
    from sipkurs import cases

    links = _form_group(chromium, server)
    labels = {seat: cases.seat_label(f"{CASE}@0", seat) for seat in SEATS}
    members = [
        Member(chromium, seat, links[labels[seat][:1].upper() + labels[seat][1:]], name)
        for seat, name in zip(SEATS, ("Pia Psykiatri", "Sam Social", "Fia Kassan", "Per Person", "Nora Närstående"), strict=True)
    ]
    for m in members:
        m.join()

    # Each member sees their own card, and nothing of anyone else's: not on the page, not in what the page received.
    private = _private_texts()
    for m in members:
        m.page.get_by_role("tab", name="Rollkort").click()
        shown = m.page.locator(".sip-role-card").inner_text()
        assert private[m.seat] and all(t in shown or t[:40] in shown for t in private[m.seat][:2]), m.seat
        received = "\n".join(m.frames) + m.page.content()
        for other, texts in private.items():
            if other != m.seat:
                leaked = [t for t in texts if t in received]
                assert not leaked, f"{m.seat} fick {other}s rollkort: {leaked[:1]}"

    # Everyone writes in a different field at once: every page shows every text within two seconds.
    fields = ["Nuvarande situation", "Personens önskemål", "Mötesledare", "Initiativ till SIP togs av", "Personens egna resurser"]
    texts = {f: f"{m.name} skriver i {f.lower()}" for f, m in zip(fields, members, strict=True)}
    for (field, text), m in zip(texts.items(), members, strict=True):
        m.page.get_by_label(field, exact=True).fill(text)
    started = time.monotonic()
    for m in members:
        for field, text in texts.items():
            m.wait_value(field, text, timeout=CONVERGE_S + 8)
    converged = time.monotonic() - started
    assert converged <= CONVERGE_S, f"sidorna blev lika först efter {converged:.1f} s"
    assert "Senast ändrat av Fia Kassan (Försäkringskassan)" in members[0].page.content()

    # Two members write in the same field at the same moment: both texts stay on screen until someone chooses.
    shared = field = "Vart personen vänder sig om planen inte fungerar"
    a, b = members[1], members[2]
    a.page.get_by_label(field, exact=True).fill("Ring socialtjänstens mottagning")
    b.page.get_by_label(field, exact=True).fill("Ring Försäkringskassans kundcenter")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and a.page.locator(".sip-conflict").count() + b.page.locator(".sip-conflict").count() == 0:
        time.sleep(0.2)
    loser = a if a.page.locator(".sip-conflict").count() else b
    panel = loser.page.locator(".sip-conflict").first.inner_text()
    assert "Ring socialtjänstens mottagning" in panel and "Ring Försäkringskassans kundcenter" in panel
    loser.page.get_by_role("button", name=f"Slå ihop själv ({field})").click()
    merged = loser.page.get_by_label(field, exact=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not all(w in merged.input_value() for w in ("mottagning", "kundcenter")):
        time.sleep(0.1)
    merged_text = merged.input_value()
    assert "Ring socialtjänstens mottagning" in merged_text and "Ring Försäkringskassans kundcenter" in merged_text
    for m in members:
        m.wait_value(field, merged_text, timeout=10)

    # The group page is accessible.
    assert serious_violations(members[0].page) == []

    # A member reloads in the middle: the page opens straight on the plan as it is now.
    members[3].page.reload()
    members[3].page.get_by_text("Gruppens plan är hämtad.").wait_for()
    for label, text in texts.items():
        assert members[3].value(label) == text
    assert members[3].page.get_by_role("tab", name="Gruppen").count() == 1

    # The server stops and starts again: nothing is lost.
    server.stop()
    server.start()
    for m in members[:2]:
        m.page.goto(m.link)
        m.page.get_by_text("Gruppens plan är hämtad.").wait_for()
        assert m.value(shared) == merged_text and m.value("Mötesledare") == texts["Mötesledare"]

    # The trainer sees the group with its members.
    trainer = chromium.new_page()
    trainer.goto(server.url("sip_larare.ipynb"))
    trainer.get_by_label("Lärarkod").fill(TRAINER_CODE)
    trainer.get_by_role("button", name="Visa översikten").click()
    trainer.get_by_role("cell", name="Grupp 1", exact=True).wait_for()
    assert "Pia Psykiatri, Sam Social, Fia Kassan" in trainer.content()
    for m in members:
        m.context.close()


def test_text_kept_while_the_server_was_away_never_overwrites_a_newer_text(chromium, server):
    """A member types while the server is away; the browser keeps the text. Meanwhile another member writes the same
    field. When the first reconnects, both texts are on screen to choose from: the old draft does not win silently."""
    from sipkurs import cases
    from sipkurs.serving.draftguard import saved_hash

    links = _form_group(chromium, server)
    seats = ("vuxenpsykiatri", "socialtjanst_vuxen")
    label = {s: cases.seat_label(f"{CASE}@0", s) for s in seats}
    a, b = (Member(chromium, s, links[label[s][:1].upper() + label[s][1:]], n)
            for s, n in zip(seats, ("Ali Psykiatri", "Bo Social"), strict=True))
    a.join()
    b.join()
    field = "Personens önskemål"
    a.page.get_by_label(field, exact=True).fill("Vill bo kvar")
    b.wait_value(field, "Vill bo kvar", timeout=10)

    server.stop()
    draft = "Vill bo kvar i sin lägenhet med stöd några timmar i veckan"
    a.page.get_by_label(field, exact=True).fill(draft)
    a.page.get_by_role("alert").filter(has_text="finns kvar i webbläsaren").wait_for(timeout=45_000)

    server.start()
    newer = "Vill flytta till ett boende med personal"
    b.page.goto(b.link)
    b.page.get_by_text("Gruppens plan är hämtad.").wait_for()
    b.page.get_by_label(field, exact=True).fill(newer)
    b.page.locator(f'[data-sip-hash="{saved_hash(newer)}"]').wait_for(state="attached", timeout=15_000)

    a.page.get_by_role("button", name="Anslut igen").click()
    panel = a.page.locator(".sip-conflict").filter(has_text=newer)
    panel.wait_for(timeout=60_000)
    assert draft in panel.inner_text() and "Bo Social" in panel.inner_text()
    time.sleep(1.0)
    assert b.value(field) == newer  # still the store's text: the draft is not written until A chooses
    a.page.get_by_role("button", name=f"Slå ihop själv ({field})").click()
    merged = f"{draft}\n\n{newer}"
    a.wait_value(field, merged, timeout=10)
    b.wait_value(field, merged, timeout=10)
    a.page.wait_for_function("() => !Object.keys(localStorage).some(k => k.startsWith('sipkurs:'))", timeout=15_000)
    for m in (a, b):
        m.context.close()
