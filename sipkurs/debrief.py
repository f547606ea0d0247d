"""The debrief after the exercise: groups side by side, the rules most missed, and for one group the timeline of
phases and events with what changed in the plan between snapshots and which rules changed their verdict.

Data only (no widgets): the trainer page shows it on the projector, and it exports as one PDF and as CSV/JSON.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

from sipkurs import cases, exercise, plandoc
from sipkurs.feedback import assess
from sipkurs.store import Group, Store
from sipkurs.templating import local_time
from sipkurs.ui.fields import SECTIONS, Table


@dataclass(frozen=True)
class GroupSummary:
    name: str
    members: tuple[str, ...]
    score: float | None
    families: dict[str, float]  # family name → 0..1
    verdict: str
    missed: tuple[str, ...]  # rule titles not met
    phase: str


@dataclass(frozen=True)
class Change:
    what: str  # the field as the form labels it
    kind: str  # "tillagt", "borttaget", "ändrat"
    before: str = ""
    after: str = ""


@dataclass(frozen=True)
class RuleShift:
    code: str
    title: str
    before: str
    after: str


@dataclass(frozen=True)
class Moment:
    """One entry of a group's timeline: a phase that ended, or an event that arrived."""

    kind: str  # "phase" | "event"
    at: dt.datetime | None
    title: str
    detail: str = ""
    changes: tuple[Change, ...] = ()
    shifts: tuple[RuleShift, ...] = ()
    acknowledged: str = ""


@dataclass(frozen=True)
class Debrief:
    course: str
    groups: tuple[GroupSummary, ...]
    missed: tuple[tuple[str, int], ...]
    family_names: tuple[str, ...]
    group: str = ""
    timeline: tuple[Moment, ...] = ()
    questions: tuple[tuple[str, tuple[str, ...]], ...] = field(default_factory=tuple)


# --- readable differences -----------------------------------------------------------------------------------------
def _labels() -> tuple[dict[str, str], dict[str, tuple[str, dict[str, str]]]]:
    scalars: dict[str, str] = {}
    tables: dict[str, tuple[str, dict[str, str]]] = {}
    for section in SECTIONS:
        for part in section.parts:
            if isinstance(part, Table):
                tables[part.path] = (part.row_label, {c.path: c.label for c in part.columns})
            else:
                scalars[part.path] = part.label
    return scalars, tables


