"""Reading a user's file safely: only a regular file, only up to a size limit, never blocking on a FIFO or a device.

``read_limited`` opens without blocking (a FIFO opens at once), checks what it opened (fstat, so a file swapped in
between cannot slip through), refuses anything but a regular file and anything over ``limit`` bytes before reading.
Every refusal is an ``UnreadableFile`` whose message is a short Swedish reason.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


class UnreadableFile(Exception):
    """The file cannot be read; ``str(error)`` is the Swedish reason (without the file name)."""


def size_text(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB".replace(".", ",")
    if n >= 1024:
        return f"{n // 1024} kB"
    return f"{n} byte"


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; raises UnreadableFile otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableFile("filen finns inte") from None
    except IsADirectoryError:
        raise UnreadableFile("det är en mapp, inte en fil") from None
    except PermissionError:
        raise UnreadableFile("behörighet saknas för att läsa filen") from None
    except OSError as exc:
        raise UnreadableFile(f"kunde inte öppna filen (systemfel {exc.errno})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UnreadableFile("det är en mapp, inte en fil")
        if not stat.S_ISREG(info.st_mode):
            raise UnreadableFile("det är ingen vanlig fil (utan till exempel en FIFO eller en enhet)")
        if info.st_size > limit:
            raise UnreadableFile(f"filen är för stor ({size_text(info.st_size)}; högst {size_text(limit)})")
        os.set_blocking(fd, True)
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:  # it grew while we read
            raise UnreadableFile(f"filen är för stor (mer än {size_text(limit)})")
        return b"".join(chunks)
    except OSError as exc:
        raise UnreadableFile(f"kunde inte läsa filen (systemfel {exc.errno})") from None
    finally:
        os.close(fd)
