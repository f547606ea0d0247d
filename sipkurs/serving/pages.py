"""The pages the server serves: one list, so a new page is one line.

Each page is a notebook in the served folder (courses/voila/), with its Swedish title (tab and loading screen), its
pool of preheated kernels and whether it sits behind the trainer login. Anything not listed here is not served.
To add a page: put the notebook in courses/voila/ and add a ``Page`` to ``PAGES``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Page:
    notebook: str  # file name in the served folder
    title: str  # Swedish: the tab's title and the loading screen
    pool: int | None = None  # preheated kernels; None: the server's --pool-size
    trainer: bool = False  # only after the trainer login (/utbildare); no kernel for anonymous loads

    def to_json(self) -> dict:
        return asdict(self)


PARTICIPANT = Page("sip_utkast.ipynb", "SIP-utkast", pool=None)
TRAINER = Page("sip_larare.ipynb", "Utbildarens översikt", pool=0, trainer=True)

PAGES: tuple[Page, ...] = (PARTICIPANT, TRAINER)
"""Served pages; the first one is the front door (``/`` leads there)."""


def served_folder() -> Path:
    """courses/voila/: the only folder the server reads notebooks from."""
    return Path(__file__).resolve().parents[2] / "courses" / "voila"
