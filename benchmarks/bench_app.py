"""The course page's speed: `sipkurs serve` against bare Voila, measured in the same run.

Anchor: ``benchmarks/bare.ipynb`` (four plain widgets) served by plain Voila (``voila bare.ipynb --preheat_kernel``),
as Voila serves it without our serving layer: no compression, no long cache lifetimes, every front-end extension.

Parts (``--parts``, all by default):
- ``page``: a preheated page in a real headless Chromium until its first field is visible and enabled: on a warm
  cache (the browser has loaded the page before) and on a cold cache (a fresh browser profile), with the bytes
  transferred. Target (issue 14): warm ≤ 1.0 s.
- ``burst``: 40 participants arriving within 30 s (issue 10), each with its own loopback address, opening the page as
  a browser does (page, kernel websocket, widget state: sipkurs.serving.probe) and following waiting pages; once
  right after the server started (empty pool) and once with the pool filled. Reported: how many got working widgets,
  time until usable (p50/p95/max), server CPU, and memory per participant (PSS of the kernels and a share of the
  server). Target: all 40 usable.

A script, not a test: ``python benchmarks/bench_app.py`` (several minutes on two cores).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sipkurs.serving.probe import free_port, open_page, wait_port  # noqa: E402

BARE = ROOT / "benchmarks" / "bare.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
COURSE = "BENCH"
MIB = 1024 * 1024


class Server:
    """The app (`sipkurs serve`) or the anchor (plain Voila on bare.ipynb), with a pool of ``pool``."""

    def __init__(self, kind: str, pool: int, tmp: Path) -> None:
        self.kind, self.pool, self.port = kind, pool, free_port()
        env = {**os.environ, "SIPKURS_LOG_DIR": str(tmp / "logs")}
        if kind == "app":
            cmd = [str(Path(sys.executable).with_name("sipkurs")), "serve", "--course", COURSE, "--trainer-code",
                   "BENCH-KOD-12", "--db", str(tmp / "bench.db"), "--port", str(self.port), "--pool-size", str(pool)]
            self.url = f"http://127.0.0.1:{self.port}/?kurs={COURSE}"
            self.label, self.expect = "Ditt namn", "Ditt namn"
        else:
            cmd = [sys.executable, "-m", "voila", str(BARE), "--no-browser", "--Voila.ip=127.0.0.1",
                   f"--port={self.port}", "--VoilaExporter.language_code=sv", "--KernelManager.transport=ipc",
                   "--Voila.log_level=ERROR", "--preheat_kernel=True", f"--pool_size={pool}"]
            self.url = f"http://127.0.0.1:{self.port}/"
            self.label, self.expect = "Namn", "Namn"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                     start_new_session=True)
        if not wait_port(self.port, lambda: self.proc.poll() is None, 120):
            raise RuntimeError(f"{kind} did not start")

    def processes(self) -> list[psutil.Process]:
        root = psutil.Process(self.proc.pid)
        return [root, *root.children(recursive=True)]

    def kernels(self) -> list[psutil.Process]:
        found = []
        for p in self.processes():
            try:
                if "/kernel-" in " ".join(p.cmdline()):  # a kernel: its connection file is kernel-<id>.json
                    found.append(p)
            except psutil.NoSuchProcess:
                pass
        return found

    def server_process(self) -> psutil.Process:
        procs = self.processes()
        return next((p for p in procs if "sipkurs.serving" in " ".join(p.cmdline()) or " voila " in f" {' '.join(p.cmdline())} "), procs[0])

    def cpu_seconds(self) -> float:
        total = 0.0
        for p in self.processes():
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def busy(self, interval: float = 0.5) -> float:
        before = self.cpu_seconds()
        time.sleep(interval)
        return 100 * (self.cpu_seconds() - before) / interval

    def settle(self, kernels: int = 0, timeout: float = 300) -> None:
        """Wait until ``kernels`` kernels exist (the pool is full) and the server is quiet."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.kernels()) < kernels:
            time.sleep(0.5)
        while time.monotonic() < deadline and self.busy() > 10:
            pass

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, 9)
            self.proc.wait()


async def usable_in_browser(context, server: Server) -> tuple[float, int]:
    """(seconds until the first field is visible and enabled, bytes received) for one page view."""
    page = await context.new_page()
    sizes: list = []
    page.on("requestfinished", lambda request: sizes.append(request))
    start = time.perf_counter()
    await page.goto(server.url, wait_until="commit", timeout=180_000)
    field = page.get_by_label(server.label, exact=True)
    await field.wait_for(state="visible", timeout=180_000)
    while not await field.is_enabled():
        await asyncio.sleep(0.02)
    elapsed = time.perf_counter() - start
    await asyncio.sleep(0.5)
    received = 0
    for request in sizes:
        try:
            received += max(0, (await request.sizes())["responseBodySize"])
        except Exception:  # noqa: BLE001 - a request the page cancelled
            pass
    await page.close()
    return elapsed, received


