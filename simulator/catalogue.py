"""The domain catalogue: principals, organisations, need areas, efforts and the rules of thumb that tie them together.

The tables are data (data/catalogue.yaml); this module only gives them types, checks that every reference resolves,
and offers the look-ups the simulator and the graders need.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache, cached_property

from pydantic import BaseModel, ConfigDict, Field, model_validator

from simulator.datafiles import DATA_DIR, read_yaml


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class OrgKind(StrEnum):
    unit = "unit"  # verksamhet of kommun or region
    other_actor = "other_actor"  # någon annan än kommunen eller regionen


class Principal(_Frozen):
    id: str
    name: str


class Organisation(_Frozen):
    id: str
    kind: OrgKind
    name: str
    short: str
    principal: str | None = None
    ages: tuple[int, int] | None = None  # the ages it serves, where it has limits

    def serves(self, ages: tuple[int, int] | None) -> bool:
        """Whether it serves anyone in this age range (None: age unknown, so yes)."""
        if ages is None or self.ages is None:
            return True
        return self.ages[0] <= ages[1] and ages[0] <= self.ages[1]

    @model_validator(mode="after")
    def _principal_matches_kind(self) -> Organisation:
        if (self.kind is OrgKind.unit) != (self.principal is not None):
            raise ValueError(f"organisation {self.id}: a unit needs a principal, an other actor has none")
        return self

    @property
    def is_other_actor(self) -> bool:
        return self.kind is OrgKind.other_actor


class NeedArea(_Frozen):
    id: str
    name: str


class Effort(_Frozen):
    id: str
    name: str
    areas: tuple[str, ...]
    providers: tuple[str, ...]


class PresumptionGroup(_Frozen):
    id: str
    name: str
    all_of: tuple[str, ...]


class Named(_Frozen):
    id: str
    name: str


class Signal(_Frozen):
    id: str
    text: str


class Catalogue(_Frozen):
    principals: tuple[Principal, ...]
    organisations: tuple[Organisation, ...]
    need_areas: tuple[NeedArea, ...]
    efforts: tuple[Effort, ...]
    presumption_groups: tuple[PresumptionGroup, ...]
    conditions: tuple[Named, ...]
    signals: tuple[Signal, ...]
    target_groups: tuple[Named, ...]
    abbreviations: dict[str, str] = Field(default_factory=dict)

    model_config = ConfigDict(frozen=True, extra="forbid", ignored_types=(cached_property,))

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalogue:
        problems: list[str] = []
        for kind, items in (
            ("principal", self.principals),
            ("organisation", self.organisations),
            ("need area", self.need_areas),
            ("effort", self.efforts),
        ):
            ids = [i.id for i in items]
            dupes = {i for i in ids if ids.count(i) > 1}
            if dupes:
                problems.append(f"duplicate {kind} ids: {sorted(dupes)}")
        principals = {p.id for p in self.principals}
        orgs = {o.id for o in self.organisations}
        areas = {a.id for a in self.need_areas}
        conditions = {c.id for c in self.conditions}
        for o in self.organisations:
            if o.principal is not None and o.principal not in principals:
                problems.append(f"organisation {o.id}: unknown principal {o.principal}")
        for e in self.efforts:
            problems += [f"effort {e.id}: unknown area {a}" for a in e.areas if a not in areas]
            problems += [f"effort {e.id}: unknown provider {p}" for p in e.providers if p not in orgs]
        for g in self.presumption_groups:
            problems += [f"presumption group {g.id}: unknown condition {c}" for c in g.all_of if c not in conditions]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- look-ups -------------------------------------------------------------------------------------------------
    @cached_property
    def organisation_by_id(self) -> dict[str, Organisation]:
        return {o.id: o for o in self.organisations}

    @cached_property
    def effort_by_id(self) -> dict[str, Effort]:
        return {e.id: e for e in self.efforts}

    @cached_property
    def area_by_id(self) -> dict[str, NeedArea]:
        return {a.id: a for a in self.need_areas}

    @cached_property
    def principal_by_id(self) -> dict[str, Principal]:
        return {p.id: p for p in self.principals}

    @cached_property
    def signal_by_id(self) -> dict[str, Signal]:
        return {s.id: s for s in self.signals}

    @cached_property
    def target_group_by_id(self) -> dict[str, Named]:
        return {t.id: t for t in self.target_groups}

    @cached_property
    def presumption_group_by_id(self) -> dict[str, PresumptionGroup]:
        return {g.id: g for g in self.presumption_groups}

    def organisation(self, org_id: str) -> Organisation:
        return self.organisation_by_id[org_id]

    def effort(self, effort_id: str) -> Effort:
        return self.effort_by_id[effort_id]

    def efforts_for_area(self, area_id: str) -> list[Effort]:
        return [e for e in self.efforts if area_id in e.areas]

    def providers_for(self, effort_id: str, ages: tuple[int, int] | None = None) -> tuple[str, ...]:
        """Who may provide this effort to a person of these ages.

        Providers that serve the person's age come first and alone; if none does, the effort is for someone else in
        the family (föräldrastöd for an adult's children) and every provider counts.
        """
        providers = self.effort_by_id[effort_id].providers
        fitting = tuple(p for p in providers if self.organisation_by_id[p].serves(ages))
        return fitting or providers

    def responders_for_area(self, area_id: str, ages: tuple[int, int] | None = None) -> list[str]:
        """Every organisation that may legitimately respond to a need in this area, in catalogue order."""
        providers = {p for e in self.efforts_for_area(area_id) for p in self.providers_for(e.id, ages)}
        return [o.id for o in self.organisations if o.id in providers]

    def can_provide(self, org_id: str, effort_id: str, ages: tuple[int, int] | None = None) -> bool:
        return effort_id in self.effort_by_id and org_id in self.providers_for(effort_id, ages)

    def principal_of(self, org_id: str) -> str | None:
        """kommun, region, or None for an other actor."""
        return self.organisation_by_id[org_id].principal

    def presumption_groups_for(self, conditions: set[str]) -> list[str]:
        return [g.id for g in self.presumption_groups if set(g.all_of) <= conditions]


@cache
def load_catalogue() -> Catalogue:
    return Catalogue.model_validate(read_yaml(DATA_DIR / "catalogue.yaml"))
