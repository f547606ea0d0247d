"""The default interview: questions made from a case's own data, so that any case works in self-study.

``complete_interview(case)`` is the interview the engine runs: the written one where the trainer wrote it, and for
every speaker without written questions (the person, or a role) questions made from the case: the person's
occupation, living, network, wishes, goals, own resources, worries, consent and needs in their own words; a role's
knowledge, mandate, priorities and time horizon; and one question per hidden item, built from its ``ask`` text.
The phrasings live in simulator/data/interview.yaml. Texts keep their {placeholders}: they are filled per variant.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from simulator.cases import (
    PERSON_TOPICS_SV,
    ROLE_TOPICS_SV,
    Case,
    Interview,
    InterviewQuestion,
    PersonInterview,
    Reveal,
    RoleCard,
    RoleInterview,
)
from simulator.datafiles import DATA_DIR, read_yaml
from simulator.models import ConsentStance

_NEGATION = re.compile(r"\b(inte|ingen|inget|inga|aldrig)\b", re.IGNORECASE)


@cache
def interview_data() -> dict[str, Any]:
    return read_yaml(DATA_DIR / "interview.yaml")


def complete_interview(case: Case) -> Interview:
    """The case's interview with defaults for every speaker who has no written questions."""
    written = case.interview or Interview()
    person = written.person if has_questions(written.person) else default_person_interview(case)
    by_org = {r.organisation: r for r in written.roles}
    roles = tuple(
        by_org[r.organisation] if r.organisation in by_org and has_questions(by_org[r.organisation])
        else default_role_interview(case, r)
        for r in case.roles
    )
    return Interview(person=person, roles=roles)


def has_questions(part: PersonInterview | RoleInterview) -> bool:
    topics = PERSON_TOPICS_SV if isinstance(part, PersonInterview) else ROLE_TOPICS_SV
    return any(getattr(part, t) for t in topics)


def is_default(case: Case, speaker: str) -> bool:
    """True when the speaker's questions are generated rather than written by the trainer."""
    written = case.interview or Interview()
    if speaker == "personen":
        return not has_questions(written.person)
    return not any(r.organisation == speaker and has_questions(r) for r in written.roles)


# --- the person ------------------------------------------------------------------------------------------------------


def default_person_interview(case: Case) -> PersonInterview:
    data = interview_data()
    p = case.person
    topics: dict[str, list[InterviewQuestion]] = {t: [] for t in PERSON_TOPICS_SV}

    def add(topic: str, qid: str, ask: list[str], answer: str, **extra: Any) -> None:
        if answer.strip():
            topics[topic].append(InterviewQuestion(id=qid, ask=tuple(ask), answer=answer.strip(), **extra))

    for q in data["person_questions"]:
        source = q["source"]
        extra: dict[str, Any] = {}
        if source == "network":
            answer = _network_answer(case) or data["no_network"]
        elif source == "consent":
            answer = p.consent.statement
            if p.consent.limit:
                answer += f" {data['consent_limit_prefix']} {p.consent.limit[:1].lower()}{p.consent.limit[1:]}"
            extra["hesitant"] = p.consent.stance is ConsentStance.tveksam
            guardian = _guardian_name(case)
            if guardian:
                extra["by"] = guardian
        else:
            value = getattr(p, source)
            answer = " ".join(value) if isinstance(value, tuple) else value
        add(q["topic"], q["id"], q["ask"], answer, **extra)

    voices: dict[str, list[str]] = {}
    for need in case.needs:
        if need.voice:
            voices.setdefault(data["area_topics"].get(need.area, "health"), []).append(need.voice)
    for topic, texts in voices.items():
        q = data["voice_questions"][topic]
        add(topic, q["id"], q["ask"], " ".join(texts))

    for i, h in enumerate(p.hidden):
        topic = _topic_for(h.ask, data["hidden_questions"]["person_topics"])
        topics[topic].append(_hidden_question(h, f"dolt_{i + 1}"))
    return PersonInterview(**{t: tuple(qs) for t, qs in topics.items()})


def _network_answer(case: Case) -> str:
    parts = []
    for m in case.person.network:
        resources = " ".join(m.resources)
        parts.append(f"{m.name}, {m.relation}." + (f" {resources}" if resources else ""))
    return " ".join(parts)


def _guardian_name(case: Case) -> str | None:
    """For a child whose guardians give consent, the first guardian answers the consent question."""
    if case.person.consent.given_by != "vårdnadshavarna":
        return None
    for m in case.person.network:
        if m.role.value == "vardnadshavare":
            return m.relation
    return None


# --- the roles -------------------------------------------------------------------------------------------------------


def default_role_interview(case: Case, role: RoleCard) -> RoleInterview:
    data = interview_data()
    topics: dict[str, list[InterviewQuestion]] = {t: [] for t in ROLE_TOPICS_SV}
    for q in data["role_questions"]:
        if q["source"] == "mandate_limits":
            answer = " ".join(s for s in _sentences(role.mandate) if _NEGATION.search(s)) or data["no_limits"]
        else:
            answer = getattr(role, q["source"])
        topics[q["topic"]].append(InterviewQuestion(id=q["id"], ask=tuple(q["ask"]), answer=first_person(answer)))
    for i, h in enumerate(role.hidden):
        topic = _topic_for(h.ask, data["hidden_questions"]["role_topics"])
        topics[topic].append(_hidden_question(h, f"dolt_{i + 1}", role=True))
    return RoleInterview(organisation=role.organisation, **{t: tuple(qs) for t, qs in topics.items()})


# --- shared ----------------------------------------------------------------------------------------------------------


def _hidden_question(h: Reveal, qid: str, *, role: bool = False) -> InterviewQuestion:
    data = interview_data()["hidden_questions"]
    ask = h.ask.strip().rstrip("?.")
    clause = ask.split(" ", 1)[0].casefold() in data["clause_words"]
    phrasings = [t.replace("{ask}", ask) for t in data["ask_clause" if clause else "ask"]]
    answer = first_person(h.text) if role else h.text
    return InterviewQuestion(id=qid, ask=tuple(dict.fromkeys(_capitalise(x) for x in phrasings)), answer=answer,
                             reveals=(h.ask,))


def first_person(text: str) -> str:
    """A role card's second person ("Du beslutar …") as the role's own voice ("Jag beslutar …")."""
    words = interview_data()["first_person"]
    return re.sub(r"\b\w+\b", lambda m: words.get(m.group(0), m.group(0)), text)


def _topic_for(ask: str, topic_words: dict[str, list[str]]) -> str:
    words = ask.casefold()
    for topic, keys in topic_words.items():
        if any(re.search(rf"\b{re.escape(k)}", words) for k in keys):
            return topic
    return list(topic_words)[-1]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|;\s*", text) if s.strip()]


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]
