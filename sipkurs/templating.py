"""Jinja2 templates of sipkurs (sipkurs/templates/), always autoescaped: typed text never becomes markup."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, select_autoescape

SWEDISH_TIME = ZoneInfo("Europe/Stockholm")


def local_time(moment: dt.datetime | None = None) -> dt.datetime:
    """Swedish local time. The store keeps naive UTC; a naive value is taken as UTC."""
    moment = moment or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(SWEDISH_TIME)


def initial_capital(text: str) -> str:
    """'personen' → 'Personen', and 'BUP' stays 'BUP' (Jinja's capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("sipkurs", "templates"), autoescape=select_autoescape(default=True))
    env.filters["lokal"] = lambda moment, fmt="%H:%M": local_time(moment).strftime(fmt) if moment else "–"
    env.filters["versal"] = initial_capital
    return env


def render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)
