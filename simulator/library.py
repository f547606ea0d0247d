"""The case library: every authored case in scenarios/ (top-level folder), kept current while a server runs.

A trainer may save a new or edited case while a course is running (the case editor writes into the library). Each
process therefore looks at the folder again at most once a second (a stat of each file, no parsing) and reloads when a
file was added, changed or removed. A file with errors is refused with its errors (``library_errors``) and never
breaks the running course: its cases are left out, or, if the file was valid earlier in this process, kept in that
last valid version so that participants already drafting on it keep their case.

``load_library`` gives the current valid cases (for the running app); ``check_library`` is the strict form (the CLI's
list and validate): any error in any file raises ``InvalidLibrary``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from simulator.case_validation import CaseError, validate_files
from simulator.cases import Case

log = logging.getLogger(__name__)

# The top-level scenarios/ folder of the repository; SIPKURS_SCENARIOS points elsewhere (e.g. a course's own cases).
SCENARIOS_DIR = Path(os.environ.get("SIPKURS_SCENARIOS") or Path(__file__).resolve().parent.parent / "scenarios")
RESCAN_SECONDS = 1.0  # how stale a running process's view of the folder may be (a trainer saves; a second later all see it)
CASE_SUFFIXES = (".yaml", ".yml")


class InvalidLibrary(ValueError):
    def __init__(self, errors: list[CaseError]) -> None:
        self.errors = errors
        super().__init__(f"fallbiblioteket har {len(errors)} fel, först: {errors[0]}")


@dataclass
class _Snapshot:
    fingerprint: tuple
    cases: dict[str, Case]
    errors: list[CaseError]
    files: dict[str, str]  # case id → the file it came from
    kept: list[str] = field(default_factory=list)  # ids kept in their last valid version while their file has errors
    checked: float = 0.0


_snapshots: dict[Path, _Snapshot] = {}
_parsed: dict[Path, dict] = {}  # per folder: each file's parse by (path, size, mtime), so a change reparses one file
_lock = threading.Lock()


def _fingerprint(directory: Path) -> tuple:
    """What changes when a case file is added, edited or removed: each file's name, size and modification time."""
    try:
        entries = [e for e in os.scandir(directory) if e.name.endswith(CASE_SUFFIXES)]
    except OSError:
        return ()
    found = []
    for e in entries:
        try:
            found.append((e.name, e.stat().st_size, e.stat().st_mtime_ns))
        except OSError:  # an editor's lock file (a dangling symlink) or a file removed meanwhile: not a case
            found.append((e.name, -1, 0))
    return tuple(sorted(found))


def _load(directory: Path, fingerprint: tuple, previous: _Snapshot | None) -> _Snapshot:
    cases, errors, files = validate_files([directory], parsed=_parsed.setdefault(directory, {}))
    kept = []
    if previous is not None:
        broken = {e.file for e in errors}
        for case_id, case in previous.cases.items():
            source = previous.files.get(case_id, "")
            if source in broken and case_id not in cases and Path(source).exists():
                cases[case_id], files[case_id] = case, source
                kept.append(case_id)
    for e in errors:
        log.warning("fallbiblioteket: %s", e)
    return _Snapshot(fingerprint, dict(sorted(cases.items())), errors, files, kept)


def _snapshot(directory: Path | None) -> _Snapshot:
    directory = Path(directory or SCENARIOS_DIR)  # looked up at call time: tests point it elsewhere
    now = time.monotonic()
    snap = _snapshots.get(directory)
    if snap is not None and now - snap.checked < RESCAN_SECONDS:
        return snap
    with _lock:
        snap = _snapshots.get(directory)
        fingerprint = _fingerprint(directory)
        if snap is None or snap.fingerprint != fingerprint:
            snap = _load(directory, fingerprint, snap)
            _snapshots[directory] = snap
        snap.checked = now
        return snap


def load_library(directory: Path | None = None) -> dict[str, Case]:
    """Case id → Case for every valid case in the directory, as it is now (files with errors left out)."""
    return _snapshot(directory).cases


def library_errors(directory: Path | None = None) -> list[CaseError]:
    """The errors of the files the library refuses right now (empty when every file is valid)."""
    return list(_snapshot(directory).errors)


def kept_cases(directory: Path | None = None) -> list[str]:
    """Ids of cases served in their last valid version because their file now has errors."""
    return list(_snapshot(directory).kept)


def check_library(directory: Path | None = None) -> dict[str, Case]:
    """The strict form: every case, or InvalidLibrary if any file has an error."""
    snap = _snapshot(directory)
    if snap.errors:
        raise InvalidLibrary(snap.errors)
    return snap.cases


def forget_library() -> None:
    """Read every folder afresh on the next call (after a save in this process: no waiting for the next rescan)."""
    with _lock:
        _snapshots.clear()
        _parsed.clear()
