"""What every check sees: the plan, the scenario (or None), the catalogue, and text views computed once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from graders.plan import Plan
from simulator.catalogue import Catalogue, load_catalogue
from simulator.models import Scenario

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def filled(text: str | None) -> bool:
    """Text with at least one letter (whitespace or punctuation alone is not an answer)."""
    return bool(text) and WORD.search(text) is not None


@dataclass
class Context:
    plan: Plan
    scenario: Scenario | None = None
    catalogue: Catalogue | None = None

    def __post_init__(self) -> None:
        if self.catalogue is None:
            self.catalogue = load_catalogue()

    @cached_property
    def prose(self) -> list[str]:
        """Every free text a participant wrote, as the person would read it."""
        p = self.plan
        texts = [
            p.current_situation, p.what_matters, p.own_resources, p.relatives_resources, p.wishes,
            p.person_participation, p.relatives_involvement, p.if_plan_fails, p.other_actors_note,
            p.consent.scope, p.follow_up.evaluate,
            *p.meeting_questions,
            *(n.text for n in p.needs),
            *(t for g in p.goals for t in (g.text, g.measure)),
            *(e.what for e in p.efforts),
            *(a.what for a in p.own_actions),
        ]
        return [t for t in texts if filled(t)]

    @cached_property
    def all_text(self) -> str:
        """Prose plus every short field (names, roles, timings): what the plan says anywhere."""
        p = self.plan
        extra = [
            p.concerns.name, p.initiator, p.chair, p.consent.given_by, p.consent.recorded,
            p.overall_responsibility.person, p.follow_up.called_by, p.follow_up.how,
            *(f"{x.name} {x.role}" for x in p.participants),
            *(e.when for e in p.efforts),
            *(a.who for a in p.own_actions),
            *(f"{c.name} {c.reach}" for c in p.contacts),
        ]
        return "\n".join(self.prose + [t for t in extra if t])

    @cached_property
    def all_text_folded(self) -> str:
        return self.all_text.casefold()
