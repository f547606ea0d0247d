"""The scenario provider: draws a whole fictional person from an archetype, and derives the ground truth.

Every random draw goes through ``self.generator.random``, which ``Faker.seed_instance`` seeds, so a scenario depends
on nothing but its seed, its archetype and the package version.
"""

from __future__ import annotations

from faker.providers import BaseProvider

from simulator.archetypes import Archetype, LivingTemplate, NeedTemplate, load_archetypes, load_need_templates
from simulator.catalogue import load_catalogue
from simulator.ground_truth import derive_ground_truth
from simulator.providers.identity import CASE_DATE
from simulator.models import (
    Consent,
    CurrentEffort,
    Gender,
    HistoryEvent,
    Need,
    NetworkMember,
    Person,
    Scenario,
)
from simulator.texts import fill, text_values

# Relations that usually share the person's family name.
_FAMILY = {"mamma", "pappa", "syster", "bror", "storasyster", "son", "dotter", "barn", "make eller maka"}
IN_PLACE_PROBABILITY = 0.3


class ScenarioProvider(BaseProvider):
    # --- small draws ---------------------------------------------------------------------------------------------
    def _between(self, bounds: tuple[int, int]) -> int:
        return self.generator.random.randint(bounds[0], bounds[1])

    def _pick(self, pool, k: int) -> list:
        return self.generator.random.sample(list(pool), k=min(k, len(pool)))

    def _need_templates(self, archetype: Archetype) -> list[NeedTemplate]:
        templates = load_need_templates()
        chosen = list(archetype.needs.required)
        optional = list(archetype.needs.optional)
        self.generator.random.shuffle(optional)
        wanted = self._between(archetype.needs.optional_count)
        for need_id in optional:
            if len(chosen) - len(archetype.needs.required) >= wanted:
                break
            clashes = any(need_id in group and set(group) & set(chosen) for group in archetype.exclusive)
            if not clashes:
                chosen.append(need_id)
        return [templates[n] for n in chosen]

    def _network(
        self, archetype: Archetype, living: LivingTemplate, age: int, family_name: str, values: dict[str, str]
    ) -> list[NetworkMember]:
        rnd = self.generator.random
        members: list[NetworkMember] = []
        for t in archetype.network:
            housemate = t.relation in living.with_relations
            if t.relation in living.without_relations or (rnd.random() >= t.probability and not housemate):
                continue
            lives_with = housemate or (not living.alone and not living.with_relations and rnd.random() < t.lives_with)
            gender = Gender(t.gender) if t.gender != "any" else self.generator.sip_gender()
            relation = t.relation_by_gender.get(gender.value, t.relation)
            shares_name = t.relation in _FAMILY and rnd.random() < 0.75
            member_age = max(1, age + self._between(t.age_offset)) if t.age_offset != (0, 0) else max(1, age + rnd.randint(-1, 1))
            given = self.generator.sip_given_name(gender, CASE_DATE.year - member_age)
            name = f"{given} {family_name if shares_name else self.generator.sip_family_name()}"
            members.append(
                NetworkMember(
                    name=name,
                    relation=relation,
                    role=t.role,
                    age=member_age,
                    lives_with=lives_with,
                    resources=tuple(fill(r, values) for r in self._pick(t.resources, 1)),
                )
            )
        return members

    # --- the scenario --------------------------------------------------------------------------------------------
    def sip_scenario(self, archetype_id: str | None = None, *, seed: int | None = None, variant: int = 0) -> Scenario:
        archetypes = load_archetypes()
        catalogue = load_catalogue()
        rnd = self.generator.random
        archetype = archetypes[archetype_id] if archetype_id else archetypes[rnd.choice(sorted(archetypes))]

        gender = self.generator.sip_gender()
        age = self._between(archetype.age)
        birth = self.generator.sip_birth_date(age)
        given, family = self.generator.sip_given_name(gender, birth.year), self.generator.sip_family_name()
        kommun, region = self.generator.sip_place()
        values = text_values(given, gender, arskurs=min(9, max(1, age - 6)), manader=rnd.randint(2, 10))

        living = rnd.choice(archetype.living)
        templates = self._need_templates(archetype)
        needs = [
            Need(
                id=t.id,
                area=t.area,
                description=fill(rnd.choice(t.text), values),
                conditions=t.conditions,
                voice=fill(rnd.choice(t.voice), values) if t.voice else None,
            )
            for t in templates
        ]

        # Some expected efforts are already given; at least one per need stays to be planned.
        in_place: list[CurrentEffort] = []
        for t in templates:
            given_now = [e for e in t.expected_efforts if rnd.random() < IN_PLACE_PROBABILITY][: len(t.expected_efforts) - 1]
            in_place += [CurrentEffort(effort=e, organisation=rnd.choice(catalogue.providers_for(e, (age, age)))) for e in given_now]

        history = sorted(
            (
                HistoryEvent(months_ago=self._between(h.months_ago), text=fill(h.text, values), signals=h.signals)
                for h in self._pick(archetype.history, self._between(archetype.history_count))
            ),
            key=lambda h: -h.months_ago,
        )
        stance = rnd.choices(archetype.consent, weights=[c.weight for c in archetype.consent])[0]
        person = Person(
            given_name=given,
            family_name=family,
            gender=gender,
            age=age,
            birth_date=birth,
            personal_id=self.generator.sip_personal_id(birth),
            kommun=kommun,
            region=region,
            living=fill(living.text, values),
            occupation=fill(rnd.choice(archetype.occupation), values),
            network=tuple(self._network(archetype, living, age, family, values)),
            needs=tuple(needs),
            current_efforts=tuple(in_place),
            history=tuple(history),
            wishes=tuple(fill(w, values) for w in self._pick(archetype.wishes, rnd.randint(1, 2))),
            goals=tuple(fill(g, values) for g in self._pick(archetype.goals, rnd.randint(1, 2))),
            own_resources=tuple(fill(r, values) for r in self._pick(archetype.own_resources, rnd.randint(1, 2))),
            consent=Consent(
                given_by="vårdnadshavarna" if age < 18 else "personen",
                stance=stance.stance,
                statement=fill(stance.statement, values),
                limit=fill(stance.limit, values) if stance.limit else None,
            ),
        )
        signals = set(archetype.signals) | {s for h in history for s in h.signals}
        truth = derive_ground_truth(
            catalogue,
            needs,
            {t.id: t.expected_efforts for t in templates},
            efforts_in_place=[c.effort for c in in_place],
            signals=signals,
            discharge=archetype.discharge,
            target_groups=archetype.target_groups,
            ages=(age, age),
        )
        return Scenario(
            id=f"{archetype.id}-{seed if seed is not None else 'x'}-{variant}",
            archetype=archetype.id,
            title=f"{archetype.name}: {person.full_name}",
            seed=seed,
            variant=variant,
            person=person,
            ground_truth=truth,
        )
