"""Finding a scenario by its id, wherever it comes from.

Generated scenarios have ids ``archetype-seed-variant`` and are regenerated on demand (same seed, same person).
Authored cases (scenarios/) have ids ``case_id@n`` for variant n; ``case_id`` alone is variant 0.
The graders and the app call ``get_scenario`` and never need to know where a scenario comes from.
"""

from __future__ import annotations

from simulator.cases import VARIANT_SEPARATOR
from simulator.engine import archetype_names, generate
from simulator.models import Scenario


class UnknownScenario(LookupError):
    def __init__(self, scenario_id: str) -> None:
        self.scenario_id = scenario_id
        super().__init__(f"okänt scenario '{scenario_id}'")


def _generated(scenario_id: str) -> Scenario | None:
    parts = scenario_id.rsplit("-", 2)
    if len(parts) != 3 or parts[0] not in archetype_names():
        return None
    archetype, seed, variant = parts
    if not (seed.isdigit() and variant.isdigit()):
        return None
    return generate(archetype, int(seed), int(variant))


def _from_library(scenario_id: str) -> Scenario | None:
    from simulator.library import load_library

    case_id, sep, variant = scenario_id.partition(VARIANT_SEPARATOR)
    case = load_library().get(case_id)
    if case is None or (sep and not (variant.isdigit() and variant.isascii())):
        return None
    return case.variant(int(variant) if sep else 0)


def get_scenario(scenario_id: str) -> Scenario:
    """The scenario with this id; raises UnknownScenario (a one-line Swedish message) if there is none."""
    scenario = _generated(scenario_id) or _from_library(scenario_id)
    if scenario is None:
        raise UnknownScenario(scenario_id)
    return scenario
