"""The drafting form as data: every field of graders.plan.Plan with its Swedish label and kind of input.

The widgets (sipkurs/ui/form.py) are built from this list and map back to Plan data through the same paths, so the
form, the mapping and the tests share one description. Choices come from the catalogue, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from graders.plan import EFFORT_STATUS_SV, GOAL_KIND_SV
from simulator.catalogue import load_catalogue

NONE_CHOICE = ("– ingen vald –", "")


@dataclass(frozen=True)
class Field:
    """One input. ``path`` is dotted, relative to the plan (or to the row in a table)."""

    path: str
    label: str
    kind: str  # text | area | date | check | choice | multi | lines
    choices: str = ""  # name of a choice list: organisations, areas, efforts, principals, status, goal_kind, needs, goals
    placeholder: str = ""


@dataclass(frozen=True)
class Table:
    """A list of rows, each a small form. Every row has an id (B1, M1, I1 …, see sipkurs.plandoc) that other rows
    can link to and that keeps rows apart when several people add them at once."""

    path: str
    title: str
    row_label: str
    columns: tuple[Field, ...]
    add_label: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    parts: tuple[Field | Table, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "Vem planen gäller",
        (
            Field("concerns.name", "Namn", "text"),
            Field("concerns.personal_id", "Personnummer", "text", placeholder="ÅÅÅÅMMDD-XXXX"),
            Field("concerns.guardians", "Vårdnadshavare (en per rad)", "lines"),
            Field("established", "Planen upprättad", "date"),
            Field("discharge_ready", "Utskrivningsklar (vid utskrivning från sjukhus)", "date"),
        ),
    ),
    Section(
        "Samtycke",
        (
            Field("consent.given", "Samtycke har getts", "check"),
            Field("consent.given_by", "Samtycke givet av", "text", placeholder="personen, vårdnadshavarna …"),
            Field("consent.scope", "Vilken information, till vilka", "area"),
            Field("consent.valid_until", "Samtycket gäller till", "date"),
            Field("consent.recorded", "Hur samtycket är dokumenterat", "area"),
        ),
    ),
    Section(
        "Mötet",
        (
            Field("initiator", "Initiativ till SIP togs av", "text"),
            Field("chair", "Mötesledare", "text"),
            Table(
                "participants",
                "Deltagare",
                "Deltagare",
                (
                    Field("name", "Namn", "text"),
                    Field("organisation", "Verksamhet", "choice", "organisations"),
                    Field("role", "Roll", "text", placeholder="mötesledare, kurator, den enskilde …"),
                ),
                add_label="Lägg till deltagare",
            ),
            Field("person_participation", "Hur personen deltog och påverkade", "area"),
            Field("relatives_involvement", "Närståendes medverkan", "area"),
            Field("meeting_questions", "Frågor till mötet (en per rad)", "lines"),
        ),
    ),
    Section(
        "Situation och behov",
        (
            Field("current_situation", "Nuvarande situation", "area"),
            Field("what_matters", "Vad är viktigt för dig? (personens ord)", "area"),
            Table(
                "needs",
                "Behov",
                "Behov",
                (
                    Field("text", "Behov", "area"),
                    Field("area", "Behovsområde", "choice", "areas"),
                ),
                add_label="Lägg till behov",
            ),
            Field("own_resources", "Personens egna resurser", "area"),
            Field("relatives_resources", "Närståendes resurser", "area"),
            Field("wishes", "Personens önskemål", "area"),
        ),
    ),
    Section(
        "Mål",
        (
            Table(
                "goals",
                "Mål och delmål",
                "Mål",
                (
                    Field("text", "Mål", "area"),
                    Field("kind", "Slag av mål", "choice", "goal_kind"),
                    Field("parent", "Delmål till", "choice", "goals"),
                    Field("own_words", "Personens eget mål, med egna ord", "check"),
                    Field("measure", "Hur vi vet att målet är nått", "text"),
                    Field("due", "Klart senast", "date"),
                ),
                add_label="Lägg till mål",
            ),
        ),
    ),
    Section(
        "Insatser",
        (
            Table(
                "efforts",
                "Insatser",
                "Insats",
                (
                    Field("what", "Insats", "text"),
                    Field("effort", "Insats i katalogen", "choice", "efforts"),
                    Field("organisation", "Ansvarig verksamhet", "choice", "organisations"),
                    Field("needs", "Behov som insatsen svarar mot", "multi", "needs"),
                    Field("goals", "Mål som insatsen leder mot", "multi", "goals"),
                    Field("when", "När", "text", placeholder="varje vecka, inom två veckor …"),
                    Field("start", "Startdatum", "date"),
                    Field("end", "Slutdatum", "date"),
                    Field("status", "Läge", "choice", "status"),
                ),
                add_label="Lägg till insats",
            ),
            Field("other_actors_note", "Åtgärder av andra aktörer än kommun och region", "area"),
            Table(
                "own_actions",
                "Det personen och närstående gör själva",
                "Egen åtgärd",
                (Field("who", "Vem", "text"), Field("what", "Vad", "area")),
                add_label="Lägg till egen åtgärd",
            ),
        ),
    ),
    Section(
        "Ansvar och uppföljning",
        (
            Field("overall_responsibility.principal", "Huvudman med övergripande ansvar", "choice", "principals"),
            Field("overall_responsibility.organisation", "Verksamhet med övergripande ansvar", "choice", "organisations"),
            Field("overall_responsibility.person", "Huvudansvarig person", "text"),
            Table(
                "contacts",
                "Kontaktpersoner",
                "Kontaktperson",
                (
                    Field("organisation", "Verksamhet", "choice", "organisations"),
                    Field("name", "Namn", "text"),
                    Field("reach", "Nås via", "text"),
                ),
                add_label="Lägg till kontaktperson",
            ),
            Field("follow_up.date", "Uppföljning datum", "date"),
            Field("follow_up.called_by", "Kallar till uppföljning", "text"),
            Field("follow_up.how", "Uppföljningens form", "text", placeholder="fysiskt eller digitalt möte"),
            Field("follow_up.evaluate", "Vad som ska utvärderas", "area"),
            Field("if_plan_fails", "Vart personen vänder sig om planen inte fungerar", "area"),
            Field("distribution", "Kopia av planen till (en per rad)", "lines"),
        ),
    ),
    Section(
        "Avslut",
        (
            Field("closure.date", "Planen avslutad", "date"),
            Field("closure.reason", "Skäl till avslut", "area"),
        ),
    ),
)


@lru_cache(maxsize=1)
def static_choices() -> dict[str, tuple[tuple[str, str], ...]]:
    """Choice lists that do not depend on what the participant wrote (label, value)."""
    cat = load_catalogue()
    return {
        "organisations": (NONE_CHOICE, *((o.name, o.id) for o in cat.organisations)),
        "areas": (NONE_CHOICE, *((a.name, a.id) for a in cat.need_areas)),
        "efforts": (NONE_CHOICE, *((e.name, e.id) for e in cat.efforts)),
        "principals": (NONE_CHOICE, *((p.name, p.id) for p in cat.principals)),
        "status": tuple((label.capitalize(), status.value) for status, label in EFFORT_STATUS_SV.items()),
        "goal_kind": tuple((label.capitalize(), kind.value) for kind, label in GOAL_KIND_SV.items()),
    }


def all_paths() -> list[str]:
    """Every plan path the form writes (tables as their list path)."""
    return [part.path for section in SECTIONS for part in section.parts]
