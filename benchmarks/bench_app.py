"""Time to usable widgets in a real Chromium: the SIP app (`sipkurs serve`) against a bare Voila notebook.

Anchor: ``benchmarks/bare.ipynb`` (four plain widgets) served by Voila with the same flags, measured in the same run.
Measured: cold page (no pool), preheated page (pool), the page's HTML alone over HTTP (server side), 20 pages opened
at once (over HTTP: each participant's browser runs on their own machine), and memory per participant (RSS of a
kernel after joining, plus a share of the Voila server).
Targets (issue 5): cold ≤ 1.25 × bare; preheated median ≤ 0.3 s; 20 at once all usable within 10 s;
≤ 100 MiB per participant. A script, not a test: `python benchmarks/bench_app.py`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BARE = ROOT / "benchmarks" / "bare.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
COURSE = "BENCH"
MIB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"port {port} never opened")


class Server:
    def __init__(self, kind: str, pool: int, db: Path) -> None:
        self.kind, self.pool, self.port = kind, pool, free_port()
        if kind == "app":
            exe = Path(sys.executable).with_name("sipkurs")
            cmd = [str(exe), "serve", "--course", COURSE, "--trainer-code", "BENCH", "--db", str(db),
                   "--port", str(self.port), "--pool-size", str(pool), "--cull-idle", "600"]
            self.url = f"http://127.0.0.1:{self.port}/voila/render/sip_utkast.ipynb?kurs={COURSE}"
            self.label = "Ditt namn"
        else:
            cmd = [sys.executable, "-m", "voila", str(BARE), "--no-browser", "--Voila.ip=127.0.0.1",
                   f"--port={self.port}", "--VoilaExporter.language_code=sv", "--KernelManager.transport=ipc",
                   "--Voila.log_level=WARN"]
            if pool:
                cmd += ["--preheat_kernel=True", f"--pool_size={pool}", "--VoilaKernelManager.fill_delay=2"]
            self.url = f"http://127.0.0.1:{self.port}/"
            self.label = "Namn"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_port(self.port)
        self.settle(pool)

    def kernels(self) -> list[psutil.Process]:
        return [p for p in psutil.Process(self.proc.pid).children(recursive=True) if "ipykernel" in " ".join(p.cmdline())]

    def voila(self) -> psutil.Process:
        root = psutil.Process(self.proc.pid)
        return next((p for p in [root, *root.children()] if "voila" in " ".join(p.cmdline())), root)

    def busy(self, interval: float = 0.5) -> float:
        """CPU percent of this server and its kernels (other work on the machine does not count)."""
        procs = [psutil.Process(self.proc.pid), *psutil.Process(self.proc.pid).children(recursive=True)]
        for p in procs:
            try:
                p.cpu_percent(None)
            except psutil.NoSuchProcess:
                pass
        time.sleep(interval)
        total = 0.0
        for p in procs:
            try:
                total += p.cpu_percent(None)
            except psutil.NoSuchProcess:
                pass
        return total

    def settle(self, kernels: int = 0, timeout: float = 180) -> None:
        """Wait until at least `kernels` kernels exist and the server is quiet again (pool filled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.kernels()) < kernels:
            time.sleep(0.5)
        while time.monotonic() < deadline and self.busy() > 10:
            pass

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def usable(context, server: Server, join: bool = False) -> float:
    """Seconds from navigation until the first input is visible and enabled (then, optionally, join the course)."""
    page = await context.new_page()
    start = time.perf_counter()
    await page.goto(server.url, wait_until="commit", timeout=180_000)
    field = page.get_by_label(server.label, exact=True)
    await field.wait_for(state="visible", timeout=120_000)
    while not await field.is_enabled():
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - start
    if join:
        await field.fill("Deltagare")
        await page.get_by_role("button", name="Börja eller fortsätt").click()
        await page.get_by_role("heading", name="Fallet").wait_for(timeout=120_000)
    else:
        await page.close()
    return elapsed


def html_time(server: Server) -> float:
    start = time.perf_counter()
    with urllib.request.urlopen(server.url, timeout=120) as response:
        response.read()
    return time.perf_counter() - start


