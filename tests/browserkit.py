"""What the browser tests share: a real `sipkurs serve` in a subprocess, Debian's Chromium through Playwright, axe."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
EVIL = "<img src=x onerror=alert(1)><script>alert(2)</script>"
TRAINER_CODE = "LARAR-KOD42"
COURSE = "WEBBKURS"
TIMEOUT = 45_000  # ms; a cold kernel on a busy 2-core machine


def require_browser() -> None:
    if CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK):
        return
    reason = f"Chromium saknas ({CHROMIUM}); installera med 'apt-get install -y chromium'"
    if os.environ.get("SIPKURS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`sipkurs serve` in a subprocess, as a trainer starts it."""

    def __init__(self, db: Path, *, case: str = "sjukskriven_utmattning", pool_size: int = 2, extra=()) -> None:
        self.case = case
        self.extra = list(extra)  # more options for serve (then case may be "" for none)
        self.pool_size = pool_size
        self.db = db
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.output = ""

    def start(self) -> None:
        from servers import start_serve

        args = ["--course", COURSE, "--trainer-code", TRAINER_CODE, "--db", str(self.db), "--port", str(self.port),
                "--pool-size", str(self.pool_size), "--max-per-address", "200", *self.extra]  # all pages from 127.0.0.1
        args += ["--case", self.case] if self.case else []
        self.proc, self.output = start_serve(args, timeout=90)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
            assert self.proc.wait(timeout=30) == 0
        self.proc = None

    def url(self, notebook: str, query: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/voila/render/{notebook}?kurs={COURSE}{query}"


def launch_args() -> dict:
    return {"executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS, "headless": True}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


