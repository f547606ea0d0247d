"""Grading a drafted plan inside an nbgrader autograder test cell.

nbgrader gives 0 points for any stderr output in the cell and full points for a number that is only printed, so the
points must be the cell's LAST expression and nothing may reach stderr (NOTES.md). In the test cell:

    from graders.nbgrader_bridge import autograde
    autograde("plan.json", max_points=10)

The feedback (Swedish) is printed to stdout; the return value is the points, between 0 and ``max_points``.
A missing or broken plan file gives 0 points and a one-line explanation, never an exception.
With ``family="legal"`` (or formal, checklist, case, quality, events) a cell grades one family of rules, so the
gradebook shows per family what a group missed. The events family (rules after a case event, E…) counts only when
the cell is given the delivered events (``events=[graders.EventContext(...)]``); a submission graded without them
scores as before. A plan missing a legal requirement is capped below the pass mark
(graders/data/rules.yaml, verdict); the family cells then scale their points by the same factor, so their sum stays
capped too.

The case shown at the top of the notebook is the one the plan names (``show_case()``): every participant downloads
plan.json from the app with the scenario id of their own variant, so each reads and is graded against their own person.

Feedback level (as in the app): ``level="nudge"`` (default; or ``$SIPKURS_FEEDBACK_LEVEL``), ``"guided"`` or
``"facit"``. The answer key is printed only at "facit" while nbgrader autogrades the submission
(``NBGRADER_EXECUTION=autograde``); a participant running the cells before submitting sees at most "guided".
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from pathlib import Path


def _find(filename: str, folder: str | Path | None) -> Path:
    base = Path(folder) if folder is not None else Path.cwd()
    return base / filename


class CaseCard:
    """Markdown the notebook displays (``_repr_markdown_``), without importing IPython here."""

    def __init__(self, markdown: str) -> None:
        self.markdown = markdown

    def _repr_markdown_(self) -> str:
        return self.markdown

    def __str__(self) -> str:
        return self.markdown


def case_markdown(scenario_id: str, folder: str | Path | None = None) -> str:
    """The participant's case card (never the facit, never a role's hidden information) for a scenario id: a library
    case's variant (``case@n``), a generated person (``archetype-seed-variant``) or a scenario file beside the plan."""
    from simulator.cases import VARIANT_SEPARATOR  # noqa: PLC0415
    from simulator.casecard import case_card  # noqa: PLC0415
    from simulator.library import load_library  # noqa: PLC0415
    from simulator.lookup import UnknownScenario, get_scenario  # noqa: PLC0415
    from simulator.views import render  # noqa: PLC0415

    case_id, sep, variant = scenario_id.partition(VARIANT_SEPARATOR)
    case = load_library().get(case_id)
    if case is not None and (not sep or (variant.isdigit() and variant.isascii())):
        return render(case, "participant", "md", int(variant) if sep else 0)
    try:
        return case_card(get_scenario(scenario_id, base_dir=folder), facit=False)
    except UnknownScenario as exc:
        return f"**Fallet kunde inte hittas:** {exc}. Fråga utbildaren vilket fall som gäller."


def show_case(filename: str = "plan.json", folder: str | Path | None = None) -> CaseCard:
    """The case of the plan file (its ``scenario_id``), for the notebook's first cell; a one-line Swedish explanation
    instead when the plan cannot be read or names no case."""
    from graders import PlanFileError, load_plan  # noqa: PLC0415

    path = _find(filename, folder)
    try:
        plan = load_plan(path)
    except PlanFileError as exc:
        return CaseCard(f"**Planen kunde inte läsas:** {str(exc).replace(str(path), path.name, 1)}")
    if not plan.scenario_id:
        return CaseCard(f"**{path.name} anger inget fall.** Ladda ner plan.json från övningsappen: den anger ditt fall.")
    return CaseCard(case_markdown(plan.scenario_id, path.parent))


def feedback_level(level: str | None = None) -> str:
    """The level to print: facit only while autograding a submission, never while a participant is still working."""
    chosen = level or os.environ.get("SIPKURS_FEEDBACK_LEVEL", "nudge")
    chosen = chosen if chosen in ("nudge", "guided", "facit") else "nudge"
    if chosen == "facit" and os.environ.get("NBGRADER_EXECUTION") != "autograde":
        return "guided"
    return chosen


def family_points(report, family: str | None, max_points: float) -> float:
    """Points for the whole plan, or for one family scaled by the legal cap (the total's own factor)."""
    if family is None:
        return report.points(max_points)
    factor = report.score / report.raw_score if report.raw_score else 0.0
    return round(report.families.get(family, 0.0) * factor * max_points, 2)


def autograde(filename: str = "plan.json", max_points: float = 10, *, folder: str | Path | None = None,
              scenario_id: str | None = None, family: str | None = None, level: str | None = None,
              events=()) -> float:
    """Read the plan file from the submission folder, grade it, print the feedback, return the points."""
    sink = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stderr(sink):
        warnings.simplefilter("ignore")
        try:
            return _grade(_find(filename, folder), max_points, scenario_id, family, feedback_level(level), events)
        except Exception as exc:  # noqa: BLE001 - a test cell must never raise: that would be an error output
            print(f"Kunde inte bedöma planen: {' '.join(str(exc).split()) or type(exc).__name__}")
            return 0.0


def _grade(path: Path, max_points: float, scenario_id: str | None, family: str | None = None,
           level: str = "nudge", events=()) -> float:
    from graders import PlanFileError, grade, load_plan  # noqa: PLC0415
    from graders.render import to_text  # noqa: PLC0415
    from simulator.lookup import UnknownScenario, get_scenario  # noqa: PLC0415

    try:
        plan = load_plan(path)
    except PlanFileError as exc:
        print(f"Planen kunde inte läsas: {exc}")
        return 0.0
    sid = scenario_id or plan.scenario_id or os.environ.get("SIPKURS_SCENARIO", "")
    scenario = None
    if sid:
        try:
            scenario = get_scenario(sid, base_dir=None if scenario_id else path.parent)
        except UnknownScenario as exc:
            print(f"Fallet kunde inte hittas ({exc}); planen bedöms utan fallet.")
    report = grade(plan, scenario, plan_name=path.name, events=events)
    print(to_text(report, families=None if family is None else [family], level=level), end="")
    if family is not None and family not in report.families:
        why = "inga händelser har kommit" if family == "events" else "inget fall angivet"
        print(f"Den här delen kunde inte bedömas ({why}).")
    points = family_points(report, family, max_points)
    print(f"Poäng: {points:g} av {max_points:g}")
    return points
