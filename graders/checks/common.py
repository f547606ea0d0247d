"""Small helpers the checks share: two-part requirements, lists as Swedish phrases, substance findings, names."""

from __future__ import annotations

from graders import language as lang
from graders.registry import Finding
from graders.substance import GAP_SV, Gap

PREPOSITIONS = frozenset("till åt för hos med av om från".split())


def both(a: bool, b: bool, missing_a: str, missing_b: str) -> Finding:
    """Two halves of a requirement: both give pass, one gives partial (0.5), none fails."""
    missing = [m for ok, m in ((a, missing_a), (b, missing_b)) if not ok]
    return Finding((a + b) / 2, " ".join(missing))


def listing(items: list[str], limit: int = 6) -> str:
    """'a, b och c' (Swedish), shortened after ``limit`` items."""
    items = [str(i) for i in items]
    if len(items) > limit:
        items = items[:limit] + [f"{len(items) - limit} till"]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " och " + items[-1]


def quoted(items: list[str]) -> str:
    return listing([f"'{i}'" for i in items])


def excerpt(text: str, limit: int = 60) -> str:
    """The start of a text, cut at a word boundary, with '…' when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit + 1].rsplit(" ", 1)[0].rstrip(",.;:–-")
    return (cut or text[:limit]) + "…"


def gap_text(label: str, found: Gap) -> str:
    """'Fältet egna resurser har bara ett eller två ord.'"""
    return f"Fältet {label} {GAP_SV[found]}."


def text_rule(ctx, label: str, echo: tuple[str, ...] = (), **limits) -> Finding:
    """A free-text field that must say something: pass with substance, else fail with the reason."""
    found = ctx.gap(label, echo, **limits)
    return Finding(1.0) if found is Gap.none else Finding(0.0, gap_text(label, found))


def names_role(role: str, terms: list[str]) -> bool:
    """Whether a participant's role *is* one of ``terms`` ("den enskilde", "vårdnadshavare"), not merely contains the
    word: "den enskildes mamma", "mamma till den enskilde" and "personligt ombud" are someone else."""
    tokens = [w.casefold() for w in lang.words(role)]
    for term in terms:
        parts = [w.casefold() for w in lang.words(term)]
        n = len(parts)
        for i in range(len(tokens) - n + 1):
            if tokens[i:i + n] == parts and (i == 0 or tokens[i - 1] not in PREPOSITIONS):
                return True
    return False


def same_name(written: str, name: str) -> bool:
    """Whether a written name is this person's: every part of the written name is one of the real name's parts."""
    mine = {w.casefold() for w in lang.words(written)}
    theirs = {w.casefold() for w in lang.words(name)}
    return bool(mine) and mine <= theirs
