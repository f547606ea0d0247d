"""The server's own HTTP handlers: the front door, the pages with their limits, the trainer login, the static files.

Every answer a person can see is Swedish and carries no traceback: unknown addresses get a short "finns inte" page,
a page that cannot get a kernel gets the waiting page (which tries again by itself), a failure after the page has
started gets a "försök igen" box.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import logging
import mimetypes
import os
import re
import secrets
import time
from collections import OrderedDict, deque
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import tornado.web
from tornado.iostream import StreamClosedError
from voila.tornado.handler import TornadoVoilaHandler

from sipkurs.serving.config import ServeConfig
from sipkurs.serving.kernels import PageRequest, Refused, Waiting, current_request

log = logging.getLogger("sipkurs.serving")

HERE = Path(__file__).parent
TEMPLATES = jinja2.Environment(
    loader=jinja2.FileSystemLoader([HERE / "templates", HERE / "share" / "voila" / "templates" / "sipkurs"]),
    autoescape=True,
    auto_reload=False,
)

TRAINER_COOKIE = "sipkurs_utbildare"
TRAINER_HEADER = "X-Sipkurs-Trainer-Code"  # set only by this server, from a trainer session; reaches the kernel's env

PLACE_COOKIE = "sipkurs_plats"  # a browser's place in the queue for a kernel (random, not personal)
WAITING = {  # reason → (HTTP status, seconds before the page tries again, Swedish explanation)
    "queue": (503, 2, "Många öppnar sidan samtidigt. Sidan öppnas av sig själv så snart den är klar."),
    "busy": (503, 5, "Många öppnar sidan samtidigt. Din sida startas så snart det finns plats."),
    "full": (503, 20, "Servern har fullt just nu. Sidan startas när någon annan har lämnat."),
    "address": (429, 20, "För många sidor är öppna från din dator. Stäng flikar med kursen som du inte använder."),
    "failed": (503, 10, "Sidan kunde inte startas. Det du har sparat finns kvar."),
}


def render_page(name: str, **context) -> str:
    return TEMPLATES.get_template(name).render(**context)


def error_page(status: int, base_url: str = "/") -> str:
    if status == 404:
        heading, message = "Sidan finns inte", "Adressen leder ingenstans. Kontrollera länken du fått av utbildaren."
    elif status == 405:
        heading, message = "Sidan finns inte", "Den här adressen tar inte emot sådana förfrågningar."
    elif status == 413:
        heading, message = "För stor förfrågan", "Det som skickades är för stort för servern."
    else:
        heading, message = "Något gick fel", "Servern kunde inte svara just nu. Försök igen om en stund."
    return render_page("error.html.j2", heading=heading, message=message, home=base_url)


class SwedishErrors:
    """Mixin: errors as a short Swedish page; the details stay in the server's log."""

    def write_error(self, status_code: int, **kwargs) -> None:
        self.clear()
        self.set_status(status_code)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(error_page(status_code, self.settings.get("base_url", "/")))


class SipHandler(SwedishErrors, tornado.web.RequestHandler):
    @property
    def sip(self) -> ServeConfig:
        return self.settings["sip_config"]

    def set_default_headers(self) -> None:
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("X-Frame-Options", "DENY")

    def page_url(self, notebook: str, query: str = "") -> str:
        url = f"{self.settings.get('base_url', '/')}voila/render/{notebook}"
        return f"{url}?{query}" if query else url


