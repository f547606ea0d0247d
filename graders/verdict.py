"""The person's verdict on a submitted plan: a short letter in their own words and a 0..1 value per dimension.

The four dimensions are those of the user audits of real SIPs: information, delaktighet, samverkan, meningsfullhet.
Each is made of signals (graders/data/verdict.yaml holds their texts and weights). A signal reads the graders'
report (graders.grade: the rules already say whether there is a contact, a follow-up, an overall responsibility …)
or compares the plan with what the person said in the case: their goals and wishes, their consent and its limit,
the organisations they meet, and what they told only when asked (with the interview, whether anyone asked).
It is feedback, not a score: the values are for a simple chart beside the letter.

    verdict = person_verdict(plan, case, variant=3, revealed={"personen:0"})
    verdict.letter        # paragraphs of the letter, signed by the person (or a young child's guardians)
    verdict.values        # {"information": 0.83, "delaktighet": 0.5, ...}
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from graders.grading import grade
from graders.plan import Plan
from graders.registry import DATA_DIR
from graders.report import Report
from simulator.catalogue import Catalogue, load_catalogue
from simulator.interview_matching import lemmas
from simulator.models import NetworkRole, Scenario
from simulator.texts import fill

if TYPE_CHECKING:
    from simulator.cases import Case

_STEM = 5


@cache
def verdict_data() -> dict[str, Any]:
    with open(DATA_DIR / "verdict.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True)
class SignalResult:
    id: str
    dimension: str
    score: float  # 0..1
    weight: float
    text: str  # what the person says about it


@dataclass(frozen=True)
class DimensionVerdict:
    id: str
    label: str
    question: str
    value: float  # 0..1, weighted over the signals that apply
    sentences: tuple[str, ...]  # what the letter says about this dimension


@dataclass(frozen=True)
class Verdict:
    dimensions: tuple[DimensionVerdict, ...]
    letter: tuple[str, ...]  # paragraphs: greeting, intro, one per dimension, closing with signature
    signature: str
    by_guardians: bool
    signals: tuple[SignalResult, ...] = field(default=())

    @property
    def values(self) -> dict[str, float]:
        return {d.id: d.value for d in self.dimensions}

    @property
    def letter_text(self) -> str:
        return "\n\n".join(self.letter)


def person_verdict(plan: Plan, case: Case, variant: int = 0, *, revealed: set[str] | None = None,
                   report: Report | None = None, catalogue: Catalogue | None = None) -> Verdict:
    """The person's letter about the plan. ``revealed`` holds the interview's revealed hidden keys ("personen:0"),
    or None when there was no interview; ``report`` is graders.grade's report when the caller already has it."""
    cat = catalogue or load_catalogue()
    scenario = case.variant(variant)
    report = report or grade(plan, scenario)
    data = verdict_data()
    p = scenario.person
    guardians = [m for m in p.network if m.role is NetworkRole.vardnadshavare]
    by_guardians = p.age < data["guardians_below_age"] and bool(guardians)
    values = _values(case, scenario)
    ctx = _Context(plan, case, scenario, report, cat, revealed, values)

    results = []
    for sig in data["signals"]:
        found = _rules(report, sig["rules"]) if "rules" in sig else CHECKS[sig["check"]](ctx)
        if found is None:
            continue
        score, key, extra = found
        key = key or ("good" if score >= 0.999 else "bad" if score <= 0.001 else "partial")
        if key == "partial" and "partial" not in sig:
            key = "bad"
        text = sig[f"{key}_guardians"] if by_guardians else sig[key]
        results.append(SignalResult(sig["id"], sig["dimension"], round(score, 3), float(sig["weight"]),
                                    fill(text, {**values, **extra})))

    dimensions = []
    for dim, meta in data["dimensions"].items():
        mine = [r for r in results if r.dimension == dim]
        total = sum(r.weight for r in mine)
        value = round(sum(r.score * r.weight for r in mine) / total, 3) if total else 1.0
        missing = sorted((r for r in mine if r.score < 0.999), key=lambda r: -r.weight)
        working = sorted((r for r in mine if r.score >= 0.999), key=lambda r: -r.weight)
        sentences = tuple(r.text for r in (missing + working)[: data["letter"]["most"]])
        dimensions.append(DimensionVerdict(dim, meta["label"], meta["question"], value, sentences))

    letter_data = data["letter"]
    signature = " och ".join(m.name.split(" ")[0] for m in guardians) if by_guardians else p.given_name
    suffix = "_guardians" if by_guardians else ""
    letter = (letter_data[f"greeting{suffix}"], fill(letter_data[f"intro{suffix}"], values),
              *(" ".join(d.sentences) for d in dimensions if d.sentences),
              f"{letter_data['closing']}\n{signature}")
    return Verdict(tuple(dimensions), letter, signature, by_guardians, tuple(results))


# --- the signals' own checks -------------------------------------------------------------------------------------------


