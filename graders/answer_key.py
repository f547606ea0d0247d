"""The answer key of a case: what a good plan contains, and the texts live feedback must never show.

``answer_key(scenario)`` is what the facit level shows after submission (and trainers see): every need with its
description and the efforts that answer it, the other actors, the target group, who can hold the overall
responsibility, and the case's own facit text. ``secrets(scenario)`` lists the strings that give the exercise away
(the case's need descriptions, the expected efforts, the target and presumption groups, the other actors the facit
expects, the hidden information): sipkurs.feedback removes any sentence holding one of them before submission, and
tests/test_feedback_leaks.py checks that no rule needs that.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from simulator.catalogue import load_catalogue
from simulator.models import Scenario


@dataclass(frozen=True)
class KeyNeed:
    area: str  # the need area's name
    description: str
    efforts: tuple[str, ...]  # "Boendestöd (socialtjänsten (vuxen) eller funktionsstöd)"


@dataclass(frozen=True)
class AnswerKey:
    needs: tuple[KeyNeed, ...]
    other_actors: tuple[str, ...]
    presumption_groups: tuple[str, ...]
    target_groups: tuple[str, ...]
    overall: tuple[str, ...]  # principals that may hold the overall responsibility
    in_place: tuple[str, ...]  # efforts the person already has
    text: str = ""  # the library case's facit text, if any
    hidden: tuple[str, ...] = ()  # what the roles and the person tell only when asked


def _library_case(scenario: Scenario):
    from simulator.cases import VARIANT_SEPARATOR  # noqa: PLC0415
    from simulator.library import load_library  # noqa: PLC0415

    try:
        case = load_library().get(scenario.id.partition(VARIANT_SEPARATOR)[0])
    except Exception:  # noqa: BLE001 - without a readable library the scenario's own truth is the key
        return None
    return case if case is not None and case.id == scenario.archetype else None


def _filled(case, scenario: Scenario, texts) -> tuple[str, ...]:
    from simulator.cases import person_values  # noqa: PLC0415
    from simulator.texts import fill  # noqa: PLC0415

    values = person_values(scenario.person)
    out = []
    for t in texts:
        try:
            out.append(fill(t, values))
        except (KeyError, ValueError, IndexError):
            out.append(t)
    return tuple(out)


@lru_cache(maxsize=256)
def answer_key(scenario: Scenario) -> AnswerKey:
    cat = load_catalogue()
    truth = scenario.ground_truth
    ages = (scenario.person.age, scenario.person.age)
    descriptions = {n.id: n.description for n in scenario.person.needs}
    needs = []
    for t in truth.needs:
        efforts = tuple(f"{cat.effort(e).name} ({' eller '.join(cat.organisation(p).short for p in cat.providers_for(e, ages))})"
                        for e in t.expected_efforts)
        needs.append(KeyNeed(cat.area_by_id[t.area].name, descriptions.get(t.need, t.need), efforts))
    case = _library_case(scenario)
    text, hidden = "", ()
    if case is not None:
        text = _filled(case, scenario, [case.facit.text])[0] if case.facit.text else ""
        hidden = _filled(case, scenario, [h.text for h in case.person.hidden] + [h.text for r in case.roles for h in r.hidden])
    return AnswerKey(
        needs=tuple(needs),
        other_actors=tuple(cat.organisation(o).name for o in truth.other_actors),
        presumption_groups=tuple(cat.presumption_group_by_id[g].name for g in truth.presumption_groups),
        target_groups=tuple(cat.target_group_by_id[g].name for g in truth.target_groups if g in cat.target_group_by_id),
        overall=tuple(cat.principal_by_id[p].name for p in truth.acceptable_overall),
        in_place=tuple(cat.effort(e).name for e in truth.efforts_in_place),
        text=text,
        hidden=hidden,
    )


@lru_cache(maxsize=256)
def secrets(scenario: Scenario) -> tuple[str, ...]:
    """The strings live feedback must never show (lower case): need descriptions, expected efforts' names, target
    and presumption groups, the other actors the facit expects (name and short name), hidden information."""
    cat = load_catalogue()
    truth = scenario.ground_truth
    key = answer_key(scenario)
    out = [n.description for n in key.needs]
    out += [cat.effort(e).name for t in truth.needs for e in t.expected_efforts]
    out += list(key.presumption_groups) + list(key.target_groups)
    out += [x for o in truth.other_actors for x in (cat.organisation(o).name, cat.organisation(o).short)]
    out += list(key.hidden)
    return tuple(dict.fromkeys(s.casefold() for s in out if s and len(s) >= 3))
