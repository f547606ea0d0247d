"""The plan as a document a region would file: print-friendly HTML (Jinja2, autoescaped) and PDF (fpdf2, DejaVu Sans).

Both are drawn from one structure, ``plan_document(data)``: a header (whom the plan concerns, for a child the
guardians; the date established; who took part), then the parts of the plan in the order of the regional SIP
templates (DOMAIN.md, "What a plan document holds"), each part a list of blocks (fields, free text, the person's own
words as quotes, tables, goals with their sub-goals, signature lines). Efforts are one table per principal: kommun,
region, other actors. The feedback is an optional appendix after the plan, never before it. Every document says what
it is: "Utkast" or "Inlämnad version N, datum".

``readable(data)`` is the form's own view (labels from sipkurs/ui/fields.py in the form's order), kept for the
side-by-side comparison with the model answer. ``plan_json(data)`` writes the plan file the nbgrader course reads.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from graders.plan import MAX_TEXT
from sipkurs.feedback import Feedback
from sipkurs.templating import local_time, render
from sipkurs.ui.fields import SECTIONS, Table, static_choices

DOCUMENT_TITLE = "Samordnad individuell plan (SIP)"
NOT_FILLED = "Inte ifyllt"
LINK_CHARS = 60  # a need or goal named in an effort's row: its id and the start of its text

MAX_EXPORT_CHARS = 300_000  # all the plan's text together: a full plan is far below; a PDF of this takes a few seconds


class ExportTooLarge(ValueError):
    """The plan is too large to print; ``str(error)`` says why, in Swedish."""


def check_size(data) -> None:
    """Refuse, at once and before any rendering, a plan with a text over the form's limit or too much text in all."""
    total, stack = 0, [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_TEXT:
                raise ExportTooLarge(f"planen kan inte skrivas ut: ett fält har {len(item)} tecken (högst {MAX_TEXT})")
            total += len(item)
            if total > MAX_EXPORT_CHARS:
                raise ExportTooLarge(f"planen kan inte skrivas ut: den har mer än {MAX_EXPORT_CHARS} tecken text")
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)


# --- the form's own view (comparison with the model answer) ------------------------------------------------------
@dataclass
class ReadableSection:
    title: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    tables: list[tuple[str, list[list[tuple[str, str]]]]] = field(default_factory=list)


