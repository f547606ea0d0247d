"""The rule registry: texts from data/rules.yaml, check functions registered in code under the same code.

A rule's code is stable (ruff-like: L legal, F formal, C checklist, K case, Q quality, E events). Texts are data so
trainers can read and change them; ``rules()`` fails loudly if a text has no check or a check has no text.

Event rules (family "events") grade the revision after a delivered case event: each names in ``expects`` the field of
the event's ``expects`` (simulator.cases.EventExpects) it grades, and its check also gets the event
(graders.events.EventContext): ``check(ctx, params, event)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent / "data"
FAMILIES = ("legal", "formal", "checklist", "case", "quality", "events")
EVENT_FAMILY = "events"


@dataclass(frozen=True)
class Finding:
    """What a check found: a score 0..1 (None: the rule does not apply) and what to say about it, in Swedish, in
    three layers that the feedback levels show (sipkurs.feedback):

    - ``detail``: about the participant's own text, or generic; shown at every level, so it never holds answer-key
      text (the case's needs, expected efforts, target groups, expected other actors, hidden information);
    - ``guided``: which area of the case is not covered ("ett behov som rör boende och vardag saknar insats");
    - ``facit``: the answer key itself, shown only after submission at the facit level (and to trainers).
    """

    score: float | None
    detail: str = ""
    guided: str = ""
    facit: str = ""


# check(ctx, params); event rules: check(ctx, params, event) with a graders.events.EventContext
Check = Callable[..., Finding]


@dataclass(frozen=True)
class Rule:
    code: str
    family: str
    title: str
    source: str
    weight: float
    message: str
    ok: str
    doc: str
    params: dict[str, Any] = field(default_factory=dict)
    expects: str = ""  # event rules: the field of the event's expects this rule grades
    check: Check | None = field(default=None, compare=False, repr=False)

    @property
    def is_event_rule(self) -> bool:
        return self.family == EVENT_FAMILY


_CHECKS: dict[str, Check] = {}


def check(code: str) -> Callable[[Check], Check]:
    """Register the check function of rule ``code``."""

    def register(fn: Check) -> Check:
        if code in _CHECKS:
            raise ValueError(f"rule {code} registered twice")
        _CHECKS[code] = fn
        return fn

    return register


@cache
def _texts() -> dict[str, Any]:
    with open(DATA_DIR / "rules.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class Verdict:
    """The overall verdict's rules: a plan missing a legal requirement cannot reach the pass mark."""

    pass_mark: float
    cap: float
    requirements: tuple[str, ...]


@cache
def verdict_rules() -> Verdict:
    v = _texts()["verdict"]
    return Verdict(float(v["pass_mark"]), float(v["cap"]), tuple(v["requirements"]))


@cache
def family_names() -> dict[str, str]:
    fams = _texts()["families"]
    return {k: fams[k]["name"] for k in sorted(fams, key=lambda k: fams[k]["order"])}


@cache
def rules() -> tuple[Rule, ...]:
    """Every rule, in registry order (family, then code), each with its check."""
    import graders.checks  # noqa: F401, PLC0415 - registers the checks

    raw = _texts()["rules"]
    codes = [r["code"] for r in raw]
    problems = [f"duplicate rule code {c}" for c in sorted({c for c in codes if codes.count(c) > 1})]
    problems += [f"rule {c} has no check function" for c in codes if c not in _CHECKS]
    problems += [f"check {c} has no text in rules.yaml" for c in _CHECKS if c not in codes]
    problems += [f"rule {r['code']}: unknown family {r['family']}" for r in raw if r["family"] not in FAMILIES]
    problems += _expects_problems(raw)
    if problems:
        raise ValueError("; ".join(problems))
    out = [Rule(**r, check=_CHECKS[r["code"]]) for r in raw]
    return tuple(sorted(out, key=lambda r: (FAMILIES.index(r.family), r.code)))


def _expects_problems(raw: list[dict]) -> list[str]:
    """Every event rule grades one field of EventExpects, and only event rules name one."""
    from simulator.cases import EventExpects  # noqa: PLC0415

    fields = set(EventExpects.model_fields)
    out = []
    for r in raw:
        if r["family"] == EVENT_FAMILY and r.get("expects") not in fields:
            out.append(f"rule {r['code']}: expects must be one of {sorted(fields)}")
        elif r["family"] != EVENT_FAMILY and r.get("expects"):
            out.append(f"rule {r['code']}: only event rules name expects")
    return out


def rule(code: str) -> Rule:
    for r in rules():
        if r.code == code.upper():
            return r
    raise KeyError(code)
