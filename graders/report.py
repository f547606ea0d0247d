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
    message: str
    source: str = ""


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
    score: float = Field(ge=0, le=1)
    families: dict[str, float]
    family_details: list[FamilyScore] = Field(default_factory=list)

    def result(self, code: str) -> RuleResult:
        for r in self.results:
            if r.code == code:
                return r
        raise KeyError(code)

    @property
    def failing(self) -> list[RuleResult]:
        return [r for r in self.results if r.status in ("fail", "partial")]

    def points(self, max_points: float) -> float:
        return round(self.score * max_points, 2)
