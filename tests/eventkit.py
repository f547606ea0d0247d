"""Plans before and after a case event, for the event rules' tests.

``good_plan(scenario)``: a plan of the case as a careful group writes it at the SIP meeting (the facit plan of
test_grading_cases, with the person, consent, participants, contact persons, follow-up and distribution).
``revise_as_intended(before, event, scenario)``: that plan revised the way the event's ``expects`` asks, written
from the expectation vocabulary alone (simulator.cases.EventExpects) so that it works for every event, also those
added to the library later. Every new field of EventExpects needs a branch here (the test of the helper fails
otherwise).
"""

from __future__ import annotations

import datetime as dt

from graders.plan import Plan
from simulator.cases import VARIANT_SEPARATOR, CaseEvent, EventExpects
from simulator.catalogue import load_catalogue
from simulator.library import load_library
from test_grading_cases import facit_plan

# Fictional staff: the names at the meeting, and those who take over after an event (never in the plan before).
STAFF = ["Sara Lind", "Jonas Ek", "Maria Holm", "Ahmed Berg", "Lena Ström", "Pia Nord", "Omar Sund", "Eva Dal",
         "Nils Björk", "Tove Ahl"]
SUCCESSORS = ["Vera Nyberg", "Albin Kärr", "Hedda Sjöö", "Malte Rask"]
HANDLED = frozenset({"consent_excludes", "plan_closed", "revise", "follow_up_sooner", "discharge", "need_area"})


def case_of(scenario):
    return load_library().get(scenario.id.partition(VARIANT_SEPARATOR)[0])


def _role_orgs(scenario) -> list[str]:
    case = case_of(scenario)
    if case is not None:
        return list(case.role_ids)
    return list(dict.fromkeys(o for t in scenario.ground_truth.needs for o in t.responders))[:5]


def good_plan(scenario, role_orgs: list[str] | None = None) -> Plan:
    """The facit plan with everything a meeting writes around it. Dates: established 2026-11-12, follow-up in January."""
    cat = load_catalogue()
    person = scenario.person
    orgs = role_orgs if role_orgs is not None else _role_orgs(scenario)
    data = facit_plan(scenario).model_dump(mode="json")
    staff = dict(zip(orgs, STAFF, strict=False))
    chair_org = orgs[0] if orgs else ""
    names = ", ".join(cat.organisation(o).short for o in orgs)
    given = person.given_name
    limit = f" {person.consent.limit}" if person.consent.limit else ""
    for e in data["efforts"]:
        e["goals"] = ["G1a"]
    data.update({
        "current_situation": f"{data['current_situation']} {given} har kontakt med flera verksamheter och vill att "
                             "de håller ihop stödet, så att hen slipper berätta samma sak flera gånger.".strip(),
        "person_participation": f"{given} valde själv vad mötet skulle börja med, sa vad hen tycker om planen och om "
                                "att uppgifter delas, och läste planen högt på slutet.",
        "relatives_involvement": f"{given} fick frågan om närstående skulle bjudas in och vill ha med en närstående "
                                 "vid nästa möte.",
        "what_matters": person.wishes[0] if person.wishes else "",
        "wishes": " ".join(person.wishes),
        "own_resources": f"{given} vet själv vad som hjälper när det blir tungt och säger ifrån när det är för mycket.",
        "relatives_resources": "En närstående ringer varje vecka och följer gärna med på möten.",
        "goals": [{"id": "G1", "text": person.goals[0] if person.goals else "Jag vill klara vardagen.",
                   "kind": "long_term", "own_words": True, "due": "2027-06-30",
                   "measure": f"{given} berättar vid uppföljningen i juni hur det har gått."},
                  {"id": "G1a", "text": f"{given} träffar sin kontakt varannan vecka från december.", "kind": "sub_goal",
                   "parent": "G1", "due": "2027-02-28",
                   "measure": "Kontakten antecknar varje träff under åtta veckor."}],
        "other_actors_note": "Inga andra aktörer än kommunen och regionen har åtgärder i planen just nu.",
    })
    data.update({
        "concerns": {"name": person.full_name, "personal_id": person.personal_id,
                     "guardians": [g.name for g in person.guardians]},
        "discharge_ready": data["discharge_ready"] if scenario.ground_truth.discharge else None,
        "consent": {"given": True, "given_by": "vårdnadshavarna" if person.is_child else "personen",
                    "scope": f"Uppgifter om hälsa, vardag och ekonomi får delas mellan {names} i arbetet med "
                             f"planen.{limit}",
                    "valid_until": "2027-06-30", "recorded": "Muntligt samtycke, antecknat i journalen."},
        "chair": f"{staff.get(chair_org, 'Sara Lind')}, mötesledare",
        "participants": [{"name": person.full_name, "role": "den enskilde"}]
        + [{"name": staff[o], "organisation": o, "role": "handläggare"} for o in orgs],
        "contacts": [{"organisation": o, "name": staff[o], "reach": f"telefon 010-000 00 {i:02d}"}
                     for i, o in enumerate(orgs, start=1)],
        "follow_up": {"date": "2027-01-18", "called_by": f"{staff.get(chair_org, 'Sara Lind')}, mötesledare",
                      "how": "fysiskt möte", "evaluate": "Vi går igenom delmålen och om någon insats behöver ändras."},
        "if_plan_fails": f"Om något inte fungerar ringer {person.given_name} till mötesledaren, som kallar till ett nytt möte.",
        "distribution": [person.full_name, "alla som deltog i mötet"],
    })
    return Plan.model_validate(data)


