"""Opening a page as a browser does, without running its JavaScript: for load tests, benchmarks and health checks.

``open_page`` fetches the page, reads its kernel from the page config, opens the kernel's websocket and asks for the
widget state exactly as Voila's front end does (a ``jupyter.widget.control`` comm, ``request_states``). A page counts
as usable when that state arrives and holds the widget the caller expects (for example the field "Ditt namn").
``source`` binds the client to a local address, so that a test on loopback can be 40 participants with 40 addresses
(127.0.0.2, 127.0.0.3, …).

``PageClient`` goes on where ``open_page`` stops, as a participant does: it keeps the websocket open, follows the
widget models the kernel opens, changes and closes (``comm_open``, ``update``, ``echo_update``, ``comm_close``), and
types and clicks with the messages the front end sends (``update`` of a value, ``custom`` click), one message in
flight per widget as ipywidgets' front end does. Which widgets the page shows is read from the widget views in the
page's HTML and the ``children`` of the boxes under them. What the app says it has stored (the draft guard's markers,
sipkurs.serving.draftguard) is remembered as it arrives, so a load test can tell an acknowledged write from one that
was only typed.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClosedError, websocket_connect

from sipkurs.serving.draftguard import saved_hash

_CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(\{.*?\})\s*</script>', re.S)
_VIEW = re.compile(r'<script type="application/vnd\.jupyter\.widget-view\+json">\s*(\{.*?\})\s*</script>', re.S)
_CELL_OUTPUT = re.compile(r'<script type="application/vnd\.voila\.cell-output\+json">\s*(\{.*?\})\s*</script>', re.S)
VIEW_MIME = "application/vnd.jupyter.widget-view+json"
_MODEL_REF = "IPY_MODEL_"
_SAVED = re.compile(r'data-sip-saved="([^"]+)" data-sip-hash="([0-9a-f]{8})"')


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
WIDGET_PROTOCOL = "2.1.0"  # ipywidgets' widget message protocol (the version the kernel's comm_open carries)


def page_views(html: str) -> list[str]:
    """Model ids of the widget views a Voila page shows: its widget-view scripts, or the widget views inside the
    cell outputs that Voila's template writes as ``application/vnd.voila.cell-output+json`` scripts."""
    views = [json.loads(v).get("model_id", "") for v in _VIEW.findall(html)]
    for output in _CELL_OUTPUT.findall(html):
        view = (json.loads(output).get("data") or {}).get(VIEW_MIME)
        if isinstance(view, dict) and view.get("model_id"):
            views.append(view["model_id"])
    return views


def _message(msg_type: str, content: dict, session: str, metadata: dict | None = None, msg_id: str | None = None) -> str:
    return json.dumps({
        "header": {"msg_id": msg_id or uuid.uuid4().hex, "username": "probe", "session": session, "msg_type": msg_type,
                   "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
        "parent_header": {}, "metadata": metadata or {}, "content": content, "channel": "shell", "buffers": [],
    })


@dataclass
class WidgetModel:
    """One widget as the page knows it: its model id, its model class (``TextareaModel`` …) and its state."""

    id: str
    name: str
    state: dict[str, Any]

    @property
    def description(self) -> str:
        return self.state.get("description") or ""

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.state.get("_dom_classes") or ())

    @property
    def value(self) -> Any:
        return self.state.get("value")

    def children(self) -> list[str]:
        """Model ids of the widgets this box shows."""
        kids = self.state.get("children") or []
        return [c[len(_MODEL_REF):] for c in kids if isinstance(c, str) and c.startswith(_MODEL_REF)]


