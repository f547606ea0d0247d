"""Authored cases: one realistic SIP story per YAML file in scenarios/, with role cards and a ground truth.

A case may fix every detail or leave slots (name, gender, age within a range, kommun) that ``Case.variant(n)``
fills reproducibly, so each course participant can meet their own variant of one story. The models reuse the
simulator's (Need, NetworkMember, Consent …) and the ground truth is derived by ``derive_ground_truth``, so the
graders see one kind of truth for generated scenarios and authored cases.
"""

from __future__ import annotations

from enum import IntEnum
from functools import cached_property, lru_cache

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from simulator.archetypes import load_places
from simulator.catalogue import Catalogue, load_catalogue
from simulator.ground_truth import derive_ground_truth
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
from simulator.texts import text_values

CASE_ID_PATTERN = r"^[a-z][a-z0-9_]*$"
PERSON_ROLE = "personen"  # the role id of whoever plays the person; every other role id is an organisation id
RELATIVE_ROLE = "narstaende"  # the role id of whoever plays the close person (närstående) who attends the meeting
VARIANT_SEPARATOR = "@"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Difficulty(IntEnum):
    grundlaggande = 1
    fordjupad = 2
    avancerad = 3


DIFFICULTY_LABELS = {1: "grundläggande", 2: "fördjupad", 3: "avancerad"}


class CaseNeed(Need):
    """A need as the person has it, plus what a good plan offers for it (the author's part of the ground truth)."""

    expected_efforts: tuple[str, ...] = Field(min_length=1)


class Reveal(_Model):
    """Information a role (or the person) gives only when someone asks the right question."""

    ask: str = Field(min_length=1, description="Vad någon behöver fråga om för att få veta detta.")
    text: str = Field(min_length=1, description="Det som berättas när frågan ställs.")


class RoleCard(_Model):
    """What one organisation's representative knows and wants; read only by whoever plays that role."""

    organisation: str = Field(description="Organisationens id i katalogen (simulator/data/catalogue.yaml).")
    title: str = Field(min_length=1, description="Yrkesroll, till exempel 'socialsekreterare'.")
    knows: str = Field(min_length=1, description="Vad rollen vet om personen inför mötet.")
    mandate: str = Field(min_length=1, description="Vad rollen får och inte får besluta om.")
    priorities: str = Field(min_length=1, description="Vad rollen tycker är viktigast.")
    time_horizon: str = Field(min_length=1, description="Hur bråttom rollen har och varför.")
    clashes: str = Field(min_length=1, description="Var rollen brukar krocka med andra aktörer.")
    hidden: tuple[Reveal, ...] = ()


class RelativeCard(_Model):
    """A person of the network who sits at the table: a närstående, or for a child the guardian who plays the
    person's seat. Written in the second person to whoever plays them; ``wishes`` and ``worries`` in their own words."""

    member: str = Field(min_length=1, description="Namnet exakt som i person.network, till exempel 'Robin {efternamn}'.")
    knows: str = Field(min_length=1, description="Vad den närstående vet och har varit med om.")
    wishes: tuple[str, ...] = Field(min_length=1, description="Vad den närstående vill, med egna ord.")
    worries: tuple[str, ...] = ()
    hidden: tuple[Reveal, ...] = ()
QUESTION_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class InterviewQuestion(_Model):
    """One question a participant may put to the person or a role in self-study, and the answer in the speaker's voice.

    ``reveals`` names hidden items of the same speaker by their ``ask`` text; ``after`` holds ids of questions of the
    same speaker that must have been asked before this one appears (a follow-up).
    """

    id: str = Field(pattern=QUESTION_ID_PATTERN, description="Frågans id, unikt för den som svarar.")
    ask: tuple[str, ...] = Field(
        min_length=1, description="Frågan med olika ord; den första visas i menyn, alla används för att känna igen fritext."
    )
    answer: str = Field(min_length=1, description="Svaret, med den svarandes egna ord.")
    reveals: tuple[str, ...] = Field(
        default=(), description="Dold information som svaret avslöjar: samma text som i hidden-punktens ask."
    )
    after: tuple[str, ...] = Field(
        default=(), description="Frågor (id) som måste ha ställts först; då är detta en följdfråga."
    )
    by: str | None = Field(
        default=None, description="Vem som svarar om inte personen själv, till exempel mamma (en person i nätverket)."
    )
    hesitant: bool = Field(default=False, description="Svaret är tvekande (till exempel om samtycket).")


