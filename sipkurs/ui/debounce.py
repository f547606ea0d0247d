"""Run a function a short while after the last call, but never later than ``max_wait`` after the first.

In a kernel the callbacks run on the kernel's asyncio loop, so typing is never blocked by grading or saving; without a
running loop (tests, plain Python) a timer thread is used.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable


class Debouncer:
    def __init__(self, fn: Callable[[], None], delay: float = 0.4, max_wait: float = 1.5) -> None:
        self.fn = fn
        self.delay = delay
        self.max_wait = max_wait
        self._handle = None
        self._first: float | None = None
        self._lock = threading.Lock()

    def __call__(self) -> None:
        with self._lock:
            now = time.monotonic()
            if self._first is None:
                self._first = now
            wait = max(0.0, min(self.delay, self._first + self.max_wait - now))
            self._cancel()
            try:
                loop = asyncio.get_running_loop()
                self._handle = loop.call_later(wait, self._fire)
            except RuntimeError:
                self._handle = threading.Timer(wait, self._fire)
                self._handle.daemon = True
                self._handle.start()

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    @property
    def pending(self) -> bool:
        return self._handle is not None

    def _fire(self) -> None:
        with self._lock:
            self._handle = None
            self._first = None
        self.fn()

    def cancel(self) -> None:
        """Forget a pending call."""
        with self._lock:
            self._cancel()
            self._first = None

    def flush(self) -> None:
        """Run now if a call is pending (before submitting or leaving)."""
        with self._lock:
            pending = self._handle is not None
            self._cancel()
            self._first = None
        if pending:
            self.fn()
