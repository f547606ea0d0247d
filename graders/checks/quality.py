"""Quality rules: what makes a plan useful to the person (seeds/003, seeds/004): measurable goals, plain Swedish,
explained abbreviations, the person's own words."""

from __future__ import annotations

import re
from functools import lru_cache

from graders.checks.common import both, listing
from graders.context import Context, filled
from graders.lix import lix
from graders.plan import GoalKind
from graders.registry import Finding, check

_DIGIT = re.compile(r"\d")
_WORD = re.compile(r"[^\W\d_]+")
_QUANTITY = frozenset("en ett två tre fyra fem sex sju åtta nio tio tolv femton tjugo hälften halva alla varje".split())


def _measurable(text: str, time_words: frozenset[str]) -> bool:
    if _DIGIT.search(text):
        return True
    words = {w.casefold() for w in _WORD.findall(text)}
    return bool(words & time_words) and bool(words & (_QUANTITY | time_words))


@check("Q001")
def measurable_goals(ctx: Context, params: dict) -> Finding:
    goals = [g for g in ctx.plan.goals if filled(g.text)]
    subs = [g for g in goals if g.kind is GoalKind.sub_goal] or goals
    if not subs:
        return Finding(0.0, "Planen har inga mål.")
    time_words = frozenset(params["time_words"])
    # A goal with a date and a written measure is measurable; otherwise the text itself must name time or amount.
    vague = [g for g in subs if not ((g.due is not None and filled(g.measure)) or _measurable(g.text + " " + g.measure, time_words))]
    detail = f"Mål som inte går att mäta: {listing([repr(g.text[:60]) for g in vague])}." if vague else ""
    return Finding((len(subs) - len(vague)) / len(subs), detail)


@check("Q002")
def plain_swedish(ctx: Context, params: dict) -> Finding:
    result = lix(ctx.prose)
    if result.words < params["min_words"]:
        return Finding(0.0, f"Planen har för lite löptext för att bedöma läsbarheten ({result.words} ord); fyll i planens textfält.")
    value = result.value
    detail = f"Läsbarhetsindex (LIX) är {value:.0f}; gränsen är {params['limit']}."
    if value <= params["limit"]:
        return Finding(1.0, detail)
    if value <= params["upper"]:
        return Finding(0.5, detail)
    return Finding(0.0, detail)


@lru_cache(maxsize=8)
def _abbreviation_pattern(abbreviations: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


@check("Q003")
def abbreviations(ctx: Context, params: dict) -> Finding:
    text, folded = ctx.all_text, ctx.all_text_folded
    known = set(params["always_known"])
    candidates = tuple(a for a in ctx.catalogue.abbreviations if a not in known)
    found = set(_abbreviation_pattern(candidates).findall(text)) if candidates else set()
    used = [a for a in candidates if a in found]
    if not used:
        return Finding(1.0)
    unexplained = [a for a in used if ctx.catalogue.abbreviations[a].casefold() not in folded]
    detail = f"Oförklarade förkortningar: {listing(unexplained)}." if unexplained else ""
    return Finding((len(used) - len(unexplained)) / len(used), detail)


@check("Q004")
def own_words(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    return both(filled(p.what_matters), any(g.own_words and filled(g.text) for g in p.goals),
                "Det står inte vad som är viktigt för personen med hens egna ord.",
                "Inget mål är markerat som personens eget.")
