"""Filling the placeholders of the Swedish text templates: {namn}, {hon}, {henne}, {hennes} and friends."""

from __future__ import annotations

from simulator.models import Gender

_PRONOUNS = {
    Gender.kvinna: {"hon": "hon", "henne": "henne", "hennes": "hennes"},
    Gender.man: {"hon": "han", "henne": "honom", "hennes": "hans"},
}


class _Strict(dict):
    def __missing__(self, key: str) -> str:
        raise KeyError(f"unknown placeholder {{{key}}}")


def text_values(given_name: str, gender: Gender, **extra: object) -> dict[str, str]:
    values = {"namn": given_name, **_PRONOUNS[gender]}
    values.update({k.capitalize(): v.capitalize() for k, v in _PRONOUNS[gender].items()})
    values.update({k: str(v) for k, v in extra.items()})
    return values


def fill(template: str, values: dict[str, str]) -> str:
    """Fill a template; an unknown placeholder is a data error and raises KeyError naming it."""
    return template.format_map(_Strict(values))
