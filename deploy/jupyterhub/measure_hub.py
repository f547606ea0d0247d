"""The participant app inside JupyterHub against standalone `sipkurs serve`: same run, same machine, same Chromium.

The measurement behind docs/drift.md's conclusion that the app stays outside the hub. JupyterHub is not a
dependency of sipkurs; install it apart (PyPI and npm):

    python3 -m venv /tmp/hub/venv && /tmp/hub/venv/bin/pip install jupyterhub==6.1.1 -e .
    (cd /tmp/hub && npm install configurable-http-proxy@5)
    PATH=/tmp/hub/node_modules/.bin:$PATH /tmp/hub/venv/bin/python deploy/jupyterhub/measure_hub.py

For N participants each way (default 3), one after the other: seconds from "log in" (hub) or "open the link"
(standalone) until the join form is usable in Chromium, memory per participant (PSS of the server's process tree
after they joined, less the idle server, divided by N), and whether a participant reaches JupyterLab (code
execution) from their page. Everything listens on 127.0.0.1 only; the hub's users are local test users.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[2]
APP_DIR = REPO / "courses" / "voila"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"]
COURSE = "HUBBKURS"
TRAINER_CODE = "HUBB-LARARE-1"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pss_mib(pid: int) -> float:
    """PSS of a process and all its descendants, in MiB."""
    root = psutil.Process(pid)
    total = 0
    for proc in [root, *root.children(recursive=True)]:
        try:
            total += proc.memory_full_info().pss
        except psutil.Error:
            pass
    return total / 2**20


def wait_port(port: int, timeout: float = 60) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"nothing listens on port {port}")


def join(page) -> None:
    page.get_by_label("Kurskod").fill(COURSE)
    page.get_by_label("Ditt namn").fill("Mätdeltagare")
    page.get_by_role("button", name="Börja eller fortsätt").click()
    page.get_by_role("heading", name="Fallet").wait_for()


def arrivals(browser, n: int, server_pid: int, open_page, lab_url: str) -> dict:
    """n participants one after the other; ``open_page(page, i)`` gets to the app and returns when the clock started."""
    idle = pss_mib(server_pid)
    times, contexts = [], []
    for i in range(n):
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        start = open_page(page, i)
        page.get_by_label("Ditt namn").wait_for(timeout=180_000)
        times.append(time.perf_counter() - start)
        join(page)
    time.sleep(3)
    used = pss_mib(server_pid)
    lab = contexts[0].new_page().goto(lab_url).status
    for context in contexts:
        context.close()
    return {"times": times, "per_user": (used - idle) / n, "lab": lab}


def standalone(browser, db: str, n: int) -> dict:
    port = free_port()
    sipkurs = Path(sys.executable).with_name("sipkurs")
    proc = subprocess.Popen(
        [str(sipkurs), "serve", "--course", COURSE, "--trainer-code", TRAINER_CODE, "--db", db,
         "--port", str(port), "--pool-size", "0", "--case", "sjukskriven_utmattning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        wait_port(port)
        time.sleep(2)

        def open_page(page, _i: int) -> float:
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/voila/render/sip_utkast.ipynb")
            return start

        return arrivals(browser, n, proc.pid, open_page, f"http://127.0.0.1:{port}/lab")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)


def hub(browser, db: str, n: int, tmp: Path) -> dict:
    port, hub_port, api_port = free_port(), free_port(), free_port()
    chp = shutil.which("configurable-http-proxy")
    if chp is None:
        raise SystemExit("configurable-http-proxy is not on PATH (npm install configurable-http-proxy)")
    config = tmp / "jupyterhub_config.py"
    config.write_text(
        f"""
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.db_url = "sqlite:///{tmp / 'hub.sqlite'}"
c.JupyterHub.cookie_secret_file = "{tmp / 'cookie_secret'}"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "kurs-losen"
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.Spawner.cmd = [{str(Path(sys.executable).with_name('jupyterhub-singleuser'))!r}]
c.Spawner.args = ["--allow-root", "--ServerApp.root_dir={APP_DIR}"]
c.Spawner.default_url = "/voila/render/sip_utkast.ipynb"
c.Spawner.environment = {{"SIPKURS_DB": {db!r}}}
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 120
""",
        encoding="utf-8",
    )
    log = (tmp / "hub.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(config)], cwd=tmp,
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_port(port)
        time.sleep(3)

        def log_in(page, i: int) -> float:
            page.goto(f"http://127.0.0.1:{port}/hub/login")
            page.locator("#username_input").fill(f"deltagare{i}")
            page.locator("#password_input").fill("kurs-losen")
            start = time.perf_counter()
            page.locator("#login_submit").click()
            return start

        return arrivals(browser, n, proc.pid, log_in, f"http://127.0.0.1:{port}/user/deltagare0/lab")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the hub stops its proxy and the users' servers
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def main() -> None:
    from playwright.sync_api import sync_playwright

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    with tempfile.TemporaryDirectory(prefix="sipkurs-hub-") as name, sync_playwright() as p:
        tmp = Path(name)
        db = f"sqlite:///{tmp / 'kurs.db'}"
        from sipkurs.store import Store

        store = Store(db)
        store.create_course(COURSE, case_id="sjukskriven_utmattning", trainer_code=TRAINER_CODE)
        store.close()
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        results = {"fristående sipkurs serve": standalone(browser, db, n), "JupyterHub": hub(browser, db, n, tmp)}
        browser.close()
    anchor = results["fristående sipkurs serve"]
    print(f"{n} deltagare var, en i taget, kalla kärnor (ingen förvärmning) – {time.strftime('%Y-%m-%d')}")
    for label, r in results.items():
        print(
            f"{label:26} tid till användbar sida: median {statistics.median(r['times']):.1f} s, "
            f"max {max(r['times']):.1f} s (× {statistics.median(r['times']) / statistics.median(anchor['times']):.1f}); "
            f"minne per deltagare {r['per_user']:.0f} MiB PSS (× {r['per_user'] / anchor['per_user']:.1f}); "
            f"/lab: HTTP {r['lab']}"
        )


if __name__ == "__main__":
    main()