def _provider(effort_id: str, orgs: list[str], age: int) -> str:
    cat = load_catalogue()
    providers = cat.providers_for(effort_id, (age, age))
    return next((o for o in providers if o in orgs), providers[0])


def revise_as_intended(before: Plan, event: CaseEvent, scenario) -> Plan:
    """The plan revised the way the event expects, field by field of EventExpects."""
    expects: EventExpects = event.expects
    unknown = {k for k, v in expects.model_dump().items() if v} - HANDLED
    assert not unknown, f"eventkit cannot revise for {sorted(unknown)} yet: add a branch"
    cat = load_catalogue()
    person = scenario.person
    data = before.model_dump(mode="json")
    est = before.established or dt.date(2026, 11, 12)
    orgs = [x.organisation for x in before.participants if x.organisation]

    if expects.consent_excludes:
        org = cat.organisation(expects.consent_excludes)
        data["consent"]["scope"] += (f" Från och med i dag får {org.short} inte längre ta del av uppgifter om "
                                     f"{person.given_name}s hälsa.")
        kept = [x["name"] for x in data["participants"] if x["organisation"] != org.id]
        data["distribution"] = kept  # by name: "alla som deltog i mötet" would still reach the organisation

    if expects.plan_closed:
        data["closure"] = {"date": (est + dt.timedelta(days=30)).isoformat(),
                           "reason": f"{person.given_name} har återkallat sitt samtycke och vill inte ha någon plan "
                                     f"längre. {person.given_name} kan be om en ny plan när som helst."}

    for i, org_id in enumerate(expects.revise):
        successor = SUCCESSORS[i % len(SUCCESSORS)]
        mine = [e for e in data["efforts"] if e["organisation"] == org_id]
        for e in mine[:1]:
            e["what"] += (f" Den som hade insatsen har slutat; från 1 februari tar {successor} över, och fram till "
                          f"dess ringer {successor.split()[0]} {person.given_name} varannan vecka.")
        data["contacts"] = [c for c in data["contacts"] if c["organisation"] != org_id]
        data["contacts"].append({"organisation": org_id, "name": successor, "reach": "telefon 010-000 00 99"})

    if expects.discharge:
        ready = max(d for d in (before.discharge_ready, est) if d is not None) + dt.timedelta(days=5)
        data["discharge_ready"] = ready.isoformat()
        region_units = [o for o in orgs if o in cat.effort("fast_vardkontakt").providers]
        unit = cat.organisation(region_units[0] if region_units else "vardcentral").short
        data["follow_up"]["date"] = (ready + dt.timedelta(days=2)).isoformat()
        data["follow_up"]["called_by"] = f"{SUCCESSORS[-1]}, fast vårdkontakt på {unit}"

    if expects.follow_up_sooner and not expects.discharge:
        old = before.follow_up.date
        sooner = est + dt.timedelta(days=max(1, ((old - est).days // 3) if old else 14))
        data["follow_up"]["date"] = sooner.isoformat()

    if expects.need_area:
        area = cat.area_by_id[expects.need_area]
        effort = next(e for e in cat.efforts if area.id in e.areas)
        candidates = [e for e in cat.efforts if area.id in e.areas and set(e.providers) & set(orgs)]
        effort = candidates[0] if candidates else effort
        data["needs"].append({"id": "NH1", "area": area.id,
                              "text": f"Efter det som hände i veckan behöver {person.given_name} mer stöd de "
                                      "närmaste veckorna, och någon som följer upp hur det går."})
        data["efforts"].append({"id": "EH1", "effort": effort.id, "organisation": _provider(effort.id, orgs, person.age),
                                "what": f"{effort.name} efter det som hänt, med en första tid inom en vecka.",
                                "needs": ["NH1"], "goals": [g["id"] for g in data["goals"]][-1:], "status": "planned"})
    return Plan.model_validate(data)


def sample_expectations() -> dict[str, dict[str, dict]]:
    """Expectations for some library events, written into temporary copies of their cases by the tests (the
    library's own expectations are written elsewhere): case id → event id → expects. Every kind at least once."""
    return {
        "sjukskriven_utmattning": {
            "samtycke_begransas": {"consent_excludes": "arbetsformedlingen"},
            "kurator_slutar": {"revise": ["vardcentral"], "follow_up_sooner": True},
            "beslut_fk": {"need_area": "ekonomi"},
        },
        "psykos_missbruk_boende": {
            "samtycke_dras_tillbaka": {"plan_closed": True},
            "inlaggning": {"discharge": True, "follow_up_sooner": True, "need_area": "psykisk_halsa"},
        },
        "aldre_utskrivning_hoftfraktur": {
            "aterinskrivning": {"discharge": True, "follow_up_sooner": True},
            "dottern_flyttar": {"revise": ["aldreomsorg"], "need_area": "boende"},
        },
        "barn_skolfranvaro_npf": {
            "pappa_drar_tillbaka": {"consent_excludes": "socialtjanst_barn"},
            "psykolog_slutar": {"revise": ["bup"]},
        },
    }