class NotFoundHandler(SipHandler):
    """Every address nobody serves, with any method: a quiet Swedish 404."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


class FrontDoorHandler(SipHandler):
    """``/`` leads to the first page (the participants' join page), keeping the query (?kurs=…)."""

    def get(self) -> None:
        self.redirect(self.page_url(self.sip.front.notebook, self.request.query))


class HealthHandler(SipHandler):
    """``/halsa``: 200 while this instance serves, for a load balancer's health checks (HAProxy's httpchk)."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish("ok\n")



class LeaveHandler(SipHandler):
    """``/logout`` and ``/login`` (Jupyter's, not ours): end a trainer session and go to the front door."""

    def get(self) -> None:
        sessions: TrainerSessions = self.settings["sip_sessions"]
        sessions.drop(self.get_cookie(TRAINER_COOKIE))
        self.clear_cookie(TRAINER_COOKIE, path="/")
        self.redirect(self.settings.get("base_url", "/"))

    post = get


# --- the trainer login: no kernel until the trainer code is right ----------------------------------------------------


class TrainerSessions:
    """Trainer logins held in the server's memory (a restart logs everyone out): random token → course and code."""

    def __init__(self, hours: float = 12) -> None:
        self.ttl = hours * 3600
        self._sessions: dict[str, tuple[str, str, float]] = {}

    def create(self, course: str, code: str) -> str:
        token = secrets.token_urlsafe(32)
        self._sessions[token] = (course, code, time.monotonic() + self.ttl)
        return token

    def get(self, token: str | None) -> tuple[str, str] | None:
        entry = self._sessions.get(token or "")
        if entry is None or entry[2] < time.monotonic():
            self._sessions.pop(token or "", None)
            return None
        return entry[0], entry[1]

    def drop(self, token: str | None) -> None:
        self._sessions.pop(token or "", None)


class LoginThrottle:
    """Wrong trainer codes per address: after ``limit`` in ``window`` seconds, refuse until the oldest has aged out."""

    def __init__(self, limit: int = 5, window: float = 300) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque[float]] = {}

    def wait(self, address: str) -> int:
        """Seconds this address must wait before trying again (0: may try now)."""
        now = time.monotonic()
        failures = self._failures.get(address)
        if not failures:
            return 0
        while failures and failures[0] < now - self.window:
            failures.popleft()
        return int(failures[0] + self.window - now) + 1 if len(failures) >= self.limit else 0

    def failed(self, address: str) -> int:
        failures = self._failures.setdefault(address, deque())
        failures.append(time.monotonic())
        return len(failures)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def check_trainer(course: str, code: str) -> bool:
    """The store's check of a trainer code (runs in a worker thread: the store is synchronous)."""
    from sipkurs.store import Store

    store = Store(os.environ.get("SIPKURS_DB") or None)
    try:
        return store.check_trainer(course, code)
    finally:
        store.close()


_COURSE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


class TrainerLoginHandler(SipHandler):
    """``/utbildare``: the trainer's kernel-free login. Only a right code opens the trainer page (and starts a kernel)."""

    def get(self) -> None:
        self.show(self.get_query_argument("kurs", "")[:40])

    def show(self, course: str, message: str = "", status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(render_page("login.html.j2", course=course, message=message, action=self.request.path,
                                xsrf=self.xsrf_form_html()))

    async def post(self) -> None:
        self.check_xsrf_cookie()
        address = self.request.remote_ip or "?"
        course = self.get_body_argument("kurs", "").strip().upper()[:40]
        code = self.get_body_argument("kod", "")[:200]
        throttle: LoginThrottle = self.settings["sip_throttle"]
        wait = throttle.wait(address)
        if wait:
            log.warning("trainer login refused: too many wrong codes from %s", address)
            self.set_header("Retry-After", str(wait))
            return self.show(course, f"För många felaktiga försök. Vänta {max(1, wait // 60)} minut(er) och försök igen.", 429)
        if not _COURSE.match(course):
            return self.show(course, "Det gick inte: fel kurskod eller lärarkod.", 403)
        try:
            ok = await asyncio.get_running_loop().run_in_executor(None, check_trainer, course, code)
        except Exception:  # noqa: BLE001 - the store is unreachable: say so, details to the log
            log.exception("trainer login: the store could not be read")
            return self.show(course, "Lagringen går inte att nå just nu. Försök igen om en stund.", 503)
        if not ok:
            count = throttle.failed(address)
            log.warning("trainer login failed for course %s from %s (%d in %d min)", course, address, count, throttle.window // 60)
            return self.show(course, "Det gick inte: fel kurskod eller lärarkod.", 403)
        throttle.succeeded(address)
        token = self.settings["sip_sessions"].create(course, code)
        self.set_cookie(TRAINER_COOKIE, token, path="/", httponly=True, samesite="Strict",
                        secure=self.request.protocol == "https")
        log.info("trainer login for course %s from %s", course, address)
        self.redirect(self.page_url(self.sip.trainer_page.notebook, urlencode({"kurs": course})))


# --- the pages -------------------------------------------------------------------------------------------------------


def failure_box() -> str:
    """Appended to a page that failed after it started streaming: replaces the loading screen (same as the template's)."""
    return render_page("failure.html.j2")


class PageHandler(SwedishErrors, TornadoVoilaHandler):
    """``/voila/render/<notebook>`` for the listed pages only, within the limits, never blank."""

    def initialize(self, **kwargs) -> None:
        self.sip: ServeConfig = kwargs.pop("sip")
        super().initialize(**kwargs)
        self._work: asyncio.Future | None = None

    def on_connection_close(self) -> None:
        if self._work is not None and not self._work.done():
            self._work.cancel()  # the browser left: stop waiting for a kernel (a started one is stopped)

    @tornado.web.authenticated
    async def get(self, path: str | None = None) -> None:
        page = self.sip.page(path or "")
        if page is None:
            raise tornado.web.HTTPError(404)
        for name in [n for n in self.request.headers if n.lower().startswith("x-sipkurs-")]:
            del self.request.headers[name]  # only this server sets them
        if page.trainer:
            sessions: TrainerSessions = self.settings["sip_sessions"]
            session = sessions.get(self.get_cookie(TRAINER_COOKIE))
            course = self.get_query_argument("kurs", "").strip().upper()
            if session is None or (course and course != session[0]):
                self.redirect(f"{self.base_url}utbildare?{urlencode({'kurs': course})}" if course else f"{self.base_url}utbildare")
                return
            self.request.headers[TRAINER_HEADER] = session[1]
        km = self.kernel_manager
        address = self.request.remote_ip or "?"
        if km.held_by(address) >= self.sip.limits.max_per_address:
            return self.waiting("address", page.notebook)
        self.xsrf_token  # noqa: B018 - sets the _xsrf cookie, so the page's close-tab call frees its kernel (voila#1458)
        request = PageRequest(address, place=f"{self.place_token()}|{self.request.uri}")
        self._work = asyncio.ensure_future(self._serve(path, page.notebook, request))
        try:
            await self._work
        except asyncio.CancelledError:
            if request.kernel_id:
                log.info("kernel %s stopped: the browser left before its page was delivered", request.kernel_id)
                await km.stop(request.kernel_id)

    def place_token(self) -> str:
        token = self.get_cookie(PLACE_COOKIE, "")
        if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
            token = secrets.token_urlsafe(16)
            self.set_cookie(PLACE_COOKIE, token, path="/", httponly=True, samesite="Lax")
        return token

    async def _serve(self, path: str, notebook: str, request: PageRequest) -> None:
        token = current_request.set(request)
        started = False
        try:
            async for html in self.get_generator(path=path):
                self.write(html)
                await self.flush()
                started = True
        except Waiting as exc:
            self.waiting("queue", notebook, exc.position)
        except Refused as exc:
            if started:
                self._fail_streamed(notebook, exc.reason)
            else:
                self.waiting(exc.reason, notebook)
        except StreamClosedError:
            raise asyncio.CancelledError from None
        except Exception as exc:  # noqa: BLE001 - never a traceback, never a blank page; the cause goes to the log
            log.warning("page %s failed: %s: %s", notebook, type(exc).__name__, str(exc)[:200])
            if started:
                self._fail_streamed(notebook, "failed")
            else:
                self.waiting("failed", notebook)
        finally:
            current_request.reset(token)

    def _fail_streamed(self, notebook: str, reason: str) -> None:
        log.warning("page %s failed while streaming (%s)", notebook, reason)
        try:
            self.finish(failure_box())
        except Exception:  # noqa: BLE001 - the browser already left
            pass

    def waiting(self, reason: str, notebook: str, position: int | None = None) -> None:
        """The Swedish waiting page (it asks again by itself); logged, except the queue's repeated asks."""
        status, retry, message = WAITING[reason]
        if reason != "queue":
            log.warning("page %s: waiting page (%s) for %s", notebook, reason, self.request.remote_ip)
        elif position:
            message = f"Många öppnar sidan samtidigt: {position} före dig i kön. Sidan öppnas av sig själv."
        elif position == 0:
            message = "Sidan startas nu och öppnas av sig själv om ett ögonblick."
        self.clear()  # Voila's headers go; the cookies set so far stay (tornado adds them when it sends)
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=UTF-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Retry-After", str(retry))
        self.finish(render_page("waiting.html.j2", message=message, retry=retry, url=self.request.uri,
                                countdown=retry >= 5))


# --- static files: compressed once, cached long when the address is versioned ---------------------------------------

COMPRESSIBLE = {".js", ".css", ".json", ".svg", ".html", ".txt", ".map", ".ttf", ".eot", ".mjs"}
HASHED_NAME = re.compile(r"(^|[./])[0-9a-f]{12,}\.[a-z0-9]+$")  # webpack's content-hashed file names
YEAR = 365 * 24 * 3600


class _Asset:
    __slots__ = ("raw", "gz", "etag", "type", "stamp")

    def __init__(self, path: str, stamp: tuple[float, int]) -> None:
        with open(path, "rb") as fh:
            self.raw = fh.read()
        ext = os.path.splitext(path)[1].lower()
        self.gz = gzip.compress(self.raw, 9, mtime=0) if ext in COMPRESSIBLE and len(self.raw) > 1024 else None
        self.etag = '"' + hashlib.sha1(self.raw).hexdigest()[:20] + '"'
        guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
        self.type = guessed + ("; charset=UTF-8" if guessed.startswith("text/") or ext in (".js", ".mjs", ".json") else "")
        self.stamp = stamp


class AssetCache:
    """Files read and gzipped once, kept while they fit in ``budget`` bytes (least recently used out first)."""

    def __init__(self, budget: int = 96 * 1024 * 1024) -> None:
        self.budget = budget
        self._items: OrderedDict[str, _Asset] = OrderedDict()
        self._size = 0

    def get(self, path: str) -> _Asset:
        info = os.stat(path)
        stamp = (info.st_mtime, info.st_size)
        item = self._items.get(path)
        if item is not None and item.stamp == stamp:
            self._items.move_to_end(path)
            return item
        item = _Asset(path, stamp)
        if path in self._items:
            self._size -= self._cost(self._items.pop(path))
        self._items[path] = item
        self._size += self._cost(item)
        while self._size > self.budget and len(self._items) > 1:
            self._size -= self._cost(self._items.popitem(last=False)[1])
        return item

    @staticmethod
    def _cost(item: _Asset) -> int:
        return len(item.raw) + len(item.gz or b"")


ASSETS = AssetCache()


def warm_assets(folders: list[str]) -> int:
    """Read and compress the front end's files before the first visitor asks (about a second of CPU, once)."""
    count = 0
    for folder in folders:
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.splitext(name)[1].lower() in COMPRESSIBLE and os.path.isfile(path):
                ASSETS.get(path)
                count += 1
    return count


def resolve(roots: list[str], path: str) -> str | None:
    """The first existing regular file ``path`` under one of ``roots``, never outside them."""
    if not path or "\x00" in path or path.startswith(("/", "\\")) or ".." in Path(path).parts:
        return None
    for root in roots:
        base = os.path.realpath(root)
        candidate = os.path.realpath(os.path.join(base, path))
        if candidate.startswith(base + os.sep) and os.path.isfile(candidate):
            return candidate
    return None


class AssetHandler(SipHandler):
    """Static files: gzip when the browser takes it, ETag always, a year's immutable caching for versioned addresses.

    ``roots(path)`` gives the folders to look in (and the path inside them); ``versioned``: every address served here
    is versioned; otherwise an address is versioned when its file name carries a content hash or it has ``?v=``.
    """

    def initialize(self, roots, versioned: bool = False) -> None:
        self.roots, self.versioned = roots, versioned

    def compute_etag(self) -> None:
        return None  # ours is set from the file's content

    async def get(self, path: str, *, head: bool = False) -> None:
        folders, inner = self.roots(path)
        found = resolve(folders, inner)
        if found is None:
            raise tornado.web.HTTPError(404)
        asset = ASSETS.get(found)
        immutable = self.versioned or bool(HASHED_NAME.search(inner)) or "v" in self.request.query_arguments
        self.set_header("Content-Type", asset.type)
        self.set_header("ETag", asset.etag)
        self.set_header("Vary", "Accept-Encoding")
        self.set_header("Cache-Control", f"public, max-age={YEAR}, immutable" if immutable else "no-cache")
        if self.request.headers.get("If-None-Match") == asset.etag:
            self.set_status(304)
            return self.finish()
        body = asset.raw
        if asset.gz is not None and "gzip" in self.request.headers.get("Accept-Encoding", ""):
            self.set_header("Content-Encoding", "gzip")
            body = asset.gz
        self.set_header("Content-Length", str(len(body)))
        if not head:
            self.write(body)
        self.finish()

    async def head(self, path: str) -> None:
        await self.get(path, head=True)
