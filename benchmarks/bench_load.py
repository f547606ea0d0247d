"""40 at once on one machine: role-play groups and solo drafters arriving within a minute, then writing (issue 14).

A real `sipkurs serve` (preheated pool sized for the arrivals, `--pool-size`) on a fresh SQLite store; the trainer
forms ``--groups`` groups through the store (sipkurs.roleplay.form_group) and hands out ``--seats`` seat links each;
the other participants (``--participants`` minus the seats) draft alone and join on the join page with their name.
They arrive spread evenly over ``--arrival-seconds``, in a shuffled order, each from its own loopback address
(127.0.0.2, 127.0.0.3, …), each page a protocol-level client that does what the browser's page does
(sipkurs.serving.probe.PageClient: the page, the kernel websocket, the widget state, ipywidgets' messages):

1. open the page; usable when the widget state has arrived (seconds from the first byte requested);
2. type the name into "Ditt namn" and press "Ta platsen" (a seat) or "Börja eller fortsätt" (alone); the form is
   shown when the plan form's widgets have arrived (seconds from the click);
3. write until ``--write-seconds`` after the last arrival: append a unique stamp to a plan field, one keystroke at a
   time (``--keystroke`` seconds apart, one message in flight per widget as ipywidgets does), then wait until the page
   says the text is stored (the draft guard's marker carries its hash); a group member writes its own field, and in
   three writes of ten the group's shared field ("Personens önskemål"); when two members changed the shared field at
   once the page shows both texts, and the member keeps theirs at once and types its stamp again after it;
4. at the end every page is compared with the store (each field as the page shows it), and every stamp a page saw
   acknowledged must be in the store's text of that field: otherwise it is a lost write.

Reported: time until usable (p50/p95/max), time until the form after joining, time from the last keystroke to the
"stored" acknowledgement, writes and lost writes, conflicts resolved, the server's CPU (its process tree: Voila and
the kernels) over the wall time, and memory as PSS (/proc/<pid>/smaps_rollup): the participants' kernels and the
server process divided by the participants; the pool's idle kernels on top.
Anchor, measured in the same run on the same server before the crowd arrives: one participant alone (``--alone``
times in turn: page, joining, 5 writes); each load figure is given as a ratio to it.
Targets (issue 14): all usable ≤ 3 s with a pool sized for the arrivals; ≤ 100 MiB per participant; 0 lost writes.

A script, not a test: ``nice python benchmarks/bench_load.py`` (about seven minutes with the defaults on two quiet
cores, most of it filling the pool; the server needs (participants + pool) × ~185 MiB). ``--json`` prints the figures as JSON instead of the report.
tests/test_load_small.py runs a bounded version of ``run``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_app import Server  # noqa: E402
from sipkurs.serving.probe import PageClient, free_port, wait_port  # noqa: E402

COURSE = "LAST40"
TRAINER = "BENCH-LARARE-40"
CASE = "sjukskriven_utmattning"  # six roles: a group of five leaves one seat empty
OWN_FIELDS = ("current_situation", "what_matters", "own_resources", "relatives_resources", "person_participation")
SHARED_FIELD = "wishes"
SHARED_SHARE = 0.3  # of a group member's writes, into the group's shared field
ACK_PATIENCE = 30.0  # s a page waits for "stored" before the write counts as unacknowledged
SECRET = re.compile(r'class="sip-secret">([^<]+)<')


@dataclass
class Arrival:
    """One participant: a seat's link (``seat`` = the seat's code) or the join page (``seat`` = "")."""

    index: int
    url: str
    source: str
    name: str
    fields: tuple[str, ...]  # the fields this participant writes: its own first, then a shared one (groups)
    group: int | None = None
    seat: str = ""
    at: float = 0.0  # seconds after the start of the arrivals


@dataclass
class Outcome:
    arrival: Arrival
    usable: float | None = None  # s from the first byte requested to the widget state
    form: float | None = None  # s from the click on the join button to the plan form's widgets
    error: str = ""
    kernel_id: str | None = None
    code: str = ""  # the personal code (a seat's code is its taker's)
    acked: list[tuple[str, str]] = field(default_factory=list)  # (field, stamp) the page was told are stored
    ack_seconds: list[float] = field(default_factory=list)  # last keystroke → "stored", per write
    writes: int = 0
    conflicts: int = 0
    unacked: int = 0
    shown: dict[str, str] = field(default_factory=dict)  # field → the text the page shows at the end
    page: PageClient | None = None  # open until everyone is done


class LoadServer(Server):
    """`sipkurs serve` with the course's case, a pool of ``pool`` and room for everyone (bench_app's Server)."""

    def __init__(self, tmp: Path, pool: int, max_kernels: int) -> None:
        self.kind, self.pool, self.port = "app", pool, free_port()
        self.db = tmp / "kurs.db"
        self.log = tmp / "logs" / f"serve-{self.port}.log"
        env = {**os.environ, "SIPKURS_LOG_DIR": str(tmp / "logs")}
        cmd = [str(Path(sys.executable).with_name("sipkurs")), "serve", "--course", COURSE, "--trainer-code", TRAINER,
               "--case", CASE, "--db", str(self.db), "--port", str(self.port), "--pool-size", str(pool),
               "--max-kernels", str(max_kernels)]
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/?kurs={COURSE}"
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                                     start_new_session=True)
        if not wait_port(self.port, lambda: self.proc.poll() is None, 120):
            raise RuntimeError("sipkurs serve did not start")

    def kernel_pids(self) -> dict[str, int]:
        """Kernel id → process id of every kernel (from the kernel's connection file name)."""
        found = {}
        for p in self.kernels():
            try:
                name = re.search(r"kernel-([0-9a-f-]+)\.json", " ".join(p.cmdline()))
            except psutil.NoSuchProcess:
                continue
            if name:
                found[name.group(1)] = p.pid
        return found

    def log_problems(self) -> int:
        """Tracebacks in the server's log so far (kernels' errors are logged there, never shown to the page)."""
        return self.log.read_text(encoding="utf-8", errors="replace").count("Traceback") if self.log.exists() else 0


def pss_mib(pid: int) -> float:
    """Proportional set size of one process, from /proc/<pid>/smaps_rollup (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def spread(values: list[float]) -> dict:
    return {"n": len(values), "p50": pct(values, 0.5), "p95": pct(values, 0.95), "max": max(values, default=None)}


# --- one participant ------------------------------------------------------------------------------------------------
async def join(page: PageClient, out: Outcome, patience: float) -> bool:
    """Load the page, type the name, press the join button, wait for the form."""
    result = await page.open()
    out.kernel_id = result.kernel_id
    if not result.usable:
        out.error = f"sidan blev inte användbar: {result.error or result.status}"
        return False
    out.usable = result.usable_seconds
    name = page.widget(description="Ditt namn")
    button = page.widget(description="Ta platsen" if out.arrival.seat else "Börja eller fortsätt")
    if name is None or button is None:
        out.error = "anslutningssidan saknar namnfältet eller knappen"
        return False
    await page.set_value(name, out.arrival.name)
    clicked = page.seconds()
    await page.click(button)
    if not await page.wait_until(lambda: page.widget(css_class="sip-form") is not None, patience):
        out.error = f"formuläret kom inte inom {patience:.0f} s"
        return False
    out.form = page.seconds() - clicked
    header = next((m.value for m in page.widgets(model="HTMLModel") if "sip-secret" in str(m.value)), "")
    found = SECRET.search(header)
    out.code = out.arrival.seat or (found.group(1).strip() if found else "")
    if not out.code:
        out.error = "sidan visar ingen personlig kod"
    return True


async def write(page: PageClient, out: Outcome, path: str, stamp: str, keystroke: float) -> None:
    """Append ``stamp`` to the field one keystroke at a time, then wait until the page says it is stored; if someone
    else changed the field at the same moment, keep their text and type the stamp again after it."""
    from sipkurs.ui.form import field_class

    key = field_class(path)
    box = page.widget(css_class=key)
    label = box.description
    out.writes += 1
    while True:
        before, k = None, 0
        while before is None or k < len(addition):
            if k:
                await asyncio.sleep(keystroke)
            if before is None or box.value != before + addition[:k]:  # new, or another member's text arrived: after it
                before, k = box.value or "", 0
                addition = (" " if before else "") + stamp
            k += 1
            await page.set_value(box, before + addition[:k])
        typed = before + addition
        done = page.seconds()
        keep_theirs = f"Behåll deras text ({label})"
        ok = await page.wait_until(lambda: page.is_stored(key, typed) or page.widget(description=keep_theirs),
                                   ACK_PATIENCE)
        if ok and page.is_stored(key, typed):
            out.acked.append((path, stamp))
            out.ack_seconds.append(page.seconds() - done)
            return
        button = page.widget(description=keep_theirs)
        if button is None:
            out.unacked += 1
            return
        out.conflicts += 1
        clicked = await page.click(button)
        if not await page.wait_until(lambda: page.handled(clicked) and page.widget(description=keep_theirs) is None,
                                     ACK_PATIENCE):
            out.unacked += 1
            return


async def participant(arrival: Arrival, start: float, deadline: float, keystroke: float, patience: float,
                      pause: tuple[float, float]) -> Outcome:
    out = Outcome(arrival)
    loop = asyncio.get_running_loop()
    await asyncio.sleep(max(0.0, start + arrival.at - loop.time()))
    page = out.page = PageClient(arrival.url, source=arrival.source, timeout=patience)
    rng = random.Random(arrival.index)
    try:
        if not await join(page, out, patience):
            return out
        n = 0
        while loop.time() < deadline and not page.closed:
            n += 1
            shared = len(arrival.fields) > 1 and arrival.group is not None and rng.random() < SHARED_SHARE
            path = arrival.fields[-1] if shared else arrival.fields[0]
            await write(page, out, path, f"[{arrival.name.split()[-1]}.{n}]", keystroke)
            await asyncio.sleep(rng.uniform(*pause))
        if page.closed:
            out.error = f"sidans websocket stängdes: {page.result.error}"
    except Exception as exc:  # noqa: BLE001 - one participant's failure is reported, the others go on
        out.error = f"{type(exc).__name__}: {exc}"[:300]
    return out


# --- the run --------------------------------------------------------------------------------------------------------
def arrivals(server: LoadServer, store, participants: int, groups: int, seats: int, seconds: float) -> list[Arrival]:
    """Form the groups (as the trainer) and list everyone in a shuffled order of arrival."""
    from sipkurs.links import participant_link
    from sipkurs.roleplay import form_group

    people: list[Arrival] = []
    for g in range(groups):
        group = form_group(store, COURSE, TRAINER)
        if len(group.seats) < seats:
            raise SystemExit(f"bench_load: fallet {CASE} har {len(group.seats)} roller, inte {seats}")
        for s, seat in enumerate(group.seats[:seats]):
            link = participant_link(server.base, COURSE, seat.code)
            people.append(Arrival(0, link, "", f"Grupp {g + 1} g{g + 1}s{s + 1}",
                                  (OWN_FIELDS[s % len(OWN_FIELDS)], SHARED_FIELD), g, seat.code))
    for i in range(participants - groups * seats):
        people.append(Arrival(0, server.url, "", f"Ensam e{i + 1}", (OWN_FIELDS[i % len(OWN_FIELDS)],)))
    random.Random(14).shuffle(people)
    for i, person in enumerate(people):
        person.index = i
        person.source = f"127.0.{i // 250}.{2 + i % 250}"  # the anchor's pages come from 127.0.200.x
        person.at = seconds * i / max(1, len(people) - 1)
    return people


async def crowd(people: list[Arrival], write_seconds: float, keystroke: float, patience: float,
                pause: tuple[float, float]) -> list[Outcome]:
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.5
    deadline = start + max((p.at for p in people), default=0) + write_seconds
    outcomes = await asyncio.gather(*(participant(p, start, deadline, keystroke, patience, pause) for p in people))
    return list(outcomes)


async def settle_pages(outcomes: list[Outcome], values: dict, wait: float = 10.0) -> None:
    """Give every page up to ``wait`` s to show what the store has, and note what each shows."""
    from sipkurs.ui.form import field_class

    def agrees(out: Outcome) -> bool:
        page = out.page
        return all((page.widget(css_class=field_class(f)).value or "") == values.get(out.arrival.index, {}).get(f, "")
                   for f in out.arrival.fields)

    open_pages = [o for o in outcomes if o.form is not None and not o.page.closed]
    await asyncio.gather(*(o.page.wait_until(lambda o=o: agrees(o), wait) for o in open_pages))
    for o in open_pages:
        o.shown = {f: o.page.widget(css_class=field_class(f)).value or "" for f in o.arrival.fields}


def stored_values(store, outcomes: list[Outcome]) -> dict[int, dict[str, str]]:
    """What the store holds, per participant, of the fields that participant wrote (own plan or the group's)."""
    values = {}
    for o in outcomes:
        if not o.code:
            continue
        person = store.open_code(COURSE, o.code)
        owners = store.owners_of(person)
        owner = owners[-1]  # the group's plan for a seat, the own plan for someone alone
        fields = store.plan_state(person, owner).fields
        values[o.arrival.index] = {f: (fields[f].value if f in fields else "") or "" for f in o.arrival.fields}
    return values


async def busy_percent(pids: list[int], seconds: float) -> float:
    """CPU the processes use together over ``seconds``, in % of one core."""
    def used() -> float:
        total = 0.0
        for pid in pids:
            try:
                total += sum(psutil.Process(pid).cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
        return total

    before = used()
    await asyncio.sleep(seconds)
    return 100 * (used() - before) / seconds


async def measure(server: LoadServer, outcomes: list[Outcome]) -> dict:
    """Memory as PSS: the kernels of the pages that reached the form, the server process, every other kernel; and
    the CPU the participants' kernels use while every page is open and nobody types."""
    kernels = server.kernel_pids()
    theirs = {o.kernel_id for o in outcomes}
    pids = [kernels[o.kernel_id] for o in outcomes if o.kernel_id in kernels and o.form is not None]
    mine = [pss_mib(pid) for pid in pids]
    others = [pss_mib(pid) for kid, pid in kernels.items() if kid not in theirs]
    server_pss = pss_mib(server.server_process().pid)
    return {
        "idle_kernels_cpu_percent": await busy_percent(pids, 5.0),
        "kernels_measured": len(mine), "kernel_pss_mib": sum(mine),
        "kernel_pss_median_mib": median(mine), "server_pss_mib": server_pss,
        "pss_per_participant_mib": (sum(mine) + server_pss) / len(mine) if mine else None,
        "other_kernels": len(others), "other_pss_mib": sum(others),
    }


def alone(server: LoadServer, runs: int, keystroke: float, patience: float) -> list[Outcome]:
    """The anchor: one participant at a time on the quiet server (join page, 5 writes), the pool refilled between."""
    results = []
    for i in range(runs):
        person = Arrival(i, server.url, f"127.0.200.{2 + i}", f"Ankare a{i + 1}", (OWN_FIELDS[0],))

        async def one() -> Outcome:
            out = Outcome(person)
            page = PageClient(person.url, source=person.source, timeout=patience)
            if await join(page, out, patience):
                for n in range(5):
                    await write(page, out, person.fields[0], f"[a{i + 1}.{n + 1}]", keystroke)
                    await asyncio.sleep(0.5)
            await page.close()
            return out

        results.append(asyncio.run(one()))
        server.settle(server.pool + i + 1)  # the pool refilled (the page left its kernel until it is culled)
    return results


def run(participants: int = 40, groups: int = 8, seats: int = 5, arrival_seconds: float = 60.0,
        write_seconds: float = 60.0, pool_size: int | None = None, alone_runs: int = 3, keystroke: float = 0.15,
        pause: tuple[float, float] = (1.0, 4.0), patience: float = 120.0, keep: bool = False, say=print) -> dict:
    """Run the benchmark once and return its figures (see ``report``)."""
    from sipkurs.store import Store

    if participants < groups * seats:
        raise SystemExit(f"bench_load: {groups} grupper × {seats} platser är fler än {participants} deltagare")
    pool = participants if pool_size is None else pool_size
    tmp = Path(tempfile.mkdtemp(prefix="bench-load-"))
    server = LoadServer(tmp, pool, max_kernels=participants + pool + alone_runs + 5)
    store = None
    try:
        say(f"  server på {server.base}, pool {pool}: väntar tills poolen är fylld …")
        server.settle(pool, timeout=900)  # refills take turns on one core: ~5 s each
        store = Store(f"sqlite:///{server.db}")
        anchor = alone(server, alone_runs, keystroke, patience)
        say(f"  ankaret (en deltagare ensam, {alone_runs} gånger) klart; {participants} deltagare anländer …")
        people = arrivals(server, store, participants, groups, seats, arrival_seconds)
        load = os.getloadavg()[0]
        cpu0, client0, wall0 = server.cpu_seconds(), sum(psutil.Process().cpu_times()[:2]), time.perf_counter()

        async def go():
            outcomes = await crowd(people, write_seconds, keystroke, patience, pause)
            used = {"wall_seconds": time.perf_counter() - wall0, "server_cpu_seconds": server.cpu_seconds() - cpu0,
                    "client_cpu_seconds": sum(psutil.Process().cpu_times()[:2]) - client0}
            values = stored_values(store, outcomes)
            await settle_pages(outcomes, values)
            used.update(await measure(server, outcomes))  # while every page is still open
            await asyncio.gather(*(o.page.close() for o in outcomes if o.page is not None))
            used["log_tracebacks"] = server.log_problems()  # before stopping: pool kernels complain as they are stopped
            return outcomes, values, used

        outcomes, values, measured = asyncio.run(go())
    finally:
        if store is not None:
            store.close()
        server.stop()
    if keep:
        say(f"  arbetskatalogen (lagringen, serverns logg) finns kvar: {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)

    lost = [(o.arrival.name, f, s) for o in outcomes for f, s in o.acked
            if s not in values.get(o.arrival.index, {}).get(f, "")]
    differ = sum(1 for o in outcomes if o.shown and o.shown != values.get(o.arrival.index))
    joined = [o for o in outcomes if o.form is not None]
    per_group: dict[int, int] = {}
    for o in joined:
        if o.arrival.group is not None:
            per_group[o.arrival.group] = per_group.get(o.arrival.group, 0) + 1
    return {
        "participants": participants, "groups": groups, "seats": seats, "solo": participants - groups * seats,
        "arrival_seconds": arrival_seconds, "write_seconds": write_seconds, "pool": pool,
        "cores": os.cpu_count(), "load": load,
        "usable": spread([o.usable for o in outcomes if o.usable is not None]),
        "form": spread([o.form for o in joined]),
        "ack": spread([s for o in outcomes for s in o.ack_seconds]),
        "errors": [f"{o.arrival.name} ({o.arrival.source}): {o.error}" for o in outcomes if o.error],
        "joined": len(joined), "groups_complete": sum(1 for n in per_group.values() if n == seats),
        "writes": sum(o.writes for o in outcomes), "acked": sum(len(o.acked) for o in outcomes),
        "unacked": sum(o.unacked for o in outcomes), "conflicts": sum(o.conflicts for o in outcomes),
        "lost": len(lost), "lost_examples": lost[:5], "pages_differing_from_store": differ,
        "slowest": [{"name": o.arrival.name, "arrived": round(o.arrival.at, 1), "usable": o.usable, "form": o.form}
                    for o in sorted(outcomes, key=lambda o: -((o.usable or 99) + (o.form or 99)))[:5]],
        **measured,
        "anchor": {
            "runs": len(anchor),
            "usable": median([a.usable for a in anchor if a.usable is not None]),
            "form": median([a.form for a in anchor if a.form is not None]),
            "ack": median([s for a in anchor for s in a.ack_seconds]),
            "errors": [a.error for a in anchor if a.error],
        },
    }


def _s(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}".replace(".", ",")


def report(r: dict) -> None:
    a = r["anchor"]
    print(f"\n{r['participants']} deltagare ({r['groups']} grupper × {r['seats']} platser, {r['solo']} ensamma) "
          f"anländer inom {r['arrival_seconds']:.0f} s och skriver {r['write_seconds']:.0f} s efter den sista; "
          f"pool {r['pool']}; {r['cores']} kärnor, belastning {r['load']:.1f} före")
    print(f"{'':36} {'p50':>6} {'p95':>6} {'max':>6}   ankare (en ensam)  kvot p95/ankare")
    for key, label in (("usable", "användbar sida (s)"), ("form", "formuläret efter knappen (s)"),
                       ("ack", "sparat efter sista tangenten (s)")):
        d = r[key]
        ratio = d["p95"] / a[key] if d["p95"] is not None and a[key] else None
        print(f"  {label:34} {_s(d['p50']):>6} {_s(d['p95']):>6} {_s(d['max']):>6}   {_s(a[key]):>8}"
              f"           {_s(ratio)}")
    n = r["participants"]
    print(f"  användbara {r['usable']['n']}/{n}, nådde formuläret {r['joined']}/{n}, "
          f"hela grupper {r['groups_complete']}/{r['groups']}")
    print(f"  skrivningar {r['writes']}, kvitterade som sparade {r['acked']}, förlorade {r['lost']}, "
          f"konflikter lösta {r['conflicts']}, utan kvittens {r['unacked']}; "
          f"sidor som visar annat än lagringen {r['pages_differing_from_store']}")
    print(f"  server-CPU {r['server_cpu_seconds']:.0f} s på {r['wall_seconds']:.0f} s = "
          f"{100 * r['server_cpu_seconds'] / r['wall_seconds']:.0f} % av en kärna; klienternas CPU "
          f"{r['client_cpu_seconds']:.0f} s (samma maskin); deltagarnas kärnor när ingen skriver "
          f"{r['idle_kernels_cpu_percent']:.0f} % av en kärna")
    if r["pss_per_participant_mib"] is not None:
        print(f"  minne (PSS): deltagarnas {r['kernels_measured']} kärnor {r['kernel_pss_mib']:.0f} MiB "
              f"(median {r['kernel_pss_median_mib']:.0f} MiB), servern {r['server_pss_mib']:.0f} MiB → "
              f"{r['pss_per_participant_mib']:.0f} MiB per deltagare; dessutom {r['other_kernels']} andra kärnor "
              f"(poolen, ankarets som ännu inte stängts) {r['other_pss_mib']:.0f} MiB")
    slow = r["slowest"][0] if r["slowest"] else None
    if slow:
        print(f"  långsammast: {slow['name']}, anlände efter {slow['arrived']:.0f} s: användbar efter "
              f"{_s(slow['usable'])} s, formuläret efter {_s(slow['form'])} s")
    for e in r["errors"][:10] + a["errors"]:
        print(f"  fel: {e}")
    if r["log_tracebacks"]:
        print(f"  serverns logg har {r['log_tracebacks']} Traceback")
    usable_ok = r["usable"]["n"] == r["participants"] and (r["usable"]["max"] or 99) <= 3.0
    print("  mål: alla användbara ≤ 3 s " + ("✔" if usable_ok else "✘")
          + "; ≤ 100 MiB per deltagare " + ("✔" if (r["pss_per_participant_mib"] or 999) <= 100 else "✘")
          + "; 0 förlorade " + ("✔" if r["lost"] == 0 and r["acked"] else "✘"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--groups", type=int, default=8)
    parser.add_argument("--seats", type=int, default=5, help="platser per grupp (resten av deltagarna skriver ensamma)")
    parser.add_argument("--arrival-seconds", type=float, default=60.0)
    parser.add_argument("--write-seconds", type=float, default=60.0,
                        help="sekunder alla skriver efter den sista ankomsten")
    parser.add_argument("--pool-size", type=int, default=None,
                        help="förvärmda kärnor (standard: lika många som deltagarna)")
    parser.add_argument("--alone", type=int, default=3, help="ankarets körningar (en deltagare ensam)")
    parser.add_argument("--keystroke", type=float, default=0.15, help="sekunder mellan tangenttryck")
    parser.add_argument("--json", action="store_true", help="skriv siffrorna som JSON i stället för rapporten")
    parser.add_argument("--keep", action="store_true", help="behåll arbetskatalogen (lagringen och serverns logg)")
    args = parser.parse_args()
    for name, value, least in (("--participants", args.participants, 1), ("--groups", args.groups, 0),
                               ("--seats", args.seats, 1), ("--arrival-seconds", args.arrival_seconds, 0),
                               ("--write-seconds", args.write_seconds, 0), ("--pool-size", args.pool_size or 0, 0),
                               ("--alone", args.alone, 0), ("--keystroke", args.keystroke, 0)):
        if value < least:
            sys.exit(f"bench_load: {name} får inte vara mindre än {least}")
    out = sys.stderr if args.json else sys.stdout  # with --json, stdout holds only the JSON

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    result = run(args.participants, args.groups, args.seats, args.arrival_seconds, args.write_seconds,
                 args.pool_size, args.alone, args.keystroke, keep=args.keep, say=say)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        report(result)


if __name__ == "__main__":
    main()