def _show(value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def changes(before: dict, after: dict) -> list[Change]:
    """What was added, removed or reworded between two versions of a plan, named as the form names the fields."""
    scalars, tables = _labels()
    old = {p: v for p, v in plandoc.flatten(before or {}).items()}
    new = {p: v for p, v in plandoc.flatten(after or {}).items()}
    out: list[Change] = []
    for path in [*new, *(p for p in old if p not in new)]:  # in the plan's order, removed fields last
        a, b = _show(old.get(path)), _show(new.get(path))
        table, row, column = plandoc.parse(path)
        if table is not None and column is None:
            label = tables.get(table, (table, {}))[0]
            was, now = plandoc.is_live(old.get(path)), plandoc.is_live(new.get(path))
            if was != now:
                out.append(Change(f"{label} {row}", "tillagt" if now else "borttaget"))
            continue
        if a == b:
            continue
        if table is not None:
            row_label, columns = tables.get(table, (table, {}))
            what = f"{row_label} {row}: {columns.get(column, column)}"
        else:
            what = scalars.get(path, path)
        out.append(Change(what, "tillagt" if not a else "borttaget" if not b else "ändrat", a, b))
    return out


def _statuses(data: dict, scenario, events=()) -> dict[str, tuple[str, str]]:
    fb = assess(data or {}, scenario, events=events)
    return {f"{i.code}:{i.event or ''}": (i.title + (f" (efter ”{i.event_title}”)" if i.event else ""), i.status_label)
            for i in fb.items}


def shifts(before: dict, after: dict, scenario, events_before=(), events_after=()) -> list[RuleShift]:
    """The rules whose verdict changed between two versions of a plan (event rules judged with the events that had
    come by then: a rule that only applies after an event shows as turning from not applicable)."""
    a, b = _statuses(before, scenario, events_before), _statuses(after, scenario, events_after)
    return [RuleShift(key.split(":")[0], b[key][0], a[key][1], b[key][1])
            for key in b if key in a and a[key][1] != b[key][1]]


# --- building the debrief -----------------------------------------------------------------------------------------
def _summary(store: Store, group: Group) -> GroupSummary:
    draft = store._draft(group.owner_id)
    data = draft.data if draft else {}
    events = exercise.event_contexts(store.deliveries(group.owner_id), group.scenario_id)
    fb = assess(data, cases.scenario(group.scenario_id), events=events)
    report = fb.report
    names = dict(_family_names())
    state = store.exercise(group.owner_id)
    phase = exercise.current_phase(group.scenario_id, state)
    return GroupSummary(
        group.name,
        tuple(s.participant_name for s in group.seats if s.participant_name),
        fb.score,
        {names.get(k, k): v for k, v in (report.families.items() if report else [])},
        fb.verdict,
        tuple(i.title for i in fb.items if i.status in ("fail", "partial")),
        phase.title if phase else ("inte startad" if state.phase_index < 0 else "avslutad"),
    )


def _family_names() -> list[tuple[str, str]]:
    from graders.registry import family_names

    return list(family_names().items())


def timeline(store: Store, group: Group) -> list[Moment]:
    """Phases and events of one group in time order, each with the plan's changes and the rules that changed."""
    scenario = cases.scenario(group.scenario_id)
    state = store.exercise(group.owner_id)
    phases = exercise.phases(group.scenario_id)
    draft = store._draft(group.owner_id)
    now_data = draft.data if draft else {}
    snapshots = list(state.snapshots)
    moments: list[Moment] = []
    previous: dict = {}
    deliveries = store.deliveries(group.owner_id)
    previous, previous_at = {}, None
    for snap in snapshots:
        title = phases[snap.phase_index].title if snap.phase_index < len(phases) else snap.phase_id
        before_events = exercise.event_contexts(deliveries, group.scenario_id, until=previous_at) if previous_at else []
        moments.append(Moment(
            "phase", snap.ended, f"Slut på {title}",
            f"Fasen pågick {local_time(snap.started):%H:%M}–{local_time(snap.ended):%H:%M}." if snap.started else "",
            tuple(changes(previous, snap.data)),
            tuple(shifts(previous, snap.data, scenario, before_events,
                         exercise.event_contexts(deliveries, group.scenario_id, until=snap.ended))),
        ))
        previous, previous_at = snap.data, snap.ended
    members = sum(1 for s in group.seats if s.participant_id)
    for d in deliveries:
        if d.status != "delivered":
            continue
        later = [s for s in snapshots if s.ended > d.delivered_at]
        after = later[0].data if later else now_data
        until = later[0].ended if later else None
        # Before: the plan as the event found it, already judged against the event (what it asked of the group).
        earlier = exercise.event_contexts(deliveries, group.scenario_id, until=d.delivered_at)
        moments.append(Moment(
            "event", d.delivered_at, f"Händelse: {d.title}", d.text,
            tuple(changes(d.before or {}, after)),
            tuple(shifts(d.before or {}, after, scenario, earlier,
                         exercise.event_contexts(deliveries, group.scenario_id, until=until))),
            f"{len(d.acks)} av {members} har läst",
        ))
    return sorted(moments, key=lambda m: m.at or dt.datetime.min)


def build(store: Store, course: str, trainer_code: str, group_id: int | None = None) -> Debrief:
    groups = store.groups(course, trainer_code)
    summaries = [_summary(store, g) for g in groups]
    missed = Counter(t for s in summaries for t in s.missed).most_common(8)
    chosen = next((g for g in groups if g.id == group_id), groups[0] if groups else None)
    questions = tuple((p.title, p.questions) for p in exercise.phases(chosen.scenario_id)) if chosen else ()
    return Debrief(
        course.strip().upper(), tuple(summaries), tuple(missed), tuple(n for _, n in _family_names()),
        chosen.name if chosen else "", tuple(timeline(store, chosen)) if chosen else (), questions,
    )


# --- exports ------------------------------------------------------------------------------------------------------
def to_json(debrief: Debrief) -> str:
    def default(value):
        return local_time(value).isoformat() if isinstance(value, dt.datetime) else str(value)

    return json.dumps(asdict(debrief), ensure_ascii=False, indent=2, default=default)


def to_csv(debrief: Debrief) -> str:
    """One row per group and rule family, then one row per moment of the chosen group's timeline."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["grupp", "medlemmar", "fas", "poäng", *debrief.family_names, "bedömning"])
    for g in debrief.groups:
        writer.writerow([
            g.name, ", ".join(g.members), g.phase, "" if g.score is None else round(g.score * 100),
            *(round(g.families.get(f, 0) * 100) for f in debrief.family_names), g.verdict,
        ])
    writer.writerow([])
    writer.writerow(["grupp", "tid", "vad", "ändringar i planen", "regler som ändrade bedömning"])
    for m in debrief.timeline:
        writer.writerow([
            debrief.group, local_time(m.at).strftime("%H:%M") if m.at else "", m.title,
            " | ".join(f"{c.what} ({c.kind})" for c in m.changes),
            " | ".join(f"{s.code} {s.before} → {s.after}" for s in m.shifts),
        ])
    return out.getvalue()


def to_pdf(debrief: Debrief) -> bytes:
    from fpdf import FPDF

    from sipkurs.export import font_path

    pdf = FPDF(format="A4", orientation="landscape")
    pdf.set_title(f"Genomgång – kurs {debrief.course}")
    pdf.set_lang("sv")
    pdf.add_font("DejaVu", "", str(font_path()))
    pdf.add_font("DejaVu", "B", str(font_path().with_name("DejaVuSans-Bold.ttf")))
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    def line(text: str, size: int = 11, bold: bool = False, gap: float = 1) -> None:
        pdf.set_font("DejaVu", "B" if bold else "", size)
        pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    line(f"Genomgång – kurs {debrief.course}", 18, True, 3)
    line("Grupperna", 14, True)
    for g in debrief.groups:
        score = "–" if g.score is None else f"{round(g.score * 100)} %"
        fams = ", ".join(f"{f}: {round(g.families.get(f, 0) * 100)} %" for f in debrief.family_names)
        line(f"{g.name} ({', '.join(g.members) or 'inga medlemmar'}) – {score}. {fams}. {g.verdict}", 10)
    if debrief.missed:
        line("Oftast ej uppfyllt", 14, True)
        for title, n in debrief.missed:
            line(f"{title}: {n} grupp{'er' if n != 1 else ''}", 10, gap=0.5)
    if debrief.group:
        pdf.add_page()
        line(f"Tidslinje: {debrief.group}", 14, True)
        for m in debrief.timeline:
            when = local_time(m.at).strftime("%H:%M") if m.at else ""
            line(f"{when} {m.title}", 12, True)
            if m.detail:
                line(m.detail, 10)
            for c in m.changes:
                line(f"• {c.what} ({c.kind})" + (f": {c.after}" if c.after and c.kind != "borttaget" else ""), 9, gap=0.3)
            for s in m.shifts:
                line(f"Regel {s.code} {s.title}: {s.before} → {s.after}", 9, gap=0.3)
    if debrief.questions:
        line("Reflektionsfrågor", 14, True)
        for title, qs in debrief.questions:
            line(title, 11, True)
            for q in qs:
                line(f"• {q}", 10, gap=0.5)
    return bytes(pdf.output())
