"""A throw-away PostgreSQL server for the tests: Debian's `postgresql` binaries, a temporary directory, a Unix socket.

PostgreSQL refuses to run as root, and CI runs as root: then every server command runs as the `postgres` system user
that the Debian package creates (through `runuser`), in a directory that user owns. The server listens only on a
socket inside that directory (no TCP port to collide with other test runs on the machine) and is tuned for speed,
not durability (no fsync): nothing in it outlives the test session.
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

SERVER_SETTINGS = {
    "listen_addresses": "''",  # the Unix socket only
    "fsync": "off",  # a throw-away cluster: speed over durability
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # two `sipkurs serve` instances with their kernels, plus the test process
}


class PostgresUnavailable(Exception):
    """PostgreSQL's server programs are not installed here (the tests that need it are skipped, or fail in CI)."""


def find_bindir() -> Path:
    """The newest installed /usr/lib/postgresql/<version>/bin that has initdb and pg_ctl."""
    candidates = []
    for bindir in Path("/usr/lib/postgresql").glob("*/bin"):
        if (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file() and bindir.parent.name.isdigit():
            candidates.append((int(bindir.parent.name), bindir))
    if not candidates:
        raise PostgresUnavailable(
            "PostgreSQL saknas (/usr/lib/postgresql/*/bin/initdb); installera med 'apt-get install -y postgresql'"
        )
    return max(candidates)[1]


class PostgresCluster:
    """One PostgreSQL server in a temporary directory; ``create_database()`` gives a fresh, empty database."""

    def __init__(self, bindir: Path | None = None) -> None:
        self.bindir = bindir or find_bindir()
        self.version = int(self.bindir.parent.name)
        self.dir: Path | None = None
        self._admin = None
        self._names = itertools.count(1)

    # --- where and as whom -------------------------------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        assert self.dir is not None, "the cluster is not started"
        return self.dir

    @property
    def data_dir(self) -> Path:
        return self.socket_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.socket_dir / "server.log"

    def _as_owner(self, args: list[str]) -> list[str]:
        """Run a server program as `postgres` when we are root (PostgreSQL will not run as root)."""
        if os.geteuid() != 0:
            return args
        return ["runuser", "-u", "postgres", "--", *args]

    def _run(self, *args: str) -> None:
        # Output to a file, not a pipe: pg_ctl's server inherits it and would keep a pipe open for ever.
        with open(self.socket_dir / "commands.log", "a", encoding="utf-8") as out:
            result = subprocess.run(self._as_owner(list(args)), stdout=out, stderr=subprocess.STDOUT, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed ({result.returncode}):\n{self.logs()}")

    def logs(self) -> str:
        parts = []
        for name in ("commands.log", "server.log"):
            path = self.socket_dir / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(encoding='utf-8', errors='replace')[-4000:]}")
        return "\n".join(parts)

    # --- life cycle ------------------------------------------------------------------------------------------------
    def start(self) -> PostgresCluster:
        # Not below pytest's tmp_path: that is private to root (0700), and the server runs as `postgres`.
        self.dir = Path(tempfile.mkdtemp(prefix="sipkurs-pg-"))
        atexit.register(self.destroy)  # also when the session ends abnormally (the fixture's teardown is the usual way)
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")  # created by Debian's postgresql-common
            os.chown(self.dir, owner.pw_uid, owner.pw_gid)
        self._run(
            str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
            "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync",
        )
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str) -> None:
        options = f"-k {self.socket_dir} " + " ".join(f"-c {k}={v}" for k, v in SERVER_SETTINGS.items())
        args = [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-w", "-t", "60", "-l", str(self.log_file)]
        if action in ("start", "restart"):
            args += ["-o", options]
        if action in ("stop", "restart"):
            args += ["-m", "fast"]
        self._run(*args, action)

    def restart(self) -> None:
        """Stop and start the server: every open connection is cut, as in a database failover or upgrade."""
        self._close_admin()
        self._pg_ctl("restart")

    def destroy(self) -> None:
        """Stop the server (if running) and remove every file. Safe to call twice."""
        if self.dir is None:
            return
        self._close_admin()
        if (self.data_dir / "postmaster.pid").exists():
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-w", "-t", "30", "-m", "immediate", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass  # it is going away with its directory: the postmaster exits when its lock file disappears
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None

    # --- databases ---------------------------------------------------------------------------------------------------
    def url(self, database: str, user: str = "postgres", password: str = "") -> str:
        """The SQLAlchemy URL of a database (psycopg 3 over the cluster's socket)."""
        login = f"{user}:{password}" if password else user
        return f"postgresql+psycopg://{login}@/{database}?host={self.socket_dir}"

    def _admin_conn(self):
        import psycopg

        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(host=str(self.socket_dir), user="postgres", dbname="postgres", autocommit=True)
        return self._admin

    def _close_admin(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None

    def create_database(self, name: str | None = None) -> str:
        """A new empty database; returns its URL."""
        name = name or f"test_{os.getpid()}_{next(self._names)}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
            raise ValueError(f"not a plain database name: {name!r}")
        # FILE_COPY: ~0.04 s instead of ~0.5 s for PostgreSQL 15's default WAL_LOG copy (nothing is fsynced here).
        strategy = " STRATEGY FILE_COPY" if self.version >= 15 else ""
        self._admin_conn().execute(f'CREATE DATABASE "{name}"{strategy}')
        return self.url(name)

    def drop_database(self, url: str, *, role: bool = False) -> None:
        """Drop a database (and with ``role``, the user of the URL), cutting any connection a test left open."""
        from sqlalchemy.engine import make_url

        parsed = make_url(url)
        self._admin_conn().execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        if role:
            self._admin_conn().execute(f'DROP ROLE IF EXISTS "{parsed.username}"')

    def psql_file(self, path: Path, **variables: str) -> None:
        """Run an SQL script with psql as the administrator, as an operator would (``-v name=value`` each)."""
        args = [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.socket_dir),
                "-U", "postgres", "-d", "postgres", "-f", str(path)]
        for name, value in variables.items():
            args += ["-v", f"{name}={value}"]
        result = subprocess.run(args, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise RuntimeError(f"psql -f {path} failed: {result.stderr.strip()}")
