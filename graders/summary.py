"""Class summary: which rules a group of plans misses most often, as rows (CSV) and as a bar chart (PNG)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from graders.registry import rules
from graders.report import Report


def most_missed(reports: Iterable[Report]) -> list[dict]:
    """One row per rule: how many plans failed it, partly met it, and the share not fully met; most missed first."""
    reports = list(reports)
    rows = []
    for r in rules():
        results = [x for rep in reports for x in rep.results if x.code == r.code and x.status != "not_applicable"]
        fail = sum(x.status == "fail" for x in results)
        partial = sum(x.status == "partial" for x in results)
        rows.append({"kod": r.code, "regel": r.title, "bedömda": len(results), "saknas": fail, "delvis": partial,
                     "andel_ej_uppfyllda": round((fail + partial) / len(results), 3) if results else 0.0})
    return sorted(rows, key=lambda row: (-row["andel_ej_uppfyllda"], -row["saknas"], row["kod"]))


def write_csv(rows: list[dict], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["kod"])
        writer.writeheader()
        writer.writerows(rows)


def write_plot(rows: list[dict], path: Path, top: int = 15) -> None:
    import matplotlib  # noqa: PLC0415 - slow import, only when a plot is asked for

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    missed = sorted((r for r in rows if r["saknas"] + r["delvis"] > 0), key=lambda r: (-(r["saknas"] + r["delvis"]), r["kod"]))
    shown = missed[:top] or rows[:1]
    fig, ax = plt.subplots(figsize=(8, 0.4 * len(shown) + 1.5))
    labels = [f"{r['kod']} {r['regel']}" for r in shown][::-1]
    ax.barh(labels, [r["saknas"] for r in shown][::-1], color="#9b1111", label="saknas")
    ax.barh(labels, [r["delvis"] for r in shown][::-1], left=[r["saknas"] for r in shown][::-1], color="#d9a400",
            label="delvis")
    ax.set_xlabel("Antal planer")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Regler som gruppen oftast missar")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    plt.close(fig)
