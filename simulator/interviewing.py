"""Self-study interviews: one participant talks to the simulated person and the roles of one case variant.

Pure Python, no widgets and no store: the app shows ``menu`` and the answers, and persists ``to_dict()`` (JSON-ready)
in its own store after every question, so that a reload or a dead kernel loses nothing (``from_dict`` rebuilds the
session). The state is the log of questions asked; what is available, asked and revealed is derived from it.

Progressive disclosure: a question with ``after`` appears only once the questions it follows have been answered,
and a hidden item (``hidden:`` of the person or a role) is revealed only by a question that ``reveals`` it.
Typed questions are matched only against the questions available now, so a follow-up cannot be skipped to.

    session = InterviewSession(case, variant=3, human_roles={"socialtjanst_vuxen"})
    session.menu("personen")                      # topics with the questions available now
    session.ask("personen", "pengar")             # an Answer, with what it revealed and which follow-ups it opened
    session.ask_text("personen", "har du skulder?")  # a TextReply: answer, "Menade du …?" or no match
    state = session.to_dict(); InterviewSession.from_dict(state, case)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.cases import (
    PERSON_ROLE,
    PERSON_TOPICS_SV,
    ROLE_TOPICS_SV,
    Case,
    Interview,
    InterviewQuestion,
    Reveal,
    person_values,
)
from simulator.catalogue import load_catalogue
from simulator.interview_defaults import complete_interview, first_person
from simulator.interview_matching import Decision, Match, QuestionIndex, decide
from simulator.texts import fill

STATE_FORMAT = "sipkurs-intervju"
STATE_VERSION = 1


class InterviewError(ValueError):
    """A question or speaker that does not exist or cannot be asked now; the message is Swedish."""


@dataclass(frozen=True)
class Speaker:
    id: str  # "personen" or the role's organisation id
    name: str  # what the participant sees: the person's name, or the organisation and title
    title: str  # "personen", or the role's title ("distriktssköterska")


@dataclass(frozen=True)
class HiddenFact:
    key: str  # "<speaker>:<index in that speaker's hidden list>", stable for analytics
    speaker: str
    ask: str  # what one needs to ask about (filled)
    text: str  # what is told (filled)


@dataclass(frozen=True)
class MenuQuestion:
    id: str
    text: str  # the first phrasing, filled
    asked: bool
    follow_up: bool  # it appeared after an earlier answer


@dataclass(frozen=True)
class MenuTopic:
    topic: str  # the field name: everyday, health … or knows, offers …
    label: str  # Swedish heading
    questions: tuple[MenuQuestion, ...]


@dataclass(frozen=True)
class Answer:
    speaker: str
    question_id: str
    question: str  # the menu text of the question
    text: str  # the answer, filled for the variant
    by: str | None  # who answers when not the person (a guardian), filled
    hesitant: bool
    revealed: tuple[HiddenFact, ...]  # hidden items this answer revealed for the first time
    opened: tuple[MenuQuestion, ...]  # follow-up questions that appeared with this answer
    repeated: bool  # asked before: nothing new is revealed


@dataclass(frozen=True)
class Suggestion:
    question_id: str
    text: str
    score: float


@dataclass(frozen=True)
class TextReply:
    kind: str  # "answer", "suggest" or "none"
    message: str  # what to show above the answer or the suggestions (Swedish)
    answer: Answer | None = None
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class MissedFact:
    fact: HiddenFact
    questions: tuple[str, ...]  # the shortest path of questions (menu texts) that reveals it, in order


@dataclass
class _SpeakerData:
    questions: dict[str, InterviewQuestion]  # id -> question, in menu order
    topic_of: dict[str, str]
    hidden: tuple[Reveal, ...]
    index: QuestionIndex | None = None


@dataclass
class LogEntry:
    """One question put to a speaker, by menu or typed; the trainer's analytics read these."""

    time: str  # ISO 8601, UTC, seconds
    speaker: str
    kind: str  # "menu", "answer" (typed, matched), "suggest" (typed, closest offered) or "none" (typed, no match)
    question: str | None = None  # the question answered (menu, answer) or the best guess (suggest)
    text: str | None = None  # what the participant typed
    score: float | None = None
    suggestions: list[str] = field(default_factory=list)
    revealed: list[str] = field(default_factory=list)  # HiddenFact keys revealed by this question

    @property
    def answered(self) -> bool:
        return self.kind in ("menu", "answer") and self.question is not None


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


