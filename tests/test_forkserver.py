"""Page kernels forked from the fork server (sipkurs/serving/forkserver.py): they answer where and with what they were
given, a killed one is noticed and reaped, a dead fork server is replaced, a failing one is bypassed, and nothing is
left when the server stops."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from jupyter_client.manager import AsyncKernelManager

from sipkurs.serving import forkserver
from sipkurs.serving.config import Limits, ServeConfig
from sipkurs.serving.kernels import PageKernelSpecManager
from sipkurs.serving.pages import Page
from sipkurs.serving.probe import open_page
from servers import TEST_PAGES, ServingProcess

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
def fork_server(monkeypatch):
    server = forkserver.ForkServer()
    monkeypatch.setattr(forkserver, "FORK_SERVER", server)
    yield server
    server.stop()


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """Whether ``pid`` has ended and been reaped (no zombie left) within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            psutil.Process(pid)
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


_numbers = itertools.count()


async def _started(tmp_path, env: dict | None = None, cwd=None) -> AsyncKernelManager:
    sockets = tmp_path / f"k{next(_numbers)}"  # each kernel's IPC sockets apart: ports are picked by free names
    manager = AsyncKernelManager(kernel_spec_manager=PageKernelSpecManager(), kernel_name="python3",
                                 transport="ipc", ip=str(sockets))
    await manager.start_kernel(env={**os.environ, **(env or {})}, cwd=str(cwd or tmp_path))
    return manager


async def _run(manager: AsyncKernelManager, code: str) -> str:
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=30)
        reply = await client.execute_interactive(code, timeout=30, store_history=False,
                                                 output_hook=lambda msg: _out.append(msg))
        assert reply["content"]["status"] == "ok"
        return "".join(m["content"].get("text", "") for m in _out if m["msg_type"] == "stream")
    finally:
        _out.clear()
        client.stop_channels()


_out: list = []


