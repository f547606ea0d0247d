"""Filling a case's slots: one reproducible Scenario per (case, n), drawn with the simulator's seeded Faker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simulator.archetypes import load_places
from simulator.catalogue import load_catalogue
from simulator.engine import _faker, _sub_seed
from simulator.models import Consent, HistoryEvent, Need, NetworkMember, Person, Scenario
from simulator.providers.identity import masked_personal_id
from simulator.texts import fill

if TYPE_CHECKING:
    from simulator.cases import Case


def _fill_all(value: Any, values: dict[str, str]) -> Any:
    """Fill placeholders in every string of a plain (model_dump) structure."""
    if isinstance(value, str):
        return fill(value, values)
    if isinstance(value, dict):
        return {k: _fill_all(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_fill_all(v, values) for v in value]
    return value


def fill_case(case: Case, n: int) -> Scenario:
    from simulator.cases import kommun_region, person_values

    if n < 0:
        raise ValueError("variantnumret kan inte vara negativt")
    fake = _faker()
    fake.seed_instance(_sub_seed("sipkurs-fall", case.id, n))
    p = case.person
    # Draw every slot in a fixed order, whether or not it is used, so that filling one slot never shifts another.
    gender_draw = fake.sip_gender()
    gender = p.gender or gender_draw
    given_draw = fake.sip_given_name(gender)
    family_draw = fake.sip_family_name()
    lo, hi = p.age_range
    age = fake.random.randint(lo, hi)
    birth = fake.sip_birth_date(age)
    kommun_draw, _ = fake.sip_place()
    kommun = p.kommun or kommun_draw
    region = kommun_region(kommun) or load_places()[0][0]

    given = p.given_name or given_draw
    family = p.family_name or family_draw
    base = dict(given_name=given, family_name=family, gender=gender, age=age, kommun=kommun)
    skeleton = Person(
        **base, birth_date=birth, personal_id=masked_personal_id(birth), region=region, living="-", occupation="-",
        needs=(), consent=p.consent,
    )
    values = person_values(skeleton)
    data = p.model_dump(mode="json", exclude={"given_name", "family_name", "gender", "age", "kommun", "hidden", "worries"})
    data = _fill_all(data, values)
    needs = tuple(Need(**_fill_all(nd.model_dump(mode="json", exclude={"expected_efforts"}), values)) for nd in case.needs)
    person = Person(
        **base,
        birth_date=birth,
        personal_id=masked_personal_id(birth),
        region=region,
        living=data["living"],
        occupation=data["occupation"],
        network=tuple(NetworkMember(**m) for m in data["network"]),
        needs=needs,
        current_efforts=p.current_efforts,
        history=tuple(sorted((HistoryEvent(**h) for h in data["history"]), key=lambda h: -h.months_ago)),
        wishes=tuple(data["wishes"]),
        goals=tuple(data["goals"]),
        own_resources=tuple(data["own_resources"]),
        consent=Consent(**data["consent"]),
    )
    return Scenario(
        id=case.scenario_id(n),
        archetype=case.id,
        title=fill(case.title, values),
        seed=None,
        variant=n,
        person=person,
        ground_truth=case.ground_truth(load_catalogue()),
    )
