"""Live co-editing of one plan: what a page knows of the store, what it changed, and what someone else changed first.

One ``LivePlan`` per open page (solo or group; two tabs of one participant are two pages). It never keeps anything
the store does not also have for longer than a save takes, so a reload, a dead kernel or a restart loses nothing:

- ``edit(path, value)`` records a change made on this page (``pending``), on top of the revision the page last saw;
- ``flush()`` writes pending changes; a field someone else changed in between comes back as a ``Conflict`` holding
  both texts, and is never overwritten silently; a cell of a row someone deleted comes back as ``RowGone``;
- ``poll()`` fetches what others wrote since the last poll and tells the listeners, except for fields this page is
  editing (their conflict is found at the next flush).

The UI subscribes with ``listen`` and shows what it is told; it keeps no plan or group state of its own.
``LiveSync`` drives a LivePlan on the kernel's event loop: polling, debounced flushing and presence heartbeats.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from sipkurs import plandoc
from sipkurs.store import Edit, FieldState, Participant, Store, StoreError

log = logging.getLogger(__name__)

RACE_WINDOW = 1.0  # s: text typed this soon after a field was emptied elsewhere may have been typed over the old text


@dataclass
class Pending:
    value: Any
    base_rev: int
    since: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class Conflict:
    """Two people changed one field: ``mine`` is this page's text, ``theirs`` what the store has now."""

    path: str
    mine: Any
    theirs: FieldState


@dataclass(frozen=True)
class RowGone:
    """This page edited a cell of a row that someone else deleted."""

    path: str
    value: Any
    base_rev: int
    row: FieldState


class Listener(Protocol):
    def remote_change(self, state: FieldState) -> None: ...
    def conflict(self, conflict: Conflict) -> None: ...
    def row_gone(self, gone: RowGone) -> None: ...
    def saved(self, states: list[FieldState]) -> None: ...