async def _until_dead(manager: AsyncKernelManager, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not await manager.is_alive():
            return True
        await asyncio.sleep(0.1)
    return False


def test_a_forked_kernel_answers_in_its_folder_with_its_environment_and_is_reaped_when_killed(tmp_path, fork_server):
    folder = tmp_path / "sidor"
    folder.mkdir()

    async def scenario():
        first = await _started(tmp_path, {"VOILA_FORK_TEST": "åäö"}, folder)
        process = first.provisioner.process
        assert isinstance(process, forkserver.ForkedProcess)
        kernel = psutil.Process(process.pid)
        assert kernel.ppid() == fork_server.proc.pid
        # As a kernel started with its command: ps and psutil show that command and the kernel's environment.
        assert kernel.cmdline()[:5] == [sys.executable, "-m", "sipkurs.serving.kernel", "-f", first.connection_file]
        assert kernel.environ()["VOILA_FORK_TEST"] == "åäö"
        assert os.getpgid(process.pid) == process.pid  # a session of its own: signals go to its group only
        out = await _run(first, "import os, sys, random\n"
                                "print(os.getcwd(), os.environ['VOILA_FORK_TEST'], 'ipywidgets' in sys.modules, "
                                "'graders.language' in sys.modules, random.random())")
        cwd, value, widgets, preloaded, number = out.split()
        assert (cwd, value, widgets, preloaded) == (str(folder), "åäö", "False", "True")

        os.kill(process.pid, signal.SIGKILL)
        assert await _until_dead(first)
        assert first.provisioner.process is None or first.provisioner.process.returncode == -signal.SIGKILL
        assert _gone(process.pid), "the killed kernel was not reaped"
        await first.shutdown_kernel(now=True)

        server = fork_server.proc.pid
        second = await _started(tmp_path)  # the fork server goes on after reaping (a new request gets a freed number)
        assert isinstance(second.provisioner.process, forkserver.ForkedProcess) and fork_server.proc.pid == server
        other = await _run(second, "import random; print(random.random())")
        assert other.strip() != number  # each kernel draws its own random numbers
        pid = second.provisioner.pid
        await second.shutdown_kernel()
        assert _gone(pid)
        assert psutil.Process(fork_server.proc.pid).children() == []

    asyncio.run(scenario())
    server = fork_server.proc
    fork_server.stop()
    assert server.poll() is not None


def test_a_dead_fork_server_takes_its_kernels_along_and_is_started_again(tmp_path, fork_server):
    async def scenario():
        manager = await _started(tmp_path)
        kernel_pid, first_server = manager.provisioner.pid, fork_server.proc.pid
        os.kill(first_server, signal.SIGKILL)
        assert await _until_dead(manager)  # its parent is gone: the kernel ends (ipykernel's parent poller)
        assert _gone(kernel_pid)
        await manager.shutdown_kernel(now=True)
        again = await _started(tmp_path)
        assert isinstance(again.provisioner.process, forkserver.ForkedProcess)
        assert fork_server.proc.pid != first_server
        assert "ok" in await _run(again, "print('ok')")
        await again.shutdown_kernel(now=True)

    asyncio.run(scenario())


def test_kernels_start_normally_when_the_fork_server_cannot_serve(tmp_path, fork_server, caplog):
    fork_server.command = [sys.executable, "-c", "raise SystemExit(3)"]
    caplog.set_level(logging.WARNING, "sipkurs.serving")

    async def scenario():
        broken = await _started(tmp_path)
        assert isinstance(broken.provisioner.process, subprocess.Popen)
        assert "ok" in await _run(broken, "print('ok')")
        await broken.shutdown_kernel(now=True)
        assert "kernel started without the fork server: the fork server exited at start" in caplog.text

        fork_server.command = [sys.executable, "-m", "sipkurs.serving.forkserver"]
        fork_server.failed_at = float("-inf")
        # A variable read at import time that differs from the fork server's: this kernel starts on its own.
        own = await _started(tmp_path, {"SIPKURS_SCENARIOS": str(tmp_path)})
        assert isinstance(own.provisioner.process, subprocess.Popen)
        assert "its environment differs in SIPKURS_SCENARIOS" in caplog.text
        await own.shutdown_kernel(now=True)

    asyncio.run(scenario())


def test_forking_is_on_unless_the_operator_turns_it_off(monkeypatch):
    monkeypatch.delenv("SIPKURS_FORK_KERNELS", raising=False)
    assert ServeConfig().fork_kernels
    assert "kernel_provisioner" in PageKernelSpecManager().get_kernel_spec("python3").metadata
    assert "kernel_provisioner" not in PageKernelSpecManager(fork=False).get_kernel_spec("python3").metadata
    monkeypatch.setenv("SIPKURS_FORK_KERNELS", "0")
    assert not ServeConfig().fork_kernels
    assert "kernel_provisioner" not in PageKernelSpecManager().get_kernel_spec("python3").metadata


def test_a_served_page_runs_in_a_forked_kernel_and_nothing_remains_after_sigterm(tmp_path):
    config = ServeConfig(pool_size=0, folder=str(TEST_PAGES), pages=[Page("draftguard.ipynb", "Testsida", pool=0)],
                         limits=Limits())
    server = ServingProcess(config, tmp_path / "server", env={"SIPKURS_TEST_STORE": str(tmp_path / "store.json")})
    try:
        page = asyncio.run(open_page(server.base + "/", timeout=90))
        assert page.usable, server.log_text()
        kernel = server.kernel_process(page.kernel_id)
        parent = kernel.parent()
        assert "sipkurs.serving.forkserver" in " ".join(parent.cmdline())
        assert parent.ppid() == server.proc.pid
        everything = [server.proc.pid, *(p.pid for p in psutil.Process(server.proc.pid).children(recursive=True))]
    finally:
        server.stop()
    assert all(_gone(pid, 15) for pid in everything), server.log_text()
    assert "without the fork server" not in server.log_text()


def test_the_fork_server_serves_on_after_reaping_killed_kernels(tmp_path, fork_server):
    async def scenario():
        servers = set()
        for _ in range(3):  # each request arrives on a connection number a reaped kernel's connection had
            manager = await _started(tmp_path)
            assert isinstance(manager.provisioner.process, forkserver.ForkedProcess)
            servers.add(fork_server.proc.pid)
            os.kill(manager.provisioner.pid, signal.SIGKILL)
            assert await _until_dead(manager)
            await manager.shutdown_kernel(now=True)
        assert len(servers) == 1

    asyncio.run(scenario())
