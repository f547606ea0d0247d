"""Which case a participant works on, and the participant's view of it (never the facit).

The only module of the app that knows where cases come from: the case library when it is there, else generated
variants of the course's archetype (one variant per participant, in the order they join).
"""

from __future__ import annotations

from simulator.casecard import case_card
from simulator.engine import generate_variants
from simulator.lookup import get_scenario

DEFAULT_ARCHETYPE = "psykos_missbruk"


def scenario_for_variant(course, n: int) -> str:
    """The scenario id for the course's n-th participant (0-based): each participant a different person."""
    archetype = course.archetype or DEFAULT_ARCHETYPE
    return generate_variants(archetype, n + 1, course.seed)[n].id


def scenario(scenario_id: str):
    return get_scenario(scenario_id) if scenario_id else None


def participant_card(scenario_id: str) -> str:
    """The case card a participant reads (Markdown, without facit)."""
    s = scenario(scenario_id)
    return case_card(s, facit=False) if s is not None else ""
