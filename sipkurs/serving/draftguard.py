"""The server side of the draft guard (the page's JavaScript in share/voila/templates/sipkurs/static/sipguard.js).

The page keeps what a participant types in the browser's localStorage until the app has stored it. The app tells the
page that a field is stored by rendering a marker next to the form (inside an ipywidgets HTML widget)::

    <span data-sip-saved="sip-k-consent--scope" data-sip-hash="1f0c3a9e" data-sip-rev="12" hidden></span>

``saved_hash`` gives the hash the page compares with: FNV-1a, 32 bits, over the text's UTF-16 code units (what
JavaScript's ``charCodeAt`` returns), as 8 lowercase hex digits. ``saved_marker`` renders a whole marker;
``settled_marker`` one that makes the page forget a kept text that will never be stored as it is.
"""

from __future__ import annotations

import html
import sys
from array import array

FNV_OFFSET = 0x811C9DC5
FNV_PRIME = 0x01000193
KEY_PREFIX = "sip-k-"


def saved_hash(text: str) -> str:
    """FNV-1a 32-bit of ``text`` taken as UTF-16 code units, lowercase hex, 8 digits (same as sipguard.js)."""
    units = array("H")
    units.frombytes(text.encode("utf-16-le"))
    if sys.byteorder == "big":
        units.byteswap()
    h = FNV_OFFSET
    for unit in units:
        h = ((h ^ unit) * FNV_PRIME) & 0xFFFFFFFF
    return f"{h:08x}"


def _check(key: str) -> str:
    if not key.startswith(KEY_PREFIX):
        raise ValueError(f"a field key starts with {KEY_PREFIX!r}: {key!r}")
    return html.escape(key)


def saved_marker(key: str, text: str, rev: int | None = None) -> str:
    """The hidden marker that tells the page the field ``key`` (a ``sip-k-…`` class) is stored with ``text``, at the
    store's revision ``rev`` of that field (a kept text remembers the revision it was typed on)."""
    revision = f' data-sip-rev="{int(rev)}"' if rev is not None else ""
    return f'<span data-sip-saved="{_check(key)}" data-sip-hash="{saved_hash(text)}"{revision} hidden></span>'


def settled_marker(key: str, text: str) -> str:
    """The hidden marker that tells the page to forget a kept ``text`` of field ``key`` that is settled without being
    stored: the participant chose another text in a conflict, or it went into a merged text that is now stored."""
    return f'<span data-sip-settled="{_check(key)}" data-sip-hash="{saved_hash(text)}" hidden></span>'


def scope_marker(scope: str, *, kept_channel: bool = False) -> str:
    """The hidden element that names whose plan the page shows; the page's stored drafts are kept per scope.

    With ``kept_channel`` the page promises a hidden text input in an element of class ``sip-kept``: the guard then
    hands text kept from an earlier page to the app through it, as JSON ``{"k": field class, "v": text}``, instead of
    typing it into the field, so the app can tell it from an edit made on top of what the page shows."""
    channel = " data-sip-kept" if kept_channel else ""
    return f'<span data-sip-scope="{html.escape(scope)}"{channel} hidden></span>'
