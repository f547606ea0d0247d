"""The JSON Schema of a case file, generated from simulator.cases.Case and kept in scenarios/case.schema.json.

Regenerate after changing the model:  python -m simulator.case_schema
Editors with the YAML language server then check case files as the trainer types.
"""

from __future__ import annotations

import json
import sys

from simulator.cases import Case
from simulator.library import SCENARIOS_DIR

SCHEMA_PATH = SCENARIOS_DIR / "case.schema.json"


# What a trainer sees when hovering over a part of the file in the editor (the model docstrings are English).
DESCRIPTIONS_SV = {
    "CaseCard": "Fallkortet: situationen så som den som kallar till SIP känner till den. Alla deltagare läser det.",
    "CaseEvent": "En händelse som utbildaren kan lägga in under övningen.",
    "CaseNeed": "Ett behov och de insatser en bra plan erbjuder (facit). Skrivs bara för utbildaren.",
    "CasePerson": "Personen. Utelämna given_name, family_name, gender eller kommun, eller ge age som [lägst, högst], så fyller simulatorn i dem för varje variant.",
    "Consent": "Samtycket: vem som lämnar det, hur och med vilken begränsning.",
    "ConsentStance": "samtycker, samtycker_med_begransning eller tveksam.",
    "CurrentEffort": "En insats som redan ges, och av vilken organisation.",
    "Difficulty": "Svårighetsgrad: 1 grundläggande, 2 fördjupad, 3 avancerad.",
    "EventExpects": "Vad planen ska visa efter händelsen, när gruppen har reviderat den. Varje rad kontrolleras av en händelseregel (E…).",
    "Facit": "Facit för utbildaren. Det som anges här kontrolleras mot katalogen.",
    "Gender": "kvinna eller man.",
    "Interview": "Intervjun för självstudier: personens frågor (person) och rollernas (roles). Det som saknas fylls i från fallet.",
    "InterviewQuestion": "En fråga med flera formuleringar (ask), svaret med den svarandes egna ord, vilken dold information svaret avslöjar (reveals) och vilka frågor som måste ha ställts först (after).",
    "HistoryEvent": "Något som har hänt, hur många månader sedan, och vilka signaler det visar.",
    "NetworkMember": "En person i nätverket: namn, relation, roll, ålder och resurser.",
    "NetworkRole": "vardnadshavare, narstaende eller barn.",
    "RelativeCard": "Kortet för en närstående som deltar i mötet, eller för ett barn den vårdnadshavare som spelar personens plats: vem i nätverket, vad hen vet och vill, oro och det som bara kommer fram om någon frågar.",
    "Phase": "En fas i övningen (förmöte, SIP-möte, uppföljning …): instruktioner till gruppen och reflektionsfrågor.",
    "PersonInterview": "Personens frågor per ämne: vardagen, hälsan, boendet, ekonomin, nätverket, det som är viktigt och samtycket.",
    "Reveal": "Information som bara kommer fram om någon frågar om det.",
    "RoleInterview": "En rolls frågor per ämne: vad rollen vet (knows), kan erbjuda (offers), inte kan (cannot) och när (when).",
    "RoleCard": "Rollkortet för en organisation: vad rollen vet, mandat, prioriteringar, tidshorisont och krockar.",
}


def case_schema() -> dict:
    schema = Case.model_json_schema()
    for name, definition in schema.get("$defs", {}).items():
        if name in DESCRIPTIONS_SV:
            definition["description"] = DESCRIPTIONS_SV[name]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "case.schema.json",
        "title": "SIP-fall (sipkurs)",
        "description": "Ett fall i fallbiblioteket. Se docs/fallformat.md. Genereras med: python -m simulator.case_schema",
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(case_schema(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def main() -> None:
    SCHEMA_PATH.write_text(schema_text(), encoding="utf-8")
    print(f"Skrev {SCHEMA_PATH}", file=sys.stderr)


if __name__ == "__main__":
    main()