class PageClient:
    """One participant's page over the kernel websocket, for as long as the participant stays.

    ``await open()`` loads the page (as ``open_page`` does) and keeps the kernel's websocket; then ``widget`` finds a
    shown widget by its label (``description``), a CSS class or its model class, ``set_value`` types into it,
    ``click`` presses a button, and ``wait_until`` waits for the kernel to show something. ``seconds()`` is the time
    since the page's first byte was requested; ``is_stored(key, text)`` whether the app has said that the field
    ``key`` was stored with ``text``. ``close()`` leaves the page (the websocket closes, as when a tab is closed).
    Nothing raises for what the server answers: problems are in ``result.error``.

    Messages go out in the order they are made (each is written to the socket at once): a value typed while the
    widget's previous one is still in the kernel waits, merged, and goes out when the kernel reports idle for it.
    """

    def __init__(self, url: str, *, source: str | None = None, timeout: float = 120.0, follow_waiting: bool = True) -> None:
        self.url, self.source, self.timeout, self.follow_waiting = url, source, timeout, follow_waiting
        self.result = PageResult(url, source)
        self.models: dict[str, WidgetModel] = {}
        self.roots: list[str] = []  # model ids of the widget views in the page's HTML
        self.html = ""
        self.closed = False
        self._start = 0.0
        self._session = uuid.uuid4().hex
        self._control = uuid.uuid4().hex
        self._connection = None
        self._reader: asyncio.Task | None = None
        self._changed = asyncio.Event()
        self._states: asyncio.Future | None = None
        self._handled: set[str] = set()  # ids of our messages the kernel has finished with (status idle)
        self._in_flight: dict[str, str] = {}  # model id → id of its update message the kernel has not finished
        self._buffered: dict[str, dict] = {}  # model id → state typed while a message was in flight
        self._echo: dict[tuple[str, str], str] = {}  # (model id, attribute) → the update whose echo we wait for
        self.stored: dict[tuple[str, str], float] = {}  # (field key, hash of the text) → seconds when first told

    def seconds(self) -> float:
        """Seconds since the page's first byte was requested."""
        return time.perf_counter() - self._start

    # --- loading the page ----------------------------------------------------------------------------------------
    async def open(self) -> PageResult:
        """Fetch the page (following waiting pages), open its kernel's websocket and receive the widget state."""
        result = self.result
        self._start = time.perf_counter()
        client = AsyncHTTPClient(force_instance=True)
        try:
            response, html = await self._fetch(client)
            result.html_seconds = self.seconds()
            if response.code != 200:
                result.error = f"HTTP {response.code}"
                return result
            found = _CONFIG.search(html)
            if not found:
                result.error = "no kernel in the page"
                return result
            self.html = html
            self.roots = page_views(html)
            config = json.loads(found.group(1))
            result.kernel_id = config.get("kernelId")
            parts = urlsplit(response.effective_url)
            base = config.get("baseUrl", "/")
            ws_url = f"ws://{parts.netloc}{base}api/kernels/{result.kernel_id}/channels?session_id={self._session}"
            self._connection = await asyncio.wait_for(
                websocket_connect(HTTPRequest(ws_url, network_interface=self.source)), self._left())
            self._states = asyncio.get_running_loop().create_future()
            self._reader = asyncio.create_task(self._read())
            self._post("comm_open", {"comm_id": self._control, "target_name": "jupyter.widget.control", "data": {}},
                       {"version": CONTROL_PROTOCOL})
            self._post("comm_msg", {"comm_id": self._control, "data": {"method": "request_states"}})
            states = await asyncio.wait_for(asyncio.shield(self._states), self._left())
            for model_id, s in states.items():
                if model_id not in self.models:  # a model opened while the states were on their way is newer
                    self.models[model_id] = WidgetModel(model_id, s.get("model_name", ""), dict(s.get("state", {})))
                    self._note(self.models[model_id])
            result.descriptions = [m.description for m in self.models.values()]
            result.usable_seconds = self.seconds()
        except Exception as exc:  # noqa: BLE001 - a probe reports, it does not fail
            result.error = f"{type(exc).__name__}: {exc}"[:300]
        finally:
            client.close()
        return result

    def _left(self) -> float:
        return max(1.0, self.timeout - self.seconds())

    async def _fetch(self, client: AsyncHTTPClient):
        """The page's answer and HTML; a waiting page is asked again after its Retry-After, with its cookies."""
        cookies: dict[str, str] = {}
        while True:
            headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())} if cookies else {}
            response = await client.fetch(HTTPRequest(self.url, headers=headers, network_interface=self.source,
                                                      request_timeout=self._left(), follow_redirects=True),
                                          raise_error=False)
            for cookie in response.headers.get_list("Set-Cookie") if response.headers else []:
                name, _, rest = cookie.partition("=")
                cookies[name.strip()] = rest.split(";", 1)[0]
            html = (response.body or b"").decode("utf-8", errors="replace")
            self.result.status = response.code
            self.result.waiting_page = waiting = response.code != 200 and "Vänta, laddar" in html
            retry = float(response.headers.get("Retry-After", "5")) if waiting else 0
            if not (self.follow_waiting and waiting and self.seconds() + retry < self.timeout):
                return response, html
            self.result.waits += 1
            await asyncio.sleep(retry)

    # --- what the kernel sends -----------------------------------------------------------------------------------
    async def _read(self) -> None:
        from jupyter_server.services.kernels.connection.base import deserialize_binary_message

        try:
            while True:
                raw = await self._connection.read_message()
                if raw is None:
                    break
                msg = deserialize_binary_message(raw) if isinstance(raw, bytes) else json.loads(raw)
                self._receive(msg)
                self._wake()
        except Exception as exc:  # noqa: BLE001 - the page is gone; whoever waits is told below
            self.result.error = self.result.error or f"{type(exc).__name__}: {exc}"[:300]
        finally:
            self.closed = True
            if self._states is not None and not self._states.done():
                self._states.set_exception(ConnectionError("the kernel's websocket closed"))
            self._wake()

    def _wake(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _receive(self, msg: dict) -> None:
        kind = msg.get("header", {}).get("msg_type")
        content = msg.get("content", {})
        parent = (msg.get("parent_header") or {}).get("msg_id")
        if kind == "status" and content.get("execution_state") == "idle" and parent:
            self._handled.add(parent)
            self._sent_handled(parent)
            return
        if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
            state = dict(content.get("data", {}).get("state", {}))
            model = WidgetModel(content["comm_id"], state.get("_model_name", ""), state)
            self.models[model.id] = model
            self._note(model)
            return
        if kind == "comm_close":
            comm_id = content.get("comm_id")
            self.models.pop(comm_id, None)
            self._in_flight.pop(comm_id, None)
            self._buffered.pop(comm_id, None)
            return
        if kind != "comm_msg":
            return
        comm_id, data = content.get("comm_id"), content.get("data", {})
        method = data.get("method")
        if comm_id == self._control:
            if method == "update_states" and self._states is not None and not self._states.done():
                self._states.set_result(data.get("states", {}))
            return
        model = self.models.get(comm_id)
        if model is None or method not in ("update", "echo_update"):
            return
        state = dict(data.get("state", {}))
        if method == "echo_update":  # as ipywidgets' front end: only the echo of our latest message counts
            for attr in list(state):
                expected = self._echo.get((comm_id, attr))
                if expected is None:
                    continue
                if expected != parent:
                    del state[attr]  # the echo of an older message of ours: a newer value is on its way
                else:
                    del self._echo[(comm_id, attr)]
                    if attr in self._buffered.get(comm_id, {}):
                        del state[attr]  # we are about to send a newer value
        model.state.update(state)
        self._note(model)

    def _note(self, model: WidgetModel) -> None:
        """Remember every "stored" marker the page is shown (a later save replaces the marker, not the fact)."""
        value = model.state.get("value")
        if isinstance(value, str) and "data-sip-saved" in value:
            for key, digest in _SAVED.findall(value):
                self.stored.setdefault((unescape(key), digest), self.seconds())

    def is_stored(self, key: str, text: str) -> bool:
        """Whether the app has told this page that field ``key`` (``sip-k-…``) was stored with exactly ``text``."""
        return (key, saved_hash(text)) in self.stored

    # --- what the participant does -------------------------------------------------------------------------------
    def _post(self, msg_type: str, content: dict, metadata: dict | None = None) -> str:
        """Write one message to the kernel's websocket now (so messages leave in the order they are made)."""
        if self._connection is None or self.closed:
            raise ConnectionError("the page is not open")
        msg_id = uuid.uuid4().hex
        try:
            sent = self._connection.write_message(_message(msg_type, content, self._session, metadata, msg_id))
        except WebSocketClosedError:
            raise ConnectionError("the page's websocket is closed") from None
        if isinstance(sent, asyncio.Future):
            sent.add_done_callback(lambda f: f.cancelled() or f.exception())  # a closed socket shows in the reader
        return msg_id

    async def set_value(self, model: WidgetModel | str, value: Any, attr: str = "value") -> None:
        """Change a widget's value as typing does; the page shows it at once, the kernel hears it in turn."""
        model = self.models[model] if isinstance(model, str) else model
        model.state[attr] = value
        if model.id in self._in_flight:  # one message in flight per widget: the rest waits and is merged
            self._buffered.setdefault(model.id, {})[attr] = value
            return
        self._send_state(model.id, {attr: value})

    def _send_state(self, model_id: str, state: dict) -> None:
        msg_id = self._post("comm_msg", {"comm_id": model_id,
                                         "data": {"method": "update", "state": state, "buffer_paths": []}})
        self._in_flight[model_id] = msg_id
        for attr in state:
            self._echo[(model_id, attr)] = msg_id

    def _sent_handled(self, msg_id: str) -> None:
        for model_id, sent in list(self._in_flight.items()):
            if sent == msg_id:
                del self._in_flight[model_id]
                state = self._buffered.pop(model_id, None)
                if state and not self.closed:
                    self._send_state(model_id, state)

    async def click(self, button: WidgetModel | str) -> str:
        """Press a button; returns the message id (see ``handled``)."""
        button = button if isinstance(button, str) else button.id
        return self._post("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})

    def handled(self, msg_id: str) -> bool:
        """Whether the kernel has finished with one of our messages (it reported idle after it)."""
        return msg_id in self._handled

    @property
    def sending(self) -> bool:
        """Whether something typed has not reached the kernel yet, or the kernel is still on it."""
        return bool(self._in_flight or self._buffered)

    async def wait_until(self, condition: Callable[[], Any], timeout: float) -> bool:
        """Wait until ``condition()`` is true (checked after every message from the kernel); False on timeout or if
        the websocket closed."""
        deadline = time.perf_counter() + timeout
        while True:
            changed = self._changed
            if condition():
                return True
            left = deadline - time.perf_counter()
            if left <= 0 or self.closed:
                return False
            try:
                await asyncio.wait_for(changed.wait(), left)
            except TimeoutError:
                pass

    # --- what the page shows -------------------------------------------------------------------------------------
    def shown_ids(self) -> set[str]:
        """Model ids of the widgets on the page: the page's views and the boxes' children under them, as far as
        the kernel has sent them (all models if the page named no view)."""
        if not self.roots:
            return set(self.models)
        seen: set[str] = set()
        todo = [r for r in self.roots if r in self.models]
        while todo:
            model_id = todo.pop()
            if model_id in seen:
                continue
            seen.add(model_id)
            todo.extend(c for c in self.models[model_id].children() if c in self.models and c not in seen)
        return seen

    def widgets(self, *, description: str | None = None, css_class: str | None = None, model: str | None = None,
                prefix: str | None = None, shown: bool = True) -> list[WidgetModel]:
        """Widgets matching all that is given: exact label, a CSS class, a model class (``ButtonModel``), a label's
        beginning; only those on the page unless ``shown`` is False."""
        ids = self.shown_ids() if shown else set(self.models)
        return [
            m for i, m in self.models.items()
            if i in ids
            and (description is None or m.description == description)
            and (css_class is None or css_class in m.classes)
            and (model is None or m.name == model)
            and (prefix is None or m.description.startswith(prefix))
        ]

    def widget(self, **match) -> WidgetModel | None:
        """The first widget on the page matching (see ``widgets``), or None."""
        found = self.widgets(**match)
        return found[0] if found else None

    async def close(self) -> None:
        """Leave the page: close the websocket."""
        if self._connection is not None:
            self._connection.close()
        if self._reader is not None:
            try:
                await asyncio.wait_for(self._reader, 5)
            except (TimeoutError, asyncio.CancelledError):
                self._reader.cancel()
        self.closed = True


async def open_page(url: str, *, source: str | None = None, timeout: float = 120.0, follow_waiting: bool = True) -> PageResult:
    """Open ``url`` like a participant's browser and leave again; never raises (problems are in the result).

    With ``follow_waiting`` a waiting page is followed as its script does: ask again after Retry-After seconds, with
    the cookies the server set (the place in the queue), until ``timeout``.
    """
    page = PageClient(url, source=source, timeout=timeout, follow_waiting=follow_waiting)
    try:
        return await page.open()
    finally:
        await page.close()


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
