"""The model answer: a complete, good plan built from a scenario's ground truth and, for a library case, the case.

Shown beside the participant's own plan after submission. It is built, not written, so it exists for every case and
every variant: one need per need in the facit with its expected efforts at a provider that serves the person's age
(a role of the case when one can), the person's own goals in their own words broken into dated sub-goals, consent
with its limit, the overall responsibility with the principal the facit names, contacts, follow-up and where to turn.
The plan passes every rule of the graders (tests/test_model_answer.py); the Swedish texts stay short and plain.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from graders.checks.case import case_terms
from graders.plan import Plan
from simulator.catalogue import Catalogue, load_catalogue
from simulator.models import NetworkRole, Scenario
from simulator.providers.identity import CASE_DATE
from simulator.texts import fill

if TYPE_CHECKING:
    from simulator.cases import Case

FOLLOW_UP_WEEKS = 6
SUB_GOAL_WEEKS = 4
GOAL_MONTHS = 6


def model_plan(scenario: Scenario, case: Case | None = None, catalogue: Catalogue | None = None,
               established: dt.date = CASE_DATE) -> Plan:
    """A complete plan for the scenario; with its library case, roles, card questions and consent come from the case."""
    cat = catalogue or load_catalogue()
    p, truth = scenario.person, scenario.ground_truth
    age = (p.age, p.age)
    f = _filler(scenario, case)
    titles = {r.organisation: f(r.title) for r in case.roles} if case else {}
    role_ids = list(titles)

    def provider(effort_id: str) -> str:
        own = [o for o in role_ids if cat.can_provide(o, effort_id, age)]
        return (own or list(cat.providers_for(effort_id, age)))[0]

    def who(org: str) -> str:
        title = titles.get(org)
        return f"{title.capitalize()}, {cat.organisation(org).short}" if title else f"Kontaktperson, {cat.organisation(org).short}"

    # --- needs, goals and efforts -------------------------------------------------------------------------------
    descriptions = {n.id: n.description for n in p.needs}
    needs = [{"id": f"B{i + 1}", "area": t.area, "text": descriptions[t.need]} for i, t in enumerate(truth.needs)]
    own_goals = list(p.goals) or [f"{p.given_name} vill att vardagen ska fungera."]
    goals = [{"id": f"M{i + 1}", "text": g, "kind": "long_term", "own_words": True,
              "measure": f"{p.given_name} säger själv vid uppföljningen hur nära målet {_pronoun(p)} har kommit.",
              "due": _months(established, GOAL_MONTHS)} for i, g in enumerate(own_goals)]
    efforts, sub_goal_of_need = [], {}
    for i, t in enumerate(truth.needs):
        parent = goals[_closest(descriptions[t.need], own_goals)]["id"]
        sub_id = f"{parent}.{sum(1 for g in goals if g.get('parent') == parent) + 1}"
        started = [cat.effort(e).name.lower() for e in t.expected_efforts if e not in truth.efforts_in_place]
        text = (f"{_capital(_join(started))} har börjat." if started
                else f"Det som redan görs för {cat.area_by_id[t.area].name.lower()} fortsätter.")
        goals.append({"id": sub_id, "text": text, "kind": "sub_goal", "parent": parent,
                      "measure": "Den som ansvarar för insatsen berättar vid uppföljningen att den har börjat.",
                      "due": established + dt.timedelta(weeks=SUB_GOAL_WEEKS)})
        sub_goal_of_need[t.need] = sub_id
        for e in t.expected_efforts:
            org = provider(e)
            ongoing = e in truth.efforts_in_place
            efforts.append({"id": f"I{len(efforts) + 1}", "what": _what(cat, e, org, ongoing), "effort": e,
                            "organisation": org, "needs": [needs[i]["id"]], "goals": [sub_id],
                            "status": "ongoing" if ongoing else "planned",
                            "when": "pågår redan" if ongoing else "börjar inom två veckor",
                            "start": None if ongoing else established + dt.timedelta(weeks=2)})
    expected = {e for t in truth.needs for e in t.expected_efforts}
    for c in p.current_efforts:  # what is already given beyond the facit stays in the plan, as ongoing
        if c.effort not in expected and c.effort in cat.effort_by_id:
            i = _closest(cat.effort(c.effort).name, [n["text"] for n in needs])
            efforts.append({"id": f"I{len(efforts) + 1}", "what": _what(cat, c.effort, c.organisation, True),
                            "effort": c.effort,
                            "organisation": c.organisation, "needs": [needs[i]["id"]],
                            "goals": [sub_goal_of_need[truth.needs[i].need]], "status": "ongoing", "when": "pågår redan"})
    for g in [g for g in goals if g["kind"] == "long_term"]:
        if not any(s.get("parent") == g["id"] for s in goals):
            goals.append({"id": f"{g['id']}.1", "text": "Vi stämmer av hur det går med målet.", "kind": "sub_goal",
                          "parent": g["id"], "measure": f"{p.given_name} berättar hur det går vid uppföljningen.",
                          "due": established + dt.timedelta(weeks=FOLLOW_UP_WEEKS)})

    # --- who takes part, who holds the plan ----------------------------------------------------------------------
    orgs = list(dict.fromkeys([e["organisation"] for e in efforts] + [o for o in role_ids]))
    principal = next((x for x in (case.facit.overall_responsibility if case else ()) if x in truth.acceptable_overall),
                     truth.acceptable_overall[0])
    inviter = case.case_card.inviter if case else None
    holder = inviter if inviter and cat.principal_of(inviter) == principal else next(
        o for o in orgs if cat.principal_of(o) == principal)
    guardians = [m for m in p.network if m.role is NetworkRole.vardnadshavare]
    close = [m for m in p.network if m.role is not NetworkRole.vardnadshavare and m.age >= 18]
    participants = [{"name": p.full_name, "organisation": "", "role": "den enskilde"}]
    participants += [{"name": m.name, "organisation": "", "role": f"vårdnadshavare ({m.relation})"} for m in guardians]
    participants += [{"name": m.name, "organisation": "", "role": f"närstående ({m.relation})"} for m in close[:2]]
    participants += [{"name": who(o), "organisation": o,
                      "role": ("mötesledare, " if o == holder else "") + (titles.get(o) or "kontaktperson")}
                     for o in orgs]
    others = [o for o in orgs if o != holder]

    # --- texts ---------------------------------------------------------------------------------------------------
    situation = f(case.case_card.text) if case else f"{p.living} {p.occupation}"
    if truth.presumed_sip:
        terms = case_terms()
        words = " och ".join(alts[0] for g in truth.presumption_groups for alts in terms["groups"][g])
        situation += f" {p.given_name} tillhör en målgrupp där behovet av SIP ska förutsättas: {words}."
    if case is not None:  # what a thorough interview uncovers belongs in the plan too
        from simulator.interview_defaults import first_person

        situation += "".join(f" {p.given_name} berättade mer när någon frågade. ”{f(h.text)}”" for h in case.person.hidden)
        situation += "".join(f" {_capital(cat.organisation(r.organisation).short)} berättade: ”{f(first_person(h.text))}”"
                             for r in case.roles for h in r.hidden)
    if truth.discharge:
        situation += " Den fasta vårdkontakten kallade till SIP inom tre dagar från att personen var utskrivningsklar."
    consent_by = "vårdnadshavarna" if guardians and p.is_child else p.given_name
    scope = (f"{_capital(consent_by)} samtycker till att {_join([cat.organisation(o).short for o in orgs])} delar "
             f"de uppgifter som behövs för planen.")
    if p.consent.limit:
        scope += f" Begränsning: {p.consent.limit}"
    data = {
        "format": "sipkurs-plan", "scenario_id": scenario.id, "group": "Modellsvar",
        "concerns": {"name": p.full_name, "personal_id": p.personal_id, "guardians": [m.name for m in guardians]},
        "established": established,
        "discharge_ready": established - dt.timedelta(days=1) if truth.discharge else None,
        "consent": {"given": True, "given_by": p.consent.given_by, "scope": scope,
                    "valid_until": _months(established, GOAL_MONTHS),
                    "recorded": f"Muntligt samtycke på mötet: ”{p.consent.statement}” Antecknat i journalen."},
        "initiator": who(inviter) if inviter else who(holder),
        "chair": who(holder),
        "participants": participants,
        "person_participation": (f"{p.given_name} var med på mötet och sa själv vad som är viktigast. Målen i planen är "
                                 f"{p.given_name}s egna, med egna ord."),
        "relatives_involvement": ("Närstående bjöds in: " + _join([f"{m.name} ({m.relation})" for m in guardians + close])
                                  + "." if guardians or close else f"{p.given_name} har inga närstående att bjuda in just nu."),
        "meeting_questions": [f(q) for q in case.case_card.questions] if case else [],
        "current_situation": situation,
        "what_matters": " ".join(f"”{w}”" for w in p.wishes),
        "needs": needs,
        "own_resources": " ".join(p.own_resources) or f"{p.given_name} vet själv bäst vad som fungerar.",
        "relatives_resources": " ".join(f"{m.name} ({m.relation}): {' '.join(m.resources)}" for m in p.network
                                        if m.resources) or "Det finns inga närstående som kan hjälpa till just nu.",
        "wishes": " ".join(p.wishes),
        "goals": goals,
        "efforts": efforts,
        "other_actors_note": "" if truth.other_actors else "Inga andra aktörer än kommunen och regionen har åtgärder nu.",
        "own_actions": [{"who": p.given_name, "what": f"Fortsätter med det som ger kraft: {p.own_resources[0]}"}]
        * bool(p.own_resources)
        + [{"who": m.name, "what": m.resources[0]} for m in p.network if m.resources][:3],
        "overall_responsibility": {"principal": principal, "organisation": holder, "person": who(holder)},
        "contacts": [{"organisation": o, "name": who(o), "reach": "telefon via verksamhetens växel"} for o in orgs],
        "follow_up": {"date": established + dt.timedelta(weeks=FOLLOW_UP_WEEKS), "called_by": who(holder),
                      "how": "fysiskt möte", "evaluate": (
                          f"Vi går igenom delmålen och om behoven har ändrats. Vi frågar {p.given_name} om planen "
                          "hjälper.")},
        "if_plan_fails": (f"{p.given_name} eller de närstående ringer {who(holder)} via växeln."
                          + (f" Svarar ingen där, ring {who(others[0])}." if others else "")),
        "distribution": [p.full_name, "alla som deltog i mötet"],
    }
    data["current_situation"] += _abbreviations(str(data), cat)
    return Plan.model_validate(data)


def _abbreviations(text: str, cat: Catalogue) -> str:
    """A sentence that explains every catalogue abbreviation the plan uses (the plan is for the person to read)."""
    used = [a for a in cat.abbreviations if a != "SIP" and re.search(rf"(?<!\w){re.escape(a)}(?!\w)", text)]
    return (" Förkortningar: " + "; ".join(f"{a} betyder {cat.abbreviations[a]}" for a in used) + ".") if used else ""


# --- small helpers ---------------------------------------------------------------------------------------------------
def _what(cat: Catalogue, effort: str, org: str, ongoing: bool) -> str:
    """What is done, by whom and when: an effort's line a person can act on."""
    when = "Den pågår redan och fortsätter" if ongoing else "Den börjar inom två veckor"
    return f"{cat.effort(effort).name} ges av {cat.organisation(org).short}. {when}, och vi stämmer av den vid uppföljningen."



def _filler(scenario: Scenario, case: Case | None):
    if case is None:
        return lambda text: text
    from simulator.cases import person_values

    values = person_values(scenario.person)
    return lambda text: fill(text, values)


def _pronoun(person) -> str:
    return "hon" if person.gender.value == "kvinna" else "han"


def _months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=min(day.day, 28))


def _words(text: str) -> set[str]:
    return {w[:5] for w in re.findall(r"\w+", text.casefold()) if len(w) >= 5}


def _closest(text: str, goals: list[str]) -> int:
    """The goal that shares most words with the text (the first on a tie)."""
    words = _words(text)
    return max(range(len(goals)), key=lambda i: (len(words & _words(goals[i])), -i))


def _join(items: list[str]) -> str:
    items = [i for i in items if i]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1] if items else ""


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]
