"""After submission in self-study: everything the participant learns from, in one call for the UI.

- the model answer (graders.model_answer) to show beside the participant's own plan;
- what the plan missed: the graders' own report (graders.grade), its failing and partly met rules;
- which hidden information the interview never uncovered, and which questions would have found it;
- the person's verdict on the plan (graders.verdict): a short letter and a value per dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

from graders.grading import grade
from graders.model_answer import model_plan
from graders.plan import Plan
from graders.report import Report, RuleResult
from graders.verdict import Verdict, person_verdict
from simulator.cases import Case
from simulator.interviewing import HiddenFact, InterviewSession, MissedFact


@dataclass(frozen=True)
class Debrief:
    model_answer: Plan
    report: Report  # the participant's plan, graded
    model_report: Report  # the model answer, graded (for showing both side by side)
    missed: tuple[RuleResult, ...]  # rules the plan fails or only partly meets, in the report's order
    uncovered: tuple[HiddenFact, ...]  # hidden information the participant found in the interview
    not_uncovered: tuple[MissedFact, ...]  # hidden information never found, with the questions that find it
    verdict: Verdict


def debrief(plan: Plan, case: Case, variant: int = 0, session: InterviewSession | None = None) -> Debrief:
    """The debrief of a submitted plan for a case variant; ``session`` is the participant's interview, if any."""
    scenario = case.variant(variant)
    report = grade(plan, scenario)
    model = model_plan(scenario, case)
    interview = session or InterviewSession(case, variant)
    revealed = {f.key for f in interview.revealed()} if session is not None else None
    return Debrief(
        model_answer=model,
        report=report,
        model_report=grade(model, scenario),
        missed=tuple(report.failing),
        uncovered=tuple(interview.revealed()),
        not_uncovered=tuple(interview.missed()),
        verdict=person_verdict(plan, case, variant, revealed=revealed, report=report),
    )
