"""The one place the app talks to the graders: raw form data in, feedback the UI can show out.

``assess(data, scenario, level=..., submitted=..., events=...)`` validates the draft against the Plan model and
grades it with ``graders.grade``. The UI never applies a rule itself: it shows what this module returns.
``events`` are the case events delivered to the participant or group (``graders.EventContext``, with the plan as it
was at delivery): their rules (family Händelser) appear after the event, each item naming its event.

Feedback levels (the trainer picks one per course, a self-study participant per session):

- ``nudge`` (default): which rule, why it matters, a generic hint, and what is wrong in the participant's own text;
- ``guided``: also which area of the case is not covered ("det saknas insats för ett behov som rör boende och vardag");
- ``facit``: after submission also the answer key (the model answer and the full list); before submission it
  behaves as ``guided``.

Before submission nothing shown names what the participant is meant to find out in the case: the graders keep that
in a separate layer, and any sentence that still holds answer-key text (graders.answer_key.secrets) is dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError

from graders import EventContext, grade
from graders.answer_key import AnswerKey, answer_key, secrets
from graders.plan import Plan
from graders.registry import family_names, verdict_rules
from graders.report import STATUS_SV

FEEDBACK_LEVELS: dict[str, str] = {
    "nudge": "Ledtrådar: vilken regel, varför den behövs och ett allmänt tips",
    "guided": "Vägledning: också vilket område i fallet som inte är täckt",
    "facit": "Facit efter inlämning: modellsvaret och hela listan när planen är inlämnad",
}
DEFAULT_LEVEL = "nudge"
NEXT_STEPS = 3

_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Item:
    code: str
    title: str
    family: str
    status: str
    message: str
    weight: float = 1.0
    score: float = 0.0
    legal: bool = False  # one of the law's requirements that a passable plan cannot miss
    event: str = ""  # an event rule's result: the id of the event it is about
    event_title: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_SV.get(self.status, self.status)

    @property
    def open(self) -> bool:
        return self.status in ("fail", "partial")


@dataclass(frozen=True)
class FamilyView:
    family: str
    name: str
    items: tuple[Item, ...]

    @property
    def passed(self) -> int:
        return sum(i.status == "pass" for i in self.items)

    @property
    def applicable(self) -> int:
        return sum(i.status != "not_applicable" for i in self.items)


@dataclass(frozen=True)
class Feedback:
    """What the participant sees beside the form. ``score`` is 0..1, None when the draft cannot be graded."""

    score: float | None
    items: list[Item] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # why the draft is not a valid plan yet
    report: object | None = None  # the graders' Report, for exports
    level: str = DEFAULT_LEVEL
    submitted: bool = False
    empty: bool = False  # nothing written yet: the panel invites a first step
    verdict: str = ""  # the overall verdict, the missing legal requirement first
    passed: bool | None = None  # a passable plan (no legal requirement missing, total at the pass mark)
    legal_missing: list[str] = field(default_factory=list)  # titles of the legal requirements not met
    pass_mark: float = 0.7
    answer_key: AnswerKey | None = None  # only at the facit level after submission

    @property
    def missed(self) -> list[str]:
        """Rule codes not (fully) met, most important first: missing legal requirements, then by what they cost."""
        return [i.code for i in self._ordered_open()]

    def _ordered_open(self) -> list[Item]:
        open_items = [i for i in self.items if i.open]
        return sorted(open_items, key=lambda i: (not (i.legal and i.status == "fail"), i.status != "fail",
                                                 -(1 - i.score) * i.weight, i.code))

    @property
    def next_steps(self) -> list[Item]:
        """The three things to work on first."""
        return self._ordered_open()[:NEXT_STEPS]

    @property
    def families(self) -> list[FamilyView]:
        """The items grouped by rule family, in the families' order."""
        names = family_names()
        return [FamilyView(f, n, tuple(i for i in self.items if i.family == f)) for f, n in names.items()
                if any(i.family == f and i.status != "not_applicable" for i in self.items)]

    @property
    def percent(self) -> str:
        return "–" if self.score is None else f"{round(self.score * 100)} %"

    @property
    def pass_percent(self) -> str:
        return f"{round(self.pass_mark * 100)} %"


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


