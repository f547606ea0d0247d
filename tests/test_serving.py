"""The server's front door, limits and answers, over HTTP and the kernel websocket (no browser; loopback only).

Two kinds of server: the course's own pages (front door, trainer login, static files) and a light test page
(tests/data/voila/draftguard.ipynb) for the limits, where each test starts its own server with small caps.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import re
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from sipkurs.serving.config import Limits, ServeConfig
from sipkurs.serving.pages import PAGES, Page
from sipkurs.serving.probe import _message, open_page
from servers import TEST_PAGES, ServingProcess

pytestmark = pytest.mark.slow

COURSE, TRAINER_CODE = "DORRKURS", "LARAR-KOD42"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, redirect: bool = True):
    """(status, headers, body text) for a request; never raises for an HTTP status."""
    opener = urllib.request.build_opener(*([] if redirect else [NoRedirect()]))
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with opener.open(request, timeout=120) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The course's own pages, with a course in a fresh store."""
    from sipkurs.store import Store

    tmp = tmp_path_factory.mktemp("app-server")
    db = f"sqlite:///{tmp / 'kurs.db'}"
    store = Store(db)
    store.create_course(COURSE, archetype="sjukskriven", trainer_code=TRAINER_CODE)
    store.close()
    server = ServingProcess(ServeConfig(pool_size=1, pages=list(PAGES), limits=Limits(max_kernels=20)), tmp / "run",
                            env={"SIPKURS_DB": db})
    server.wait_kernels(lambda n: n >= 1)
    yield server
    server.stop()


def test_the_front_door_leads_to_the_join_page_in_swedish_with_nothing_from_the_internet(app_server):
    status, headers, _ = fetch(f"{app_server.base}/?kurs={COURSE}", redirect=False)
    assert status == 302 and headers["Location"].endswith(f"/voila/render/sip_utkast.ipynb?kurs={COURSE}")
    status, headers, body = fetch(f"{app_server.base}/?kurs={COURSE}", headers={"Accept-Encoding": "gzip"})
    html = text(gzip.decompress(body)) if headers.get("Content-Encoding") == "gzip" else text(body)
    assert status == 200
    assert '<html lang="sv">' in html and "<title>SIP-utkast</title>" in html
    assert "Vänta, laddar SIP-utkast" in html and "Running" not in html and "Executing" not in html
    assert not re.findall(r"""(?:src|href)=["']?https?://""", html), "nothing may be loaded from another host"
    assert "cdn" not in html.lower()
    page = asyncio.run(open_page(f"{app_server.base}/?kurs={COURSE}"))
    assert page.usable and "Ditt namn" in page.descriptions  # the join page's widgets, from the kernel


def test_a_preheated_page_kernel_gets_its_query_without_voila_or_debugger_and_fits_the_budget(app_server):
    """The page kernel (sipkurs.serving.kernel: no debugger) waits for its page with sipkurs.serving.preheat, not
    Voila's helper (~42 MiB of Voila's server side), and stays within the memory max_kernels is sized by."""
    import time

    from sipkurs.serving.config import KERNEL_BUDGET_MIB, MIB
    from sipkurs.serving.kernels import PAGE_KERNEL
    from sipkurs.serving.probe import PageClient

    deadline = time.monotonic() + 180
    while not any(_waiting_in_pool(k, app_server.port) for k in app_server.kernels()):
        assert time.monotonic() < deadline, "no preheated kernel finished its preload"
        time.sleep(0.5)

    async def opened():
        client = PageClient(f"{app_server.base}/?kurs={COURSE}", timeout=60)
        result = await client.open()
        try:
            return result, {m.description: m.value for m in client.models.values()}
        finally:
            await client.close()

    page, values = asyncio.run(opened())
    assert page.usable and values.get("Kurskod") == COURSE  # the query reached the preheated kernel
    kernel = app_server.kernel_process(page.kernel_id)
    assert kernel.environ().get("VOILA_PREHEAT") == "True" and PAGE_KERNEL in kernel.cmdline()
    assert kernel.memory_full_info().pss / MIB <= KERNEL_BUDGET_MIB


