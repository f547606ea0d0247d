"""The serving layer's parts without a server: the start gate, the page list, the config, the log, the login."""

from __future__ import annotations

import asyncio
import os
import stat

import pytest

from sipkurs.errors import UserError
from sipkurs.serving import handlers
from sipkurs.serving.config import Limits, ServeConfig, default_max_kernels
from sipkurs.serving.draftguard import saved_hash, saved_marker, scope_marker
from sipkurs.serving.kernels import PAGE, POOL, StartGate
from sipkurs.serving.logfile import open_private, private_dir
from sipkurs.serving.pages import PAGES, served_folder


def run(coro):
    return asyncio.run(coro)


async def _grant_order(gate: StartGate, priorities: list[int]) -> list[int]:
    """Queue tickets of the given priorities behind a full one-slot gate, then open it: the order they start in."""
    order: list[int] = []
    holder = gate.ticket(PAGE)
    await gate.acquire(holder)

    async def start(i, ticket):
        await gate.acquire(ticket)
        order.append(i)
        gate.release(ticket)

    tickets = [gate.ticket(p) for p in priorities]
    tasks = [asyncio.ensure_future(start(i, t)) for i, t in enumerate(tickets)]
    await asyncio.sleep(0.01)
    gate.release(holder)
    await asyncio.wait_for(asyncio.gather(*tasks), 2)
    return order


def test_pages_start_before_pool_refills_and_in_arrival_order():
    gate = StartGate(1, lambda: True, quiet=0)
    assert run(_grant_order(gate, [POOL, PAGE, POOL, PAGE, PAGE])) == [1, 3, 4, 0, 2]


def test_a_pool_refill_never_takes_the_last_slot_nor_starts_without_room():
    async def scenario():
        room = {"ok": True}
        gate = StartGate(2, lambda: room["ok"], quiet=0)
        first, second = gate.ticket(POOL), gate.ticket(POOL)
        await gate.acquire(first)
        waiting = asyncio.ensure_future(gate.acquire(second))
        await asyncio.sleep(0.05)
        assert not waiting.done()  # one slot stays free for a page
        page = gate.ticket(PAGE)
        await asyncio.wait_for(gate.acquire(page), 1)
        gate.release(page)
        room["ok"] = False
        gate.release(first)
        await asyncio.sleep(0.05)
        assert not waiting.done()  # no room: the refill waits for a kernel to go
        room["ok"] = True
        gate.poke()
        await asyncio.wait_for(waiting, 1)

    run(scenario())


def test_pool_refills_wait_for_a_calm_moment_after_page_starts():
    async def scenario():
        gate = StartGate(3, lambda: True, quiet=0.3)
        page = gate.ticket(PAGE)
        await gate.acquire(page)
        gate.release(page)
        refill = gate.ticket(POOL)
        loop = asyncio.get_running_loop()
        start = loop.time()
        await asyncio.wait_for(gate.acquire(refill), 2)
        assert loop.time() - start >= 0.25

    run(scenario())


def test_a_timed_out_wait_leaves_the_queue():
    async def scenario():
        gate = StartGate(1, lambda: True, quiet=0)
        holder = gate.ticket(PAGE)
        await gate.acquire(holder)
        late = gate.ticket(PAGE)
        with pytest.raises(TimeoutError):
            await gate.acquire(late, 0.05)
        assert gate.waiting == [] and gate.busy == 1

    run(scenario())


def test_the_page_list_is_the_served_folder_with_the_join_page_first():
    assert PAGES[0].notebook == "sip_utkast.ipynb" and not PAGES[0].trainer
    assert [p.notebook for p in PAGES if p.trainer] == ["sip_larare.ipynb"]
    for page in PAGES:
        assert (served_folder() / page.notebook).is_file() and page.title
    assert next(p for p in PAGES if p.trainer).pool == 0  # no preheated kernel waits for an anonymous visitor


def test_the_config_round_trips_and_defaults_fit_the_machine(tmp_path):
    config = ServeConfig(port=9999, pool_size=3, limits=Limits(max_kernels=7, max_per_address=2), proxy=True)
    config.dump(tmp_path / "c.json")
    assert ServeConfig.load(tmp_path / "c.json") == config
    assert 8 <= default_max_kernels() <= 100
    assert Limits().start_concurrency == max(1, os.cpu_count() or 2)
    assert config.pool_of(PAGES[0]) == 3 and config.pool_of(PAGES[1]) == 0


def test_markers_and_scope_are_escaped_and_checked():
    assert saved_marker("sip-k-a", "å") == f'<span data-sip-saved="sip-k-a" data-sip-hash="{saved_hash("å")}" hidden></span>'
    assert 'data-sip-scope="&lt;x&gt;&quot;"' in scope_marker('<x>"')
    with pytest.raises(ValueError):
        saved_marker("falt", "x")


def test_the_log_directory_and_file_refuse_symlinks_and_others_permissions(tmp_path):
    real = tmp_path / "real"
    real.mkdir(mode=0o755)
    assert private_dir(real) == real and stat.S_IMODE(real.stat().st_mode) == 0o700
    (tmp_path / "link").symlink_to(real)
    with pytest.raises(UserError, match="ingen vanlig mapp"):
        private_dir(tmp_path / "link")
    (real / "x.log").symlink_to(tmp_path / "target")
    with pytest.raises(UserError, match="kunde inte öppna loggen"):
        open_private(real / "x.log")
    assert not (tmp_path / "target").exists()
    with open_private(real / "y.log") as fh:
        fh.write("a\n")
    with open_private(real / "y.log") as fh:
        fh.write("b\n")
    assert (real / "y.log").read_text() == "a\nb\n" and stat.S_IMODE((real / "y.log").stat().st_mode) == 0o600


def test_static_paths_never_leave_their_folder(tmp_path):
    (tmp_path / "pub").mkdir()
    (tmp_path / "pub" / "a.js").write_text("x")
    (tmp_path / "secret.txt").write_text("s")
    roots = [str(tmp_path / "pub")]
    assert handlers.resolve(roots, "a.js") == str(tmp_path / "pub" / "a.js")
    for bad in ("../secret.txt", "/etc/passwd", "", "a.js\x00", "sub/../../secret.txt"):
        assert handlers.resolve(roots, bad) is None
    (tmp_path / "pub" / "link.txt").symlink_to(tmp_path / "secret.txt")
    assert handlers.resolve(roots, "link.txt") is None


def test_login_throttle_and_sessions(monkeypatch):
    clock = {"t": 1000.0}
    monkeypatch.setattr(handlers.time, "monotonic", lambda: clock["t"])
    throttle = handlers.LoginThrottle(limit=3, window=60)
    for _ in range(3):
        assert throttle.wait("10.0.0.1") == 0
        throttle.failed("10.0.0.1")
    assert 0 < throttle.wait("10.0.0.1") <= 61 and throttle.wait("10.0.0.2") == 0
    clock["t"] += 61
    assert throttle.wait("10.0.0.1") == 0
    sessions = handlers.TrainerSessions(hours=1)
    token = sessions.create("KURS", "KOD")
    assert sessions.get(token) == ("KURS", "KOD") and sessions.get("fel") is None and sessions.get(None) is None
    clock["t"] += 3601
    assert sessions.get(token) is None
