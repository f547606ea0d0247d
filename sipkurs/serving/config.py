"""What ``sipkurs serve`` hands to the server process: pages, folder, address and limits, as one JSON file."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sipkurs.serving.pages import PAGES, Page, served_folder

MIB = 1024 * 1024
KERNEL_BUDGET_MIB = 150  # what one participant's kernel needs, with room (~125 MiB PSS after joining: bench_memory.py)
MAX_KERNELS_CEILING = 100
MAX_KERNELS_FLOOR = 8

DEFAULT_POOL = 10
DEFAULT_PER_ADDRESS = 10
DEFAULT_ABANDONED = 120  # s: a kernel whose page is gone (no websocket)
DEFAULT_IDLE = 1800  # s: a kernel whose page is open but untouched
DEFAULT_START_WAIT = 30.0  # s: longest a page request without a place in the queue (no cookie) waits for a kernel
HOLD = 4.0  # s: a page request waits this long for its kernel before it gets the waiting page (its place is kept)
READY_TIMEOUT = 60.0  # s: a kernel that has not answered by then is stopped
MAX_BODY_BYTES = 64 * 1024  # HTTP request bodies (the trainer login, the close-tab call)
MAX_WS_MESSAGE_BYTES = 256 * 1024  # one widget message from the browser (a 10,000-character field is ~40 KB)


def default_max_kernels() -> int:
    """As many kernels as the memory available now holds (150 MiB each), between 8 and 100."""
    try:
        import psutil

        available = psutil.virtual_memory().available
    except Exception:  # noqa: BLE001 - no psutil or no /proc: a modest fixed number
        return 40
    return max(MAX_KERNELS_FLOOR, min(MAX_KERNELS_CEILING, int(available / MIB / KERNEL_BUDGET_MIB)))


def fork_kernels_default() -> bool:
    """Page kernels are forked from a preloaded process unless the environment says SIPKURS_FORK_KERNELS=0."""
    return os.environ.get("SIPKURS_FORK_KERNELS", "1") != "0"


@dataclass
class Limits:
    max_kernels: int = field(default_factory=default_max_kernels)
    max_per_address: int = DEFAULT_PER_ADDRESS
    start_concurrency: int = field(default_factory=lambda: max(1, os.cpu_count() or 2))
    start_wait: float = DEFAULT_START_WAIT
    hold: float = HOLD
    ready_timeout: float = READY_TIMEOUT
    abandoned_timeout: int = DEFAULT_ABANDONED
    idle_timeout: int = DEFAULT_IDLE
    max_body_bytes: int = MAX_BODY_BYTES
    max_ws_message_bytes: int = MAX_WS_MESSAGE_BYTES

    @property
    def cull_interval(self) -> int:
        return max(2, min(60, min(self.abandoned_timeout, self.idle_timeout) // 3))


@dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8866
    pool_size: int = DEFAULT_POOL
    folder: str = field(default_factory=lambda: str(served_folder()))
    pages: list[Page] = field(default_factory=lambda: list(PAGES))
    limits: Limits = field(default_factory=Limits)
    proxy: bool = False  # behind a reverse proxy: the client's address comes from X-Forwarded-For / X-Real-IP
    # Page kernels forked from one preloaded process (sipkurs/serving/forkserver.py): ~60 MiB less per participant.
    # SIPKURS_FORK_KERNELS=0 starts each kernel as a process of its own.
    fork_kernels: bool = field(default_factory=lambda: fork_kernels_default())

    def pool_of(self, page: Page) -> int:
        return self.pool_size if page.pool is None else page.pool

    @property
    def front(self) -> Page:
        return self.pages[0]

    def page(self, notebook: str) -> Page | None:
        return next((p for p in self.pages if p.notebook == notebook), None)

    @property
    def trainer_page(self) -> Page | None:
        return next((p for p in self.pages if p.trainer), None)

    def dump(self, path: Path) -> None:
        data = asdict(self)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ServeConfig:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        data["pages"] = [Page(**p) for p in data["pages"]]
        data["limits"] = Limits(**data["limits"])
        return cls(**data)