class LivePlan:
    def __init__(self, store: Store, participant: Participant, owner_id: int | None = None, author: str = "") -> None:
        self.store = store
        self.participant = participant
        self.owner_id = participant.owner_id if owner_id is None else owner_id
        self.author = author or participant.display_name
        self.known: dict[str, FieldState] = {}
        self.pending: dict[str, Pending] = {}
        self.conflicts: dict[str, Conflict] = {}
        self.gone: dict[str, RowGone] = {}
        self.rev = 0
        self.failing = False  # the last write did not reach the store (it is retried; nothing is dropped)
        self._shown: dict[str, tuple[int, float]] = {}  # path → (revision before a remote value was shown, when)
        self._listeners: list[Listener] = []
        self._lock = threading.RLock()

    # --- reading ------------------------------------------------------------------------------------------------
    def load(self) -> dict[str, Any]:
        """Everything the store has (after a reload this is the whole plan); returns {path: value}."""
        state = self.store.plan_state(self.participant, self.owner_id)
        with self._lock:
            self.known = dict(state.fields)
            self.rev = state.rev
            return self.values()

    def values(self) -> dict[str, Any]:
        """What this page shows: the store's values with this page's unsaved and conflicting changes on top."""
        with self._lock:
            out = {p: f.value for p, f in self.known.items()}
            out.update({p: c.mine for p, c in self.conflicts.items()})
            out.update({p: g.value for p, g in self.gone.items()})
            out.update({p: e.value for p, e in self.pending.items()})
            return out

    def data(self) -> dict[str, Any]:
        """The plan as this page shows it, as plan data."""
        return plandoc.assemble(self.values())

    def who(self, path: str) -> FieldState | None:
        """Who changed a field last, as far as this page knows."""
        return self.known.get(path)

    def rows(self, table: str) -> list[str]:
        return plandoc.live_rows(self.values(), table)

    @property
    def unsaved(self) -> bool:
        return bool(self.pending or self.conflicts or self.gone)

    def listen(self, listener: Listener) -> None:
        self._listeners.append(listener)

    # --- changing -----------------------------------------------------------------------------------------------
    def edit(self, path: str, value: Any) -> None:
        """A change typed on this page; written at the next flush."""
        with self._lock:
            if path in self.conflicts:  # still deciding between two texts: the page's text is "mine"
                self.conflicts[path] = Conflict(path, value, self.conflicts[path].theirs)
                return
            if path in self.gone:
                g = self.gone[path]
                self.gone[path] = RowGone(path, value, g.base_rev, g.row)
                return
            known = self.known.get(path)
            if path not in self.pending and (known.value if known else None) == value:
                return
            base, raced = (known.rev if known else 0), False
            shown = self._shown.get(path)
            if shown and isinstance(value, str) and known:
                # Another member's text reached this page (or was kept in a conflict). An edit that does not contain it
                # may have been typed before the page showed it (however late the edit arrives: a busy server delays
                # it), so the store decides, until the page builds on that text or writes the field. Only an emptied
                # field has nothing to lose.
                if _builds_on(value, known.value) or (not known.value and time.monotonic() - shown[1] >= RACE_WINDOW):
                    del self._shown[path]
                else:
                    base, raced = shown[0], True
            previous = self.pending.get(path)
            self.pending[path] = Pending(value, previous.base_rev if previous and not raced else base,
                                         previous.since if previous else time.monotonic())

    def edit_kept(self, path: str, value: Any, base_rev: int | None = None) -> None:
        """A text the browser kept from an earlier page that closed before the text was stored (the draft guard),
        typed on top of revision ``base_rev`` of the field (None: not known). The store decides, so a text someone
        wrote since (another member, or this participant in another tab or on another computer) comes back as a
        conflict with both texts, never overwritten by an old draft. Only a text that cannot drop anything is taken
        as it is: the field is empty, or the kept text contains the stored one."""
        with self._lock:
            known = self.known.get(path)
            if (path in self.pending or path in self.conflicts or path in self.gone
                    or known is None or known.value in (None, "", []) or _builds_on(value, known.value)):
                self.edit(path, value)
            elif known.value != value:
                base = base_rev if isinstance(base_rev, int) and 0 < base_rev <= known.rev else 0
                self.pending[path] = Pending(value, base)  # revision 0 is never a written field's: a conflict
                self._shown.pop(path, None)

    def flush(self) -> bool:
        """Write what is pending. Returns True when everything this page changed is in the store."""
        with self._lock:
            if not self.pending:
                return not self.unsaved
            batch = dict(self.pending)
            edits = [Edit(p, e.value, e.base_rev) for p, e in batch.items()]
            try:
                result = self.store.write(self.participant, edits, owner_id=self.owner_id, author=self.author)
            except StoreError:
                raise
            except Exception:  # noqa: BLE001 - the database is away: keep everything pending, try again later
                log.exception("writing a plan failed")
                self.failing = True
                return False
            self.failing = False
            for p, e in batch.items():
                if self.pending.get(p) is e:
                    del self.pending[p]
            for p, state in result.written.items():
                self._learn(state)
                self._shown.pop(p, None)  # this page's own text is now the field's: no race with what was shown
                if p in self.pending:  # typed on while the write ran: that text builds on our own write
                    self.pending[p].base_rev = state.rev
            for p, theirs in result.conflicts.items():
                self._learn(theirs)
                self.conflicts[p] = Conflict(p, self.pending.pop(p, batch[p]).value, theirs)
            for p, row in result.row_gone.items():
                self._learn(row)
                self.gone[p] = RowGone(p, self.pending.pop(p, batch[p]).value, batch[p].base_rev, row)
            listeners = list(self._listeners)
        for listener in listeners:
            if result.written:
                listener.saved(list(result.written.values()))
            for p in result.conflicts:
                listener.conflict(self.conflicts[p])
            for p in result.row_gone:
                listener.row_gone(self.gone[p])
        return not self.unsaved

    def poll(self, *, notified: bool | None = None) -> list[FieldState]:
        """Fetch what others wrote since the last poll; listeners hear of each change this page is not editing.
        ``notified`` False (PostgreSQL said nothing changed) skips even the look at the head revision."""
        if notified is False:
            return []
        if not notified and self.store.head_rev(self.owner_id) == self.rev:
            return []
        state = self.store.plan_state(self.participant, self.owner_id, since=self.rev)
        news: list[FieldState] = []
        renewed: dict[str, Conflict] = {}
        with self._lock:
            for path, f in sorted(state.fields.items(), key=lambda kv: kv[1].rev):
                known = self.known.get(path)
                if known is not None and known.rev >= f.rev:
                    continue  # this page's own write, or already seen
                self._shown[path] = (known.rev if known else 0, time.monotonic())
                self._learn(f)
                if path in self.conflicts:  # still deciding: the choice is between the member's text and the newest
                    renewed[path] = self.conflicts[path] = Conflict(path, self.conflicts[path].mine, f)
                elif path not in self.pending and path not in self.gone:
                    news.append(f)
            self.rev = max(self.rev, state.rev)
            listeners = list(self._listeners)
        for listener in listeners:
            for f in news:
                listener.remote_change(f)
            for c in renewed.values():
                listener.conflict(c)
        return news

    def _learn(self, state: FieldState) -> None:
        known = self.known.get(state.path)
        if known is None or known.rev <= state.rev:
            self.known[state.path] = state

    # --- conflicts and rows -------------------------------------------------------------------------------------
    def resolve(self, path: str, choice: str, merged: Any = None) -> Any:
        """Settle a conflict: "mine", "theirs" or "merged" (the text given). Returns the value the field now shows."""
        with self._lock:
            c = self.conflicts.pop(path)
            if choice == "mine":
                self._shown.pop(path, None)  # their text is set aside knowingly
            else:  # the page shows their text now: an edit without it was typed before the choice (store decides)
                self._shown[path] = (0, time.monotonic())
            if choice == "theirs":  # the newest text this page knows: others may have written on since the conflict
                return self.known[path].value if path in self.known else c.theirs.value
            value = merged if choice == "merged" else c.mine
            self.pending[path] = Pending(value, c.theirs.rev)
            return value

    def add_row(self, table: str, values: dict | None = None) -> str:
        """A new row; the store hands out its id, so rows added at once by two pages never collide."""
        row_id, result = self.store.add_row(
            self.participant, table, values, owner_id=self.owner_id, author=self.author
        )
        with self._lock:
            for state in result.written.values():
                self._learn(state)
        return row_id

    def delete_row(self, table: str, row_id: str) -> None:
        path = plandoc.row_key(table, row_id)
        with self._lock:
            for p in [p for p in self.pending if p.startswith(path + ".")]:
                del self.pending[p]  # the row goes, and what was typed into it with it
            known = self.known.get(path)
            self.edit(path, plandoc.deleted(known.value if known else False))
        self.flush()

    def restore_row(self, table: str, row_id: str) -> None:
        """Bring back a row someone deleted, with what this page had typed into it."""
        path = plandoc.row_key(table, row_id)
        with self._lock:
            known = self.known.get(path)
            self.pending[path] = Pending(plandoc.restored(known.value if known else True), known.rev if known else 0)
            for p, g in [(p, g) for p, g in self.gone.items() if p.startswith(path + ".")]:
                del self.gone[p]
                self.pending[p] = Pending(g.value, g.base_rev)
        self.flush()

    def drop_gone(self, table: str, row_id: str) -> None:
        """Accept that the row is gone, and what this page typed into it."""
        path = plandoc.row_key(table, row_id)
        with self._lock:
            for p in [p for p in self.gone if p.startswith(path + ".")]:
                del self.gone[p]