def _is_empty(plan: Plan) -> bool:
    """Nothing written yet: no text, no rows, no dates (the app's own fields do not count)."""
    blank = Plan(scenario_id=plan.scenario_id, group=plan.group, authors=plan.authors, updated=plan.updated)
    return plan == blank


def _without_secrets(text: str, hidden: tuple[str, ...], plan_text: str) -> str:
    """The text without sentences that hold answer-key text the participant has not written themselves."""
    shown = [s for s in _SENTENCE.split(text)
             if not any(h in s.casefold() and h not in plan_text for h in hidden)]
    return " ".join(shown)


def _message(r, level: str, show_facit: bool) -> str:
    parts = [r.message]
    if level in ("guided", "facit") and r.guided:
        parts.append(r.guided)
    if show_facit and r.facit:
        parts.append(r.facit)
    return " ".join(parts)


def _plan_text(plan: Plan) -> str:
    """What the participant wrote (and the catalogue names of efforts they picked), lower case."""
    from simulator.catalogue import load_catalogue  # noqa: PLC0415

    cat = load_catalogue()
    picked = [cat.effort_by_id[e.effort].name for e in plan.efforts if e.effort in cat.effort_by_id]
    picked += [cat.organisation(x).name for x in {e.organisation for e in plan.efforts} | {p.organisation for p in plan.participants} if x]
    picked += [cat.organisation(x).short for x in {e.organisation for e in plan.efforts} | {p.organisation for p in plan.participants} if x]
    return (plan.model_dump_json() + "\n" + "\n".join(picked)).casefold()


def assess(data: dict, scenario=None, *, level: str = DEFAULT_LEVEL, submitted: bool = False,
           events: Iterable[EventContext] = ()) -> Feedback:
    """Validate and grade a draft; never raises for anything a participant can type.

    ``level`` is one of FEEDBACK_LEVELS (an unknown level is treated as the default); only "facit" together with
    ``submitted=True`` shows answer-key content. ``events``: the delivered case events (graders.EventContext).
    """
    level = level if level in FEEDBACK_LEVELS else DEFAULT_LEVEL
    events = [e for e in events if e.delivered]
    plan, problems = to_plan(data)
    if plan is None:
        return Feedback(score=None, problems=problems, level=level, submitted=submitted)
    try:
        report = grade(plan, scenario=scenario, events=events)  # the graders own every rule
    except Exception as exc:  # noqa: BLE001 - a grader bug must not cost the participant their draft
        return Feedback(score=None, problems=[f"bedömningen misslyckades ({type(exc).__name__}); utkastet är sparat"],
                        level=level, submitted=submitted)
    show_facit = level == "facit" and submitted
    hidden = () if show_facit or scenario is None else secrets(scenario)
    # What the group already knows may be said again: its own plan, and the events it has read.
    plan_text = (_plan_text(plan) + "".join(f"\n{e.known(scenario)}".casefold() for e in events)) if hidden else ""
    requirements = set(verdict_rules().requirements)
    items = []
    for r in report.results:
        message = _message(r, level, show_facit)
        if hidden:
            message = _without_secrets(message, hidden, plan_text)
        items.append(Item(r.code, r.title, r.family, r.status, message, float(r.weight), float(r.score),
                          r.code in requirements, r.event, r.event_title))
    return Feedback(
        score=float(report.score), items=items, report=report, level=level, submitted=submitted,
        empty=_is_empty(plan), verdict=report.verdict, passed=report.passed,
        legal_missing=[report.result(c).title for c in report.legal_missing], pass_mark=report.pass_mark,
        answer_key=answer_key(scenario) if show_facit and scenario is not None else None,
    )


def warm_up() -> None:
    """Load the graders' language tools now, not at the participant's first keystroke (call from a pool kernel)."""
    from graders.language import warm_up as warm_language  # noqa: PLC0415

    warm_language()
