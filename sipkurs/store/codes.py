"""Course, trainer and personal codes: how they are made, typed and kept (only as hashes)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed by hand
MIN_TRAINER_CODE = 8  # letters or digits; a generated trainer code has 10


def new_code(groups: int = 2, size: int = 5) -> str:
    """A random code such as ``K7QXM-2PAHD``: 50 bits for the default size, unambiguous characters."""
    return "-".join("".join(secrets.choice(CODE_ALPHABET) for _ in range(size)) for _ in range(groups))


def normalise_code(code: str) -> str:
    """Codes are typed by hand: ignore case, spaces and dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def same_hash(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
