"""The drafted SIP: what a plan document holds (DOMAIN.md, "What a plan document holds"), as a versioned model.

A draft may be incomplete at any time (participants autosave while typing), so every field has an empty default and
the graders, not the model, say what is missing. What the model refuses is what no plan can contain: unknown
organisations, links to needs or goals that do not exist, absurd sizes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from simulator.catalogue import load_catalogue

PLAN_FORMAT = "sipkurs-plan"
PLAN_VERSION = 1

MAX_TEXT = 10_000  # characters in one field
MAX_ITEMS = 200  # rows in one table

Text = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
ShortText = Annotated[str, StringConstraints(max_length=500)]


def _items(kind):
    return Annotated[list[kind], Field(default_factory=list, max_length=MAX_ITEMS)]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def organisation_id(value: str) -> str:
    """Accept a catalogue id, or an organisation's name or short name in any case; return the id."""
    if not value:
        return value
    cat = load_catalogue()
    if value in cat.organisation_by_id:
        return value
    folded = value.casefold()
    for org in cat.organisations:
        if folded in (org.name.casefold(), org.short.casefold()):
            return org.id
    raise ValueError(f"okänd organisation '{value}'")


OrgId = Annotated[ShortText, AfterValidator(organisation_id)]


class Author(_Part):
    name: ShortText
    organisation: OrgId = ""  # catalogue id; empty for the person or a relative playing a part


class Concerns(_Part):
    """Whom the plan concerns; for a child, also the guardians."""

    name: ShortText = ""
    personal_id: ShortText = ""  # masked in training: ÅÅÅÅMMDD-XXXX
    guardians: _items(ShortText)


class ConsentRecord(_Part):
    given: bool = False
    given_by: ShortText = ""  # "personen", "vårdnadshavarna" …
    scope: Text = ""  # which information may be shared, with whom
    valid_until: dt.date | None = None
    recorded: Text = ""  # how and where it is documented (oral consent is written in the record)


class Participant(_Part):
    name: ShortText = ""
    organisation: OrgId = ""  # catalogue id; empty for the person and relatives
    role: ShortText = ""  # "mötesledare", "kurator", "den enskilde", "mamma" …


class PlanNeed(_Part):
    id: ShortText
    text: Text = ""
    area: ShortText = ""  # catalogue need area, optional


class GoalKind(StrEnum):
    long_term = "long_term"  # långsiktigt mål
    sub_goal = "sub_goal"  # delmål


class Goal(_Part):
    id: ShortText
    text: Text = ""
    kind: GoalKind = GoalKind.long_term
    parent: ShortText = ""  # the long-term goal a sub-goal breaks down
    own_words: bool = False  # the person's own goal, in their words
    measure: Text = ""  # how we know it is reached
    due: dt.date | None = None


class EffortStatus(StrEnum):
    planned = "planned"  # planerad
    ongoing = "ongoing"  # pågående
    done = "done"  # genomförd


# The Swedish words for the enums, shared by the form, the reports and the exports.
EFFORT_STATUS_SV = {EffortStatus.planned: "planerad", EffortStatus.ongoing: "pågående", EffortStatus.done: "genomförd"}
GOAL_KIND_SV = {GoalKind.long_term: "långsiktigt mål", GoalKind.sub_goal: "delmål"}


class PlanEffort(_Part):
    id: ShortText
    what: Text = ""
    effort: ShortText = ""  # catalogue effort id, optional: the text is what counts for the person
    organisation: OrgId = ""  # who provides it (kommun or region unit, or other actor)
    needs: _items(ShortText)  # PlanNeed ids
    goals: _items(ShortText)  # Goal ids
    start: dt.date | None = None
    end: dt.date | None = None
    when: ShortText = ""  # free timing: "varje vecka", "inom två veckor"
    status: EffortStatus = EffortStatus.planned


