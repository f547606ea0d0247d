"""Reports as plain text, JSON and HTML (Jinja2 with autoescape: everything a participant typed is escaped)."""

from __future__ import annotations

import json
import math
from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from graders.plan import EFFORT_STATUS_SV, Plan
from simulator.catalogue import load_catalogue
from graders.registry import family_names
from graders.report import STATUS_SV, Report

_MARK = {"pass": "✓", "partial": "~", "fail": "✗", "not_applicable": "–"}


def percent(x: float) -> str:
    """Whole percent, rounded down so that only a perfect score shows 100 %."""
    return f"{math.floor(x * 100 + 1e-9)} %"


LEVELS = ("nudge", "guided", "facit")


def to_text(report: Report, families: list[str] | None = None, level: str = "facit") -> str:
    """Swedish feedback, one block per family with every rule and what is missing; ``families`` limits the blocks.

    ``level`` as in sipkurs.feedback: "facit" (the default, for trainers and for feedback after submission) also
    shows the answer key, "guided" the areas of the case, "nudge" only the rule, why and a generic hint.
    """
    lines = []
    head = "Återkoppling på SIP-utkastet" + (f" ({report.plan_name})" if report.plan_name else "")
    shown = [f for f in report.family_details if families is None or f.family in families]
    lines += [head, "=" * len(head), report.verdict]
    lines += [f"Totalt: {percent(report.score)} (godkänt från {percent(report.pass_mark)})"] if families is None else []
    lines += [f"  {f.name}: {percent(f.score)} ({f.passed} av {f.applicable} regler uppfyllda)" for f in shown]
    if report.scenario_id is None and (families is None or "case" in families):
        lines.append("  Fallet: inte bedömt (inget scenario angivet)")
    lines.append("")
    for family, name in family_names().items():
        if families is not None and family not in families:
            continue
        mine = [r for r in report.results if r.family == family and r.status != "not_applicable"]
        if not mine:
            continue
        lines.append(f"{name}")
        for r in mine:
            after = f" (efter händelsen ”{r.event_title}”)" if r.event_title and r.status == "pass" else ""
            lines.append(f"  {_MARK[r.status]} {r.code} {r.title} [{STATUS_SV[r.status]}]{after}")
            if r.status != "pass":
                lines.append(f"      {r.message}")
                if level in ("guided", "facit") and r.guided:
                    lines.append(f"      Område: {r.guided}")
                if level == "facit" and r.facit:
                    lines.append(f"      Facit: {r.facit}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def to_json(report: Report) -> str:
    return json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


@cache
def _env() -> Environment:
    env = Environment(loader=PackageLoader("graders", "templates"), autoescape=select_autoescape(["html", "j2"]))
    env.filters["percent"] = percent
    return env


def to_html(report: Report, plan: Plan | None = None) -> str:
    """A standalone Swedish HTML page (lang="sv"); the plan's own texts, if given, are shown escaped."""
    families = [(f, [r for r in report.results if r.family == f.family]) for f in report.family_details]
    return _env().get_template("report.html.j2").render(
        report=report, plan=plan, families=families, status_sv=STATUS_SV, mark=_MARK, org_name=_org_name,
        effort_status=EFFORT_STATUS_SV)




def _org_name(org_id: str) -> str:
    if not org_id:
        return "–"
    return load_catalogue().organisation(org_id).short