def _waiting_in_pool(kernel, port: int) -> bool:
    """A preheated kernel that has done its imports and waits for a page: connected to the server's request socket
    (its size says nothing: a kernel forked from the fork server shares its imports from the start)."""
    try:
        return (kernel.environ().get("VOILA_PREHEAT") == "True"
                and any(c.raddr and c.raddr.port == port for c in kernel.net_connections("tcp")))
    except Exception:  # noqa: BLE001 - the kernel went away meanwhile
        return False


def test_the_health_check_answers_200_without_starting_a_kernel(app_server):
    before = len(app_server.kernels())
    status, headers, body = fetch(f"{app_server.base}/halsa", redirect=False)
    assert status == 200 and body == b"ok\n" and headers["Cache-Control"] == "no-store"
    assert len(app_server.kernels()) == before


@pytest.mark.parametrize("path", ["/voila/tree", "/voila/tree/", "/voila/api/contents", "/voila/api/contents/sip_larare.ipynb",
                                  "/voila/render/okand.ipynb", "/voila/render/../README.md", "/api/kernels",
                                  "/voila/files/sip_utkast.ipynb", "/tree", "/lab", "/favicon.ico", "/wp-admin.php"])
def test_no_listing_and_stray_addresses_get_a_quiet_swedish_404(app_server, path):
    status, headers, body = fetch(app_server.base + path, redirect=False)
    assert status in (403, 404), (path, status)
    if status == 404 and "text/html" in headers.get("Content-Type", ""):
        assert 'lang="sv"' in text(body) and "Traceback" not in text(body)
    assert "sip_larare" not in text(body) or path.endswith("sip_larare.ipynb")


@pytest.mark.parametrize("path", ["/logout", "/login", "/login?next=/lab"])
def test_logout_and_login_are_answered_quietly(app_server, path):
    before = len(app_server.log_text())
    status, headers, body = fetch(app_server.base + path, redirect=False)
    assert status == 302 and headers["Location"] == "/"
    assert len(body) < 500
    assert "Traceback" not in app_server.log_text()[before:]


def test_a_post_to_anything_else_is_a_quiet_404(app_server):
    status, _, body = fetch(app_server.base + "/voila/render/sip_utkast.ipynb", data=b"x=1")
    assert status in (403, 404, 405) and "Traceback" not in text(body)


def test_the_trainer_page_starts_no_kernel_for_anonymous_loads(app_server):
    before = len(app_server.kernels())
    for _ in range(5):
        status, headers, _ = fetch(f"{app_server.base}/voila/render/sip_larare.ipynb?kurs={COURSE}", redirect=False)
        assert status == 302 and headers["Location"] == f"/utbildare?kurs={COURSE}"
    status, _, body = fetch(f"{app_server.base}/utbildare?kurs={COURSE}")
    assert status == 200 and 'lang="sv"' in text(body) and "Lärarkod" in text(body) and f'value="{COURSE}"' in text(body)
    assert len(app_server.kernels()) == before


