"""The addresses participants open: the app's path, and the server's address as `sipkurs serve` recorded it."""

from __future__ import annotations

from urllib.parse import urlencode

APP_PATH = "/voila/render/sip_utkast.ipynb"
TRAINER_PATH = "/utbildare"  # the server's kernel-free login; the overview opens after it
PUBLIC_URL_SETTING = "public_url"
DEFAULT_BASE = "http://127.0.0.1:8866"


def base_url(store) -> str:
    """Where the course is served, as the last `sipkurs serve` recorded it (or set with --public-url)."""
    return (store.setting(PUBLIC_URL_SETTING) or DEFAULT_BASE).rstrip("/")


def participant_link(base: str, course: str, code: str = "") -> str:
    query = {"kurs": course, **({"kod": code} if code else {})}
    return f"{base.rstrip('/')}{APP_PATH}?{urlencode(query)}"


def trainer_link(base: str, course: str) -> str:
    return f"{base.rstrip('/')}{TRAINER_PATH}?{urlencode({'kurs': course})}"
