"""Page kernels as forks of one preloaded process: the imports and the language tools are shared, not repeated.

A page kernel imports ipykernel, the store, the simulator, the graders and their Swedish language tools (Hunspell's
dictionary, simplemma's lemmas, wordfreq): ~100 MiB that every kernel would read and keep on its own. The **fork
server** (``python -m sipkurs.serving.forkserver SOCKET``, started once by the server process on its first kernel
start) imports and warms all that once, then waits on a Unix socket. For each kernel it is asked for, it forks: the
child shares the preloaded pages with the fork server and its siblings (copy on write) and runs what
``python -m sipkurs.serving.kernel -f CONNECTION_FILE`` runs, with the environment and working directory the server
gave, in a session of its own, titled as that command (``ps`` and benchmarks find it by its connection file).

What is preloaded must not exist in a kernel before ipykernel does: no threads, zmq contexts, event loops or
database connections (a fork copies none of them usably) and no ipywidgets (it registers its comm target only if a
kernel runs when it is imported). The fork server checks that before it listens and refuses to start otherwise.

Protocol, one connection per kernel: the server sends one JSON line ``{"argv", "env", "cwd"}``; the fork server
answers ``{"pid": N}`` (or ``{"error": …}``) and, when it has reaped that child, ``{"exit": status}`` (waitpid's
status). The fork server ends, after stopping its kernels, when its standard input reaches its end (the server
process has exited, however it exited) or on SIGTERM. A kernel ends when the fork server does (ipykernel's parent
poller, as a normal kernel ends with the server).

``ForkProvisioner`` (the kernel spec's ``kernel_provisioner``, entry point ``sipkurs-fork``) starts a kernel through
the fork server and falls back to a normal start, with a warning, whenever the fork server cannot serve.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

log = logging.getLogger("sipkurs.serving")

KERNEL_MODULE = "sipkurs.serving.kernel"
START_TIMEOUT = 90.0  # s for the fork server's imports (~2 s on an idle machine; a busy one starting a pool is slower)
FORK_TIMEOUT = 10.0  # s for one fork's answer
RETRY_AFTER = 60.0  # s: after the fork server failed to start, kernels start normally this long before the next try
STOP_GRACE = 3.0  # s between SIGTERM and SIGKILL for the kernels of a fork server that stops
# Environment variables read when a module is imported (or by the interpreter at start): a kernel whose environment
# differs from the fork server's in one of them is started normally, so that it sees exactly what it was given.
IMPORT_TIME_ENV = ("SIPKURS_", "PYTHON", "CONDA_", "LD_", "JUPYTER_", "IPYTHON", "HOME")
# Room for each kernel's command and environment in /proc (see _present): an argument and a variable, both blank.
ROOM_ARG = " " * 1024
ROOM_ENV = "_SIPKURS_FORK_ROOM"
ROOM_ENV_SIZE = 64 * 1024


# --- the fork server process -------------------------------------------------------------------------------------
def preload() -> None:
    """Import and warm what every page kernel imports and warms before its page (sipkurs.ui.app.preload, without
    the widgets: ipywidgets and sipkurs.ui must be imported by the kernel itself)."""
    import importlib

    sys.modules["debugpy"] = None  # as sipkurs/serving/kernel.py: page kernels start without the debugger
    for name in ("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "zmq", "tornado.ioloop",
                 "sipkurs.store", "sipkurs.session", "sipkurs.cases", "sipkurs.export", "sipkurs.exercise",
                 "sipkurs.feedback", "simulator.library", "simulator.interview_matching", "graders.language"):
        importlib.import_module(name)
    from sipkurs.feedback import warm_up
    from simulator.interview_matching import warm_up as warm_interview
    from simulator.library import load_library

    load_library()
    warm_up()
    warm_interview()
    gc.collect()
    gc.freeze()  # what is loaded now stays out of the collector: its scans would copy the shared pages into each kernel


def fork_safe() -> str | None:
    """Why this process may not fork kernels (None: it may)."""
    if threading.active_count() != 1:
        return f"{threading.active_count()} threads run"
    if "ipywidgets" in sys.modules:
        return "ipywidgets is imported"
    return None


class Children:
    """The fork server's kernels: pid → the connection that asked for it (None once that connection is gone)."""

    def __init__(self, selector: selectors.BaseSelector) -> None:
        self.conns: dict[int, socket.socket | None] = {}
        self.selector = selector

    def reap(self) -> None:
        while self.conns:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            conn = self.conns.pop(pid, None)
            if conn is not None:
                _answer(conn, {"exit": status})
                self.selector.unregister(conn)  # before closing: a new connection may get its number
                conn.close()

    def forget(self, conn: socket.socket) -> None:
        for pid, c in self.conns.items():
            if c is conn:
                self.conns[pid] = None

    def stop(self) -> None:
        """SIGTERM every kernel's session, SIGKILL what is left after STOP_GRACE, reap them all."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for pid in list(self.conns):
                try:
                    os.killpg(pid, sig)
                except OSError:
                    pass
            deadline = time.monotonic() + STOP_GRACE
            while self.conns and time.monotonic() < deadline:
                self.reap()
                time.sleep(0.05)
        self.reap()


def serve(path: str) -> None:
    """Listen on ``path`` and fork a kernel for each request, until standard input ends or SIGTERM."""
    selector = selectors.DefaultSelector()
    children = Children(selector)
    wake_r, wake_w = socket.socketpair()
    wake_r.setblocking(False)
    wake_w.setblocking(False)
    signal.set_wakeup_fd(wake_w.fileno())
    stopping = []
    signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so that the wakeup fd is written
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the server's: it stops its kernels, then we end
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    selector.register(listener, selectors.EVENT_READ, "listen")
    selector.register(wake_r, selectors.EVENT_READ, "wake")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "parent")
    pending: dict[socket.socket, bytes] = {}
    closed = (listener, wake_r, wake_w)
    while not stopping:
        for key, _ in selector.select(timeout=1.0):
            if key.data == "listen":
                conn, _ = listener.accept()
                pending[conn] = b""
                selector.register(conn, selectors.EVENT_READ, "conn")
            elif key.data == "wake":
                try:
                    while wake_r.recv(512):
                        pass
                except BlockingIOError:
                    pass
            elif key.data == "parent":
                if not os.read(sys.stdin.fileno(), 512):
                    stopping.append(True)
            else:
                conn = key.fileobj
                try:
                    data = conn.recv(1 << 20)
                except OSError:
                    data = b""
                if not data:  # the server closed its side: it no longer watches this kernel
                    selector.unregister(conn)
                    pending.pop(conn, None)
                    children.forget(conn)
                    conn.close()
                    continue
                if conn not in pending:
                    continue
                pending[conn] += data
                if b"\n" in pending[conn]:
                    request = pending.pop(conn)
                    try:
                        pid = _fork(request, conn, (selector, *closed, conn, *pending, *_conns(children)))
                    except OSError as exc:  # no fork (out of memory, process limit) or the server left: go on
                        _answer(conn, {"error": f"fork failed: {exc}"})
                        continue
                    if pid is not None:
                        children.conns[pid] = conn
        children.reap()
    children.stop()
    listener.close()


def _conns(children: Children) -> list[socket.socket]:
    return [c for c in children.conns.values() if c is not None]


def _fork(request: bytes, conn: socket.socket, inherited) -> int | None:
    """Fork a kernel for ``request``; answer ``conn`` with its pid. ``inherited``: what the child closes."""
    try:
        spec = json.loads(request.split(b"\n", 1)[0])
        argv, env, cwd = list(spec["argv"]), dict(spec["env"]), str(spec["cwd"])
        i = argv.index("-m")
        if argv[i + 1] != KERNEL_MODULE:
            raise ValueError(f"not a page kernel: {argv[i + 1]}")
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        _answer(conn, {"error": f"bad request: {exc}"})
        return None
    ready_r, ready_w = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(ready_r)
        os.close(ready_w)
        raise
    if pid == 0:  # the kernel
        os.close(ready_r)
        code = 1
        try:
            os.setsid()  # before the server learns the pid: it signals the kernel's process group
            os.close(ready_w)
            code = _run_kernel(argv, env, cwd, inherited)
        except BaseException:  # noqa: BLE001 - whatever happens, this process never returns into the fork server
            import traceback

            traceback.print_exc()
        finally:
            os._exit(code)
    os.close(ready_w)
    os.read(ready_r, 1)  # EOF once the child has its own session
    os.close(ready_r)
    _answer(conn, {"pid": pid})  # if the server has gone meanwhile, the kernel is reaped like any other
    return pid


def _answer(conn: socket.socket, message: dict) -> None:
    try:
        conn.sendall(json.dumps(message).encode() + b"\n")
    except OSError:
        pass


def _run_kernel(argv: list[str], env: dict[str, str], cwd: str, inherited) -> int:
    import atexit

    signal.set_wakeup_fd(-1)
    for sig in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL if sig != signal.SIGINT else signal.default_int_handler)
    for item in inherited:
        item.close()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    atexit._clear()  # the fork server's exit handlers are not the kernel's
    os.chdir(cwd)
    env["JPY_PARENT_PID"] = str(os.getppid())
    os.environ.clear()
    os.environ.update(env)
    _present(argv, env)
    i = argv.index("-m")
    from sipkurs.serving import kernel

    # ipykernel read JPY_PARENT_PID when the fork server imported it: the kernel ends when the fork server does
    sys.argv = [kernel.__file__, *argv[i + 2:], f"--IPKernelApp.parent_handle={os.getppid()}"]
    _reseed()
    code = 0
    try:
        kernel.main()
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001 - a closed stream: nothing to flush
            pass
    return code


def _present(argv: list[str], env: dict[str, str]) -> None:
    """Make /proc/self/cmdline and /proc/self/environ show ``argv`` and ``env``, as for a process started with them
    (ps, psutil, the tests and benchmarks find kernels by their command and read their environment there).

    Both are the memory the process was started with (its original argument and environment strings), which Linux
    reads for anyone who asks. Once ``os.environ`` has been replaced, nothing refers to that memory any more (Python
    keeps its own copies; setenv copies its strings), so it is overwritten in place, within its original size: the
    fork server is started with room to spare (``ROOM_ARG``, ``ROOM_ENV``). What does not fit is left as it was.
    """
    import ctypes

    try:
        with open("/proc/self/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        arg_start, arg_end, env_start, env_end = (int(x) for x in fields[45:49])  # fields 48–51 of proc(5)
    except (OSError, ValueError, IndexError):
        return
    for start, end, data in ((arg_start, arg_end, b"".join(os.fsencode(a) + b"\0" for a in argv)),
                             (env_start, env_end, b"".join(os.fsencode(f"{k}={v}") + b"\0" for k, v in env.items()))):
        if 0 < start < end and len(data) <= end - start:
            ctypes.memmove(start, data.ljust(end - start, b"\0"), end - start)


def _reseed() -> None:
    """Random generators copied from the fork server would give every kernel the same numbers (the module-level
    ``random`` reseeds itself after a fork; Faker's shared generator does not)."""
    generator = sys.modules.get("faker.generator")
    if generator is not None and hasattr(generator, "random"):
        generator.random.seed()


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if sys.path and (sys.path[0] in ("", os.getcwd())):
        del sys.path[0]  # as a kernel: the starting folder is not on sys.path
    env = dict(os.environ)
    env.pop(ROOM_ENV, None)
    os.environ.clear()  # Python's copies replace the memory the process started with (see _present)
    os.environ.update(env)
    _present([sys.executable, "-m", "sipkurs.serving.forkserver", args[0]], env)
    preload()
    reason = fork_safe()
    if reason is not None:
        sys.exit(f"sipkurs fork server: cannot fork kernels safely: {reason}")
    serve(args[0])


# --- the server's side -------------------------------------------------------------------------------------------
class ForkedProcess:
    """A kernel forked by the fork server, with the parts of ``subprocess.Popen`` that LocalProvisioner uses.

    Its exit status comes from the fork server (which reaps it) over the kernel's connection, so a pid reused after
    the kernel ended is never taken for the kernel. If the fork server itself is gone, the pid is watched (with its
    start time) until the kernel has ended too (it ends with the fork server).
    """

    stdin = stdout = stderr = None

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid, self.sock = pid, sock
        self.returncode: int | None = None
        self._buffer = b""
        self._orphan_since: float | None = None
        try:
            import psutil

            self._created = psutil.Process(pid).create_time()
        except Exception:  # noqa: BLE001 - already gone: poll() finds out
            self._created = None

    def poll(self) -> int | None:
        if self.returncode is not None:
            return self.returncode
        if self.sock is not None:
            try:
                while True:
                    data = self.sock.recv(4096)
                    if not data:
                        self._close()
                        break
                    self._buffer += data
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self._close()
            for line in self._buffer.split(b"\n"):
                if line.startswith(b"{") and b'"exit"' in line:
                    self.returncode = os.waitstatus_to_exitcode(json.loads(line)["exit"])
                    self._close()
                    return self.returncode
            if self.sock is not None:
                return None
        if not self._alive():  # the fork server went away before telling
            self.returncode = -signal.SIGKILL
        return self.returncode

    def _alive(self) -> bool:
        try:
            import psutil

            proc = psutil.Process(self.pid)
            return proc.create_time() == self._created and proc.status() != psutil.STATUS_ZOMBIE
        except Exception:  # noqa: BLE001 - no such process
            return False

    def _close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


class ForkServer:
    """The server process's handle on its fork server: started on first use, restarted when it has died."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.folder: str | None = None
        self.path: str | None = None
        self.failed_at = float("-inf")
        self.command = [sys.executable, "-m", __name__]  # + the socket's path
        self._lock: asyncio.Lock | None = None
        self._lock_loop = None

    async def spawn(self, argv: list[str], env: dict[str, str], cwd: str) -> ForkedProcess:
        """Fork a kernel (``argv`` as the kernel spec gives it). Raises if the fork server cannot do it."""
        await self._ensure()
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        try:
            await loop.sock_connect(sock, self.path)
            await loop.sock_sendall(sock, json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode() + b"\n")
            reply = await asyncio.wait_for(_read_line(loop, sock), FORK_TIMEOUT)
        except BaseException:
            sock.close()
            raise
        if "pid" not in reply:
            sock.close()
            raise RuntimeError(f"the fork server refused: {reply.get('error')}")
        return ForkedProcess(int(reply["pid"]), sock)

    async def _ensure(self) -> None:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:  # a lock belongs to one event loop
            self._lock, self._lock_loop = asyncio.Lock(), loop
        async with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                return
            if self.proc is not None:
                log.warning("the fork server ended (status %s): it is started again", self.proc.returncode)
                self.stop()
            if time.monotonic() - self.failed_at < RETRY_AFTER:
                raise RuntimeError("the fork server failed to start a moment ago")
            try:
                await self._start()
            except BaseException:
                self.failed_at = time.monotonic()
                self.stop()
                raise

    async def _start(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="sk-fork-", dir="/tmp" if os.path.isdir("/tmp") else None)
        self.path = os.path.join(self.folder, "s")
        env = {**os.environ, ROOM_ENV: " " * ROOM_ENV_SIZE}
        self.proc = subprocess.Popen([*self.command, self.path, ROOM_ARG], stdin=subprocess.PIPE, cwd="/", env=env,
                                     start_new_session=True)  # Ctrl-C in a terminal reaches the server, not this
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the fork server exited at start (status {self.proc.returncode})")
            if os.path.exists(self.path):
                probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                try:
                    probe.connect(self.path)
                    probe.close()
                    log.info("fork server %d ready: page kernels start as its forks", self.proc.pid)
                    return
                except OSError:
                    probe.close()
            if time.monotonic() > deadline:
                raise RuntimeError(f"the fork server was not ready within {START_TIMEOUT:.0f} s")
            await asyncio.sleep(0.1)

    def stop(self) -> None:
        """End the fork server (it stops its kernels first). Safe to call at any time, also at exit."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                proc.stdin.close()  # its signal to stop
            except OSError:
                pass
            try:
                proc.wait(timeout=2 * STOP_GRACE + 2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


async def _read_line(loop, sock: socket.socket) -> dict:
    data = b""
    while b"\n" not in data:
        chunk = await loop.sock_recv(sock, 4096)
        if not chunk:
            raise ConnectionError("the fork server closed the connection")
        data += chunk
    line, rest = data.split(b"\n", 1)
    if rest:
        raise RuntimeError("unexpected data from the fork server")
    return json.loads(line)


FORK_SERVER = ForkServer()


def _stop_at_exit() -> None:
    FORK_SERVER.stop()


import atexit as _atexit  # noqa: E402

_atexit.register(_stop_at_exit)


def forkable(cmd: list[str], env: dict[str, str]) -> str | None:
    """Why this kernel command cannot be forked (None: it can)."""
    if len(cmd) < 3 or cmd[1:3] != ["-m", KERNEL_MODULE]:
        return "not a page kernel command"
    if Path(cmd[0]).resolve() != Path(sys.executable).resolve() and cmd[0] != sys.executable:
        return f"another interpreter ({cmd[0]})"
    for key in set(env) | set(os.environ):
        if key.startswith(IMPORT_TIME_ENV) and env.get(key) != os.environ.get(key):
            return f"its environment differs in {key}"
    return None


# --- the provisioner ---------------------------------------------------------------------------------------------
class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner that forks page kernels from the fork server, or starts them normally if it cannot."""

    async def launch_kernel(self, cmd: list[str], **kwargs) -> KernelConnectionInfo:
        env = kwargs.get("env") or dict(os.environ)
        unusual = [k for k in ("stdin", "stdout", "stderr", "independent") if kwargs.get(k)]
        reason = forkable(cmd, env) or (f"launch options {unusual}" if unusual else None)
        if reason is None:
            cwd = str(kwargs.get("cwd") or os.getcwd())
            try:
                process = await FORK_SERVER.spawn(list(cmd), {str(k): str(v) for k, v in env.items()}, cwd)
            except Exception as exc:  # noqa: BLE001 - any failure: the kernel starts the normal way
                log.warning("kernel started without the fork server: %s", exc)
            else:
                self.process, self.pid, self.pgid, self.cwd = process, process.pid, process.pid, cwd
                return self.connection_info
        else:
            log.warning("kernel started without the fork server: %s", reason)
        return await super().launch_kernel(cmd, **kwargs)

    async def send_signal(self, signum: int) -> None:
        if isinstance(self.process, ForkedProcess) and self.process.poll() is not None:
            return  # ended and reaped: its process group id may belong to someone else by now
        await super().send_signal(signum)


if __name__ == "__main__":
    main()
