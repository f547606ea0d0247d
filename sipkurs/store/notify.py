"""Telling pages that a plan changed: PostgreSQL's LISTEN/NOTIFY where the store is PostgreSQL, polling otherwise.

Every write to a plan sends ``NOTIFY sipkurs_plan, '<owner id>'`` in its transaction (delivered at commit). A page's
``ChangeListener`` listens on its own connection; asking it whether a plan changed costs no query. With SQLite
there is nothing to listen to and ``changed`` answers None: the page polls the plan's head revision instead.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CHANNEL = "sipkurs_plan"


def announce(s: Session, owner_id: int) -> None:
    """Within a writing transaction: tell listeners (at commit) that this plan changed."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SELECT pg_notify(:channel, :owner)"), {"channel": CHANNEL, "owner": str(owner_id)})


class ChangeListener:
    """One page's ear on the database. ``changed(owner_id)`` is True once after a notification for that plan,
    False when there was none, and None when the store cannot notify (SQLite) or the connection was lost."""

    def __init__(self, engine: Engine) -> None:
        self._conn = None
        self._seen: set[str] = set()
        if engine.dialect.name != "postgresql":
            return
        try:
            import psycopg

            url = engine.url.set(drivername="postgresql")
            self._conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)
            self._conn.execute(f"LISTEN {CHANNEL}")
        except Exception:  # noqa: BLE001 - without a listener the page polls, as with SQLite
            log.exception("could not listen for plan changes; polling instead")
            self._conn = None

    @property
    def active(self) -> bool:
        return self._conn is not None

    def changed(self, owner_id: int) -> bool | None:
        if self._conn is None:
            return None
        try:
            for note in self._conn.notifies(timeout=0):
                self._seen.add(note.payload)
        except Exception:  # noqa: BLE001 - the connection broke: from now on, poll
            log.exception("lost the connection that listens for plan changes; polling instead")
            self.close()
            return None
        key = str(owner_id)
        if key in self._seen:
            self._seen.discard(key)
            return True
        return False

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
