"""Graders: the drafted plan (plan.py) and the rules that check it against the law, the checklists and the case.

Public API: ``grade(plan, scenario=None, *, events=()) -> Report``, where ``events`` are the delivered case events
as ``EventContext(event, before, delivered_at)``; ``Report``, ``RuleResult``; ``load_plan(path)`` and
``PlanFileError``; render helpers in ``graders.render``.
"""

from graders.events import EventContext
from graders.grading import grade
from graders.planfile import PlanFileError, load_plan
from graders.report import Report, RuleResult

__all__ = ["EventContext", "PlanFileError", "Report", "RuleResult", "grade", "load_plan"]
