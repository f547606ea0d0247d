"""Memory per participant: `sipkurs serve` against bare Voila, measured in the same run.

Anchor: ``benchmarks/bare.ipynb`` (four plain widgets) served by plain Voila with its stock kernel: what any Voila page
costs, the floor under ours.

Parts:
- **served**: a real `sipkurs serve` with a pool as large as the participants (and no more kernels than that, so no
  refill runs while we measure). First the idle preheated kernels are measured; then each participant opens the page
  (sipkurs.serving.probe), joins through the kernel's websocket as the browser would (the name typed into "Ditt namn",
  a click on "Börja eller fortsätt", over ipywidgets' comm protocol) and stays connected until the plan form is built
  and has been assessed. Then every participant's kernel is measured from /proc/<pid>/smaps_rollup: PSS (shared pages
  divided among the processes sharing them) and USS (pages only this kernel holds), and the server process's PSS. The
  anchor's server gets the same number of page views.
- **steps**: one kernel started with the server's own kernel spec and environment, run step by step through what a
  preheated kernel does (imports, case library, language tools, the first assessment, waiting for the page request),
  with its USS after each step; an import hook in the kernel charges each top-level package the memory its first
  import added (without the packages it imported in turn).

A participant costs the PSS of its kernel plus its share of the server; preheated kernels waiting in the pool come on
top (see docs/drift.md). Target (issue 14): ≤ 100 MiB per participant.

``python benchmarks/bench_memory.py [--participants 6] [--json]`` (about two minutes on two cores).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sipkurs.serving.probe import _message, free_port, open_page, wait_port  # noqa: E402

from bench_app import Server as BenchServer  # noqa: E402  (its process handling: settle, stop)

BARE = ROOT / "benchmarks" / "bare.ipynb"
COURSE, TRAINER_CODE = "MINNE", "MINNE-KOD-12"
NAME_FIELD, JOIN_BUTTON = "Ditt namn", "Börja eller fortsätt"
FORM_READY = "Lämna in planen"  # a button of the workspace: the form is built
TARGET_MIB = 100
KIB = 1024


# --- measuring a process ---------------------------------------------------------------------------------------
def rollup(pid: int) -> dict[str, float]:
    """Rss, Pss and USS (private clean + private dirty) of a process, in MiB."""
    fields: dict[str, float] = {}
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
                fields[parts[0][:-1]] = int(parts[1]) / KIB
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def kernel_pids(root: psutil.Process) -> dict[str, int]:
    """Kernel id → pid of every kernel below ``root`` (the kernel's connection file names its id)."""
    found = {}
    for proc in root.children(recursive=True):
        try:
            for arg in proc.cmdline():
                name = os.path.basename(arg)
                if name.startswith("kernel-") and name.endswith(".json"):
                    found[name[len("kernel-"):-len(".json")]] = proc.pid
        except psutil.NoSuchProcess:
            pass
    return found


class Server(BenchServer):
    """The app (`sipkurs serve`, a pool of ``pool`` and no more kernels than the participants need, so that no refill
    runs while we measure) or the anchor (plain Voila on bare.ipynb, a kernel started for each page)."""

    def __init__(self, kind: str, participants: int, pool: int, tmp: Path) -> None:
        self.kind, self.pool, self.port = kind, pool, free_port()
        env = {**os.environ, "SIPKURS_LOG_DIR": str(tmp / "logs")}
        if kind == "app":
            cmd = [str(Path(sys.executable).with_name("sipkurs")), "serve", "--course", COURSE, "--trainer-code",
                   TRAINER_CODE, "--db", str(tmp / "minne.db"), "--port", str(self.port), "--pool-size", str(pool),
                   "--max-kernels", str(max(participants, pool, 1)), "--max-per-address", str(participants + 1)]
            self.url, self.expect = f"http://127.0.0.1:{self.port}/?kurs={COURSE}", NAME_FIELD
        else:
            cmd = [sys.executable, "-m", "voila", str(BARE), "--no-browser", "--Voila.ip=127.0.0.1",
                   f"--port={self.port}", "--VoilaExporter.language_code=sv", "--KernelManager.transport=ipc",
                   "--Voila.log_level=ERROR"]
            self.url, self.expect = f"http://127.0.0.1:{self.port}/", "Namn"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                     start_new_session=True)
        if not wait_port(self.port, lambda: self.proc.poll() is None, 120):
            raise RuntimeError(f"bench_memory: {kind} startade inte")

    def kernel_pids(self) -> dict[str, int]:
        return kernel_pids(psutil.Process(self.proc.pid))