async def page_speed(args, tmp: Path, results: dict) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        for kind in ("bare", "app"):
            server = Server(kind, 4, tmp)
            try:
                server.settle(4)
                cold, cold_bytes = [], []
                for _ in range(args.runs):
                    context = await browser.new_context()  # an empty cache
                    seconds, received = await usable_in_browser(context, server)
                    await context.close()
                    cold.append(seconds)
                    cold_bytes.append(received)
                    server.settle(4)
                context = await browser.new_context()
                await usable_in_browser(context, server)  # fills the cache; not counted
                server.settle(4)
                warm, warm_bytes = [], []
                for _ in range(args.runs):
                    seconds, received = await usable_in_browser(context, server)
                    warm.append(seconds)
                    warm_bytes.append(received)
                    server.settle(4)
                await context.close()
            finally:
                server.stop()
            results[kind] = {"warm": statistics.median(warm), "cold": statistics.median(cold),
                             "warm MB": statistics.median(warm_bytes) / 1e6, "cold MB": statistics.median(cold_bytes) / 1e6}
            print(f"  {kind}: varm {[round(x, 2) for x in warm]} s, kall {[round(x, 2) for x in cold]} s", flush=True)
        await browser.close()


async def arrivals(server: Server, n: int, spread: float, patience: float) -> list:
    async def one(i: int):
        await asyncio.sleep(spread * i / max(1, n - 1))
        return await open_page(server.url, source=f"127.0.0.{i + 2}", timeout=patience)

    return await asyncio.gather(*(one(i) for i in range(n)))


def burst(args, tmp: Path, results: dict) -> None:
    for kind in ("bare", "app"):
        for filled in (False, True):
            server = Server(kind, args.pool, tmp)
            try:
                if filled:
                    server.settle(args.pool)
                before = server.cpu_seconds()
                started = time.perf_counter()
                pages = asyncio.run(arrivals(server, args.arrivals, args.spread, args.patience))
                wall = time.perf_counter() - started
                cpu = server.cpu_seconds() - before
                ok = sorted(p.usable_seconds for p in pages if p.usable and server.expect in p.descriptions)
                entry = {"usable": len(ok), "blank": sum(p.status == 200 and not p.usable for p in pages),
                         "waited": sum(p.waits > 0 for p in pages), "cpu": cpu, "wall": wall}
                if ok:
                    entry.update(p50=statistics.median(ok), p95=ok[int(0.95 * (len(ok) - 1))], max=ok[-1])
                if kind == "app" and filled:
                    time.sleep(2)
                    pss = [k.memory_full_info().pss for k in server.kernels()]
                    entry["MiB PSS per kernel"] = statistics.median(pss) / MIB
                    entry["MiB server"] = server.server_process().memory_full_info().pss / MIB
                    entry["kernels"] = len(pss)
                results[(kind, filled)] = entry
                print(f"  {kind}, pool {'fylld' if filled else 'tom'}: {entry}", flush=True)
            finally:
                server.stop()


def report(args, results: dict) -> None:
    print(f"\nsipkurs serve mot ankaret ren Voila ({BARE.name}), samma körning, {os.cpu_count()} kärnor, "
          f"belastning {os.getloadavg()[0]:.1f}")
    if "app" in results:
        a, b = results["app"], results["bare"]
        print(f"{'förvärmd sida i Chromium':34} {'app':>8} {'ankare':>8} {'kvot':>6}")
        for what in ("warm", "cold"):
            label = "varm cache" if what == "warm" else "kall cache"
            print(f"{'  ' + label:34} {a[what]:7.2f}s {b[what]:7.2f}s {a[what] / b[what]:6.2f}")
        print(f"{'  överfört, kall cache':34} {a['cold MB']:6.2f}MB {b['cold MB']:6.2f}MB {a['cold MB'] / b['cold MB']:6.2f}")
        print(f"{'  överfört, varm cache':34} {a['warm MB']:6.2f}MB {b['warm MB']:6.2f}MB")
        print("  mål: varm cache ≤ 1,0 s")
    for filled in (False, True):
        if ("app", filled) not in results:
            continue
        print(f"{args.arrivals} ankomster inom {args.spread:.0f} s, pool {args.pool} "
              f"{'fylld' if filled else 'tom (servern nystartad)'}:")
        for kind in ("app", "bare"):
            e = results[(kind, filled)]
            times = f"p50 {e['p50']:.1f} s, p95 {e['p95']:.1f} s, max {e['max']:.1f} s" if e["usable"] else "–"
            print(f"  {kind:5} {e['usable']}/{args.arrivals} användbara ({times}); {e['blank']} tomma sidor; "
                  f"{e['waited']} väntade på vänta-sidan; server-CPU {e['cpu']:.0f} s")
    if ("app", True) in results:
        e = results[("app", True)]
        per = e["MiB PSS per kernel"] + e["MiB server"] / args.arrivals
        print(f"minne efter ankomsterna (alla på anslutningssidan, pool påfylld): {e['MiB PSS per kernel']:.0f} MiB PSS "
              f"per kärna (median av {e['kernels']}), server {e['MiB server']:.0f} MiB; ≈ {per:.0f} MiB per deltagare")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="sidvisningar per mätning (median)")
    parser.add_argument("--arrivals", type=int, default=40)
    parser.add_argument("--spread", type=float, default=30.0, help="sekunder som ankomsterna sprids över")
    parser.add_argument("--pool", type=int, default=10, help="pool för ankomsterna (sipkurs serve: standard 10)")
    parser.add_argument("--patience", type=float, default=240.0, help="sekunder en deltagare väntar som längst")
    parser.add_argument("--parts", default="page,burst", help="page, burst")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"bench_app: {CHROMIUM} saknas (apt-get install -y chromium)")
    tmp = Path(tempfile.mkdtemp(prefix="bench-app-"))
    results: dict = {}
    try:
        if "page" in args.parts:
            asyncio.run(page_speed(args, tmp, results))
        if "burst" in args.parts:
            burst(args, tmp, results)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(args, results)


if __name__ == "__main__":
    main()
