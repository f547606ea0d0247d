"""Archetypes and need templates: the simulator's behaviour as data (data/archetypes/*.yaml, data/needs.yaml).

An archetype says what kind of person a case is about, which needs they have (required and optional), and the pools
the engine draws texts from. Need templates say what a need looks like and what a good plan offers for it.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.catalogue import Catalogue, load_catalogue
from simulator.datafiles import DATA_DIR, read_yaml
from simulator.models import ConsentStance, NetworkRole


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NeedTemplate(_Data):
    id: str
    area: str
    conditions: tuple[str, ...] = ()
    text: tuple[str, ...] = Field(min_length=1)
    expected_efforts: tuple[str, ...] = Field(min_length=1)
    voice: tuple[str, ...] = ()


class NetworkTemplate(_Data):
    relation: str
    relation_by_gender: dict[Literal["kvinna", "man"], str] = Field(default_factory=dict)
    role: NetworkRole
    gender: Literal["kvinna", "man", "any"]
    age_offset: tuple[int, int]
    lives_with: float = Field(ge=0, le=1)
    probability: float = Field(ge=0, le=1)
    resources: tuple[str, ...] = ()


class LivingTemplate(_Data):
    """How the person lives. ``with_relations`` must be in the network and live with the person; ``alone`` means
    nobody in the network does."""

    text: str
    with_relations: tuple[str, ...] = ()
    without_relations: tuple[str, ...] = ()  # cannot be in the network (a spouse when widowed)
    alone: bool = False

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        return {"text": value} if isinstance(value, str) else value


class HistoryTemplate(_Data):
    text: str
    months_ago: tuple[int, int]
    signals: tuple[str, ...] = ()


class ConsentTemplate(_Data):
    stance: ConsentStance
    weight: int = Field(gt=0)
    statement: str
    limit: str | None = None


class NeedPool(_Data):
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    optional_count: tuple[int, int] = (0, 0)


class Archetype(_Data):
    id: str
    name: str
    description: str
    target_groups: tuple[str, ...]
    age: tuple[int, int]
    discharge: bool = False
    living: tuple[LivingTemplate, ...] = Field(min_length=1)
    occupation: tuple[str, ...] = Field(min_length=1)
    network: tuple[NetworkTemplate, ...] = ()
    needs: NeedPool
    exclusive: tuple[tuple[str, ...], ...] = ()  # at most one need of each group
    history: tuple[HistoryTemplate, ...] = ()
    history_count: tuple[int, int] = (1, 3)
    wishes: tuple[str, ...] = Field(min_length=1)
    goals: tuple[str, ...] = Field(min_length=1)
    own_resources: tuple[str, ...] = Field(min_length=1)
    consent: tuple[ConsentTemplate, ...] = Field(min_length=1)
    signals: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _sane_ranges(self) -> Archetype:
        relations = {t.relation for t in self.network}
        for living in self.living:
            unknown = (set(living.with_relations) | set(living.without_relations)) - relations
            if unknown:
                raise ValueError(f"archetype {self.id}: living names relations not in the network: {sorted(unknown)}")
        lo, hi = self.needs.optional_count
        if not (0 <= lo <= hi <= len(self.needs.optional)):
            raise ValueError(f"archetype {self.id}: optional_count {self.needs.optional_count} out of range")
        if not (0 <= self.age[0] <= self.age[1] <= 110):
            raise ValueError(f"archetype {self.id}: bad age range {self.age}")
        return self


def check_references(catalogue: Catalogue, templates: dict[str, NeedTemplate], archetypes: dict[str, Archetype]) -> list[str]:
    """Every id an archetype or need template names must exist in the catalogue, and efforts must fit the need."""
    problems: list[str] = []
    conditions = {c.id for c in catalogue.conditions}
    for t in templates.values():
        if t.area not in catalogue.area_by_id:
            problems.append(f"need {t.id}: unknown area {t.area}")
        problems += [f"need {t.id}: unknown condition {c}" for c in t.conditions if c not in conditions]
        for e in t.expected_efforts:
            effort = catalogue.effort_by_id.get(e)
            if effort is None:
                problems.append(f"need {t.id}: unknown effort {e}")
            elif t.area not in effort.areas:
                problems.append(f"need {t.id}: effort {e} does not serve area {t.area}")
    for a in archetypes.values():
        for n in a.needs.required + a.needs.optional + tuple(x for g in a.exclusive for x in g):
            if n not in templates:
                problems.append(f"archetype {a.id}: unknown need {n}")
        problems += [f"archetype {a.id}: unknown target group {g}" for g in a.target_groups
                     if g not in catalogue.target_group_by_id]
        signals = set(a.signals) | {s for h in a.history for s in h.signals}
        problems += [f"archetype {a.id}: unknown signal {s}" for s in sorted(signals) if s not in catalogue.signal_by_id]
    return problems


@cache
def load_need_templates() -> dict[str, NeedTemplate]:
    return {t.id: t for t in (NeedTemplate.model_validate(raw) for raw in read_yaml(DATA_DIR / "needs.yaml"))}


@cache
def load_archetypes() -> dict[str, Archetype]:
    archetypes: dict[str, Archetype] = {}
    for path in sorted((DATA_DIR / "archetypes").glob("*.yaml")):
        archetype = Archetype.model_validate(read_yaml(path))
        if archetype.id != path.stem:
            raise ValueError(f"{path}: id {archetype.id!r} differs from the file name")
        archetypes[archetype.id] = archetype
    problems = check_references(load_catalogue(), load_need_templates(), archetypes)
    if problems:
        raise ValueError("; ".join(problems))
    return archetypes


@cache
def load_places() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(region, kommuner) pairs."""
    return tuple((r["name"], tuple(r["kommuner"])) for r in read_yaml(DATA_DIR / "places.yaml")["regions"])
