"""Running the course server in tests: the server process with a chosen config, or `sipkurs serve` as a trainer does.

Loopback only, free ports, every process stopped at the end (a fixture's teardown calls ``stop``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil

from sipkurs.serving.probe import free_port, wait_port as probe_wait_port

ROOT = Path(__file__).resolve().parent.parent
TEST_PAGES = ROOT / "tests" / "data" / "voila"


def wait_port(port: int, proc: subprocess.Popen, timeout: float = 90) -> None:
    if not probe_wait_port(port, lambda: proc.poll() is None, timeout):
        raise AssertionError(f"the server did not listen on {port} (exit code {proc.poll()})")


def sipkurs_command() -> str:
    """The `sipkurs` command of this environment (the virtualenv's, else the one on PATH)."""
    exe = Path(sys.executable).with_name("sipkurs")
    return str(exe) if exe.exists() else shutil.which("sipkurs") or "sipkurs"


def start_serve(args: list[str], env: dict | None = None, timeout: float = 120) -> tuple[subprocess.Popen, str]:
    """Start `sipkurs serve ARGS` and read what it prints until it says it is running ("Avsluta med Ctrl-C").
    Returns the process and that output; a server that never gets there is stopped and the test fails with its output."""
    proc = subprocess.Popen([sipkurs_command(), "serve", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env={**os.environ, **(env or {})})
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Avsluta med Ctrl-C"):
            return proc, "".join(lines)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    raise AssertionError("sipkurs serve startade inte:\n" + "".join(lines))


class _Process:
    proc: subprocess.Popen
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def server_process(self) -> psutil.Process:
        root = psutil.Process(self.proc.pid)
        return next((p for p in [root, *root.children(recursive=True)] if "sipkurs.serving" in " ".join(p.cmdline())), root)

    def kernels(self) -> list[psutil.Process]:
        found = []
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            try:
                if "/kernel-" in " ".join(p.cmdline()):  # a kernel: its connection file is kernel-<id>.json
                    found.append(p)
            except psutil.NoSuchProcess:
                pass
        return found

    def kernel_process(self, kernel_id: str) -> psutil.Process:
        return next(p for p in self.kernels() if f"kernel-{kernel_id}.json" in " ".join(p.cmdline()))

    def wait_kernels(self, predicate, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while True:
            n = len(self.kernels())
            if predicate(n) or time.monotonic() > deadline:
                return n
            time.sleep(0.3)


class ServingProcess(_Process):
    """`python -m sipkurs.serving CONFIG` with a ServeConfig made by the test."""

    def __init__(self, config, workdir: Path, env: dict | None = None) -> None:
        self.config = config
        self.port = config.port = free_port()
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        config.dump(workdir / "serve.json")
        self.log_path = workdir / "server.log"
        self.log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sipkurs.serving", str(workdir / "serve.json")],
            cwd=workdir, env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_port(self.port, self.proc)

    def log_text(self) -> str:
        if not self.log.closed:
            self.log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


class CourseServer(_Process):
    """`sipkurs serve` in a subprocess, as a trainer starts it; ``output`` holds what it printed."""

    def __init__(self, db: Path, *args: str, env: dict | None = None, port: int | None = None) -> None:
        self.port = port or free_port()
        self.proc, self.output = start_serve(["--db", str(db), "--port", str(self.port), *args], env)

    def line(self, label: str) -> str:
        return next(l.split(":", 1)[1].strip() for l in self.output.splitlines() if l.strip().startswith(label + ":"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=90)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