class OwnAction(_Part):
    """What the person and their relatives do themselves."""

    who: ShortText = ""  # "personen", "mamma" …
    what: Text = ""


class OverallResponsibility(_Part):
    principal: Literal["", "kommun", "region"] | ShortText = ""  # graders say it must be kommun or region
    organisation: OrgId = ""
    person: ShortText = ""  # named person


class ContactPerson(_Part):
    organisation: OrgId = ""
    name: ShortText = ""
    reach: ShortText = ""  # how to reach them (fictional)


class FollowUp(_Part):
    date: dt.date | None = None
    called_by: ShortText = ""  # who calls the follow-up meeting
    how: ShortText = ""  # "fysiskt möte", "digitalt möte"
    evaluate: Text = ""  # what will be evaluated: the whole plan, changed needs, sub-goals reached …


class Closure(_Part):
    date: dt.date | None = None
    reason: Text = ""


class Plan(_Part):
    format: Literal["sipkurs-plan"] = PLAN_FORMAT
    version: Literal[1] = PLAN_VERSION
    scenario_id: ShortText = ""
    group: ShortText = ""  # a role-play group writes one plan together
    authors: _items(Author)
    updated: dt.datetime | None = None

    concerns: Concerns = Field(default_factory=Concerns)
    established: dt.date | None = None
    discharge_ready: dt.date | None = None  # discharge cases: the day the person was reported utskrivningsklar
    consent: ConsentRecord = Field(default_factory=ConsentRecord)
    initiator: ShortText = ""  # who took the initiative (name, unit)
    chair: ShortText = ""  # mötesledare
    participants: _items(Participant)
    person_participation: Text = ""  # how the person took part and influenced the plan
    relatives_involvement: Text = ""  # närstående invited, or why not
    meeting_questions: _items(Text)

    current_situation: Text = ""
    what_matters: Text = ""  # "vad är viktigt för dig?" in the person's words
    needs: _items(PlanNeed)
    own_resources: Text = ""
    relatives_resources: Text = ""
    wishes: Text = ""
    goals: _items(Goal)
    efforts: _items(PlanEffort)
    other_actors_note: Text = ""  # actions by other actors beyond the efforts table, or why there are none
    own_actions: _items(OwnAction)

    overall_responsibility: OverallResponsibility = Field(default_factory=OverallResponsibility)
    contacts: _items(ContactPerson)
    follow_up: FollowUp = Field(default_factory=FollowUp)
    if_plan_fails: Text = ""  # where the person or relatives turn if the plan does not work
    distribution: _items(ShortText)
    closure: Closure | None = None

    @model_validator(mode="after")
    def _links_resolve(self) -> Plan:
        problems: list[str] = []
        need_ids = [n.id for n in self.needs]
        goal_ids = [g.id for g in self.goals]
        effort_ids = [e.id for e in self.efforts]
        for kind, ids in (("behov", need_ids), ("mål", goal_ids), ("insats", effort_ids)):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                problems.append(f"{kind}-id förekommer flera gånger: {', '.join(dupes)}")
        for i, e in enumerate(self.efforts):
            problems += [f"efforts[{i}].needs: okänt behov '{n}'" for n in e.needs if n not in need_ids]
            problems += [f"efforts[{i}].goals: okänt mål '{g}'" for g in e.goals if g not in goal_ids]
        for i, g in enumerate(self.goals):
            if g.parent and g.parent not in goal_ids:
                problems.append(f"goals[{i}].parent: okänt mål '{g.parent}'")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # --- derived views the graders and the exports share ----------------------------------------------------------
    def efforts_by(self, org_id: str) -> list[PlanEffort]:
        return [e for e in self.efforts if e.organisation == org_id]

    def principal_of(self, effort: PlanEffort) -> str | None:
        """kommun, region, or None (an other actor, or no organisation given)."""
        if not effort.organisation:
            return None
        return load_catalogue().principal_of(effort.organisation)