@dataclass
class _Context:
    plan: Plan
    case: Case
    scenario: Scenario
    report: Report
    catalogue: Catalogue
    revealed: set[str] | None
    values: dict[str, str]

    def filled(self, text: str) -> str:
        return fill(text, self.values)


Found = tuple[float, str | None, dict[str, str]] | None


def _rules(report: Report, codes: list[str]) -> Found:
    """All the rules' results together: the lowest status counts; a rule that does not apply is left out."""
    applicable = [report.result(c) for c in codes if report.result(c).status != "not_applicable"]
    if not applicable:
        return None
    return min(r.score for r in applicable), None, {}


def _content(text: str) -> set[str]:
    return {w for w in lemmas(text) if len(w) >= 3}


def _recognised(sayings: list[str], plan_text: str) -> float | None:
    """The share of the person's sayings whose meaning words mostly stand in the plan text."""
    if not sayings:
        return None
    in_plan = _content(plan_text)
    hits = 0
    for s in sayings:
        words = _content(s)
        hits += bool(words) and len(words & in_plan) >= max(1, len(words) / 2)
    return hits / len(sayings)


def _own_goals(ctx: _Context) -> Found:
    plan = ctx.plan
    text = " ".join([g.text for g in plan.goals] + [plan.what_matters, plan.wishes])
    share = _recognised([ctx.filled(g) for g in ctx.case.person.goals], text)
    return None if share is None else (share, None, {})


def _what_matters(ctx: _Context) -> Found:
    plan = ctx.plan
    text = " ".join([plan.what_matters, plan.wishes, plan.current_situation] + [g.text for g in plan.goals])
    share = _recognised([ctx.filled(w) for w in ctx.case.person.wishes], text)
    return None if share is None else (share, None, {})


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in re.findall(r"\w+", text.casefold()) if len(w) >= _STEM}


def _consent(ctx: _Context) -> Found:
    legal = ctx.report.result("L005")
    if legal.status == "fail":
        return 0.0, "bad", {}
    limit = ctx.scenario.person.consent.limit
    if limit:
        wanted = _stems(limit)
        said = _stems(f"{ctx.plan.consent.scope} {ctx.plan.consent.recorded}")
        if len(wanted & said) < len(wanted) / 2:
            return 0.5, "partial", {}
    return legal.score, None, {}


def _orgs_in_plan(plan: Plan) -> set[str]:
    return {e.organisation for e in plan.efforts if e.organisation} | {x.organisation for x in plan.participants
                                                                       if x.organisation}


def _names(ctx: _Context, orgs: list[str]) -> str:
    names = [ctx.catalogue.organisation(o).short for o in orgs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " och " + names[-1]


def _organisations(ctx: _Context) -> Found:
    """The organisations the person has contact with in the case (its roles and current efforts) take part."""
    wanted = list(dict.fromkeys([*ctx.case.role_ids, *(c.organisation for c in ctx.case.person.current_efforts)]))
    wanted = [o for o in wanted if o in ctx.catalogue.organisation_by_id]
    if not wanted:
        return None
    missing = [o for o in wanted if o not in _orgs_in_plan(ctx.plan)]
    return 1 - len(missing) / len(wanted), None, {"aktorer": _names(ctx, missing) if missing else ""}


def _contacts(ctx: _Context) -> Found:
    doing = list(dict.fromkeys(e.organisation for e in ctx.plan.efforts if e.organisation))
    if not doing:
        return None
    named = {c.organisation for c in ctx.plan.contacts if c.name}
    missing = [o for o in doing if o not in named]
    if len(missing) == len(doing):
        return 0.0, "bad", {}
    return 1 - len(missing) / len(doing), None, {"aktorer": _names(ctx, missing) if missing else ""}


def _hidden(ctx: _Context) -> Found:
    """The person's hidden items (told only when asked): does the plan take them in?"""
    hidden = ctx.case.person.hidden
    if not hidden:
        return None
    plan = ctx.plan
    text = " ".join([plan.current_situation, plan.what_matters, plan.wishes, plan.own_resources]
                    + [n.text for n in plan.needs] + [e.what for e in plan.efforts] + [g.text for g in plan.goals])
    in_plan = _content(text)
    missed = []
    for i, h in enumerate(hidden):
        words = _content(ctx.filled(h.text))
        if len(words & in_plan) < min(2, len(words)):
            missed.append((i, h))
    if not missed:
        return 1.0, "good", {}
    i, h = missed[0]
    ask = re.sub(r"^om\s+", "", ctx.filled(h.ask).strip())
    if ctx.revealed is None:
        key = "partial"
    else:
        key = "told" if f"personen:{i}" in ctx.revealed else "bad"
    return 1 - len(missed) / len(hidden), key, {"fraga": ask}


CHECKS = {
    "own_goals": _own_goals,
    "what_matters": _what_matters,
    "consent": _consent,
    "organisations": _organisations,
    "contacts": _contacts,
    "hidden": _hidden,
}


def _values(case: Case, scenario: Scenario) -> dict[str, str]:
    from simulator.cases import person_values

    return person_values(scenario.person)