class InterviewSession:
    """One participant's interview with one case variant."""

    def __init__(self, case: Case, variant: int = 0, *, human_roles: Iterable[str] = (),
                 clock: Callable[[], str] = _now) -> None:
        self.case = case
        self.variant = variant
        self.human_roles = tuple(sorted(set(human_roles)))
        unknown = set(self.human_roles) - {PERSON_ROLE, *case.role_ids}
        if unknown:
            raise InterviewError(f"okänd roll i fallet {case.id}: {', '.join(sorted(unknown))}")
        self._clock = clock
        self.person = case.variant(variant).person
        self._values = person_values(self.person)
        self.interview: Interview = complete_interview(case)
        self._data: dict[str, _SpeakerData] = {}
        self._add_speaker(PERSON_ROLE, self.interview.person, PERSON_TOPICS_SV, case.person.hidden)
        for r in self.interview.roles:
            self._add_speaker(r.organisation, r, ROLE_TOPICS_SV, case.role(r.organisation).hidden)
        self.log: list[LogEntry] = []

    def _add_speaker(self, speaker: str, part, topics: dict[str, str], hidden: tuple[Reveal, ...]) -> None:
        questions: dict[str, InterviewQuestion] = {}
        topic_of: dict[str, str] = {}
        for t in topics:
            for q in getattr(part, t):
                questions[q.id] = q
                topic_of[q.id] = t
        self._data[speaker] = _SpeakerData(questions, topic_of, hidden)

    # --- who can be asked ----------------------------------------------------------------------------------------
    def speakers(self) -> list[Speaker]:
        """The person and every role no human plays, in the case's order."""
        cat = load_catalogue()
        out = []
        if PERSON_ROLE not in self.human_roles:
            out.append(Speaker(PERSON_ROLE, self.person.full_name, "personen"))
        for r in self.case.roles:
            if r.organisation not in self.human_roles:
                org = cat.organisation(r.organisation).name if r.organisation in cat.organisation_by_id else r.organisation
                out.append(Speaker(r.organisation, f"{org} ({self._fill(r.title)})", self._fill(r.title)))
        return out

    def _speaker(self, speaker: str) -> _SpeakerData:
        if speaker not in self._data:
            raise InterviewError(f"'{speaker}' finns inte i fallet {self.case.id}")
        if speaker in self.human_roles:
            raise InterviewError(f"'{speaker}' spelas av en deltagare i gruppen; fråga hen direkt")
        return self._data[speaker]

    # --- the menu -------------------------------------------------------------------------------------------------
    def asked(self, speaker: str) -> set[str]:
        return {e.question for e in self.log if e.speaker == speaker and e.answered}

    def available(self, speaker: str) -> list[str]:
        """Question ids the participant can ask now: every question whose follow-up conditions are met."""
        data = self._speaker(speaker)
        asked = self.asked(speaker)
        return [qid for qid, q in data.questions.items() if all(a in asked for a in q.after)]

    def menu(self, speaker: str) -> list[MenuTopic]:
        data = self._speaker(speaker)
        asked = self.asked(speaker)
        available = set(self.available(speaker))
        labels = PERSON_TOPICS_SV if speaker == PERSON_ROLE else ROLE_TOPICS_SV
        out = []
        for topic, label in labels.items():
            items = tuple(self._menu_question(data, qid, asked) for qid in data.questions
                          if data.topic_of[qid] == topic and qid in available)
            if items:
                out.append(MenuTopic(topic, label, items))
        return out

    def _menu_question(self, data: _SpeakerData, qid: str, asked: set[str]) -> MenuQuestion:
        q = data.questions[qid]
        return MenuQuestion(qid, self._fill(q.ask[0]), qid in asked, bool(q.after))

    # --- asking ---------------------------------------------------------------------------------------------------
    def ask(self, speaker: str, question_id: str) -> Answer:
        """Ask a question from the menu; raises InterviewError if it is unknown or not available yet."""
        return self._answer(speaker, question_id, LogEntry(self._clock(), speaker, "menu", question_id))

    def _answer(self, speaker: str, question_id: str, entry: LogEntry) -> Answer:
        data = self._speaker(speaker)
        if question_id not in data.questions:
            raise InterviewError(f"'{speaker}' har ingen fråga '{question_id}'")
        if question_id not in self.available(speaker):
            raise InterviewError("den frågan går inte att ställa än: den är en följdfråga till ett svar du inte har fått")
        q = data.questions[question_id]
        repeated = question_id in self.asked(speaker)
        before_facts = {f.key for f in self.revealed()}
        before_menu = set(self.available(speaker))
        entry.revealed = [k for k in self._reveals(speaker, q) if k not in before_facts]
        self.log.append(entry)
        opened = tuple(self._menu_question(data, qid, self.asked(speaker))
                       for qid in self.available(speaker) if qid not in before_menu)
        facts = {f.key: f for f in self._facts(speaker)}
        return Answer(
            speaker=speaker, question_id=question_id, question=self._fill(q.ask[0]), text=self._fill(q.answer),
            by=self._fill(q.by) if q.by else None, hesitant=q.hesitant,
            revealed=tuple(facts[k] for k in entry.revealed), opened=opened, repeated=repeated,
        )

    def transcript(self) -> list[Answer]:
        """Every answered question so far, in order, as the participant saw them (nothing is asked again)."""
        out = []
        for entry in self.log:
            if not entry.answered or entry.speaker not in self._data:
                continue
            q = self._data[entry.speaker].questions.get(entry.question)
            if q is None:
                continue
            out.append(Answer(
                speaker=entry.speaker, question_id=entry.question, question=self._fill(q.ask[0]),
                text=self._fill(q.answer), by=self._fill(q.by) if q.by else None, hesitant=q.hesitant,
                revealed=(), opened=(), repeated=False,
            ))
        return out

    def ask_text(self, speaker: str, text: str) -> TextReply:
        """A question in the participant's own words, matched to the questions available now."""
        data = self._speaker(speaker)
        if data.index is None:
            names = {self.person.given_name, self.person.family_name, self._values["namns"]}
            data.index = QuestionIndex({qid: (tuple(self._fill(a) for a in q.ask), self._fill(q.answer))
                                        for qid, q in data.questions.items()}, ignore=frozenset(names))
        decision = self._decide(data, speaker, data.index.rank(text))
        top = decision.matches[0] if decision.matches else None
        entry = LogEntry(self._clock(), speaker, decision.kind, top.key if top else None, text.strip()[:500],
                         top.score if top else None, [m.key for m in decision.matches] if decision.kind == "suggest" else [])
        if decision.kind == "answer":
            return TextReply("answer", "", answer=self._answer(speaker, top.key, entry))
        self.log.append(entry)
        if decision.kind == "suggest":
            suggestions = tuple(Suggestion(m.key, self._fill(data.questions[m.key].ask[0]), m.score)
                                for m in decision.matches)
            return TextReply("suggest", "Menade du …?", suggestions=suggestions)
        return TextReply("none", "Jag förstår inte riktigt frågan. Försök med andra ord, eller välj en fråga i listan.")

    def _decide(self, data: _SpeakerData, speaker: str, ranked: list[Match]) -> Decision:
        """Decide on a ranking of every question, asking only what is available now.

        A follow-up that is not available yet stands in the ranking as the question that opens it, and is then only
        suggested, never answered: typing the follow-up leads to the earlier question instead of skipping it.
        """
        available = set(self.available(speaker))
        asked = self.asked(speaker)
        scores: dict[str, float] = {}
        for m in ranked:
            key = m.key
            if key not in available:
                key = next((q for q in self._path(data, m.key) if q in available and q not in asked), None)
            if key is not None and key not in scores:
                scores[key] = m.score
        decision = decide([Match(k, v) for k, v in scores.items()])
        if decision.kind == "answer" and ranked and ranked[0].key not in available:
            return Decision("suggest", decision.matches)
        return decision

    # --- hidden information ---------------------------------------------------------------------------------------
    def _reveals(self, speaker: str, q: InterviewQuestion) -> list[str]:
        wanted = {" ".join(r.casefold().split()) for r in q.reveals}
        return [f"{speaker}:{i}" for i, h in enumerate(self._data[speaker].hidden)
                if " ".join(h.ask.casefold().split()) in wanted]

    def _facts(self, speaker: str) -> list[HiddenFact]:
        voice = (lambda t: t) if speaker == PERSON_ROLE else first_person  # role cards say "du"; the role says "jag"
        return [HiddenFact(f"{speaker}:{i}", speaker, self._fill(h.ask), self._fill(voice(h.text)))
                for i, h in enumerate(self._data[speaker].hidden)]

    def hidden_facts(self) -> list[HiddenFact]:
        """Every hidden item of the speakers that can be interviewed."""
        return [f for s in self._interviewable() for f in self._facts(s)]

    def revealed(self) -> list[HiddenFact]:
        keys = {k for e in self.log for k in e.revealed}
        return [f for s in self._data for f in self._facts(s) if f.key in keys]

    def missed(self) -> list[MissedFact]:
        """Hidden items never revealed, each with the questions that would have found it."""
        found = {f.key for f in self.revealed()}
        out = []
        for s in self._interviewable():
            data = self._data[s]
            for fact in self._facts(s):
                if fact.key in found:
                    continue
                paths = [self._path(data, qid) for qid, q in data.questions.items() if fact.key in self._reveals(s, q)]
                best = min(paths, key=len) if paths else []
                out.append(MissedFact(fact, tuple(self._fill(data.questions[q].ask[0]) for q in best)))
        return out

    def _path(self, data: _SpeakerData, qid: str) -> list[str]:
        """qid and every question before it in its follow-up chain, earliest first."""
        order: list[str] = []

        def visit(x: str) -> None:
            for a in data.questions[x].after:
                if a in data.questions and a not in order:
                    visit(a)
            if x not in order:
                order.append(x)

        visit(qid)
        return order

    def _interviewable(self) -> list[str]:
        return [s for s in self._data if s not in self.human_roles]

    # --- state ----------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"format": STATE_FORMAT, "version": STATE_VERSION, "case_id": self.case.id, "variant": self.variant,
                "human_roles": list(self.human_roles), "log": [asdict(e) for e in self.log]}

    @classmethod
    def from_dict(cls, state: dict[str, Any], case: Case | None = None, *, clock: Callable[[], str] = _now) -> InterviewSession:
        """Rebuild a session from to_dict(); the case comes from the library when not given."""
        if not isinstance(state, dict) or state.get("format") != STATE_FORMAT:
            raise InterviewError("sparat intervjuläge har fel format")
        if state.get("version") != STATE_VERSION:
            raise InterviewError(f"sparat intervjuläge har version {state.get('version')}; den här versionen läser {STATE_VERSION}")
        if case is None:
            from simulator.library import load_library

            case = load_library().get(state["case_id"])
            if case is None:
                raise InterviewError(f"fallet '{state['case_id']}' finns inte i fallbiblioteket")
        elif case.id != state["case_id"]:
            raise InterviewError(f"sparat intervjuläge gäller fallet '{state['case_id']}', inte '{case.id}'")
        session = cls(case, int(state["variant"]), human_roles=state.get("human_roles", ()), clock=clock)
        fields = set(LogEntry.__dataclass_fields__)
        for raw in state.get("log", []):
            entry = LogEntry(**{k: v for k, v in raw.items() if k in fields})
            if entry.speaker in session._data:  # a role removed from the case since: its questions are dropped
                session.log.append(entry)
        return session

    # --- texts ----------------------------------------------------------------------------------------------------
    def _fill(self, text: str) -> str:
        return fill(text, self._values)


def revealed_keys(state: dict[str, Any]) -> set[str]:
    """The hidden items a saved session revealed ("personen:0", "vuxenpsykiatri:1" …), without loading the case:
    for the trainer's overview of many participants."""
    return {k for e in state.get("log", []) for k in e.get("revealed", [])}


def hidden_keys(case: Case, human_roles: Iterable[str] = ()) -> dict[str, str]:
    """Every hidden item of a case that an interview can reveal: key -> its ask text (unfilled), for analytics."""
    humans = set(human_roles)
    out = {f"{PERSON_ROLE}:{i}": h.ask for i, h in enumerate(case.person.hidden)} if PERSON_ROLE not in humans else {}
    for r in case.roles:
        if r.organisation not in humans:
            out.update({f"{r.organisation}:{i}": h.ask for i, h in enumerate(r.hidden)})
    return out

