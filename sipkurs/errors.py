"""Errors a user can cause: each prints one Swedish line and exits with its code, never a traceback."""

from __future__ import annotations


class UserError(Exception):
    """Something wrong in what the user gave us. ``code`` is the exit status (1: bad data, 2: bad usage)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


_OS_ERRORS = {
    "ENOENT": "filen eller mappen finns inte",
    "EACCES": "behörighet saknas",
    "EPERM": "behörighet saknas",
    "EISDIR": "det är en mapp",
    "ENOTDIR": "en del av sökvägen är inte en mapp",
    "ENOSPC": "disken är full",
    "EROFS": "filsystemet är skrivskyddat",
    "EEXIST": "det finns redan något med det namnet",
    "ENAMETOOLONG": "namnet är för långt",
    "EINVAL": "ogiltigt namn",
}


def os_error_sv(exc: OSError) -> str:
    """A Swedish reason for a failed file operation (the OS gives English)."""
    import errno

    name = errno.errorcode.get(exc.errno or 0, "")
    return _OS_ERRORS.get(name, f"systemfel {name or exc.errno}")
