"""Collecting a course's plans for the trainer: each plan with its status, all of them as one ZIP, and the class
summary (which rules are missed most, as CSV and as a chart)."""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from sipkurs import cases, exercise
from sipkurs.feedback import assess, to_plan
from sipkurs.store import Store, Submission

STATUS_SV = {"not_started": "inte påbörjad", "drafting": "skriver", "submitted": "inlämnad", "invalid": "ogiltig"}


@dataclass(frozen=True)
class CollectedPlan:
    kind: str  # "group" | "participant"
    id: int
    name: str  # the participant, or "Grupp 1: Anna, Bo"
    scenario_id: str
    data: dict
    submission: Submission | None
    status: str  # a key of STATUS_SV
    owner_id: int

    @property
    def status_sv(self) -> str:
        if self.status == "submitted":
            return f"inlämnad, version {self.submission.number}"
        return STATUS_SV[self.status]

    @property
    def slug(self) -> str:
        """A file name for the plan: its kind, number and name, in plain letters."""
        plain = re.sub(r"[^a-z0-9]+", "-", self.name.lower().translate(str.maketrans("åäöé", "aaoe"))).strip("-")
        return f"{'grupp' if self.kind == 'group' else 'deltagare'}-{self.id}-{plain[:40] or 'namnlos'}"


def plan_of(store: Store, course: str, trainer_code: str, kind: str, id_: int) -> CollectedPlan:
    """One plan as the trainer reads it: the latest submission, else the draft."""
    if kind == "group":
        group, data, sub = store.trainer_group_plan(course, trainer_code, id_)
        members = ", ".join(s.participant_name for s in group.seats if s.participant_name)
        name, scenario_id, owner = f"{group.name}: {members or 'inga medlemmar'}", group.scenario_id, group.owner_id
    else:
        participant, data, sub = store.trainer_plan(course, trainer_code, id_)
        name, scenario_id, owner = participant.display_name, participant.scenario_id, participant.owner_id
    if sub is not None:
        status = "submitted"
    elif not data:
        status = "not_started"
    else:
        status = "drafting" if to_plan(data)[0] is not None else "invalid"
    return CollectedPlan(kind, id_, name, scenario_id, data, sub, status, owner)


def all_plans(store: Store, course: str, trainer_code: str) -> list[CollectedPlan]:
    rows = store.overview(course, trainer_code)
    return [plan_of(store, course, trainer_code, r.kind, r.id) for r in rows]


def feedback_of(store: Store, plan: CollectedPlan):
    """The plan's feedback as the trainer sees it: everything, the facit included, with the events it received."""
    events = exercise.event_contexts(store.deliveries(plan.owner_id), plan.scenario_id)
    return assess(plan.data, cases.scenario(plan.scenario_id), level="facit", submitted=True, events=events)


def documents(plan: CollectedPlan, feedback) -> dict[str, bytes]:
    """The plan as the files a trainer downloads: PDF, HTML and plan.json."""
    from sipkurs.export import plan_html, plan_pdf

    title = f"SIP – {'inlämnad version ' + str(plan.submission.number) if plan.submission else 'utkast'}"
    return {
        "plan.pdf": plan_pdf(plan.data, feedback, name=plan.name, title=title),
        "plan.html": plan_html(plan.data, feedback, name=plan.name, title=title).encode(),
        "plan.json": json.dumps(plan.data, ensure_ascii=False, indent=2).encode(),
    }


def summary_files(plans: list[CollectedPlan], feedbacks: list) -> dict[str, bytes]:
    """The class summary: which rules are missed most (CSV), and the chart (PNG)."""
    from graders.summary import most_missed, write_csv, write_plot

    reports = [fb.report for fb in feedbacks if fb.report is not None]
    rows = most_missed(reports)
    with tempfile.TemporaryDirectory() as tmp:
        csv_path, png_path = Path(tmp) / "s.csv", Path(tmp) / "s.png"
        write_csv(rows, csv_path)
        write_plot(rows, png_path)
        return {"sammanstallning.csv": csv_path.read_bytes(), "sammanstallning.png": png_path.read_bytes()}


def course_zip(store: Store, course: str, trainer_code: str) -> bytes:
    """Every plan of the course (a folder each: PDF, HTML, plan.json) and the class summary, as one ZIP file."""
    plans = [p for p in all_plans(store, course, trainer_code) if p.status != "not_started"]
    feedbacks = [feedback_of(store, p) for p in plans]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for plan, fb in zip(plans, feedbacks, strict=True):
            for name, content in documents(plan, fb).items():
                z.writestr(f"{plan.slug}/{name}", content)
        for name, content in summary_files(plans, feedbacks).items():
            z.writestr(name, content)
    return out.getvalue()
