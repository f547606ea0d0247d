"""Running the providers: seeded, reproducible generation of one scenario, many, or variants of one archetype."""

from __future__ import annotations

import hashlib
from functools import cache

from faker import Faker

from simulator.archetypes import load_archetypes
from simulator.models import Scenario
from simulator.providers import IdentityProvider, ScenarioProvider


class UnknownArchetype(ValueError):
    def __init__(self, name: str) -> None:
        self.name = name
        self.choices = sorted(load_archetypes())
        super().__init__(f"okänd arketyp '{name}'; välj en av: {', '.join(self.choices)}")


@cache
def _faker() -> Faker:
    # One instance per process: building a Faker is slow, re-seeding it is cheap.
    fake = Faker("sv_SE")
    fake.add_provider(IdentityProvider)
    fake.add_provider(ScenarioProvider)
    return fake


def _sub_seed(*parts: object) -> int:
    """A stable seed for one scenario (Python's hash() is salted per process, so use sha256)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def archetype_names() -> list[str]:
    return sorted(load_archetypes())


def _check(archetype: str | None) -> None:
    if archetype is not None and archetype not in load_archetypes():
        raise UnknownArchetype(archetype)


def generate(archetype: str | None = None, seed: int = 0, variant: int = 0) -> Scenario:
    """One scenario. The same (archetype, seed, variant) gives the same scenario on any day and in any process."""
    _check(archetype)
    fake = _faker()
    fake.seed_instance(_sub_seed("sipkurs", archetype or "*", seed, variant))
    return fake.sip_scenario(archetype, seed=seed, variant=variant)


def generate_variants(archetype: str, n: int, seed: int = 0) -> list[Scenario]:
    """N distinct persons of one archetype, one per course participant.

    A variant whose name repeats an earlier one is skipped, so every returned scenario keeps an id
    (archetype-seed-variant) that regenerates it exactly.
    """
    _check(archetype)
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    variant = 0
    while len(scenarios) < n:
        scenario = generate(archetype, seed, variant)
        variant += 1
        if scenario.person.full_name not in seen:
            seen.add(scenario.person.full_name)
            scenarios.append(scenario)
    return scenarios


def generate_many(count: int, seed: int = 0, archetype: str | None = None) -> list[Scenario]:
    """COUNT scenarios; without an archetype, each is drawn from all archetypes."""
    _check(archetype)
    return [generate(archetype, seed, i) for i in range(count)]
