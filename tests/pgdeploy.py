"""The multi-server deployment of docs/drift.md on loopback: N `sipkurs serve` sharing one PostgreSQL behind HAProxy.

`Deployment` starts the instances and the proxy with the shipped deploy/haproxy/haproxy.cfg (only addresses, ports
and file paths are rewritten), TLS with a throw-away self-signed certificate for the name `sipkurs.test`, which the
browser maps to 127.0.0.1 so that requests carry a real host name as they would in a kommun. Each instance can be
stopped and started again; the course, the trainer code and the database are shared.
"""

from __future__ import annotations

import concurrent.futures
import json
import re
import secrets
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from browserkit import COURSE, TRAINER_CODE, Server, _free_port

REPO = Path(__file__).resolve().parent.parent
HAPROXY_CONFIG = REPO / "deploy" / "haproxy" / "haproxy.cfg"
DATABASE_SETUP = REPO / "deploy" / "postgresql" / "skapa-databas.sql"
HAPROXY = Path("/usr/sbin/haproxy")
HOSTNAME = "sipkurs.test"  # resolved to 127.0.0.1 by the browser (CHROMIUM_RESOLVER), never by DNS
CASE = "sjukskriven_utmattning"  # as browserkit.Server starts it
APP = "sip_utkast.ipynb"
TRAINER = "sip_larare.ipynb"


PROXY_MISSING = f"HAProxy saknas ({HAPROXY}); installera med 'apt-get install -y haproxy'"
# Chromium: the host name goes to loopback, every other name is unknown. (Voila's page asks a public CDN for Font
# Awesome's CSS; here that fails at once instead of leaving the machine.)
CHROMIUM_RESOLVER = f"--host-resolver-rules=MAP {HOSTNAME} 127.0.0.1, MAP * ~NOTFOUND"


class Instance(Server):
    """One `sipkurs serve` (browserkit.Server, with its course and trainer code) on the shared database.

    As a systemd unit of deploy/systemd/ runs it, but on a loopback port: ``start()``, ``stop()`` (SIGINT, as an
    operator's Ctrl-C or systemd's stop), ``running``.
    """

    def __init__(self, name: str, db_url: str) -> None:
        super().__init__(db_url)  # type: ignore[arg-type] - a URL works wherever a file path does
        self.name = name  # also HAProxy's server name and cookie value

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


