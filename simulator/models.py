"""The scenario: a fictional person with multi-agency needs, and the ground truth a good plan must reflect.

These models are the contract between the simulator, the case library, the graders and the app. Field names are
English (glossary in DOMAIN.md); every text value is Swedish.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

SCHEMA_VERSION = 1

# A masked personnummer: the birth date and four X. It can never belong to anyone, real or not.
FICTIONAL_ID_PATTERN = re.compile(r"^(19|20)\d{6}-XXXX$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Gender(StrEnum):
    kvinna = "kvinna"
    man = "man"


class NetworkRole(StrEnum):
    vardnadshavare = "vardnadshavare"  # guardian of a child
    narstaende = "narstaende"  # relative or other close person
    barn = "barn"  # the person's own child


class ConsentStance(StrEnum):
    samtycker = "samtycker"
    samtycker_med_begransning = "samtycker_med_begransning"
    tveksam = "tveksam"


class NetworkMember(_Model):
    name: str
    relation: str  # in Swedish, as the person says it: "mormor", "bästa kompis"
    role: NetworkRole
    age: int = Field(ge=0, le=120)
    lives_with: bool = False
    resources: tuple[str, ...] = ()


class Need(_Model):
    id: str
    area: str
    description: str
    conditions: tuple[str, ...] = ()
    voice: str | None = None  # the person's own words about this need


class CurrentEffort(_Model):
    effort: str
    organisation: str


class HistoryEvent(_Model):
    months_ago: int = Field(ge=0)
    text: str
    signals: tuple[str, ...] = ()


class Consent(_Model):
    given_by: str  # "personen" or "vårdnadshavarna"
    stance: ConsentStance
    statement: str  # in the words of whoever gives it
    limit: str | None = None  # what may not be shared, if anything


class Person(_Model):
    given_name: str
    family_name: str
    gender: Gender
    age: int = Field(ge=0, le=120)
    birth_date: date
    personal_id: str
    kommun: str
    region: str
    living: str
    occupation: str
    network: tuple[NetworkMember, ...] = ()
    needs: tuple[Need, ...]
    current_efforts: tuple[CurrentEffort, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    wishes: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()
    own_resources: tuple[str, ...] = ()
    consent: Consent

    @field_validator("personal_id")
    @classmethod
    def _fictional_id(cls, value: str) -> str:
        if not FICTIONAL_ID_PATTERN.match(value):
            raise ValueError("personnumret måste vara maskerat (ÅÅÅÅMMDD-XXXX) så att det aldrig kan tillhöra någon")
        return value

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def is_child(self) -> bool:
        return self.age < 18

    @property
    def guardians(self) -> tuple[NetworkMember, ...]:
        return tuple(m for m in self.network if m.role is NetworkRole.vardnadshavare)


class NeedTruth(_Model):
    need: str  # Need.id
    area: str
    responders: tuple[str, ...]  # every organisation that may legitimately respond to this need
    expected_efforts: tuple[str, ...]  # what a good plan offers
    expected_providers: tuple[str, ...]  # organisations that provide at least one expected effort


class GroundTruth(_Model):
    needs: tuple[NeedTruth, ...]
    organisations: tuple[str, ...]  # every organisation a good plan involves
    other_actor_efforts: tuple[str, ...]  # expected efforts that only someone other than kommun/region provides
    other_actors: tuple[str, ...]
    efforts_in_place: tuple[str, ...]  # expected efforts already given: "done", kept apart from "planned"
    presumed_sip: bool  # the principals should presume a SIP is needed
    presumption_groups: tuple[str, ...]
    acceptable_overall: tuple[str, ...]  # principals that may hold the overall responsibility
    signals: tuple[str, ...]
    discharge: bool = False  # a discharge under lag (2017:612): SIP within three days of "utskrivningsklar"
    target_groups: tuple[str, ...] = ()


class Scenario(_Model):
    schema_version: int = SCHEMA_VERSION
    id: str
    archetype: str
    title: str
    seed: int | None = None
    variant: int = 0
    person: Person
    ground_truth: GroundTruth
