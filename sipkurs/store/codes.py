"""Course, trainer and personal codes: how they are made, typed, checked for strength and kept (only as HMACs).

Codes are stored as HMAC-SHA256 with a key of this installation, never as they are: someone who copies the database
cannot test guesses against it without the key too. The key comes from ``$SIPKURS_SECRET`` (set it on every server of
a multi-server deployment), else from a file beside the SQLite database (made on first use, readable only by its
owner), else — a shared database without the variable — from the database itself, so that every server agrees.
Hashes made before keys existed (plain SHA-256) are still accepted, and replaced by an HMAC when used.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
MIN_TRAINER_CODE = 8  # letters or digits (a generated trainer code has 10)
ENV_SECRET = "SIPKURS_SECRET"
KEY_SETTING = "hmac_key"
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")


def new_code(groups: int = 2, size: int = 5) -> str:
    """A random code such as ``K7QXM-2PAHD``: 50 bits for the default size, unambiguous characters."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(size)) for _ in range(groups))


def normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def weak_trainer_code(code: str) -> str | None:
    """Why a trainer's own code is too easy to guess (a Swedish clause), or None if it will do."""
    plain = normalise_code(code).lower()
    if len(plain) < MIN_TRAINER_CODE:
        return f"lärarkoden måste ha minst {MIN_TRAINER_CODE} bokstäver eller siffror"
    if len(set(plain)) < 4:
        return "lärarkoden har för få olika tecken"
    if plain.isdigit() and len(plain) < 12:
        return "en lärarkod av bara siffror måste ha minst 12"
    if any(plain in seq or plain in seq[::-1] for seq in _SEQUENCES) or any(
        plain[i : i + 6] in seq or plain[i : i + 6] in seq[::-1] for seq in _SEQUENCES for i in range(len(plain) - 5)
    ):
        return "lärarkoden innehåller en lätt gissad följd (som 123456 eller qwerty)"
    return None


def legacy_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


class Hasher:
    """HMAC-SHA256 of codes with this installation's key."""

    def __init__(self, key: bytes) -> None:
        self.key = key

    def __call__(self, code: str) -> str:
        return hmac.new(self.key, normalise_code(code).encode(), hashlib.sha256).hexdigest()

    def candidates(self, code: str) -> tuple[str, str]:
        """The current hash and the one stores made before keys (both are looked up; the old one is upgraded)."""
        return self(code), legacy_hash(code)

    def matches(self, stored: str, code: str) -> bool:
        return any(hmac.compare_digest(stored, h) for h in self.candidates(code))


def key_for(url: str, read_setting, write_setting) -> bytes:
    """The installation's key for the store at ``url`` (see the module's docstring)."""
    secret = os.environ.get(ENV_SECRET, "")
    if secret:
        return hashlib.sha256(secret.encode()).digest()
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite") and parsed.database not in (None, "", ":memory:"):
        return _file_key(Path(parsed.database + ".nyckel"))
    stored = read_setting(KEY_SETTING)
    if not stored:
        write_setting(KEY_SETTING, secrets.token_hex(32))
        stored = read_setting(KEY_SETTING)
    return bytes.fromhex(stored)


def _file_key(path: Path) -> bytes:
    """A key file beside the database: made once (owner-only, put in place atomically), read ever after."""
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)  # fails if another process was first: then its key is the key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return bytes.fromhex(path.read_text(encoding="ascii").strip()[:64])