def _login(base: str, code: str, source: str | None = None):
    """POST the trainer login like the form does (with its _xsrf cookie and field)."""
    conn = http.client.HTTPConnection("127.0.0.1", int(base.rsplit(":", 1)[1]), timeout=60,
                                      source_address=(source, 0) if source else None)
    conn.request("GET", f"/utbildare?kurs={COURSE}")
    response = conn.getresponse()
    page = text(response.read())
    cookie = response.headers["Set-Cookie"].split(";", 1)[0]
    xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"_xsrf": xsrf, "kurs": COURSE, "kod": code})
    conn.request("POST", "/utbildare", body, {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    response = conn.getresponse()
    result = response.status, response.headers, text(response.read())
    conn.close()
    return result


def test_a_wrong_trainer_code_is_refused_in_swedish_and_guessing_is_slowed(app_server):
    before = len(app_server.kernels())
    status, _, page = _login(app_server.base, "GISSAD-KOD", source="127.0.0.9")
    assert status == 403 and 'role="alert"' in page and "fel kurskod eller lärarkod" in page
    for _ in range(4):
        _login(app_server.base, "GISSAD-KOD", source="127.0.0.9")
    status, headers, page = _login(app_server.base, TRAINER_CODE, source="127.0.0.9")  # even the right one: wait
    assert status == 429 and "För många felaktiga försök" in page and int(headers["Retry-After"]) > 0
    assert len(app_server.kernels()) == before
    assert "trainer login failed for course DORRKURS from 127.0.0.9" in app_server.log_text()
    assert "GISSAD" not in app_server.log_text()


def test_the_right_trainer_code_opens_the_overview(app_server):
    status, headers, _ = _login(app_server.base, TRAINER_CODE, source="127.0.0.10")
    assert status == 302 and headers["Location"] == f"/voila/render/sip_larare.ipynb?kurs={COURSE}"
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert "HttpOnly" in headers["Set-Cookie"] and "SameSite=Strict" in headers["Set-Cookie"]
    status, _, body = fetch(f"{app_server.base}/voila/render/sip_larare.ipynb?kurs={COURSE}", headers={"Cookie": cookie})
    assert status == 200 and "<title>Utbildarens översikt</title>" in text(body)
    assert '"kernelId"' in text(body) and "sip-failed" not in text(body)  # the overview itself: test_browser_app
    # the header that carries the code to the kernel cannot be sent by a browser
    status, headers, _ = fetch(f"{app_server.base}/voila/render/sip_larare.ipynb?kurs={COURSE}",
                               headers={"X-Sipkurs-Trainer-Code": TRAINER_CODE}, redirect=False)
    assert status == 302 and "/utbildare" in headers["Location"]


def test_static_files_are_compressed_and_cached_for_a_year_when_versioned(app_server):
    _, _, body = fetch(f"{app_server.base}/voila/render/sip_utkast.ipynb")
    page = text(body)
    main_js = re.search(r'src="(/voila/static/v/[0-9a-f]+/voila\.js)"', page).group(1)
    status, headers, body = fetch(app_server.base + main_js, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"] and "max-age=31536000" in headers["Cache-Control"]
    assert len(body) < 0.6 * len(gzip.decompress(body))
    status, headers, _ = fetch(app_server.base + main_js, headers={"If-None-Match": headers["ETag"]})
    assert status == 304
    css = re.search(r'href="(/voila/templates/sipkurs/static/index\.css\?v=[0-9a-f]+)"', page).group(1)
    _, headers, _ = fetch(app_server.base + css, headers={"Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip" and "immutable" in headers["Cache-Control"]
    config = json.loads(re.search(r'id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*<', page, re.S).group(1))
    assert [e["name"] for e in config["federated_extensions"]] == [
        "@jupyter-widgets/jupyterlab-manager", "@voila-dashboards/widgets-manager8"]
    assert not config["fullMathjaxUrl"].startswith("http")
    for traversal in ("/voila/static/v/x/../../../../etc/passwd", "/voila/templates/sipkurs/static/../../../../../etc/passwd",
                      "/voila/labextensions/%2e%2e/%2e%2e/etc/passwd", "/voila/templates/../conf.json"):
        assert fetch(app_server.base + traversal)[0] == 404, traversal


def test_a_too_large_request_body_is_refused_and_the_server_lives_on(app_server):
    try:
        status, _, _ = fetch(app_server.base + "/utbildare", data=b"x" * (200 * 1024))
    except (ConnectionError, http.client.HTTPException, urllib.error.URLError):
        status = None  # tornado may close the connection instead of answering
    assert status in (None, 400, 413)
    assert fetch(app_server.base + "/utbildare")[0] == 200


# --- limits, on a light page -----------------------------------------------------------------------------------------


def light_server(tmp_path, pool: int = 0, **limits) -> ServingProcess:
    config = ServeConfig(pool_size=pool, folder=str(TEST_PAGES), pages=[Page("draftguard.ipynb", "Testsida")],
                         limits=Limits(**limits))
    return ServingProcess(config, tmp_path / "run", env={"SIPKURS_TEST_STORE": str(tmp_path / "store.json")})


def open_many(base: str, sources: list[str], timeout: float = 120) -> list:
    async def run():
        return await asyncio.gather(*(open_page(base + "/", source=s, timeout=timeout, follow_waiting=False) for s in sources))

    return asyncio.run(run())


def test_caps_per_address_and_in_total_refuse_in_swedish_and_leave_no_kernel(tmp_path):
    server = light_server(tmp_path, max_kernels=3, max_per_address=2, hold=60)
    try:
        first = open_many(server.base, ["127.0.0.2", "127.0.0.2"])
        assert all(r.usable for r in first), first
        third = open_many(server.base, ["127.0.0.2"])[0]
        assert third.status == 429 and third.waiting_page and not third.kernel_id
        assert len(server.kernels()) == 2
        other = open_many(server.base, ["127.0.0.3"])[0]
        assert other.usable
        full = open_many(server.base, ["127.0.0.4", "127.0.0.5"])
        assert [r.status for r in full] == [503, 503] and all(r.waiting_page for r in full)
        status, _, body = fetch(server.base + "/")
        assert status == 503 and "Servern har fullt" in text(body) and 'lang="sv"' in text(body)
        assert len(server.kernels()) == 3
        log = server.log_text()
        assert "waiting page (address) for 127.0.0.2" in log and "waiting page (full)" in log
    finally:
        server.stop()


def test_a_queue_keeps_each_page_its_place_and_every_page_ends_usable(tmp_path):
    server = light_server(tmp_path, start_concurrency=1, hold=0.1)
    try:
        sources = [f"127.0.1.{i}" for i in range(2, 8)]

        async def run():
            return await asyncio.gather(*(open_page(server.base + "/", source=s, timeout=180) for s in sources))

        results = asyncio.run(run())
        assert all(r.usable and "Situation" in r.descriptions for r in results), results
        assert any(r.waits for r in results)  # some waited on the waiting page and got their own kernel
        assert len(server.kernels()) == len(sources)
    finally:
        server.stop()


async def _talk(base: str, kernel_id: str, messages: list[str], listen: float = 3.0) -> tuple[list[dict], bool]:
    """Send raw messages on the kernel websocket; (what came back, whether the server closed the socket)."""
    url = f"ws://{base.split('://', 1)[1]}/api/kernels/{kernel_id}/channels?session_id={uuid.uuid4().hex}"
    connection = await websocket_connect(HTTPRequest(url))
    for m in messages:
        await connection.write_message(m)
    received, closed = [], False
    try:
        while True:
            raw = await asyncio.wait_for(connection.read_message(), listen)
            if raw is None:
                closed = True
                break
            if isinstance(raw, str):
                received.append(json.loads(raw))
    except asyncio.TimeoutError:
        pass
    connection.close()
    return received, closed


def test_kernel_errors_never_reach_the_browser_and_oversized_messages_are_refused(tmp_path):
    server = light_server(tmp_path, max_ws_message_bytes=64 * 1024)
    try:
        page = open_many(server.base, ["127.0.0.2"])[0]
        assert page.usable
        session = uuid.uuid4().hex
        odd = [  # odd data for widgets: unknown comms, wrong types, a broken control message
            _message("comm_msg", {"comm_id": "nope", "data": {"method": "update", "state": {"value": 1}}}, session),
            _message("comm_open", {"comm_id": "c1", "target_name": "jupyter.widget.control", "data": {}}, session,
                     {"version": "0.0.1"}),
            _message("comm_open", {"comm_id": "c2", "target_name": "jupyter.widget", "data": {"state": {"_model_name": "X"}}}, session),
            _message("execute_request", {"code": "import os; os.listdir('/')", "silent": False}, session),
        ]
        received, _ = asyncio.run(_talk(server.base, page.kernel_id, odd))
        dump = json.dumps(received)
        assert "Traceback" not in dump and ".py" not in dump and "/work" not in dump and "site-packages" not in dump
        assert not [m for m in received if m["header"]["msg_type"] in ("error", "execute_result", "execute_input")]
        assert not [m for m in received if m["header"]["msg_type"] == "stream" and m["content"].get("name") == "stderr"]
        assert "withheld from the page" in server.log_text()

        big = _message("comm_msg", {"comm_id": "x", "data": {"method": "update", "state": {"value": "å" * 60_000}}}, session)
        _, closed = asyncio.run(_talk(server.base, page.kernel_id, [big]))
        assert closed  # the server hung up on a 120 kB message
        assert len(server.kernels()) == 1 and open_many(server.base, ["127.0.0.3"])[0].usable
    finally:
        server.stop()