class Proxy:
    """HAProxy in the foreground with the shipped configuration, rewritten for loopback and a temporary directory."""

    def __init__(self, workdir: Path, instances: list[Instance]) -> None:
        self.workdir = workdir
        self.instances = instances
        self.https_port = _free_port()
        self.http_port = _free_port()
        self.proc: subprocess.Popen | None = None
        self.log = workdir / "haproxy.log"

    @property
    def socket(self) -> Path:
        return self.workdir / "admin.sock"

    def config(self, cert: Path) -> str:
        """deploy/haproxy/haproxy.cfg with this machine's ports, paths and instances; nothing else changes."""
        text = HAPROXY_CONFIG.read_text(encoding="utf-8")
        servers = "\n".join(
            f"    server {i.name} 127.0.0.1:{i.port} cookie {i.name}" for i in self.instances
        )
        rewrites = [
            (r"(?m)^    bind :80\b.*$", f"    bind 127.0.0.1:{self.http_port}", 1),
            (r"(?m)^    bind :443 ssl crt \S+", f"    bind 127.0.0.1:{self.https_port} ssl crt {cert}", 1),
            (r"(?m)^    stats socket \S+", f"    stats socket {self.socket}", 1),
            (r"(?m)^    log /dev/log local0$", "    log stdout format raw local0", 1),  # no syslog here: to the log file
            (r"(?m)^    log /dev/log local1 notice\n", "", 1),
            (r"(?m)^    chroot .*\n", "", 1),  # the chroot would hide the socket's temporary directory
            (r"(?m)(^    server .*\n)+", servers + "\n", 1),
        ]
        for pattern, replacement, count in rewrites:
            text, n = re.subn(pattern, lambda _m, r=replacement: r, text)
            assert n == count, f"{HAPROXY_CONFIG}: expected {count} match(es) of {pattern!r}, found {n}"
        return text

    def start(self) -> None:
        cert = self.workdir / "sipkurs.pem"
        make_certificate(cert, HOSTNAME)
        cfg = self.workdir / "haproxy.cfg"
        cfg.write_text(self.config(cert), encoding="utf-8")
        check = subprocess.run([str(HAPROXY), "-c", "-q", "-f", str(cfg)], capture_output=True, text=True)
        assert check.returncode == 0, f"haproxy -c: {check.stdout}{check.stderr}"
        log = self.log.open("w", encoding="utf-8")
        # -db: stay in the foreground (the shipped `daemon` is for systemd), so the test owns the process.
        self.proc = subprocess.Popen([str(HAPROXY), "-db", "-f", str(cfg)], stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"HAProxy avslutades:\n{self.log.read_text()}"
            try:
                with socket.create_connection(("127.0.0.1", self.https_port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"HAProxy lyssnar inte:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def admin(self, command: str) -> str:
        """A command on HAProxy's stats socket (the same as `socat /run/haproxy/admin.sock`)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.connect(str(self.socket))
            s.sendall(command.encode() + b"\n")
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server_states(self) -> dict[str, str]:
        """Each instance's state as HAProxy's health checks see it: UP, DOWN, …"""
        lines = self.admin("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "sipkurs" and row.get("svname") not in ("BACKEND", "FRONTEND", None):
                states[row["svname"]] = row["status"].split()[0]
        return states

    def wait_states(self, expected: dict[str, str], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if {k: v for k, v in self.server_states().items() if k in expected} == expected:
                return
            time.sleep(0.2)
        raise AssertionError(f"HAProxy ser {self.server_states()}, väntade {expected}")


def make_certificate(path: Path, hostname: str) -> None:
    """A self-signed certificate and its key in one PEM file, as HAProxy's `crt` wants them."""
    with tempfile.TemporaryDirectory() as tmp:
        key, crt = Path(tmp) / "key.pem", Path(tmp) / "crt.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
             "-days", "2", "-subj", f"/CN={hostname}", "-addext", f"subjectAltName=DNS:{hostname}",
             "-keyout", str(key), "-out", str(crt)],
            check=True, capture_output=True,
        )
        path.write_text(crt.read_text() + key.read_text(), encoding="utf-8")
        path.chmod(0o600)


def app_database(cluster, name: str) -> str:
    """A database and an unprivileged role of the same name, made by the shipped setup script; returns its URL."""
    password = secrets.token_urlsafe(16)
    cluster.psql_file(DATABASE_SETUP, roll=name, databas=name, losenord=password)
    return cluster.url(name, user=name, password=password)


class Deployment:
    """N instances on one PostgreSQL database behind the proxy: what docs/drift.md describes, on loopback."""

    def __init__(self, db_url: str, workdir: Path, instances: int = 2) -> None:
        self.db_url = db_url
        self.workdir = workdir
        self.instances = [Instance(f"app{n}", db_url) for n in range(1, instances + 1)]
        self.proxy = Proxy(workdir, self.instances)
        self._store = None

    # --- addresses ---------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        """The proxy's base URL, as participants reach it."""
        return f"https://{HOSTNAME}:{self.proxy.https_port}"

    def app_url(self, query: str = "") -> str:
        return f"{self.url}/voila/render/{APP}?kurs={COURSE}{query}"

    def trainer_url(self) -> str:
        return f"{self.url}/voila/render/{TRAINER}?kurs={COURSE}"

    def instance(self, name: str) -> Instance:
        return next(i for i in self.instances if i.name == name)

    @property
    def store(self):
        """The test's own view of the shared database (a sipkurs Store), to check what the instances saved."""
        if self._store is None:
            from sipkurs.store import Store

            self._store = Store(self.db_url)
        return self._store

    # --- life cycle --------------------------------------------------------------------------------------------
    def start(self) -> Deployment:
        # The course exists before the instances start, so that they only reopen it (not race to create it).
        self.store.create_course(COURSE, case_id=CASE, trainer_code=TRAINER_CODE)
        try:
            self._start_instances(self.instances)
            self.proxy.start()
            self.proxy.wait_states({i.name: "UP" for i in self.instances})
        except BaseException:
            self.stop()
            raise
        return self

    @staticmethod
    def _start_instances(instances: list[Instance]) -> None:
        """Start several instances at once (each takes seconds to start Voila)."""
        with concurrent.futures.ThreadPoolExecutor(len(instances)) as pool:
            for future in [pool.submit(i.start) for i in instances]:
                future.result()

    def ensure_running(self) -> None:
        """Start whatever a test stopped, and wait until the proxy routes to every instance again."""
        stopped = [i for i in self.instances if not i.running]
        if stopped:
            self._start_instances(stopped)
        self.proxy.wait_states({i.name: "UP" for i in self.instances})

    def stop(self) -> None:
        self.proxy.stop()
        with concurrent.futures.ThreadPoolExecutor(len(self.instances)) as pool:
            list(pool.map(Instance.stop, self.instances))
        if self._store is not None:
            self._store.close()
            self._store = None

    def request(self, path: str, *, method: str = "GET", headers: dict | None = None, tls: bool = True):
        """A plain request through the proxy, redirects not followed: (status, headers with lower-case names, body).

        No body is sent, whatever Content-Length says: the proxy has to judge a request by its headers.
        """
        import http.client

        if tls:
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE  # the throw-away certificate
            conn = http.client.HTTPSConnection("127.0.0.1", self.proxy.https_port, timeout=30, context=context)
            host = f"{HOSTNAME}:{self.proxy.https_port}"
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.proxy.http_port, timeout=30)
            host = f"{HOSTNAME}:{self.proxy.http_port}"
        try:
            conn.putrequest(method, path, skip_host=True)
            for name, value in {"Host": host, **(headers or {})}.items():
                conn.putheader(name, value)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()