async def run(args) -> None:
    from playwright.async_api import async_playwright

    tmp = Path(tempfile.mkdtemp(prefix="bench-app-"))
    db = tmp / "bench.db"
    results: dict[str, float] = {}
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        context = await browser.new_context()

        async def series(kind: str, pool: int, n: int) -> tuple[list[float], list[float]]:
            server = Server(kind, pool, db)
            try:
                await usable(context, server)  # warm the browser cache and OS caches; not counted
                server.settle(pool)
                browser_times, http_times = [], []
                for _ in range(n):
                    browser_times.append(await usable(context, server))
                    server.settle(pool)
                    http_times.append(html_time(server))
                    server.settle(pool)
                return browser_times, http_times
            finally:
                server.stop()

        for kind in ("bare", "app") if "single" in args.parts else ():
            cold_b, cold_h = await series(kind, 0, args.runs)
            hot_b, hot_h = await series(kind, 4, args.runs)
            results[f"{kind} kall webbläsare"] = statistics.median(cold_b)
            results[f"{kind} kall HTML"] = statistics.median(cold_h)
            results[f"{kind} förvärmd webbläsare"] = statistics.median(hot_b)
            results[f"{kind} förvärmd HTML"] = statistics.median(hot_h)
            print(f"  {kind}: kall {cold_b} / HTML {cold_h}; förvärmd {hot_b} / HTML {hot_h}", flush=True)

        crowd = {}
        for kind in ("bare", "app") if "crowd" in args.parts else ():
            server = Server(kind, args.crowd, db)
            try:
                # The participants' browsers run on their own machines: what the server must do for 20 arrivals at
                # once is to deliver 20 pages with their widget state, so that is timed over HTTP, all at once.
                start = time.perf_counter()
                with ThreadPoolExecutor(args.crowd) as pool:
                    times = list(pool.map(lambda _i: html_time(server), range(args.crowd)))
                crowd[kind] = (max(times), time.perf_counter() - start)
                print(f"  {args.crowd} samtidigt, {kind}: alla sidor levererade efter {max(times):.2f} s", flush=True)
                if kind == "app":
                    server.settle(args.crowd)
                    page_rss = [k.memory_info().rss for k in server.kernels()]
                    await usable(context, server, join=True)  # one participant joins: the form and the case
                    await asyncio.sleep(2)
                    mem = [k.memory_full_info() for k in server.kernels()]
                    joined = max(mem, key=lambda m: m.rss)
                    results["kärnor totalt"] = len(mem)
                    results["MiB per kärna, anslutningssidan (median)"] = statistics.median(page_rss) / MIB
                    results["MiB per deltagarkärna efter anslutning"] = joined.rss / MIB
                    # RSS counts the shared libraries again in every kernel; PSS divides shared pages among them
                    results["MiB PSS per deltagarkärna"] = joined.pss / MIB
                    results["MiB Voila-servern"] = server.voila().memory_info().rss / MIB
            finally:
                server.stop()
        await browser.close()

    print(f"Voila-appen mot ankaret {BARE.name} (samma körning, {os.cpu_count()} kärnor, Chromium headless)")
    print(f"{'mätning':34} {'app':>8} {'ankare':>8} {'kvot':>6}")
    for what in ("kall webbläsare", "kall HTML", "förvärmd webbläsare", "förvärmd HTML") if results.get("app kall HTML") else ():
        a, b = results[f"app {what}"], results[f"bare {what}"]
        print(f"{'tid till användbar, ' + what:34} {a:7.2f}s {b:7.2f}s {a / b:6.2f}")
    if not crowd:
        return
    print(f"{args.crowd} sidor samtidigt (HTTP, förvärmd pool {args.crowd}), alla levererade: app {crowd['app'][0]:.2f} s, "
          f"ankare {crowd['bare'][0]:.2f} s (kvot {crowd['app'][0] / crowd['bare'][0]:.2f})")
    per = results["MiB PSS per deltagarkärna"] + results["MiB Voila-servern"] / args.crowd
    print(f"minne: kärna med anslutningssidan {results['MiB per kärna, anslutningssidan (median)']:.0f} MiB, efter "
          f"anslutning {results['MiB per deltagarkärna efter anslutning']:.0f} MiB RSS / "
          f"{results['MiB PSS per deltagarkärna']:.0f} MiB PSS; Voila-servern "
          f"{results['MiB Voila-servern']:.0f} MiB; ≈ {per:.0f} MiB per deltagare (PSS + andel av servern) vid {args.crowd} deltagare "
          f"({int(results['kärnor totalt'])} kärnor inkl. förvärmd pool)")
    print("mål: kall ≤ 1,25 × ankaret; förvärmd median ≤ 0,3 s; 20 samtidigt ≤ 10 s; ≤ 100 MiB per deltagare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3, help="sidor per serie (median)")
    parser.add_argument("--crowd", type=int, default=20, help="sidor samtidigt")
    parser.add_argument("--parts", default="single,crowd", help="vilka delar: single, crowd")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench_app: {CHROMIUM} saknas (apt-get install -y chromium)")
    asyncio.run(run(args))


if __name__ == "__main__":
    main()
