"""The one place the app talks to the graders: raw form data in, feedback the UI can show out.

``assess(data, scenario)`` validates the draft against the Plan model and grades it with ``graders.grade``. The UI
never applies a rule itself: it shows what this module returns.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ValidationError

from graders import grade
from graders.plan import Plan
from graders.report import STATUS_SV


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    family: str
    status: str
    message: str
    weight: float = 1.0

    @property
    def status_label(self) -> str:
        return STATUS_SV.get(self.status, self.status)


@dataclass(frozen=True)
class Feedback:
    """What the participant sees beside the form. ``score`` is 0..1, None when the draft cannot be graded."""

    score: float | None
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why the draft is not a valid plan yet
    report: object | None = None  # the graders' Report, for exports

    @property
    def missed(self) -> list[str]:
        """Rule codes not (fully) met, most important first."""
        open_items = [i for i in self.items if i.status in ("fail", "partial")]
        open_items.sort(key=lambda i: (i.status != "fail", -i.weight))
        return [i.code for i in open_items]

    @property
    def percent(self) -> str:
        return "–" if self.score is None else f"{round(self.score * 100)} %"


def validation_problems(exc: ValidationError) -> list[str]:
    """Pydantic's errors as short lines naming the field."""
    lines = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err["loc"]) or "planen"
        msg = str(err.get("ctx", {}).get("error") or err["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {msg}")
    return lines


def to_plan(data: dict) -> tuple[Plan | None, list[str]]:
    try:
        return Plan.model_validate(data), []
    except ValidationError as exc:
        return None, validation_problems(exc)


def assess(data: dict, scenario=None) -> Feedback:
    """Validate and grade a draft; never raises for anything a participant can type."""
    plan, problems = to_plan(data)
    if plan is None:
        return Feedback(score=None, problems=problems)
    try:
        report = grade(plan, scenario=scenario)  # the graders own every rule
    except Exception as exc:  # noqa: BLE001 - a grader bug must not cost the participant their draft
        return Feedback(score=None, problems=[f"bedömningen misslyckades ({type(exc).__name__}); utkastet är sparat"])
    items = [
        Item(r.code, r.title, r.family, r.status, r.message, float(r.weight))
        for r in report.results
    ]
    return Feedback(score=float(report.score), items=items, report=report)