# --- participants in a browser, for tests -------------------------------------------------------------------------
PAGE_TIMEOUT = 60_000  # ms: a kernel on a busy 2-core machine running two instances


class Participant:
    """One person in their own browser context (own cookies, so own sticky instance)."""

    def __init__(self, browser, deployment, name: str) -> None:
        self.deployment = deployment
        self.name = name
        self.context = browser.new_context(ignore_https_errors=True, locale="sv-SE")
        self.context.set_default_timeout(PAGE_TIMEOUT)
        self.page = self.context.new_page()
        self.secret = ""

    @property
    def instance(self) -> str:
        """The instance HAProxy routes this participant to (its sticky cookie)."""
        return next(c["value"] for c in self.context.cookies() if c["name"] == "SIPKURS_SERVER")

    def join(self) -> None:
        self.page.goto(self.deployment.app_url())
        self.page.get_by_label("Ditt namn").fill(self.name)
        self.page.get_by_role("button", name="Börja eller fortsätt").click()
        self.secret = self.page.locator(".sip-secret").inner_text()
        assert re.fullmatch(r"[A-Z2-9]{5}-[A-Z2-9]{5}", self.secret)
        self.page.get_by_role("tab", name="Fallet").wait_for()

    def claim(self, seat_code: str) -> None:
        """Open a group seat's link, give the name and take the seat."""
        self.secret = seat_code
        self.page.goto(self.deployment.app_url(f"&kod={seat_code}"))
        self.page.get_by_label("Ditt namn").fill(self.name)
        self.page.get_by_role("button", name="Ta platsen").click()
        self.page.get_by_role("heading", name=re.compile("SIP i grupp")).wait_for()

    def sees(self, label: str, text: str, timeout: float) -> None:
        """Wait until the field shows this text (another member's edit arriving live)."""
        self.page.wait_for_function(
            "([label, text]) => [...document.querySelectorAll('label')].some(l => l.textContent.trim() === label"
            " && document.getElementById(l.htmlFor) && document.getElementById(l.htmlFor).value === text)",
            arg=[label, text], timeout=timeout * 1000,
        )

    def write(self, label: str, text: str) -> None:
        """Type into a field and wait until the autosave has put it in the shared database."""
        self.page.get_by_label(label).fill(text)
        deadline = time.monotonic() + PAGE_TIMEOUT / 1000
        while text not in saved_draft(self.deployment, self.secret):
            assert time.monotonic() < deadline, f"{self.name}s text kom aldrig fram till databasen"
            self.page.wait_for_timeout(200)

    def come_back(self) -> None:
        """Open the personal link again (as after a lost connection): the proxy picks a live instance."""
        self.page.goto(self.deployment.app_url(f"&kod={self.secret}"))
        self.page.get_by_text("Ditt sparade utkast är återställt.").wait_for()

    def close(self) -> None:
        self.context.close()


def saved_draft(deployment, secret: str) -> str:
    """What the shared database holds for a participant, as JSON text (read with the personal code, as the app does)."""
    store = deployment.store
    draft = store.load_draft(store.resume(COURSE, secret))
    return json.dumps(draft.data, ensure_ascii=False) if draft else ""
