"""Opening a page as a browser does, without running its JavaScript: for load tests, benchmarks and health checks.

``open_page`` fetches the page, reads its kernel from the page config, opens the kernel's websocket and asks for the
widget state exactly as Voila's front end does (a ``jupyter.widget.control`` comm, ``request_states``). A page counts
as usable when that state arrives and holds the widget the caller expects (for example the field "Ditt namn").
``source`` binds the client to a local address, so that a test on loopback can be 40 participants with 40 addresses
(127.0.0.2, 127.0.0.3, …).
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S)


@dataclass
class PageResult:
    url: str
    source: str | None
    status: int = 0
    kernel_id: str | None = None
    html_seconds: float | None = None  # the page's HTML delivered
    usable_seconds: float | None = None  # the widget state received
    descriptions: list[str] = field(default_factory=list)  # every widget's description (labels of fields, buttons)
    waiting_page: bool = False  # the last answer was the server's Swedish waiting page
    waits: int = 0  # waiting pages followed (each asks again after its Retry-After, as the page's script does)
    error: str = ""

    @property
    def usable(self) -> bool:
        return self.usable_seconds is not None


CONTROL_PROTOCOL = "1.0.0"  # ipywidgets' widget control protocol, as its front end sends it


def _message(msg_type: str, content: dict, session: str, metadata: dict | None = None) -> str:
    return json.dumps({
        "header": {"msg_id": uuid.uuid4().hex, "username": "probe", "session": session, "msg_type": msg_type,
                   "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell", "buffers": [],
    })


async def widget_states(ws_url: str, source: str | None, timeout: float) -> dict:
    """The kernel's widget states, asked for as Voila's widget manager does."""
    connection = await asyncio.wait_for(websocket_connect(HTTPRequest(ws_url, network_interface=source)), timeout)
    try:
        session, comm_id = uuid.uuid4().hex, uuid.uuid4().hex
        await connection.write_message(_message(
            "comm_open", {"comm_id": comm_id, "target_name": "jupyter.widget.control", "data": {}}, session,
            {"version": CONTROL_PROTOCOL}))
        await connection.write_message(_message(
            "comm_msg", {"comm_id": comm_id, "data": {"method": "request_states"}}, session))
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                raise TimeoutError("no widget state")
            raw = await asyncio.wait_for(connection.read_message(), left)
            if raw is None:
                raise ConnectionError("the kernel's websocket closed")
            if isinstance(raw, bytes):
                continue
            msg = json.loads(raw)
            data = msg.get("content", {}).get("data", {})
            if msg.get("header", {}).get("msg_type") == "comm_msg" and data.get("method") == "update_states":
                return data.get("states", {})
    finally:
        connection.close()


async def open_page(url: str, *, source: str | None = None, timeout: float = 120.0, follow_waiting: bool = True) -> PageResult:
    """Open ``url`` like a participant's browser; never raises (problems are in the result).

    With ``follow_waiting`` a waiting page is followed as its script does: ask again after Retry-After seconds, with
    the cookies the server set (the place in the queue), until ``timeout``.
    """
    result = PageResult(url, source)
    start = time.perf_counter()
    client = AsyncHTTPClient(force_instance=True)
    cookies: dict[str, str] = {}
    try:
        while True:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
            left = max(1.0, timeout - (time.perf_counter() - start))
            response = await client.fetch(HTTPRequest(url, headers=headers, network_interface=source,
                                                      request_timeout=left, follow_redirects=True), raise_error=False)
            for cookie in response.headers.get_list("Set-Cookie") if response.headers else []:
                name, _, rest = cookie.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            html = (response.body or b"").decode("utf-8", errors="replace")
            result.status = response.code
            result.waiting_page = response.code != 200 and "Vänta, laddar" in html
            retry = float(response.headers.get("Retry-After", "5")) if result.waiting_page else 0
            if not (follow_waiting and result.waiting_page and time.perf_counter() - start + retry < timeout):
                break
            result.waits += 1
            await asyncio.sleep(retry)
        result.html_seconds = time.perf_counter() - start
        if response.code != 200:
            result.error = f"HTTP {response.code}"
            return result
        found = _CONFIG.search(html)
        if not found:
            result.error = "no kernel in the page"
            return result
        config = json.loads(found.group(1))
        result.kernel_id = config.get("kernelId")
        parts = urlsplit(response.effective_url)
        base = config.get("baseUrl", "/")
        ws_url = f"ws://{parts.netloc}{base}api/kernels/{result.kernel_id}/channels?session_id={uuid.uuid4().hex}"
        states = await widget_states(ws_url, source, max(1.0, timeout - (time.perf_counter() - start)))
        result.descriptions = [s.get("state", {}).get("description", "") for s in states.values()]
        result.usable_seconds = time.perf_counter() - start
    except Exception as exc:  # noqa: BLE001 - a probe reports, it does not fail
        result.error = f"{type(exc).__name__}: {exc}"[:300]
    finally:
        client.close()
    return result


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, alive=lambda: True, timeout: float = 90) -> bool:
    """Whether something listens on loopback ``port`` within ``timeout`` seconds (False at once if not ``alive()``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)
    return False