def _builds_on(value: Any, shown: Any) -> bool:
    """Whether an edit was made on top of the value shown (it keeps that text), as far as one can tell."""
    if value == shown:
        return True
    if isinstance(value, str) and isinstance(shown, str):
        return bool(shown) and shown in value
    return False


class LiveSync:
    """Runs a LivePlan on the kernel's event loop: polls, flushes after a pause in typing, says "still here".

    Everything runs on the loop's thread, so listeners may update widgets directly. Without a running loop (plain
    Python, tests) a background thread runs the same ticks.
    """

    def __init__(
        self,
        live: LivePlan,
        *,
        interval: float = 0.1,
        poll_every: int = 2,
        delay: float = 0.2,
        max_wait: float = 0.6,
        heartbeat: float = 5.0,
        fallback_every: int = 30,
        on_tick: Callable[[], None] | None = None,
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.live = live
        self.interval, self.delay, self.max_wait, self.heartbeat = interval, delay, max_wait, heartbeat
        self.poll_every = poll_every  # ticks between polls: writes are checked every tick, the store every few
        # With PostgreSQL's notifications: ticks between looks at the store when nothing was heard (a missed
        # notification, e.g. while the connection was re-established, heals within a few seconds)
        self.fallback_every = fallback_every
        self.on_tick = on_tick
        self.on_error = on_error
        self._last_edit = 0.0
        self._beat = 0.0
        self._ticks = 0
        self._stopped = False
        self._handle = None
        self._thread: threading.Thread | None = None
        self.listener = None  # set by start(); stop() may come first (a page that failed while being built)

    def edited(self) -> None:
        """Tell the sync that the page just changed something (restarts the pause before writing)."""
        self._last_edit = time.monotonic()

    def start(self) -> None:
        from sipkurs.store.notify import ChangeListener

        listener = ChangeListener(self.live.store.engine)
        self.listener = listener if listener.active else None
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            self._loop = None
            self._thread = threading.Thread(target=self._run_thread, name="sipkurs-live", daemon=True)
            self._thread.start()
            return
        self._handle = self._loop.call_later(self.interval, self._tick_loop)

    def stop(self) -> None:
        self._stopped = True
        if self._handle is not None:
            self._handle.cancel()
        if self.listener is not None:
            self.listener.close()

    def _run_thread(self) -> None:
        while not self._stopped:
            self.tick()
            time.sleep(self.interval)

    def _tick_loop(self) -> None:
        if self._stopped:
            return
        try:
            self.tick()
        finally:
            if not self._stopped:
                self._handle = self._loop.call_later(self.interval, self._tick_loop)

    def due(self) -> bool:
        pending = self.live.pending
        if not pending:
            return False
        now = time.monotonic()
        oldest = min(e.since for e in pending.values())
        return now - self._last_edit >= self.delay or now - oldest >= self.max_wait

    def tick(self) -> None:
        try:
            self._ticks += 1
            if self.due():
                self.live.flush()
            if self.listener is not None:
                heard = self.listener.changed(self.live.owner_id)
                if heard or heard is None or self._ticks % self.fallback_every == 0:
                    self.live.poll(notified=True if heard else None)
            elif self._ticks % self.poll_every == 0:
                self.live.poll()
            now = time.monotonic()
            if now - self._beat >= self.heartbeat:
                self._beat = now
                self.live.store.heartbeat(self.live.participant)
            if self.on_tick:
                self.on_tick()
        except Exception as exc:  # noqa: BLE001 - one failed tick must not stop the page from trying again
            log.exception("live sync tick failed")
            if self.on_error:
                self.on_error(exc)

    def flush_now(self) -> bool:
        return self.live.flush()
