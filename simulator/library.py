"""The case library: every authored case in scenarios/ (top-level folder), loaded and checked once per process."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from simulator.case_validation import CaseError, validate_paths
from simulator.cases import Case

# The top-level scenarios/ folder of the repository; SIPKURS_SCENARIOS points elsewhere (e.g. a course's own cases).
SCENARIOS_DIR = Path(os.environ.get("SIPKURS_SCENARIOS") or Path(__file__).resolve().parent.parent / "scenarios")


class InvalidLibrary(ValueError):
    def __init__(self, errors: list[CaseError]) -> None:
        self.errors = errors
        super().__init__(f"fallbiblioteket har {len(errors)} fel, först: {errors[0]}")


@cache
def load_library(directory: Path = SCENARIOS_DIR) -> dict[str, Case]:
    """Case id → Case for every case file in the directory; raises InvalidLibrary if any file has errors."""
    cases, errors = validate_paths([directory])
    if errors:
        raise InvalidLibrary(errors)
    return cases
