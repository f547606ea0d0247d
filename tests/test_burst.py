"""A class arriving at once: 40 page loads within 30 s against `sipkurs serve` with its default settings.

Each participant has its own address (127.0.0.2 … 127.0.0.41, all loopback) and opens the page as a browser does:
the page, its kernel's websocket, the widget state (sipkurs.serving.probe). A waiting page is followed as its
script follows it. Every participant must end with working widgets (the join page's "Ditt namn" field), no page may
be blank, and no kernel may be left behind by a wait. Figures are printed (run with -s to see them).
"""

from __future__ import annotations

import asyncio
import statistics

import pytest

from sipkurs.serving.config import DEFAULT_POOL, default_max_kernels
from sipkurs.serving.probe import open_page
from servers import CourseServer

pytestmark = pytest.mark.slow

ARRIVALS = 40
SPREAD = 30.0  # seconds over which they arrive
PATIENCE = 240.0  # seconds a participant's page may take on this shared 2-core machine (the figures say how long)


def test_forty_arrivals_within_thirty_seconds_all_get_working_widgets(tmp_path):
    if default_max_kernels() < ARRIVALS + DEFAULT_POOL:
        pytest.skip(f"this machine's memory holds {default_max_kernels()} kernels, not a class of {ARRIVALS}")
    server = CourseServer(tmp_path / "kurs.db", "--course", "KLASS40", "--trainer-code", "LARAR-KOD42",
                          env={"SIPKURS_LOG_DIR": str(tmp_path / "logs")})
    try:
        url = f"{server.base}/?kurs=KLASS40"

        async def participant(i: int):
            await asyncio.sleep(SPREAD * i / (ARRIVALS - 1))
            return await open_page(url, source=f"127.0.0.{i + 2}", timeout=PATIENCE)

        async def arrive():
            return await asyncio.gather(*(participant(i) for i in range(ARRIVALS)))

        results = asyncio.run(arrive())
        usable = [r for r in results if r.usable and "Ditt namn" in r.descriptions]
        times = sorted(r.usable_seconds for r in usable)
        if times:
            print(f"\n{len(usable)}/{ARRIVALS} usable; p50 {statistics.median(times):.1f} s, "
                  f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} s, max {times[-1]:.1f} s; "
                  f"{sum(r.waits > 0 for r in results)} waited on the waiting page")
        assert len(usable) == ARRIVALS, [(r.source, r.status, r.error) for r in results if r not in usable]
        assert len({r.kernel_id for r in usable}) == ARRIVALS  # a kernel each
        kernels = server.wait_kernels(lambda n: n <= ARRIVALS + DEFAULT_POOL, timeout=30)
        assert ARRIVALS <= kernels <= ARRIVALS + DEFAULT_POOL  # the pool refills; nothing else is left behind
    finally:
        server.stop()
    log = (tmp_path / "logs" / f"serve-{server.port}.log").read_text(encoding="utf-8")
    assert "failed" not in log and "Traceback" not in log.split("sipkurs serve avslutad")[0]
