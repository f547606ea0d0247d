"""The database connection: where it is, how SQLite is set up, and what every part of the store shares."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session

ENV_DB = "SIPKURS_DB"


class StoreError(Exception):
    """A refused store operation; the message is one Swedish line a user may read."""


class Base(DeclarativeBase):
    pass


def now() -> dt.datetime:
    """Naive UTC, as every timestamp in the store."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def default_url() -> str:
    """The store's URL: $SIPKURS_DB (a URL or a file path), else a file under the user's data directory."""
    value = os.environ.get(ENV_DB, "").strip()
    if value:
        return to_url(value)
    return to_url(str(data_dir() / "sipkurs.db"))


def data_dir() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share") / "sipkurs"


def to_url(value: str) -> str:
    """A SQLAlchemy URL from a URL or a plain file path."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser().resolve()}"


def make_engine(url: str) -> Engine:
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True)
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 15})
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session in one transaction that reads and then writes, for rows several servers may create at once. On
    SQLite it takes the write lock at once (BEGIN IMMEDIATE, which waits its turn): a transaction that has read and
    then writes would otherwise fail at once with "database is locked" when another connection wrote in between
    (WAL's snapshot rule; the busy timeout does not apply). Seen with servers starting together on a new database."""
    with Session(engine) as s, s.begin():
        if engine.dialect.name == "sqlite":
            s.connection().exec_driver_sql("BEGIN IMMEDIATE")
        yield s


SCHEMA_LOCK = 74_201  # any constant: the PostgreSQL advisory lock held while tables are created


def create_schema(engine: Engine) -> None:
    """Create the missing tables; several servers starting at once on an empty database take turns."""
    from sqlalchemy import text

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # pysqlite runs DDL outside a transaction unless told
        Base.metadata.create_all(conn)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    _wal(cursor)  # many kernels write at once; readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps every commit across a crash of the process
    cursor.close()


def _wal(cursor, wait: float = 15.0) -> None:
    """Put the database in WAL mode (it stays so in the file). On a new database several servers starting at once
    may try together, and SQLite then answers "database is locked" at once instead of waiting: try again briefly."""
    import sqlite3
    import time

    deadline = time.monotonic() + wait
    pause = 0.01
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.2)
