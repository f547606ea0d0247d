"""Finding a scenario by its id, wherever it comes from.

Generated scenarios have ids ``archetype-seed-variant`` and are regenerated on demand (same seed, same person).
Authored cases (scenarios/) have ids ``case_id@n`` for variant n; ``case_id`` alone is variant 0.
A scenario saved as a file (``sipkurs generate -f json -o fall.json``) is found by its path: this pins a scenario
for good, whatever later versions of the simulator generate for the same seed.
The graders and the app call ``get_scenario`` and never need to know where a scenario comes from.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from simulator.cases import VARIANT_SEPARATOR
from simulator.engine import archetype_names, generate
from simulator.models import Scenario


class UnknownScenario(LookupError):
    def __init__(self, scenario_id: str, reason: str = "") -> None:
        self.scenario_id = scenario_id
        super().__init__(f"okänt scenario '{scenario_id}'" + (f": {reason}" if reason else ""))


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


SCENARIO_FILE_SUFFIXES = (".json", ".yaml", ".yml")


def is_scenario_file(ref: str) -> bool:
    return ref.lower().endswith(SCENARIO_FILE_SUFFIXES)


def _from_file(ref: str, base_dir: Path | None) -> Scenario | None:
    if not is_scenario_file(ref):
        return None
    path = Path(ref) if base_dir is None else Path(base_dir) / ref
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))  # JSON is YAML
        return Scenario.model_validate(data)
    except FileNotFoundError:
        raise UnknownScenario(ref, "filen finns inte") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        raise UnknownScenario(ref, "filen går inte att läsa som JSON eller YAML") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        problem = f"fältet {where} saknas eller har fel värde" if where else "innehållet har fel form"
        raise UnknownScenario(ref, f"inget sparat scenario ({problem})") from None


def get_scenario(scenario_id: str, base_dir: str | Path | None = None) -> Scenario:
    """The scenario with this id or file path; raises UnknownScenario (one Swedish line) if there is none.

    A relative file path is read from ``base_dir`` when given: a plan names the scenario file that lies beside it.
    """
    scenario = _from_file(scenario_id, base_dir) or _generated(scenario_id) or _from_library(scenario_id)
    if scenario is None:
        raise UnknownScenario(scenario_id)
    return scenario