class PersonInterview(_Model):
    """The person's questions grouped by topic; the field names are the topics (see INTERVIEW_TOPICS_SV)."""

    everyday: tuple[InterviewQuestion, ...] = ()
    health: tuple[InterviewQuestion, ...] = ()
    housing: tuple[InterviewQuestion, ...] = ()
    economy: tuple[InterviewQuestion, ...] = ()
    network: tuple[InterviewQuestion, ...] = ()
    what_matters: tuple[InterviewQuestion, ...] = ()
    consent: tuple[InterviewQuestion, ...] = ()


class RoleInterview(_Model):
    """One role's questions: what they know, what they can offer, what they cannot, and when."""

    organisation: str = Field(description="Rollens organisation (id i katalogen); ett rollkort med samma id ska finnas.")
    knows: tuple[InterviewQuestion, ...] = ()
    offers: tuple[InterviewQuestion, ...] = ()
    cannot: tuple[InterviewQuestion, ...] = ()
    when: tuple[InterviewQuestion, ...] = ()


class Interview(_Model):
    """The self-study interview of a case: the person's questions and each role's. Missing parts get defaults."""

    person: PersonInterview = PersonInterview()
    roles: tuple[RoleInterview, ...] = ()


# Topic id (the field name) -> the Swedish heading a participant sees, in menu order.
PERSON_TOPICS_SV = {
    "everyday": "Vardagen",
    "health": "Hälsan",
    "housing": "Boendet",
    "economy": "Ekonomin",
    "network": "Nätverket",
    "what_matters": "Det som är viktigt för dig",
    "consent": "Samtycke: vad får delas och med vem",
}
ROLE_TOPICS_SV = {
    "knows": "Det här vet vi",
    "offers": "Det här kan vi erbjuda",
    "cannot": "Det här kan vi inte",
    "when": "När och hur snabbt",
}


class CaseCard(_Model):
    """The situation as the professional who invites to the SIP knows it: what every participant reads."""

    inviter: str = Field(description="Organisationen som kallar till SIP (id i katalogen).")
    text: str = Field(min_length=1)
    questions: tuple[str, ...] = Field(default=(), description="Frågor som mötet ska besvara.")


class Phase(_Model):
    """One part of the exercise (förmöte, SIP-möte, uppföljning …): what the group does, and what it reflects on."""

    id: str = Field(pattern=CASE_ID_PATTERN)
    title: str = Field(min_length=1)
    instructions: str = Field(min_length=1, description="Vad gruppen gör i fasen.")
    questions: tuple[str, ...] = Field(default=(), description="Reflektionsfrågor till gruppen.")


class EventExpects(_Model):
    """What a plan revised after the event should show. Each statement is checked by an event rule (E…)."""

    consent_excludes: str | None = Field(
        default=None, description="Organisation som inte längre får ta del: samtycket ska säga det och planen inte längre dela med den."
    )
    plan_closed: bool = Field(default=False, description="Samtycket dras tillbaka: planen ska avslutas, med datum och skäl.")
    revise: tuple[str, ...] = Field(
        default=(), description="Organisationer vars del av planen (insatser, kontaktpersoner) ska ändras efter händelsen."
    )
    follow_up_sooner: bool = Field(default=False, description="Uppföljningen ska tidigareläggas.")
    discharge: bool = Field(default=False, description="En utskrivning: utskrivningsklar-datum och SIP inom tre dagar.")
    need_area: str | None = Field(
        default=None, description="Behovsområde där planen ska få ett nytt eller ändrat behov med en insats kopplad."
    )

    @property
    def any(self) -> bool:
        return bool(self.consent_excludes or self.plan_closed or self.revise or self.follow_up_sooner or self.discharge
                    or self.need_area)


