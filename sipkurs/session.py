"""One page's drafting session: which plan it edits (the participant's own, or their group's), on which case,
as whom; grading and submitting what the page shows. No widgets here.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import cached_property

from simulator.cases import PERSON_ROLE
from sipkurs import cases, exercise
from sipkurs.feedback import DEFAULT_LEVEL, FEEDBACK_LEVELS, Feedback, assess, to_plan
from sipkurs.live import LivePlan
from sipkurs.store import ExerciseState, Group, Participant, Seat, Store, StoreError, Submission


log = logging.getLogger(__name__)


class DraftSession:
    def __init__(self, store: Store, participant: Participant, group: Group | None = None) -> None:
        self.store = store
        self.participant = participant
        self.group = group if group is not None else store.group_of(participant)
        self.scenario_id = self.group.scenario_id if self.group else participant.scenario_id
        self.scenario = cases.scenario(self.scenario_id)
        self.live = LivePlan(store, participant, self.owner_id, self.author)
        self.last_feedback: Feedback | None = None
        self.submitted = bool(self.submissions())
        self._events = None
        self._settings = (self.level, self.submitted)

    @property
    def owner_id(self) -> int:
        return self.group.owner_id if self.group else self.participant.owner_id

    @property
    def seat(self) -> Seat | None:
        return self.group.seat_of(self.participant.id) if self.group else None

    @cached_property
    def author(self) -> str:
        """How this member's changes are signed: 'Anna (Försäkringskassan)'; just the name when drafting alone."""
        seat = self.seat
        if seat is None:
            return self.participant.display_name
        return f"{self.participant.display_name} ({cases.seat_label(self.scenario_id, seat.role)})"

    def refresh_group(self) -> Group | None:
        """The group as it is now (who sits where, who is online). Raises StoreError if this page lost its seat."""
        if self.group is None:
            return None
        group = self.store.group_of(self.participant)
        if group is None or group.id != self.group.id:
            raise StoreError("utbildaren har flyttat dig från gruppens plats; öppna sidan igen med din länk")
        self.group = group
        return group

    def authors(self) -> list[dict]:
        """The plan's authors: every member of the group with their organisation, or the participant."""
        if self.group is None:
            return [{"name": self.participant.display_name}]
        out = []
        for seat in self.group.seats:
            if seat.participant_name:
                org = seat.role if cases.is_organisation(seat.role) else ""
                out.append({"name": seat.participant_name, "organisation": org})
        return out

    def plan_data(self) -> dict:
        """The plan as this page shows it, plus what the app knows: the case, the authors, the group, the time."""
        data = self.live.data()
        data["scenario_id"] = self.scenario_id
        data["authors"] = self.authors()
        if self.group:
            data["group"] = self.group.name
        data["updated"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        return data

    def restore(self) -> dict:
        """Everything the store has of the plan, as {path: value} for the form."""
        return self.live.load()

    @cached_property
    def self_study(self) -> bool:
        from sipkurs.selfstudy import is_self_study

        return is_self_study(self.store, self.participant.course)

    @property
    def _level_key(self) -> str:
        """Self-study: each participant chooses for themself; on a course, the trainer for everyone."""
        return f"{FEEDBACK_LEVEL_SETTING}:{self.participant.id}" if self.self_study else FEEDBACK_LEVEL_SETTING

    @property
    def level(self) -> str:
        """How much the feedback may tell: the course's choice (or the self-study participant's), else the default."""
        level = self.store.setting(self._level_key, self.participant.course, DEFAULT_LEVEL)
        return level if level in FEEDBACK_LEVELS else DEFAULT_LEVEL

    def set_own_level(self, level: str) -> None:
        if not self.self_study:
            raise StoreError("på en kurs väljer utbildaren hur mycket återkopplingen visar")
        if level not in FEEDBACK_LEVELS:
            raise StoreError(f"okänd nivå '{level}'")
        self.store.set_setting(self._level_key, level, course=self.participant.course)

    def interview(self):
        """The interview with the simulated person and the agencies no one in the group plays (None off the library)."""
        from sipkurs.selfstudy import Interview

        case = cases.library_case(self.scenario_id)[0]
        if case is None:
            return None
        # Only roles the interview can speak for are "played by a person": a närstående seat has no interview part.
        speaking = {PERSON_ROLE, *case.role_ids}
        humans = [s.role for s in self.group.seats if s.participant_id and s.role in speaking] if self.group else []
        return Interview(self.store, self.participant, self.scenario_id, human_roles=humans)

    def results(self, interview=None):
        """After submitting: the model answer, what was missed, what the interview never found, the verdict."""
        from sipkurs.selfstudy import results

        subs = self.submissions()
        return results(subs[-1].data, self.scenario_id, interview) if subs else None

    def refresh_settings(self) -> bool:
        """Re-read what the feedback depends on besides the plan; True if it changed."""
        self.submitted = self.submitted or bool(self.submissions())
        self._events = None
        settings = (self.level, self.submitted, len(self.events()))
        changed, self._settings = settings != self._settings, settings
        return changed

    def events(self) -> list:
        """The case's events this plan has received, for the event rules (fetched again on every refresh)."""
        if self._events is None:
            self._events = exercise.event_contexts(self.store.deliveries(self.owner_id), self.scenario_id)
        return self._events

    def feedback(self) -> Feedback:
        fb = assess(self.plan_data(), self.scenario, level=self.level, submitted=self.submitted, events=self.events())
        self.last_feedback = fb
        if not self.live.unsaved:  # the trainer's overview shows the grading of what is in the store
            try:
                self.store.record_assessment(self.owner_id, self.live.rev, fb.score, missed_rules(fb))
            except Exception:  # noqa: BLE001 - the overview can wait; the participant's feedback cannot
                log.exception("recording the assessment failed")
        return fb

    def submit(self) -> tuple[Submission, bool]:
        """Write what is pending, then keep the plan as it now stands as an immutable version (all members authors).
        Returns (the version, whether it is new): submitting an unchanged plan again gives the last version."""
        self.live.flush()
        if self.live.conflicts:
            raise StoreError("två texter står mot varandra i ett fält; välj vilken som gäller innan ni lämnar in")
        if self.live.pending or self.live.gone:
            raise StoreError("allt är inte sparat än; försök igen om en stund")
        self.refresh_group()
        data = self.plan_data()
        plan, problems = to_plan(data)
        if plan is None:
            raise StoreError("planen kan inte lämnas in ännu: " + "; ".join(problems[:3]))
        previous = self.submissions()
        if previous and _same_plan(previous[-1].data, data):
            return previous[-1], False
        fb = assess(data, self.scenario, events=self.events())
        submission = self.store.submit(
            self.participant, data, score=fb.score, missed=missed_rules(fb), owner_id=self.owner_id
        )
        self.submitted = True
        return submission, True

    # --- the exercise: phases and events ---------------------------------------------------------------------------
    def exercise_state(self) -> ExerciseState:
        return self.store.exercise(self.owner_id)

    def notices(self) -> list[exercise.Notice]:
        """The events this member has got (delivering any whose minute has come), as this member may see them."""
        self.store.fire_due(self.owner_id)
        deliveries = self.store.member_deliveries(self.participant, self.owner_id)
        role = self.seat.role if self.seat else None
        return exercise.notices(deliveries, self.scenario_id, role, self.participant.id)

    def acknowledge(self, delivery_id: int) -> None:
        self.store.acknowledge(self.participant, delivery_id, self.owner_id)

    def next_phase(self) -> ExerciseState:
        """Alone, the participant moves on to the next phase (in a group, the trainer does); the case's events of the
        new phase arrive by themselves."""
        if self.group is not None:
            raise StoreError("i en grupp byter utbildaren fas")
        state = self.store.advance_own_phase(
            self.participant, exercise.phase_ids(self.scenario_id), expected=self.exercise_state().phase_index
        )
        exercise.release_phase_events(self.store, self.participant, self.scenario_id, state)
        return state

    def submissions(self) -> list[Submission]:
        return self.store.submissions(self.participant, owner_id=self.owner_id)

    def current_submission(self, data: dict | None = None) -> Submission | None:
        """The last submitted version if the plan is unchanged since, else None (an export then says "Utkast")."""
        previous = self.submissions()
        data = self.plan_data() if data is None else data
        return previous[-1] if previous and _same_plan(previous[-1].data, data) else None


FEEDBACK_LEVEL_SETTING = "feedback_level"


def _same_plan(a: dict, b: dict) -> bool:
    """Two versions with the same content (the time of saving aside)."""
    return {k: v for k, v in a.items() if k != "updated"} == {k: v for k, v in b.items() if k != "updated"}


def missed_rules(fb: Feedback) -> list[dict]:
    """The rules not met, as the trainer's overview shows them."""
    by_code = {i.code: i for i in fb.items}
    return [{"code": c, "title": by_code[c].title} for c in fb.missed]
