"""The model answer: a complete, good plan built from a scenario's ground truth and, for a library case, the case.

Shown beside the participant's own plan after submission. It is built, not written, so it exists for every case and
every variant: one need per need in the facit with its expected efforts at a provider that serves the person's age
(a role of the case when one can), the person's own goals in their own words broken into dated sub-goals, consent
with its limit, the overall responsibility with the principal the facit names, contacts, follow-up and where to turn.
Written as a trainer would show it: each effort says what is done, by whom and when, and stands once, linked to
every need it answers; every abbreviation is explained where a reader first meets it; sentences stay short; the
person's goals and wishes are in their own words. The plan passes every rule of the graders and the person's verdict
finds nothing missing (tests/test_debrief.py, tests/test_grading_cases.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING

from graders.checks.case import case_terms
from graders.plan import Plan
from graders.registry import rule
from graders.verdict import verdict_data
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
        """The contact at an organisation as a name field shows it: "Kurator, habiliteringen"."""
        title, short = titles.get(org) or "kontaktperson", cat.organisation(org).short
        return _capital(title) if short.casefold() in title.casefold() else f"{_capital(title)}, {short}"

    def who_in_text(org: str) -> str:
        """The same inside a sentence: "ring kurator på habiliteringen"."""
        title, short = titles.get(org) or "kontaktperson", cat.organisation(org).short
        return _lower(title) if short.casefold() in title.casefold() else f"{_lower(title)} på {short}"

    guardians = [m for m in p.network if m.role is NetworkRole.vardnadshavare]
    young = p.is_child and bool(guardians) and p.age < verdict_data()["guardians_below_age"]  # the guardians speak

    # --- needs, goals and efforts -------------------------------------------------------------------------------
    descriptions = {n.id: n.description for n in p.needs}
    needs = [{"id": f"B{i + 1}", "area": t.area, "text": descriptions[t.need]} for i, t in enumerate(truth.needs)]
    own_goals = list(p.goals) or [f"{p.given_name} vill att vardagen ska fungera."]
    measure = (f"{p.given_name} och vårdnadshavarna säger vid uppföljningen hur nära målet de har kommit." if young
               else f"{p.given_name} säger själv vid uppföljningen hur nära målet {_pronoun(p)} har kommit.")
    goals = [{"id": f"M{i + 1}", "text": g, "kind": "long_term", "own_words": True, "measure": measure,
              "due": _months(established, GOAL_MONTHS)} for i, g in enumerate(own_goals)]
    efforts: list[dict] = []
    sub_goal_of_need: dict[str, str] = {}

    def add_effort(effort: str, org: str, ongoing: bool, need: str, goal: str) -> None:
        """One line per effort and provider, linked to every need and sub-goal it answers."""
        same = next((x for x in efforts if x["effort"] == effort and x["organisation"] == org), None)
        if same is not None:
            same["needs"] += [need] * (need not in same["needs"])
            same["goals"] += [goal] * (goal not in same["goals"])
            return
        efforts.append({"id": f"I{len(efforts) + 1}", "what": _what(cat, effort, org, ongoing), "effort": effort,
                        "organisation": org, "needs": [need], "goals": [goal],
                        "status": "ongoing" if ongoing else "planned",
                        "when": "pågår redan" if ongoing else "börjar inom två veckor",
                        "start": None if ongoing else established + dt.timedelta(weeks=2)})

    for i, t in enumerate(truth.needs):
        parent = goals[_closest(descriptions[t.need], own_goals)]["id"]
        started = [_lower(cat.effort(e).name) for e in t.expected_efforts if e not in truth.efforts_in_place]
        text = (f"{_capital(_join(started))} har börjat." if started
                else f"Det som redan görs för {_lower(cat.area_by_id[t.area].name)} fortsätter.")
        sub_id = next((g["id"] for g in goals if g.get("parent") == parent and g["text"] == text), None)
        if sub_id is None:  # two needs answered the same way share one sub-goal
            sub_id = f"{parent}.{sum(1 for g in goals if g.get('parent') == parent) + 1}"
            goals.append({"id": sub_id, "text": text, "kind": "sub_goal", "parent": parent,
                          "measure": ("Den som ansvarar för insatsen berättar vid uppföljningen att den har börjat."
                                      if started else "Den som ansvarar för insatsen berättar vid uppföljningen hur "
                                      "det har gått."),
                          "due": established + dt.timedelta(weeks=SUB_GOAL_WEEKS)})
        sub_goal_of_need[t.need] = sub_id
        for e in t.expected_efforts:
            add_effort(e, provider(e), e in truth.efforts_in_place, needs[i]["id"], sub_id)
    expected = {e for t in truth.needs for e in t.expected_efforts}
    for c in p.current_efforts:  # what is already given beyond the facit stays in the plan, as ongoing
        if c.effort not in expected and c.effort in cat.effort_by_id:
            i = _closest(cat.effort(c.effort).name, [n["text"] for n in needs])
            add_effort(c.effort, c.organisation, True, needs[i]["id"], sub_goal_of_need[truth.needs[i].need])
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
    close = [m for m in p.network if m.role is not NetworkRole.vardnadshavare and m.age >= 18]
    participants = [{"name": p.full_name, "organisation": "", "role": "den enskilde"}]
    participants += [{"name": m.name, "organisation": "", "role": f"vårdnadshavare ({m.relation})"} for m in guardians]
    participants += [{"name": m.name, "organisation": "", "role": f"närstående ({m.relation})"} for m in close[:2]]
    participants += [{"name": who(o), "organisation": o,
                      "role": ("mötesledare, " if o == holder else "") + (titles.get(o) or "kontaktperson")}
                     for o in orgs]
    others = [o for o in orgs if o != holder]
    caller = "Vårdnadshavarna" if young else p.given_name + (" eller de närstående" if guardians or close else "")

    # --- texts ---------------------------------------------------------------------------------------------------
    situation = f(case.case_card.text) if case else f"{p.living} {p.occupation}"
    if truth.presumed_sip:
        terms = case_terms()
        words = " och ".join(alts[0] for g in truth.presumption_groups for alts in terms["groups"][g])
        situation += f" {p.given_name} tillhör en målgrupp där behovet av SIP ska förutsättas: {words}."
    if case is not None:  # what a thorough interview uncovers belongs in the plan too
        from simulator.interview_defaults import first_person

        if case.person.hidden:
            situation += f" {'Vårdnadshavarna' if young else p.given_name} berättade mer när någon frågade." + "".join(
                f" ”{f(h.text)}”" for h in case.person.hidden)
        situation += "".join(f" {_capital(cat.organisation(r.organisation).short)} berättade: ”{f(first_person(h.text))}”"
                             for r in case.roles for h in r.hidden)
    if truth.discharge:
        situation += " Den fasta vårdkontakten kallade till SIP inom tre dagar från att personen var utskrivningsklar."
    consent_by = "vårdnadshavarna" if guardians and p.is_child else p.given_name
    scope = (f"{_capital(consent_by)} samtycker till att {_join([cat.organisation(o).short for o in orgs])} delar "
             f"de uppgifter som behövs för planen.")
    if p.consent.limit:
        scope += f" {p.consent.limit}"
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
        "person_participation": (
            f"{p.given_name} var med på mötet och visade vad {_pronoun(p)} tycker. Vårdnadshavarna sa vad som är "
            f"viktigast för {p.given_name} och familjen. Målen i planen är deras egna, med egna ord." if young else
            f"{p.given_name} var med på mötet och sa själv vad som är viktigast. Målen i planen är "
            f"{_genitive(p.given_name)} egna, med egna ord."),
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
        "own_actions": [{"who": "Vårdnadshavarna" if young else p.given_name, "what": f"Säger till {who_in_text(holder)} om något inte fungerar och "
                                                "berättar vid uppföljningen hur det går."}]
        + [{"who": m.name, "what": m.resources[0]} for m in p.network if m.resources][:3],
        "overall_responsibility": {"principal": principal, "organisation": holder, "person": who(holder)},
        "contacts": [{"organisation": o, "name": who(o), "reach": "telefon via verksamhetens växel"} for o in orgs],
        "follow_up": {"date": established + dt.timedelta(weeks=FOLLOW_UP_WEEKS), "called_by": who(holder),
                      "how": "fysiskt möte", "evaluate": (
                          f"Vi går igenom delmålen och om behoven har ändrats. Vi frågar {p.given_name} om planen "
                          "hjälper.")},
        "if_plan_fails": (f"{caller} ringer {who_in_text(holder)} via växeln."
                          + (f" Svarar ingen där, ring {who_in_text(others[0])}." if others else "")),
        "distribution": [p.full_name, "alla som deltog i mötet"],
    }
    return Plan.model_validate(_explain_abbreviations(data, cat))


# Fields that hold ids, codes and choices, not text a reader reads.
_NOT_TEXT = frozenset({"format", "scenario_id", "group", "personal_id", "id", "parent", "organisation", "principal",
                       "effort", "area", "kind", "status"})
_NEAR = 80  # characters: how close after the first use an explanation still counts as given there (rule Q003)


def _explain_abbreviations(data: dict, cat: Catalogue) -> dict:
    """Each abbreviation explained where a reader first meets it, "BUP (barn- och ungdomspsykiatrin)": the texts
    are visited in the order the plan document shows them (the order of ``data``), and an explanation already written
    there ("Placering på HVB (hem för vård eller boende)") is not repeated."""
    known = set(rule("Q003").params["always_known"])
    pending = {a: e for a, e in cat.abbreviations.items() if a not in known}
    read: list[str] = []  # the texts before the one being visited

    def explain(text: str) -> str:
        for abbreviation in list(pending):
            first = re.search(rf"(?<!\w){re.escape(abbreviation)}(?!\w)", text)
            if first is None:
                continue
            explanation = pending.pop(abbreviation)
            if explanation.casefold() in ("".join(read) + text[: first.end() + _NEAR]).casefold():
                continue
            end = re.compile(r"[\w-]*").match(text, first.end()).end()  # after the whole word: "HVB-hemmet"
            text = f"{text[:end]} ({explanation}){text[end:]}"
        read.append(text)
        return text

    def visit(value):
        if isinstance(value, str):
            return explain(value)
        if isinstance(value, list):
            return [visit(v) for v in value]
        if isinstance(value, dict):
            return {k: v if k in _NOT_TEXT else visit(v) for k, v in value.items()}
        return value

    return visit(data)


# --- small helpers ---------------------------------------------------------------------------------------------------
def _what(cat: Catalogue, effort: str, org: str, ongoing: bool) -> str:
    """What is done, by whom and when: an effort's line a person can act on."""
    when = "Insatsen pågår redan och fortsätter" if ongoing else "Insatsen börjar inom två veckor"
    return f"{cat.effort(effort).name} ges av {cat.organisation(org).short}. {when}, och vi stämmer av den vid uppföljningen."



def _filler(scenario: Scenario, case: Case | None):
    if case is None:
        return lambda text: text
    from simulator.cases import person_values

    values = person_values(scenario.person)
    return lambda text: fill(text, values)


def _genitive(name: str) -> str:
    """Swedish genitive: "Mimmis", but "Nils" and "Max" stay as they are."""
    return name if name[-1:].casefold() in "sxz" else f"{name}s"


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


def _lower(name: str) -> str:
    """A catalogue name inside a sentence: "Råd och stöd enligt LSS" → "råd och stöd enligt LSS" (only the first
    letter, and not of an abbreviation: "BUP")."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]