class CaseEvent(_Model):
    """Something a trainer can inject later in the exercise."""

    id: str = Field(pattern=CASE_ID_PATTERN)
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    affects: tuple[str, ...] = Field(default=(), description="Roller som berörs (organisationens id eller 'personen').")
    private: bool = Field(
        default=False, description="Bara de berörda rollerna läser texten; de andra ser att något hänt dem."
    )
    phase: str | None = Field(
        default=None, description="Fasen då händelsen kommer av sig själv vid självstudier och när man övar ensam."
    )
    expects: EventExpects = Field(default_factory=EventExpects, description="Vad den reviderade planen ska visa.")


class Facit(_Model):
    """What the trainer reads after the exercise. Optional statements here are checked against the catalogue."""

    text: str = ""
    overall_responsibility: tuple[str, ...] = Field(
        default=(), description="Huvudmän som kan ha det övergripande ansvaret (kommun, region)."
    )
    presumed_sip: bool | None = None


class CasePerson(_Model):
    """The person. Leave given_name, family_name, gender or kommun out, or give age as [min, max], to make slots."""

    given_name: str | None = None
    family_name: str | None = None
    gender: Gender | None = None
    age: int | tuple[int, int] = Field(description="Ålder i år, eller [lägst, högst] för varianter.")
    kommun: str | None = None
    living: str = Field(min_length=1)
    occupation: str = Field(min_length=1)
    network: tuple[NetworkMember, ...] = ()
    current_efforts: tuple[CurrentEffort, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    wishes: tuple[str, ...] = Field(min_length=1)
    worries: tuple[str, ...] = ()
    goals: tuple[str, ...] = Field(min_length=1)
    own_resources: tuple[str, ...] = ()
    consent: Consent
    hidden: tuple[Reveal, ...] = ()

    @field_validator("age", mode="before")
    @classmethod
    def _age_or_range(cls, value: object) -> object:
        def ok(v: object) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 120

        if ok(value):
            return value
        if isinstance(value, (list, tuple)) and len(value) == 2 and all(ok(v) for v in value) and value[0] <= value[1]:
            return tuple(value)
        raise ValueError("åldern ska vara ett heltal 0–120 eller [lägst, högst], till exempel [14, 16]")

    @model_validator(mode="after")
    def _name_needs_gender(self) -> CasePerson:
        if self.given_name is not None and self.gender is None:
            raise ValueError("ett fast förnamn kräver ett fast kön (gender), annars kan pronomen och namn krocka")
        return self

    @property
    def age_range(self) -> tuple[int, int]:
        return self.age if isinstance(self.age, tuple) else (self.age, self.age)

    @property
    def slots(self) -> tuple[str, ...]:
        """The fields the simulator fills for each variant."""
        names = ("given_name", "family_name", "gender", "kommun")
        out = [n for n in names if getattr(self, n) is None]
        if isinstance(self.age, tuple) and self.age[0] != self.age[1]:
            out.append("age")
        return tuple(out)


class Case(_Model):
    """One authored case: the story, the roles, the events and the ground truth."""

    id: str = Field(pattern=CASE_ID_PATTERN, description="Unikt id med små bokstäver, siffror och understreck.")
    title: str = Field(min_length=1)
    difficulty: Difficulty = Field(description="1 grundläggande, 2 fördjupad, 3 avancerad.")
    learning_goals: tuple[str, ...] = Field(min_length=1)
    target_groups: tuple[str, ...] = Field(min_length=1)
    signals: tuple[str, ...] = ()
    discharge: bool = Field(default=False, description="Utskrivning enligt lag (2017:612): SIP inom tre dagar.")
    case_card: CaseCard
    person: CasePerson
    needs: tuple[CaseNeed, ...] = Field(min_length=1)
    roles: tuple[RoleCard, ...] = Field(min_length=1)
    relative: RelativeCard | None = Field(default=None, description="Närstående som deltar i mötet och får en egen plats.")
    guardian: RelativeCard | None = Field(
        default=None, description="För ett barn: vårdnadshavaren som spelar personens plats och för fram barnets röst."
    )
    phases: tuple[Phase, ...] = Field(
        default=(), description="Övningens faser; utan: förmöte, SIP-möte och uppföljning (simulator/data/phases.yaml)."
    )
    events: tuple[CaseEvent, ...] = ()
    facit: Facit = Facit()
    interview: Interview | None = Field(
        default=None, description="Intervjun för självstudier; utelämnad eller ofullständig fylls den i från fallet."
    )

    model_config = ConfigDict(extra="forbid", frozen=True, ignored_types=(cached_property,))

    # --- ground truth -----------------------------------------------------------------------------------------
    def ground_truth(self, catalogue: Catalogue | None = None):
        cat = catalogue or load_catalogue()
        signals = set(self.signals) | {s for h in self.person.history for s in h.signals}
        if self.discharge:
            signals.add("utskrivning")
        return derive_ground_truth(
            cat,
            [Need(**n.model_dump(exclude={"expected_efforts"})) for n in self.needs],
            {n.id: n.expected_efforts for n in self.needs},
            efforts_in_place=[c.effort for c in self.person.current_efforts],
            signals=signals,
            discharge=self.discharge,
            target_groups=self.target_groups,
            ages=self.person.age_range,
        )

    def role(self, organisation: str) -> RoleCard:
        for r in self.roles:
            if r.organisation == organisation:
                return r
        raise KeyError(organisation)

    @property
    def role_ids(self) -> tuple[str, ...]:
        return tuple(r.organisation for r in self.roles)

    @property
    def seat_ids(self) -> tuple[str, ...]:
        """The seats of a role-play group: every organisation, the person (a guardian for a child) and a relative."""
        return (*self.role_ids, PERSON_ROLE, *((RELATIVE_ROLE,) if self.relative else ()))

    @property
    def exercise_phases(self) -> tuple[Phase, ...]:
        """The case's phases, or the default three."""
        return self.phases or default_phases()

    @property
    def is_child(self) -> bool:
        return self.person.age_range[1] < 18

    # --- variants ---------------------------------------------------------------------------------------------
    def scenario_id(self, n: int) -> str:
        return f"{self.id}{VARIANT_SEPARATOR}{n}"

    def variant(self, n: int = 0) -> Scenario:
        """The case with its slots filled. The same case and n give the same scenario on any day, in any process."""
        from simulator.variants import fill_case

        return fill_case(self, n)

    def variants(self, count: int) -> list[Scenario]:
        """COUNT variants with distinct names (a variant whose name repeats an earlier one is skipped)."""
        out: list[Scenario] = []
        seen: set[str] = set()
        n = 0
        while len(out) < count and n < count * 20 + 20:
            s = self.variant(n)
            n += 1
            if s.person.full_name not in seen or not self.person.slots:
                seen.add(s.person.full_name)
                out.append(s)
        return out


@lru_cache(maxsize=1)
def default_phases() -> tuple[Phase, ...]:
    """Förmöte, SIP-möte and uppföljning as simulator/data/phases.yaml writes them."""
    from simulator.datafiles import DATA_DIR, read_yaml

    return tuple(Phase(**p) for p in read_yaml(DATA_DIR / "phases.yaml")["phases"])


def text_fields(case: Case) -> dict[str, str]:
    """Every free text of a case that may hold placeholders, keyed by its field path (for checks and views)."""
    out: dict[str, str] = {}

    def walk(value: object, path: str) -> None:
        if isinstance(value, str):
            out[path] = value
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{path}.{name}" if path else name)
        elif isinstance(value, tuple):
            for i, v in enumerate(value):
                walk(v, f"{path}[{i}]")

    walk(case, "")
    return out


PLACEHOLDERS = ("namn", "hon", "henne", "hennes", "Hon", "Henne", "Hennes", "namns", "efternamn", "kommun", "alder")


def kommun_region(kommun: str) -> str | None:
    for region, kommuner in load_places():
        if kommun in kommuner:
            return region
    return None


def genitive(name: str) -> str:
    """Swedish genitive: Kims, but Lars and Max stay as they are."""
    return name if name[-1:].lower() in ("s", "x", "z") else f"{name}s"


def person_values(person: Person) -> dict[str, str]:
    return text_values(
        person.given_name, person.gender, namns=genitive(person.given_name), efternamn=person.family_name,
        kommun=person.kommun, alder=person.age,
    )

