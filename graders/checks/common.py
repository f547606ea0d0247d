"""Small helpers the checks share: two-part requirements and lists as Swedish phrases."""

from __future__ import annotations

from graders.registry import Finding


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
