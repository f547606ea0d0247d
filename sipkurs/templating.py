"""Jinja2 templates of sipkurs (sipkurs/templates/), always autoescaped: typed text never becomes markup."""

from __future__ import annotations

from functools import lru_cache

from jinja2 import Environment, PackageLoader, select_autoescape


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(loader=PackageLoader("sipkurs", "templates"), autoescape=select_autoescape(default=True))


def render(template: str, **context) -> str:
    return _env().get_template(template).render(**context)
