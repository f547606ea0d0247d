"""The case library: every authored case in scenarios/ (top-level folder), kept current while a server runs.

A trainer may save a new or edited case while a course is running (the case editor writes into the library). Each
process therefore looks at the folder again at most once a second (a stat of each file, no parsing) and reloads when a
file was added, changed or removed. A file with errors is refused with its errors (``library_errors``) and never
breaks the running course: its cases are left out, or, if the file was valid before, kept in that last valid version
so that participants already drafting on it keep their case. The last valid text of each file is kept on disk, in
``.senast-giltiga/`` inside the folder, so that a page opened later in a new kernel, or after a restart, finds the
case too (when the folder can be written; otherwise only within one process).

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

from simulator.case_validation import CaseError, load_case_file, validate_files
from simulator.cases import Case

log = logging.getLogger(__name__)

# The top-level scenarios/ folder of the repository; SIPKURS_SCENARIOS points elsewhere (e.g. a course's own cases).
SCENARIOS_DIR = Path(os.environ.get("SIPKURS_SCENARIOS") or Path(__file__).resolve().parent.parent / "scenarios")
RESCAN_SECONDS = 1.0  # how stale a running process's view of the folder may be (a trainer saves; a second later all see it)
CASE_SUFFIXES = (".yaml", ".yml")
LAST_VALID = ".senast-giltiga"  # subfolder of the library with each case file's last valid text (not scanned as cases)


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


def _keep_last_valid(directory: Path, files: dict[str, str]) -> None:
    """Copy each valid case file to LAST_VALID (if it changed) and drop copies whose file is gone. Best effort: a
    library folder that cannot be written keeps its last valid versions in memory only."""
    store = directory / LAST_VALID
    valid = {Path(f).name: Path(f) for f in files.values()}
    try:
        store.mkdir(exist_ok=True)
        for name, source in valid.items():
            text = source.read_bytes()
            copy = store / name
            if not copy.exists() or copy.read_bytes() != text:
                tmp = store / f".{name}.{os.getpid()}.tmp"
                tmp.write_bytes(text)
                os.replace(tmp, copy)  # whole or not at all, also with several processes at once
        present = {e.name for e in os.scandir(directory) if e.name.endswith(CASE_SUFFIXES)}
        for e in os.scandir(store):
            if e.name.endswith(CASE_SUFFIXES) and e.name not in present:
                os.remove(e.path)
    except OSError as exc:
        log.info("fallbiblioteket: kan inte spara senast giltiga versioner i %s (%s)", store, exc)


def _from_last_valid(directory: Path, broken: set[str], cases: dict[str, Case], files: dict[str, str]) -> list[str]:
    """Serve the last valid version (from disk) of each case whose file is broken now; returns their ids."""
    kept = []
    for source in sorted(broken):
        copy = directory / LAST_VALID / Path(source).name
        if not Path(source).exists() or not copy.is_file():
            continue
        case, errs = load_case_file(copy)
        if case is not None and not errs and case.id not in cases:
            cases[case.id], files[case.id] = case, source
            kept.append(case.id)
    return kept


def _load(directory: Path, fingerprint: tuple, previous: _Snapshot | None) -> _Snapshot:
    cases, errors, files = validate_files([directory], parsed=_parsed.setdefault(directory, {}))
    _keep_last_valid(directory, files)
    kept = []
    broken = {e.file for e in errors}
    if previous is not None:  # this process's own last valid version first: the very case its pages hold
        for case_id, case in previous.cases.items():
            source = previous.files.get(case_id, "")
            if source in broken and case_id not in cases and Path(source).exists():
                cases[case_id], files[case_id] = case, source
                kept.append(case_id)
    kept += _from_last_valid(directory, broken - {files[c] for c in kept}, cases, files)
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