# --- a participant joining over the widget protocol ------------------------------------------------------------
class Participant:
    """The page's kernel websocket, driven as the browser's widget manager drives it."""

    def __init__(self, ws_url: str) -> None:
        self.ws_url, self.session = ws_url, uuid.uuid4().hex
        self.connection = None
        self.models: dict[str, dict] = {}  # comm id → widget state, as the kernel announced them

    async def connect(self, timeout: float) -> None:
        from tornado.websocket import websocket_connect

        self.connection = await asyncio.wait_for(websocket_connect(self.ws_url), timeout)
        control = uuid.uuid4().hex
        await self.send("comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
                        {"version": "1.0.0"})
        await self.send("comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
        await self.until(lambda: self.find(NAME_FIELD) is not None, timeout)

    async def send(self, kind: str, content: dict, metadata: dict | None = None) -> None:
        await self.connection.write_message(_message(kind, content, self.session, metadata))

    def find(self, description: str) -> str | None:
        return next((cid for cid, state in self.models.items() if state.get("description") == description), None)

    async def until(self, done, timeout: float) -> None:
        """Read the kernel's messages, keeping the widget states, until ``done()``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not done():
            left = deadline - loop.time()
            if left <= 0:
                raise TimeoutError("the page never got that far")
            raw = await asyncio.wait_for(self.connection.read_message(), left)
            if raw is None:
                raise ConnectionError("the kernel's websocket closed")
            if isinstance(raw, bytes):
                continue
            msg = json.loads(raw)
            kind, content = msg["header"]["msg_type"], msg.get("content", {})
            data = content.get("data", {})
            if kind == "comm_open" and content.get("target_name") == "jupyter.widget":
                self.models[content["comm_id"]] = dict(data.get("state", {}))
            elif kind == "comm_msg" and data.get("method") == "update_states":
                for cid, model in data.get("states", {}).items():
                    self.models[cid] = dict(model.get("state", {}))
            elif kind == "comm_msg" and data.get("method") in ("update", "echo_update"):
                self.models.setdefault(content["comm_id"], {}).update(data.get("state", {}))

    async def join(self, name: str, timeout: float) -> None:
        field, button = self.find(NAME_FIELD), self.find(JOIN_BUTTON)
        await self.send("comm_msg", {"comm_id": field, "data": {"method": "update", "state": {"value": name},
                                                                 "buffer_paths": []}})
        await self.send("comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
        await self.until(lambda: self.find(FORM_READY) is not None, timeout)

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


async def join_all(server: Server, n: int, timeout: float) -> tuple[list[Participant], list[str]]:
    """N participants, one after the other (a kind load on a shared machine), each left connected."""
    joined, kernels = [], []
    for i in range(n):
        page = await open_page(server.url, timeout=timeout)
        if not page.usable or server.expect not in page.descriptions:
            raise RuntimeError(f"sida {i + 1} gick inte att använda: {page.error or page.status}")
        if server.kind == "app":
            participant = Participant(f"ws://127.0.0.1:{server.port}/api/kernels/{page.kernel_id}/channels"
                                      f"?session_id={uuid.uuid4().hex}")
            await participant.connect(timeout)
            await participant.join(f"Deltagare {i + 1}", timeout)
            joined.append(participant)
        kernels.append(page.kernel_id)
    return joined, kernels


def served(kind: str, args, tmp: Path) -> dict:
    pool = args.pool if kind == "app" else 0
    server = Server(kind, args.participants, pool, tmp)
    result: dict = {}
    try:
        if pool:
            server.settle(pool)
            pids = server.kernel_pids().values()
            idle = [rollup(pid) for pid in pids]
            result["pool kernel"] = {k: statistics.median(m[k] for m in idle) for k in ("pss", "uss", "rss")}
            result["pool kernel cpu"] = statistics.median(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)

        async def visit():
            participants, kernels = await join_all(server, args.participants, args.timeout)
            await asyncio.sleep(3)  # the live sync's first ticks, the first assessment shown
            pids = server.kernel_pids()
            measured = [rollup(pids[k]) for k in kernels]
            for p in participants:
                p.close()
            return measured

        measured = asyncio.run(visit())
        server_mem = rollup(server.server_process().pid)
        kernels = set(server.kernel_pids().values())
        others = [rollup(p.pid) for p in server.processes() if p.pid not in kernels]  # the command and the server
        result.update(
            kernels=measured,
            kernel={k: statistics.median(m[k] for m in measured) for k in ("pss", "uss", "rss")},
            server=server_mem,
            instance={k: sum(m[k] for m in others) for k in ("pss", "uss", "rss")},
            per_participant=statistics.median(m["pss"] for m in measured) + server_mem["pss"] / args.participants,
        )
    finally:
        server.stop()
    return result


# --- one kernel, step by step ------------------------------------------------------------------------------------
KERNEL_HOOK = r"""
import builtins, sys
def _sip_uss():
    total = 0
    with open("/proc/self/smaps_rollup") as f:
        for line in f:
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    return total / 1024
_sip_costs, _sip_stack, _sip_import = {}, [], builtins.__import__
def _sip_hook(name, globals=None, locals=None, fromlist=(), level=0):
    top = name.partition(".")[0]
    if level or not top or top in sys.modules:
        return _sip_import(name, globals, locals, fromlist, level)
    before = _sip_uss()
    _sip_stack.append(0.0)
    try:
        return _sip_import(name, globals, locals, fromlist, level)
    finally:
        inner, spent = _sip_stack.pop(), _sip_uss() - before
        _sip_costs[top] = _sip_costs.get(top, 0.0) + spent - inner
        if _sip_stack:
            _sip_stack[-1] += spent
builtins.__import__ = _sip_hook
"""

# (label, code) run in order in one kernel, each of sipkurs.ui.app.HEAVY_MODULES after the join page; the last step is
# what the page runs, so whatever the earlier steps did not cover shows up there.
STEPS = (
    ("ipywidgets", "import ipywidgets"),
    ("sipkurs.ui.app (anslutningssidan)", "import sipkurs.ui.app"),
    ("simulator.library.load_library() (fallbiblioteket)",
     "from simulator.library import load_library\nload_library()"),
    ("bedömningen: lemman (simplemma, ordbok som ström)", "from graders.language import lemma\nlemma('boendet')"),
    ("bedömningen: ordfrekvenser (wordfreq)", "from graders.language import is_common\nis_common('boendestöd')"),
    ("bedömningen: stavning (Hunspell, svensk ordlista)",
     "from graders.language import spelled_right\nspelled_right('samordnad')"),
    ("sipkurs.feedback.warm_up() (resten av språkverktygen)", "from sipkurs.feedback import warm_up\nwarm_up()"),
    ("simulator.interview_matching.warm_up() (intervjuns ordbok)",
     "from simulator.interview_matching import warm_up\nwarm_up()"),
    ("request_query(): resten av preload(), vänta på sidan", "sipkurs.ui.app.request_query()"),
)


class QueryServer:
    """Voila's side of preheating (`/voila/query/<kernel id>`): answers a waiting kernel with its page's query."""

    def __init__(self, query: str) -> None:
        self.port = free_port()
        self.query = query
        self.loop: asyncio.AbstractEventLoop | None = None
        started = threading.Event()
        threading.Thread(target=self._run, args=(started,), daemon=True).start()
        started.wait(10)

    def _run(self, started: threading.Event) -> None:
        from tornado.web import Application
        from tornado.websocket import WebSocketHandler

        query = self.query

        class Answer(WebSocketHandler):
            def open(self, _kernel_id: str) -> None:
                self.write_message(json.dumps({"QUERY_STRING": query}))

        async def serve() -> None:
            self.loop = asyncio.get_running_loop()
            app = Application([(r"/voila/query/(.*)", Answer)])
            server = app.listen(self.port, "127.0.0.1")
            started.set()
            self._stop = asyncio.Event()
            await self._stop.wait()
            server.stop()

        asyncio.run(serve())

    def stop(self) -> None:
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)


def kernel_spec_manager():
    """The kernel spec manager the server uses (its kernel command and environment)."""
    from jupyter_client.kernelspec import KernelSpecManager
    from traitlets.utils.importstring import import_item

    from sipkurs.serving.app import voila_config
    from sipkurs.serving.config import ServeConfig

    config = voila_config(ServeConfig(), Path(tempfile.gettempdir()))
    cls = config.VoilaConfiguration.get("kernel_spec_manager_class", KernelSpecManager)
    return (import_item(cls) if isinstance(cls, str) else cls)()


def steps(tmp: Path) -> dict:
    from jupyter_client import KernelManager

    from sipkurs.serving.pages import served_folder

    query = QueryServer(f"kurs={COURSE}")
    kernel_id = uuid.uuid4().hex
    env = {**os.environ, "SIPKURS_DB": f"sqlite:///{tmp / 'steg.db'}", "VOILA_PREHEAT": "True",
           "VOILA_KERNEL_ID": kernel_id, "VOILA_APP_PORT": str(query.port), "VOILA_SERVER_URL": "/",
           "VOILA_BASE_URL": "/"}
    manager = KernelManager(kernel_name="python3", kernel_spec_manager=kernel_spec_manager())
    manager.transport, manager.ip = "ipc", str(tmp / "ipc")  # as the server: sockets in a private folder
    manager.connection_file = str(tmp / f"kernel-{kernel_id}.json")
    manager.start_kernel(cwd=str(served_folder()), env=env)
    client = manager.client()
    client.start_channels()
    rows: list[dict] = []
    try:
        client.wait_for_ready(timeout=120)
        pid = manager.provisioner.process.pid

        def run(code: str) -> str:
            out: list[str] = []
            reply = client.execute_interactive(
                code, timeout=300, store_history=False,
                output_hook=lambda m: out.append(m["content"].get("text", "")) if m["msg_type"] == "stream" else None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"steget misslyckades: {code!r}: {reply['content'].get('ename')}")
            return "".join(out)

        time.sleep(0.5)
        start = rollup(pid)
        rows.append({"step": "kärnan startad (serverns kärnkommando)", "uss": start["uss"], "delta": start["uss"],
                     "modules": 0})
        run(KERNEL_HOOK)
        last = rollup(pid)["uss"]
        from sipkurs.ui.app import HEAVY_MODULES

        heavy = tuple((f"import {name}", f"import {name}") for name in HEAVY_MODULES)
        for label, code in STEPS[:2] + heavy + STEPS[2:]:
            before = int(run("print(len(sys.modules))"))
            run(code)
            now = rollup(pid)["uss"]
            after = int(run("print(len(sys.modules))"))
            rows.append({"step": label, "uss": now, "delta": now - last, "modules": after - before})
            last = now
        costs = json.loads(run("import json as _j; print(_j.dumps(_sip_costs))"))
        loaded = json.loads(run("import json as _j\n"
                                "print(_j.dumps(sorted({m.split('.')[0] for m, v in sys.modules.items() if v})))"))
        final = rollup(pid)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
        query.stop()
    return {"steps": rows, "packages": dict(sorted(costs.items(), key=lambda kv: -kv[1])), "final": final,
            "debugpy": "debugpy" in loaded, "voila": "voila" in loaded}


# --- report ------------------------------------------------------------------------------------------------------
def mib(x: float) -> str:
    return f"{x:6.1f}"


def report(args, results: dict) -> None:
    if "app" in results:
        report_served(args, results)
    if "steps" in results:
        report_steps(args, results["steps"])


def report_served(args, results: dict) -> None:
    app, anchor = results["app"], results["anchor"]
    n = args.participants
    print(f"\nMinne per deltagare, {n} deltagare som gått med och fått planformuläret; ankare: ren Voila med "
          f"{BARE.name}, samma körning ({os.cpu_count()} kärnor, belastning {os.getloadavg()[0]:.1f})")
    print(f"{'MiB':38} {'PSS':>6} {'USS':>6} {'RSS':>6}")
    for label, row in (("app: kärna per deltagare (median)", app["kernel"]),
                       ("ankare: kärna per sida (median)", anchor["kernel"]),
                       ("app: förvärmd kärna i poolen", app.get("pool kernel")),
                       ("app: serverprocessen", app["server"]),
                       ("app: alla processer utom kärnorna", app["instance"]),
                       ("ankare: serverprocessen", anchor["server"])):
        if row:
            print(f"{label:38} {mib(row['pss'])} {mib(row['uss'])} {mib(row['rss'])}")
    if "pool kernel cpu" in app:
        print(f"app: en förvärmd kärna kostade {app['pool kernel cpu']:.1f} s CPU att värma (median)")
    ratio = app["per_participant"] / anchor["per_participant"]
    print(f"per deltagare (kärnans PSS + serverns PSS / {n}): app {app['per_participant']:.0f} MiB, "
          f"ankare {anchor['per_participant']:.0f} MiB, kvot {ratio:.2f}; mål ≤ {TARGET_MIB} MiB "
          f"{'✔' if app['per_participant'] <= TARGET_MIB else '✘'}")


def report_steps(args, s: dict) -> None:
    print("\nEn kärna steg för steg (USS efter varje steg, MiB; ändring; nya moduler):")
    for row in s["steps"]:
        print(f"  {mib(row['uss'])} {row['delta']:+7.1f} {row['modules']:5d}  {row['step']}")
    print(f"  debugpy inläst: {'ja' if s['debugpy'] else 'nej'}; voila inläst: {'ja' if s['voila'] else 'nej'}")
    print("Dyraste paketen (MiB som paketets första import lade till, utan paketen det i sin tur importerade):")
    for name, cost in list(s["packages"].items())[: args.top]:
        print(f"  {cost:6.1f}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=6, help="deltagare (sidor) att mäta")
    parser.add_argument("--pool", type=int, default=None,
                        help="förvärmda kärnor (standard: lika många som deltagarna)")
    parser.add_argument("--timeout", type=float, default=180.0, help="sekunder en sida får ta som längst")
    parser.add_argument("--top", type=int, default=15, help="så många paket i listan")
    parser.add_argument("--parts", default="served,steps", help="served, steps")
    parser.add_argument("--json", action="store_true", help="skriv resultatet som JSON")
    args = parser.parse_args()
    if args.pool is None:
        args.pool = args.participants
    tmp = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    results: dict = {"participants": args.participants}
    try:
        if "served" in args.parts:
            results["anchor"] = served("bare", args, tmp)
            results["app"] = served("app", args, tmp)
        if "steps" in args.parts:
            results["steps"] = steps(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        report(args, results)


if __name__ == "__main__":
    main()
