"""The database connection: where it is, how SQLite is set up, and what every part of the store shares."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

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
    cursor.execute("PRAGMA journal_mode=WAL")  # many kernels write at once; readers never block the writer
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")  # WAL keeps every commit across a crash of the process
    cursor.close()