def _value_text(f, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if f.kind == "check":
        return "ja" if value else "nej"
    if f.kind == "choice" and f.choices in static_choices():
        labels = dict((v, label) for label, v in static_choices()[f.choices])
        return labels.get(value, str(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _get(data, path):
    for key in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def readable(data: dict) -> list[ReadableSection]:
    """The plan as sections of (label, text), in the form's order; empty fields are left out."""
    sections = []
    for section in SECTIONS:
        out = ReadableSection(section.title)
        for part in section.parts:
            if isinstance(part, Table):
                rows = []
                for row in _get(data, part.path) or []:
                    cells = [(c.label, _value_text(c, _get(row, c.path))) for c in part.columns]
                    cells = [(label, text) for label, text in cells if text]
                    if row.get("id"):
                        cells.insert(0, ("Id", str(row["id"])))
                    rows.append(cells)
                if rows:
                    out.tables.append((part.title, rows))
            else:
                text = _value_text(part, _get(data, part.path))
                if text:
                    out.fields.append((part.label, text))
        if out.fields or out.tables:
            sections.append(out)
    return sections


# --- the document --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Fields:
    """Label and value pairs; an empty value prints as "Inte ifyllt"."""

    pairs: tuple[tuple[str, str], ...]
    kind: str = "fields"


@dataclass(frozen=True)
class Text:
    """A labelled paragraph of what the participants wrote (line breaks kept)."""

    label: str
    text: str
    kind: str = "text"


@dataclass(frozen=True)
class Quote:
    """The person's own words, set apart from what the professionals wrote."""

    label: str
    text: str
    kind: str = "quote"


@dataclass(frozen=True)
class Items:
    """A labelled list (questions for the meeting, copies of the plan)."""

    label: str
    items: tuple[str, ...]
    kind: str = "items"


@dataclass(frozen=True)
class TableBlock:
    caption: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # relative column widths (the PDF's; the HTML lets the browser decide)
    empty: str = ""  # said instead of the table when it has no rows; "" leaves the table out
    style: str = ""  # a CSS class for the HTML ("signatures": room to sign)
    kind: str = "table"

    @property
    def percents(self) -> tuple[float, ...]:
        """The column widths as percentages (the HTML's colgroup)."""
        total = sum(self.widths) or 1
        return tuple(round(100 * w / total, 1) for w in self.widths)


@dataclass(frozen=True)
class GoalItem:
    id: str
    text: str
    own_words: bool
    measure: str
    due: str


@dataclass(frozen=True)
class GoalBlock:
    """A long-term goal with the sub-goals that break it down (goal is None for sub-goals without a long-term goal)."""

    goal: GoalItem | None
    subgoals: tuple[GoalItem, ...]
    kind: str = "goal"


@dataclass(frozen=True)
class Note:
    """A sentence of the document itself (not typed by anyone), e.g. "Planen är inte avslutad."."""

    text: str
    kind: str = "note"


@dataclass(frozen=True)
class Part:
    number: int
    title: str
    blocks: tuple[Any, ...]
    anchor: str = ""


@dataclass(frozen=True)
class PlanDocument:
    title: str
    status: str  # "Utkast" or "Inlämnad version N, ÅÅÅÅ-MM-DD HH:MM"
    submitted: bool
    person: str  # whom the plan concerns, for the running footer
    header: Fields  # whom, guardians, dates, initiative, chair
    participants: TableBlock
    authors: Fields  # the role-play group and its members, or who wrote the plan
    parts: tuple[Part, ...]
    feedback: Feedback | None  # the appendix; None leaves it out
    printed: str


def _text(value: Any) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return str(value).strip()


def _date(value: Any) -> str:
    """ÅÅÅÅ-MM-DD for dates (a datetime is shown as its day); other text as written."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _dict(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _rows(value: Any) -> list[dict]:
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.splitlines()
    return tuple(t for t in (_text(v) for v in value) if t) if isinstance(value, list | tuple) else ()


@lru_cache(maxsize=1)
def _catalogue():
    from simulator.catalogue import load_catalogue

    return load_catalogue()


def _org_id(value: Any) -> str:
    """A catalogue id for an id, a name or a short name (as the plan model accepts them); other text unchanged."""
    from graders.plan import organisation_id

    value = _text(value)
    try:
        return organisation_id(value)
    except ValueError:
        return value


def _org(org_id: Any) -> str:
    org_id = _org_id(org_id)
    cat = _catalogue()
    return cat.organisation(org_id).name if org_id in cat.organisation_by_id else org_id


def _choice(kind: str, value: Any) -> str:
    value = _text(value)
    return next((label for label, v in static_choices()[kind] if v == value and v), value)


def _unit(org_id: Any) -> str:
    """A unit's short name for narrow table columns ('Vårdcentralen', 'Socialtjänsten (vuxen)')."""
    org_id = _org_id(org_id)
    cat = _catalogue()
    if org_id not in cat.organisation_by_id:
        return org_id
    short = cat.organisation(org_id).short
    return short[:1].upper() + short[1:]


def _principal_of(org_id: str) -> str:
    """kommun, region, other (an other actor) or "" (no unit, or one the catalogue does not know)."""
    cat = _catalogue()
    if org_id not in cat.organisation_by_id:
        return ""
    return cat.principal_of(org_id) or "other"


def _short(text: str, limit: int = LINK_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _links(ids: Any, texts: dict[str, str], missing: str) -> str:
    """Linked rows as text: 'B1 Stöd i vardagen' per line (an unknown id is said to be unknown)."""
    out = []
    for i in _strings(ids):
        out.append(f"{i} {_short(texts[i])}".strip() if i in texts else f"{i} ({missing})")
    return "\n".join(out)


def status_label(submission=None) -> str:
    """ "Utkast", or "Inlämnad version N, ÅÅÅÅ-MM-DD HH:MM" (Swedish time) for a submission (``number``, ``submitted``)."""
    if submission is None:
        return "Utkast"
    when = getattr(submission, "submitted", None)
    stamp = f", {local_time(when):%Y-%m-%d %H:%M}" if isinstance(when, dt.datetime) else ""
    return f"Inlämnad version {submission.number}{stamp}"


def _authors(data: dict, name: str) -> Fields:
    """A role-play group and its members with their units, or the participant who wrote the plan."""
    members = []
    for a in _rows(data.get("authors")):
        who, org = _text(a.get("name")), _text(a.get("organisation"))
        if who:
            members.append(f"{who} ({_org(org)})" if org else who)
    group = _text(data.get("group"))
    if group:
        pairs = [("Rollspelsgrupp", group), ("Gruppens medlemmar", ", ".join(members) or _text(name) or "inga medlemmar")]
    elif members:
        pairs = [("Skriven av", ", ".join(members))]
    elif _text(name):
        pairs = [("Skriven av", _text(name))]
    else:
        pairs = []
    return Fields(tuple(pairs))


def _goal_item(g: dict) -> GoalItem:
    return GoalItem(_text(g.get("id")), _text(g.get("text")), bool(g.get("own_words")), _text(g.get("measure")),
                    _date(g.get("due")))


def _goal_blocks(goals: list[dict]) -> tuple[tuple[GoalBlock, ...], tuple[GoalBlock, ...], tuple[GoalItem, ...]]:
    """(the person's own long-term goals, the other long-term goals, sub-goals without a long-term goal), each
    long-term goal with its sub-goals in the order written."""
    long_term = [g for g in goals if g.get("kind") != "sub_goal"]
    ids = {_text(g.get("id")) for g in long_term}
    subs: dict[str, list[GoalItem]] = {}
    orphans = []
    for g in goals:
        if g.get("kind") == "sub_goal":
            parent = _text(g.get("parent"))
            (subs.setdefault(parent, []) if parent in ids else orphans).append(_goal_item(g))
    blocks = [GoalBlock(_goal_item(g), tuple(subs.get(_text(g.get("id")), ()))) for g in long_term]
    own = tuple(b for b in blocks if b.goal.own_words)
    other = tuple(b for b in blocks if not b.goal.own_words)
    return own, other, tuple(orphans)


EFFORT_COLUMNS = ("Nr", "Insats", "Verksamhet", "Behov", "Mål", "När", "Läge")
EFFORT_WIDTHS = (8, 32, 34, 28, 28, 23, 21)  # mm of A4's 174
PRINCIPAL_TABLES = (
    ("kommun", "Kommunen ansvarar för"),
    ("region", "Regionen ansvarar för"),
    ("other", "Andra aktörer än kommun och region"),
    ("", "Insatser där huvudmannen inte framgår"),
)


def _effort_row(e: dict, need_texts: dict[str, str], goal_texts: dict[str, str]) -> tuple[str, ...]:
    what = _text(e.get("what")) or (_choice("efforts", e.get("effort")) if _text(e.get("effort")) else "")
    period = " – ".join(d for d in (_date(e.get("start")), _date(e.get("end"))) if d)
    if _date(e.get("end")) and not _date(e.get("start")):
        period = f"till {_date(e.get('end'))}"
    when = "\n".join(t for t in (_text(e.get("when")), period) if t)
    status = _choice("status", e.get("status") or "planned")
    return (_text(e.get("id")), what, _unit(e.get("organisation")), _links(e.get("needs"), need_texts, "okänt behov"),
            _links(e.get("goals"), goal_texts, "okänt mål"), when, status)


def _effort_tables(data: dict) -> list:
    need_texts = {_text(n.get("id")): _text(n.get("text")) for n in _rows(data.get("needs"))}
    goal_texts = {_text(g.get("id")): _text(g.get("text")) for g in _rows(data.get("goals"))}
    by_principal: dict[str, list[tuple[str, ...]]] = {}
    for e in _rows(data.get("efforts")):
        by_principal.setdefault(_principal_of(_org_id(e.get("organisation"))), []).append(
            _effort_row(e, need_texts, goal_texts))
    blocks: list = []
    for key, caption in PRINCIPAL_TABLES:
        rows = tuple(by_principal.get(key, ()))
        if key == "":
            if rows:
                blocks.append(TableBlock(caption, EFFORT_COLUMNS, rows, EFFORT_WIDTHS))
            continue
        empty = "Inga insatser angivna." if key != "other" else "Inga insatser av andra aktörer angivna."
        blocks.append(TableBlock(caption, EFFORT_COLUMNS, rows, EFFORT_WIDTHS, empty=empty))
        if key == "other" and _text(data.get("other_actors_note")):
            blocks.append(Text("Om åtgärder av andra aktörer", _text(data.get("other_actors_note"))))
    return blocks


def _parts(data: dict) -> list[tuple[str, list]]:
    consent = _dict(data.get("consent"))
    given = consent.get("given")
    responsibility = _dict(data.get("overall_responsibility"))
    follow_up = _dict(data.get("follow_up"))
    closure = _dict(data.get("closure"))
    needs = _rows(data.get("needs"))
    own_goals, other_goals, orphans = _goal_blocks(_rows(data.get("goals")))

    situation: list = [Text("Nuvarande situation", _text(data.get("current_situation")))]
    if _text(data.get("what_matters")):
        situation.append(Quote("Vad är viktigt för dig? Med personens egna ord", _text(data.get("what_matters"))))
    else:
        situation.append(Text("Vad är viktigt för dig? Med personens egna ord", ""))
    situation += [Text("Personens önskemål", _text(data.get("wishes"))),
                  Text("Personens egna resurser", _text(data.get("own_resources"))),
                  Text("Närståendes resurser", _text(data.get("relatives_resources")))]

    goals: list = []
    if own_goals:
        goals.append(Note("Personens egna mål, med egna ord:"))
        goals += own_goals
    if other_goals:
        goals.append(Note("Övriga långsiktiga mål:" if own_goals else "Långsiktiga mål:"))
        goals += other_goals
    if orphans:
        goals.append(Note("Delmål utan angivet långsiktigt mål:"))
        goals.append(GoalBlock(None, orphans))
    if not goals:
        goals.append(Note("Inga mål angivna."))

    copies = _strings(data.get("distribution"))
    signers = tuple((_text(p.get("name")), " – ".join(t for t in (_org(p.get("organisation")), _text(p.get("role"))) if t), "", "")
                    for p in _rows(data.get("participants")) if _text(p.get("name")))
    signers = signers or (("", "", "", ""),) * 3  # empty lines to sign on paper

    closed = _date(closure.get("date")) or _text(closure.get("reason"))
    return [
        ("Samtycke", [Fields((
            ("Samtycke har getts", "ja" if given is True else ("nej" if given is False and consent else "")),
            ("Samtycket givet av", _text(consent.get("given_by"))),
            ("Vilken information, till vilka", _text(consent.get("scope"))),
            ("Samtycket gäller till", _date(consent.get("valid_until"))),
            ("Så är samtycket dokumenterat", _text(consent.get("recorded"))),
        ))]),
        ("Mötet och personens delaktighet", [
            Items("Frågor till mötet", _strings(data.get("meeting_questions"))),
            Text("Hur personen deltog och påverkade planen", _text(data.get("person_participation"))),
            Text("Närståendes medverkan", _text(data.get("relatives_involvement"))),
        ]),
        ("Nuläge och vad som är viktigt för personen", situation),
        ("Behov", [TableBlock("", ("Nr", "Behov", "Behovsområde"),
                              tuple((_text(n.get("id")), _text(n.get("text")), _choice("areas", n.get("area"))) for n in needs),
                              (0.6, 6.4, 2.6), empty="Inga behov angivna.")]),
        ("Mål och delmål", goals),
        ("Insatser", _effort_tables(data)),
        ("Det personen och närstående gör själva", [
            TableBlock("", ("Vem", "Vad"),
                       tuple((_text(a.get("who")), _text(a.get("what"))) for a in _rows(data.get("own_actions"))),
                       (2.2, 7.4), empty="Inget angivet."),
        ]),
        ("Övergripande ansvar", [Fields((
            ("Huvudman", _choice("principals", responsibility.get("principal"))),
            ("Verksamhet", _org(responsibility.get("organisation"))),
            ("Huvudansvarig person", _text(responsibility.get("person"))),
        ))]),
        ("Kontaktpersoner", [
            TableBlock("", ("Verksamhet", "Namn", "Nås via"),
                       tuple((_org(c.get("organisation")), _text(c.get("name")), _text(c.get("reach")))
                             for c in _rows(data.get("contacts"))),
                       (3.6, 2.8, 3.2), empty="Inga kontaktpersoner angivna."),
        ]),
        ("Uppföljning", [
            Fields((("Datum", _date(follow_up.get("date"))), ("Kallar till uppföljningen", _text(follow_up.get("called_by"))),
                    ("Form", _text(follow_up.get("how"))))),
            Text("Vad som ska utvärderas", _text(follow_up.get("evaluate"))),
        ]),
        ("Om planen inte fungerar", [Text("Vart personen och närstående vänder sig", _text(data.get("if_plan_fails")))]),
        ("Delgivning och underskrifter", [
            Items("Kopia av planen till", copies),
            TableBlock("Underskrifter", ("Namn", "Verksamhet och roll", "Underskrift", "Datum"), signers,
                       (2.6, 3.0, 2.8, 1.2), style="signatures"),
        ]),
        ("Avslut", [Fields((("Planen avslutad", _date(closure.get("date"))),
                            ("Skäl till avslut", _text(closure.get("reason")))))] if closed
         else [Note("Planen är inte avslutad.")]),
    ]


def plan_document(data: dict, feedback: Feedback | None = None, *, name: str = "", submission=None,
                  status: str = "", appendix: bool = True) -> PlanDocument:
    """The plan as a document: header, the parts in the SIP templates' order, the feedback as an appendix.

    ``submission`` (anything with ``number`` and ``submitted``, e.g. the store's Submission) labels the document as
    that submitted version; without it the document is an "Utkast". ``status`` overrides the label. ``name`` says who
    wrote the plan when the data has no authors.
    """
    data = data if isinstance(data, dict) else {}
    concerns = _dict(data.get("concerns"))
    guardians = _strings(concerns.get("guardians"))
    header = [("Namn", _text(concerns.get("name"))), ("Personnummer", _text(concerns.get("personal_id")))]
    if guardians:
        header.append(("Vårdnadshavare", ", ".join(guardians)))
    header.append(("Planen upprättad", _date(data.get("established"))))
    if _date(data.get("discharge_ready")):
        header.append(("Utskrivningsklar", _date(data.get("discharge_ready"))))
    header += [("Initiativ till planen togs av", _text(data.get("initiator"))), ("Mötesledare", _text(data.get("chair")))]
    participants = TableBlock(
        "Deltagare", ("Namn", "Verksamhet", "Roll"),
        tuple((_text(p.get("name")), _org(p.get("organisation")) or "–", _text(p.get("role")))
              for p in _rows(data.get("participants"))),
        (3.0, 3.6, 3.0), empty="Inga deltagare angivna.")
    parts = tuple(Part(i, title, tuple(blocks), f"del-{i}") for i, (title, blocks) in enumerate(_parts(data), start=1))
    return PlanDocument(
        title=DOCUMENT_TITLE,
        status=status or status_label(submission),
        submitted=submission is not None,
        person=_text(concerns.get("name")),
        header=Fields(tuple(header)),
        participants=participants,
        authors=_authors(data, name),
        parts=parts,
        feedback=feedback if appendix else None,
        printed=local_time().strftime("%Y-%m-%d %H:%M"),
    )


# --- HTML ----------------------------------------------------------------------------------------------------------
def plan_html(data: dict, feedback: Feedback | None, *, name: str = "", title: str = "", submission=None,
              status: str = "", appendix: bool = True) -> str:
    """The document as a standalone, print-friendly HTML page (lang="sv"); every text typed is escaped.
    Raises ExportTooLarge for a plan over the limits."""
    check_size(data)
    doc = plan_document(data, feedback, name=name, submission=submission, status=status, appendix=appendix)
    page_title = title or " – ".join(t for t in ("SIP", doc.person, doc.status) if t)
    return render("plan.html.j2", doc=doc, page_title=page_title, not_filled=NOT_FILLED)


# --- PDF -----------------------------------------------------------------------------------------------------------
def font_path() -> Path:
    """A Unicode TTF that ships with matplotlib (a dependency), so å, ä and ö print everywhere."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def plan_pdf(data: dict, feedback: Feedback | None, *, name: str = "", title: str = "", submission=None,
             status: str = "", appendix: bool = True) -> bytes:
    """The same document as an A4 PDF with a running footer (whom, status, page n of m) and a bookmark per part.
    Raises ExportTooLarge for a plan over the limits (a 9 MB text took 71 s of CPU)."""
    check_size(data)
    from sipkurs.pdfdoc import render_pdf

    doc = plan_document(data, feedback, name=name, submission=submission, status=status, appendix=appendix)
    return render_pdf(doc, title or " – ".join(t for t in ("SIP", doc.person, doc.status) if t), font_path())


# --- plan.json for the nbgrader course -------------------------------------------------------------------------------
class PlanExportError(ValueError):
    """The draft is not yet a valid plan; ``str()`` is one Swedish line naming the field(s)."""


def plan_json(data: dict) -> bytes:
    """The plan as the plan file the nbgrader course reads (``graders.planfile``: format "sipkurs-plan", version 1),
    UTF-8 JSON with the scenario id of the participant's own variant. Raises PlanExportError for a draft that is not a
    valid plan yet (one Swedish line: the first problem, as the plan file reader words it)."""
    import json

    from graders.planfile import PlanFileError, dump_plan, parse_plan
    from graders.plan import PLAN_FORMAT, PLAN_VERSION

    data = {"format": PLAN_FORMAT, "version": PLAN_VERSION, **(data if isinstance(data, dict) else {})}
    try:
        plan = parse_plan(json.dumps(data, ensure_ascii=False, default=str), "plan.json")
    except PlanFileError as exc:
        raise PlanExportError(f"planen kan inte sparas som plan.json ännu: {exc.reason}") from None
    return dump_plan(plan).encode("utf-8")
