"""Matching a plan against the case's ground truth: which plan efforts answer which need of the case.

Documented in docs/regler.md (rule K001). For every ground-truth need an effort of the plan counts when
  1. its catalogue effort id is one the facit expects for that need, or
  2. its catalogue effort serves the need's area and its organisation may respond to that area, or
  3. it has no catalogue id, its organisation may respond to the area, and its text shares keywords with the name of
     an expected effort.
Rules 2 and 3 are loose, so when the case has several needs in the same area (an old person with three needs in
"boende") they count only for an effort linked to a plan need whose text resembles that ground-truth need (shared
word stems). A ground-truth need that appears among the plan's needs but gets no effort counts half.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from graders.plan import Plan, PlanEffort, PlanNeed
from simulator.catalogue import Catalogue
from simulator.models import NeedTruth, Scenario

_WORD = re.compile(r"[^\W\d_]+")
# Words too common in plans to tell needs apart.
STOP = frozenset(
    "behov behöver insats insatser stöd hjälp personen planen skulle kunna också eller efter mellan andra"
    " varje flera mycket många samma själv hennes honom henne deras vilka finns".split()
)


@lru_cache(maxsize=4096)
def stems(text: str, min_length: int = 5, stem_length: int = 6) -> frozenset[str]:
    """Crude Swedish stems: words of at least ``min_length`` letters cut to ``stem_length``, common words left out."""
    words = (w.casefold() for w in _WORD.findall(text))
    return frozenset(w[:stem_length] for w in words if len(w) >= min_length and w not in STOP)


def is_effort(effort: PlanEffort, effort_id: str, catalogue: Catalogue) -> bool:
    """Whether a plan effort is the catalogue effort ``effort_id``: by id, or, for an effort written without an id,
    by an organisation that provides it and a text sharing a keyword with its name."""
    if effort.effort:
        return effort.effort == effort_id
    known = catalogue.effort_by_id[effort_id]
    return effort.organisation in known.providers and bool(stems(effort.what) & stems(known.name))


@dataclass(frozen=True)
class NeedMatch:
    truth: NeedTruth
    description: str
    efforts: tuple[str, ...]  # ids of plan efforts that answer it
    mentioned: bool  # the plan names the need even if no effort answers it

    @property
    def score(self) -> float:
        return 1.0 if self.efforts else (0.5 if self.mentioned else 0.0)


class CaseMatcher:
    def __init__(self, plan: Plan, scenario: Scenario, catalogue: Catalogue, *, min_length: int = 5,
                 stem_length: int = 6, min_shared: int = 2) -> None:
        self.plan, self.scenario, self.cat = plan, scenario, catalogue
        self.min_length, self.stem_length, self.min_shared = min_length, stem_length, min_shared
        self.descriptions = {n.id: n.description for n in scenario.person.needs}
        self.area_count = Counter(t.area for t in scenario.ground_truth.needs)

    def _stems(self, text: str) -> frozenset[str]:
        return stems(text, self.min_length, self.stem_length)

    def resembles(self, need: PlanNeed, truth: NeedTruth) -> bool:
        if need.area and need.area != truth.area:
            return False
        shared = self._stems(need.text) & self._stems(self.descriptions.get(truth.need, ""))
        return len(shared) >= self.min_shared

    def mentions(self, need: PlanNeed, truth: NeedTruth) -> bool:
        if self.resembles(need, truth):
            return True
        return need.area == truth.area and self.area_count[truth.area] == 1

    def answers(self, effort: PlanEffort, truth: NeedTruth) -> bool:
        if effort.effort in truth.expected_efforts:
            return True
        if effort.organisation not in truth.responders:
            return False
        loose = False
        cat_effort = self.cat.effort_by_id.get(effort.effort)
        if cat_effort is not None:
            loose = truth.area in cat_effort.areas
        elif not effort.effort:
            expected = frozenset().union(*(self._stems(self.cat.effort(e).name) for e in truth.expected_efforts))
            loose = bool(self._stems(effort.what) & expected)
        if not loose:
            return False
        if self.area_count[truth.area] == 1:
            return True
        linked = [n for n in self.plan.needs if n.id in effort.needs]
        return any(self.resembles(n, truth) for n in linked)

    def match(self) -> list[NeedMatch]:
        out = []
        for truth in self.scenario.ground_truth.needs:
            efforts = tuple(e.id for e in self.plan.efforts if self.answers(e, truth))
            mentioned = any(self.mentions(n, truth) for n in self.plan.needs)
            out.append(NeedMatch(truth, self.descriptions.get(truth.need, truth.need), efforts, mentioned))
        return out
