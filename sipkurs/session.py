"""One participant's drafting session: grade, autosave and submit what the form holds. No widgets here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sipkurs import cases
from sipkurs.feedback import Feedback, assess, to_plan
from sipkurs.store import Participant, Store, StoreError, Submission


@dataclass
class DraftSession:
    store: Store
    participant: Participant

    def __post_init__(self) -> None:
        self.scenario = cases.scenario(self.participant.scenario_id)
        self.last_feedback: Feedback | None = None

    def plan_data(self, form_data: dict) -> dict:
        """The form's data plus what the app knows: the case, the author and the time."""
        data = dict(form_data)
        data["scenario_id"] = self.participant.scenario_id
        data["authors"] = [{"name": self.participant.display_name}]
        data["updated"] = dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
        return data

    def restore(self) -> dict | None:
        draft = self.store.load_draft(self.participant)
        return None if draft is None else draft.data

    def feedback(self, form_data: dict) -> Feedback:
        self.last_feedback = assess(self.plan_data(form_data), self.scenario)
        return self.last_feedback

    def save(self, form_data: dict) -> Feedback:
        """Grade and autosave. The draft is saved even when it is not yet a valid plan: nothing typed is lost."""
        data = self.plan_data(form_data)
        fb = assess(data, self.scenario)
        self.last_feedback = fb
        self.store.save_draft(self.participant, data, score=fb.score, missed=missed_rules(fb))
        return fb

    def submit(self, form_data: dict) -> Submission:
        data = self.plan_data(form_data)
        plan, problems = to_plan(data)
        if plan is None:
            raise StoreError("planen kan inte lämnas in ännu: " + "; ".join(problems[:3]))
        fb = assess(data, self.scenario)
        self.store.save_draft(self.participant, data, score=fb.score, missed=missed_rules(fb))
        return self.store.submit(self.participant, data, score=fb.score, missed=missed_rules(fb))


def missed_rules(fb: Feedback) -> list[dict]:
    """The rules not met, as the trainer's overview shows them."""
    by_code = {i.code: i for i in fb.items}
    return [{"code": c, "title": by_code[c].title} for c in fb.missed]
