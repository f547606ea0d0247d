"""Who the fictional person is: gender, a name that fits it, birth date, a masked personnummer and a fictional place.

Faker's sv_SE ``ssn()`` is deliberately not used: it makes valid personnummer on real dates, computed from today's
date, so some belong to real people and the same seed gives another number tomorrow.
"""

from __future__ import annotations

from datetime import date, timedelta

from functools import cache

from itertools import accumulate

from faker.providers import BaseProvider
from faker.providers.person.sv_SE import Provider as SwedishPersonProvider

from simulator.archetypes import load_places
from simulator.datafiles import DATA_DIR, read_yaml
from simulator.models import Gender

# "Today" inside every generated case. Fixed, so that the same seed gives the same person on any real day.
CASE_DATE = date(2026, 1, 15)


def masked_personal_id(birth_date: date) -> str:
    """The birth date and four X: realistic in a case card, and impossible to belong to anyone."""
    return f"{birth_date:%Y%m%d}-XXXX"


@cache
def given_names_by_decade() -> dict[Gender, dict[int, tuple[str, ...]]]:
    raw = read_yaml(DATA_DIR / "given_names.yaml")
    return {Gender(g): {int(d): tuple(names) for d, names in decades.items()} for g, decades in raw.items()}


def given_names_for(gender: Gender, birth_year: int) -> tuple[str, ...]:
    """Names common for people of this gender born in this decade (the nearest decade in the table)."""
    decades = given_names_by_decade()[gender]
    decade = min(decades, key=lambda d: abs(d - (birth_year // 10) * 10))
    return decades[decade]


@cache
def _family_names() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """Faker's sv_SE family names with cumulative weights, for a fast weighted draw from the same table."""
    table = SwedishPersonProvider.last_names
    return tuple(table), tuple(accumulate(table.values()))


class IdentityProvider(BaseProvider):
    def sip_gender(self) -> Gender:
        return Gender.kvinna if self.generator.random.random() < 0.5 else Gender.man

    def sip_given_name(self, gender: Gender, birth_year: int | None = None) -> str:
        """A given name that fits the gender and, when the birth year is known, the generation."""
        if birth_year is not None:
            return self.generator.random.choice(given_names_for(gender, birth_year))
        return self.generator.first_name_female() if gender is Gender.kvinna else self.generator.first_name_male()

    def sip_family_name(self) -> str:
        names, cum_weights = _family_names()
        return self.generator.random.choices(names, cum_weights=cum_weights)[0]

    def sip_birth_date(self, age: int) -> date:
        """A birth date that gives exactly ``age`` on CASE_DATE."""
        latest = CASE_DATE.replace(year=CASE_DATE.year - age)
        earliest = CASE_DATE.replace(year=CASE_DATE.year - age - 1) + timedelta(days=1)
        return earliest + timedelta(days=self.generator.random.randint(0, (latest - earliest).days))

    def sip_personal_id(self, birth_date: date) -> str:
        return masked_personal_id(birth_date)

    def sip_place(self) -> tuple[str, str]:
        """(kommun, region), both fictional."""
        region, kommuner = self.generator.random.choice(load_places())
        return self.generator.random.choice(kommuner), region
