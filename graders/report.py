"""The result of grading one plan: per rule pass, partial, fail or not applicable, and weighted scores."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Status = Literal["pass", "partial", "fail", "not_applicable"]

STATUS_SV = {"pass": "godkänd", "partial": "delvis", "fail": "saknas", "not_applicable": "ej tillämplig"}


class RuleResult(BaseModel):
    model_config = ConfigDict(frozen=True)  # results are shared between reports: never change one in place

    code: str
    title: str
    family: str
    status: Status
    score: float = Field(ge=0, le=1)
    weight: float
    message: str  # what every feedback level shows: why the rule matters, the finding, a generic hint
    source: str = ""
    guided: str = ""  # which area of the case is not covered (feedback level guided and up)
    facit: str = ""  # answer-key content: only after submission at the facit level, and for trainers
    event: str = ""  # event rules: the id of the delivered event this result is about (one result per event)
    event_title: str = ""  # and its title, for the feedback "after the event"


class FamilyScore(BaseModel):
    family: str
    name: str
    score: float = Field(ge=0, le=1)
    passed: int
    applicable: int


class Report(BaseModel):
    plan_name: str = ""
    scenario_id: str | None = None
    results: list[RuleResult]
    score: float = Field(ge=0, le=1)  # the total; capped below the pass mark when a legal requirement is missing
    families: dict[str, float]
    family_details: list[FamilyScore] = Field(default_factory=list)
    raw_score: float = Field(default=0.0, ge=0, le=1)  # the weighted total before the cap
    pass_mark: float = Field(default=0.7, ge=0, le=1)
    legal_missing: list[str] = Field(default_factory=list)  # codes of the legal requirements not met, in rule order
    events: list[str] = Field(default_factory=list)  # ids of the delivered events graded, in delivery order

    @property
    def passed(self) -> bool:
        """A passable plan: no legal requirement missing and the total at or above the pass mark."""
        return not self.legal_missing and self.score >= self.pass_mark - 1e-9

    @property
    def verdict(self) -> str:
        """The overall verdict in one Swedish sentence, the missing legal requirement first."""
        if self.legal_missing:
            first = self.result(self.legal_missing[0])
            more = len(self.legal_missing) - 1
            tail = f" (och {more} lagkrav till)" if more else ""
            return f"Inte godkänd: lagkravet ”{first.title}” är inte uppfyllt{tail}. Utan det kan planen inte godkännas."
        if self.passed:
            return "Godkänd: planen uppfyller lagkraven och når godkäntgränsen."
        return f"Inte godkänd än: planen når inte godkäntgränsen ({round(self.pass_mark * 100)} %)."

    def result(self, code: str, event: str | None = None) -> RuleResult:
        """The result of rule ``code``; for an event rule graded for several events, the one for ``event`` (an
        event id), or the first."""
        for r in self.results:
            if r.code == code and (event is None or r.event == event):
                return r
        raise KeyError(code if event is None else f"{code} ({event})")

    @property
    def failing(self) -> list[RuleResult]:
        return [r for r in self.results if r.status in ("fail", "partial")]

    def points(self, max_points: float) -> float:
        return round(self.score * max_points, 2)
