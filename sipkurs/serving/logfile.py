"""The server's log: a private directory, a file only its owner reads, appended across restarts, rotated, redacted.

Everything the Voila server and its kernels write (stdout and stderr) is pumped line by line through ``redact`` into a
rotating file: personal codes, trainer codes and tokens never reach the disk, whatever component printed them.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import threading
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import IO

from sipkurs.errors import UserError

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 4

# Query values that are secrets (?kod=…, &token=…, _xsrf=…) and anything shaped like a personal or trainer code.
_SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:kod|code|l(?:a|ä)rarkod|trainer[_-]?code|token|_xsrf|password|secret)=)[^&\s\"'#<>]*"
)
_CODE = re.compile(r"\b[A-Z2-9]{5}-[A-Z2-9]{5}\b")


def redact(line: str) -> str:
    """The line with secret query values and code-shaped words replaced."""
    return _CODE.sub("[kod]", _SECRET_QUERY.sub(r"\1[dolt]", line))


def log_dir() -> Path:
    """$SIPKURS_LOG_DIR, else $XDG_STATE_HOME/sipkurs, else ~/.local/state/sipkurs: created private (0700)."""
    base = os.environ.get("SIPKURS_LOG_DIR")
    if base:
        path = Path(base)
    else:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        path = Path(state) / "sipkurs"
    return private_dir(path)


def private_dir(path: Path) -> Path:
    """``path`` as a directory only the current user can enter; refuses symlinks and other users' directories."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        info = os.lstat(path)
    except OSError as exc:
        raise UserError(f"kunde inte skapa loggmappen {path}: {exc.strerror or exc}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
        raise UserError(f"loggmappen {path} är ingen vanlig mapp (en symbolisk länk?); ange en annan med $SIPKURS_LOG_DIR")
    if info.st_uid != os.getuid():
        raise UserError(f"loggmappen {path} ägs av en annan användare; ange en annan med $SIPKURS_LOG_DIR")
    if info.st_mode & 0o077:
        os.chmod(path, 0o700)
    return path


def open_private(path: Path) -> IO[str]:
    """Open ``path`` for appending, created 0600, never through a symlink, only a regular file of our own."""
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise UserError(f"kunde inte öppna loggen {path}: {exc.strerror or exc}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
        os.close(fd)
        raise UserError(f"loggen {path} är ingen vanlig fil som tillhör dig")
    os.fchmod(fd, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", errors="replace")


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A RotatingFileHandler whose files are opened by ``open_private``."""

    def _open(self):  # noqa: D401 - logging's hook
        return open_private(Path(self.baseFilename))


def server_log(port: int) -> tuple[logging.Logger, Path]:
    """The logger that writes the server's log for ``port`` (one file per port), and the file's path."""
    path = log_dir() / f"serve-{port}.log"
    handler = PrivateRotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=False)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger(f"sipkurs.serve.{port}")
    logger.handlers[:] = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, path


class LogPump(threading.Thread):
    """Copies a child process's output, line by line and redacted, into a logger."""

    def __init__(self, stream: IO[bytes], logger: logging.Logger, max_line: int = 4000) -> None:
        super().__init__(name="sipkurs-log-pump", daemon=True)
        self.stream, self.logger, self.max_line = stream, logger, max_line

    def run(self) -> None:
        for raw in iter(self.stream.readline, b""):
            line = raw.decode("utf-8", errors="replace").rstrip("\n")
            if len(line) > self.max_line:
                line = line[: self.max_line] + " […]"
            self.logger.info(redact(line))
        for handler in self.logger.handlers:
            handler.flush()
