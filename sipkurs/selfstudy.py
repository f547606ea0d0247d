"""Self-study: the cases to choose from, the interview with the simulated person and agencies (kept in the store),
what a participant learns after submitting, and what the trainer sees of the interviews.

The interview itself is simulator.interviewing's; the model answer, the person's verdict and the debrief are the
graders'. This module only joins them to a participant and the store.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sipkurs import cases
from sipkurs.store import Participant, Store, StoreError

MODE_SETTING = "mode"
SELF_STUDY = "sjalvstudier"
SELF_STUDY_COURSE = "SJALVSTUDIER"


def is_self_study(store: Store, course: str) -> bool:
    return store.setting(MODE_SETTING, course) == SELF_STUDY


@dataclass(frozen=True)
class CaseChoice:
    id: str
    title: str
    difficulty: int
    difficulty_label: str
    target_groups: tuple[str, ...]
    learning_goals: tuple[str, ...]
    summary: str  # the first sentences of the invitation, as any participant reads it


def case_choices() -> list[CaseChoice]:
    """Every library case, easiest first, with what it trains (no facit, nothing hidden)."""
    from simulator.cases import DIFFICULTY_LABELS, person_values
    from simulator.catalogue import load_catalogue
    from simulator.library import load_library
    from simulator.texts import fill

    cat = load_catalogue()
    out = []
    for case in load_library().values():
        values = person_values(case.variant(0).person)
        text = fill(case.case_card.text, values)
        summary = ". ".join(text.split(". ")[:2]).strip()
        summary = summary if summary.endswith(".") else summary + "."
        out.append(CaseChoice(
            case.id, fill(case.title, values), int(case.difficulty), DIFFICULTY_LABELS[int(case.difficulty)],
            tuple(cat.target_group_by_id[g].name for g in case.target_groups if g in cat.target_group_by_id),
            tuple(fill(g, values) for g in case.learning_goals), summary,
        ))
    return sorted(out, key=lambda c: (c.difficulty, c.title))


def choose(store: Store, participant: Participant, case_id: str) -> Participant:
    """The participant's own variant of the chosen case (a different person for each participant)."""
    from simulator.library import load_library

    case = load_library().get(case_id)
    if case is None:
        raise StoreError(f"fallet '{case_id}' finns inte i fallbiblioteket")
    return store.choose_case(participant, case.variants(participant.variant + 1)[participant.variant].id)


# --- the interview ------------------------------------------------------------------------------------------------
class Interview:
    """One participant's interview, saved in the store after every question."""

    def __init__(self, store: Store, participant: Participant, scenario_id: str, human_roles=()) -> None:
        from simulator.interviewing import InterviewSession

        self.store, self.participant, self.scenario_id = store, participant, scenario_id
        case, variant = cases.library_case(scenario_id)
        if case is None:
            raise StoreError("intervjun finns bara för fall ur fallbiblioteket")
        self.case, self.variant = case, variant
        state = store.load_interview(participant, scenario_id)
        if state is not None:
            self.session = InterviewSession.from_dict(state, case)
        else:
            self.session = InterviewSession(case, variant, human_roles=human_roles)

    def save(self) -> None:
        self.store.save_interview(self.participant, self.scenario_id, self.session.to_dict())


# --- after submission -----------------------------------------------------------------------------------------------
def results(plan_data: dict, scenario_id: str, interview: Interview | None):
    """The debrief of a submitted plan: model answer, what was missed, what the interview never found, the verdict."""
    from graders.debrief import debrief
    from graders.plan import Plan

    case, variant = cases.library_case(scenario_id)
    if case is None:
        return None
    plan = Plan.model_validate(plan_data)
    return debrief(plan, case, variant, interview.session if interview else None)


# --- for the trainer --------------------------------------------------------------------------------------------------
_NEUTRAL = {"namn": "personen", "namns": "personens", "hon": "hen", "Hon": "Hen", "henne": "hen", "Henne": "Hen",
            "hennes": "hens", "Hennes": "Hens", "efternamn": "", "kommun": "kommunen", "alder": ""}


def _neutral(text: str) -> str:
    """A case text without any one variant's name: the same fact reads the same for every participant."""
    from simulator.texts import fill

    return " ".join(fill(text, _NEUTRAL).split())
@dataclass(frozen=True)
class InterviewSummary:
    participant: str
    case: str
    questions: int
    found: tuple[str, ...]
    missed: tuple[str, ...]


def interview_summaries(store: Store, course: str, trainer_code: str) -> tuple[list[InterviewSummary], list[tuple[str, int, int]]]:
    """Per participant: which hidden facts their questions uncovered and which they missed; and per fact (what one
    must ask about): how many found it and how many did not."""
    from simulator.interviewing import hidden_keys, revealed_keys

    people, found_count, missed_count = [], Counter(), Counter()
    for participant, scenario_id, state in store.course_interviews(course, trainer_code):
        case, variant = cases.library_case(scenario_id)
        if case is None:
            continue
        hidden = {k: _neutral(v) for k, v in hidden_keys(case, state.get("human_roles", ())).items()}
        revealed = revealed_keys(state) & set(hidden)
        found = tuple(hidden[k] for k in hidden if k in revealed)
        missed = tuple(hidden[k] for k in hidden if k not in revealed)
        found_count.update(found)
        missed_count.update(missed)
        people.append(InterviewSummary(participant.display_name, case.id, len(state.get("log", ())), found, missed))
    facts = sorted({*found_count, *missed_count}, key=lambda f: (-missed_count[f], f))
    return people, [(f, found_count[f], missed_count[f]) for f in facts]
