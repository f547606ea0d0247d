"""What a page kernel loads: no debugger, and no Voila server side for waiting on the page request.

Both cost memory in every participant's kernel (~7.5 MiB and ~42 MiB, benchmarks/bench_memory.py). The kernel spec the
server uses and the preheat wait are checked here directly; test_serving.py checks a served page's kernel.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import uuid

import pytest

from sipkurs.serving.kernels import PAGE_KERNEL, PageKernelSpecManager
from sipkurs.serving.probe import free_port

# prints the loaded modules (not those blocked with None) of the packages ``names``
NOT_IMPORTED = ("import sys; print(json.dumps(sorted(m for m, v in sys.modules.items()"
                " if v is not None and m.split('.')[0] in {names!r})))")


def test_the_python_kernel_spec_runs_the_page_kernel_and_other_specs_stay_as_installed(tmp_path):
    spec = PageKernelSpecManager().get_kernel_spec("python3")
    assert spec.argv[1:3] == ["-m", PAGE_KERNEL] and "{connection_file}" in spec.argv
    other = tmp_path / "kernels" / "annan"
    other.mkdir(parents=True)
    argv = ["/opt/python", "-m", "annan_kernel", "-f", "{connection_file}"]
    (other / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "Annan", "language": "python"}))
    assert PageKernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]).get_kernel_spec("annan").argv == argv


@pytest.mark.slow
def test_a_page_kernel_runs_code_and_widgets_without_the_debugger():
    from jupyter_client import KernelManager

    manager = KernelManager(kernel_name="python3", kernel_spec_manager=PageKernelSpecManager())
    manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        out: list[str] = []
        code = ("import json, ipywidgets, ipykernel.debugger\n"
                "w = ipywidgets.Text(description='Ditt namn')\n"
                "print(json.dumps([w.description, ipykernel.debugger._is_debugpy_available]))\n"
                + NOT_IMPORTED.format(names={"debugpy", "_pydevd_bundle", "pydevd"}))
        reply = client.execute_interactive(
            code, timeout=60,
            output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
        assert reply["content"]["status"] == "ok"
        lines = "".join(out).splitlines()
        assert json.loads(lines[0]) == ["Ditt namn", False]
        assert json.loads(lines[1]) == []
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


class VoilaQuery:
    """Voila's own query handler (what the server runs), on loopback in a thread."""

    def __init__(self) -> None:
        from voila.request_info_handler import RequestInfoSocketHandler

        self.handler = RequestInfoSocketHandler
        self.port = free_port()
        self.loop = None
        ready = threading.Event()
        threading.Thread(target=lambda: asyncio.run(self._serve(ready)), daemon=True).start()
        assert ready.wait(10)

    async def _serve(self, ready: threading.Event) -> None:
        from tornado.web import Application

        self.loop = asyncio.get_running_loop()
        self.stopped = asyncio.Event()
        server = Application([(r"/voila/query/(.*)", self.handler)]).listen(self.port, "127.0.0.1")
        ready.set()
        await self.stopped.wait()
        server.stop()

    def send(self, kernel_id: str, info: dict) -> None:
        """What Voila's page handler does when a page takes the kernel (the payload is the request's variables)."""
        done = threading.Event()

        def send() -> None:
            self.handler.send_updates({"kernel_id": kernel_id, "payload": info})
            done.set()

        self.loop.call_soon_threadsafe(send)
        assert done.wait(10)

    def waiting(self, kernel_id: str) -> bool:
        return kernel_id in self.handler._waiters

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.stopped.set)


WAIT = ("import json, os, sys\n"
        "from sipkurs.serving.preheat import wait_for_request\n"
        "got = wait_for_request()\n"
        "print(json.dumps([got, os.environ.get('QUERY_STRING'), os.environ.get('HTTP_X_SIPKURS_TRAINER_CODE')]))\n"
        + NOT_IMPORTED.format(names={"voila", "jupyter_server", "nbconvert", "jupyterlab_server"}))


def wait_in_kernel_process(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WAIT], env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def results(proc: subprocess.Popen) -> tuple[list, list]:
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    first, second = out.splitlines()[:2]
    return json.loads(first), json.loads(second)


@pytest.mark.slow
def test_a_preheated_kernel_waits_for_its_page_and_gets_the_request_without_importing_voila():
    server = VoilaQuery()
    try:
        info = {"QUERY_STRING": "kurs=VANTA&kod=ABCDE-FGHJK", "SCRIPT_NAME": "/voila/render/sip_utkast.ipynb",
                "HTTP_X_SIPKURS_TRAINER_CODE": "LARAR-KOD42"}
        early, late = uuid.uuid4().hex, uuid.uuid4().hex
        server.send(early, info)  # the page came before the kernel asked: Voila keeps it for the kernel
        env = {"VOILA_PREHEAT": "True", "VOILA_APP_PORT": str(server.port), "VOILA_SERVER_URL": "/"}
        assert results(wait_in_kernel_process({**env, "VOILA_KERNEL_ID": early})) == (
            [True, info["QUERY_STRING"], "LARAR-KOD42"], [])
        proc = wait_in_kernel_process({**env, "VOILA_KERNEL_ID": late})
        deadline = time.monotonic() + 20
        while not server.waiting(late):  # until the kernel waits for its page
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        server.send(late, {**info, "QUERY_STRING": "kurs=SEN"})
        assert results(proc)[0][:2] == [True, "kurs=SEN"]
    finally:
        server.stop()


def test_without_preheating_or_without_a_server_the_page_keeps_its_environment(monkeypatch, caplog):
    from sipkurs.serving import preheat

    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "kurs=EGEN")
    assert preheat.wait_for_request() is False and os.environ["QUERY_STRING"] == "kurs=EGEN"
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setenv("VOILA_APP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("VOILA_KERNEL_ID", uuid.uuid4().hex)
    assert preheat.wait_for_request() is False and os.environ["QUERY_STRING"] == "kurs=EGEN"
    assert "no page request" in caplog.text


def test_the_query_address_follows_voilas_variables(monkeypatch):
    from sipkurs.serving.preheat import query_url

    for name in ("VOILA_WS_PROTOCOL", "VOILA_APP_IP", "VOILA_WS_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("VOILA_APP_PORT", "9123")
    monkeypatch.setenv("VOILA_SERVER_URL", "/kurs/")
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    assert query_url() == "ws://127.0.0.1:9123/kurs/voila/query/abc"
    monkeypatch.setenv("VOILA_WS_BASE_URL", "/bas/")
    assert query_url() == "ws://127.0.0.1:9123/bas/voila/query/abc"
