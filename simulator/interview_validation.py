"""The domain checks of a case's written interview (Case.interview), as (field path, Swedish message) pairs.

Called from simulator.case_validation.domain_errors, which places every path at its line and column. The schema
(ids, types, unknown topics) is pydantic's; here is what the schema cannot say:

- every role interview belongs to a role card of the case, once; ``by`` is only for the person and names someone
  in the person's network;
- question ids are unique per speaker, and so are phrasings (the free-text matcher could not tell them apart);
- ``after`` names earlier questions of the same speaker, never itself, never in a circle (a question behind a circle
  could never be asked);
- ``reveals`` names a hidden item of the same speaker by its ``ask`` text, and every hidden item of a speaker with a
  written interview is revealed by at least one question, so it can be found;
- consent is part of the conversation: a written person interview has a consent question; a hesitant consent
  (stance ``tveksam``) hesitates in at least one answer; the consent's limit is said in the consent answers; and when
  the guardians give consent, a guardian answers;
- answers do not give the facit away (the same rules as for the cards, see case_validation.leaks).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from simulator.cases import PERSON_ROLE, PERSON_TOPICS_SV, ROLE_TOPICS_SV, Case, InterviewQuestion, Reveal
from simulator.catalogue import Catalogue
from simulator.interview_defaults import has_questions, interview_data
from simulator.models import ConsentStance, NetworkRole

Errors = list[tuple[str, str]]
_STEM = 5  # words compared by their first letters: "arbetsgivaren" and "arbetsgivare" are the same word here


def interview_errors(case: Case, catalogue: Catalogue) -> Errors:
    """Every problem of the case's written interview; [] when the case has none (defaults are always valid)."""
    if case.interview is None:
        return []
    errs: Errors = []
    errs += _role_links(case)
    for base, speaker, questions, hidden in speakers(case):
        errs += _questions(base, speaker, questions, hidden, case)
    if has_questions(case.interview.person):
        errs += _consent(case)
    errs += _answer_leaks(case, catalogue)
    return errs


def speakers(case: Case) -> Iterator[tuple[str, str, list[tuple[str, InterviewQuestion]], tuple[Reveal, ...]]]:
    """(path of the speaker's part, speaker id, [(path, question)], the speaker's hidden items) for written parts."""
    assert case.interview is not None
    person = case.interview.person
    yield ("interview.person", PERSON_ROLE, _with_paths("interview.person", person, PERSON_TOPICS_SV),
           case.person.hidden)
    role_ids = set(case.role_ids)
    for i, r in enumerate(case.interview.roles):
        if r.organisation in role_ids:
            base = f"interview.roles[{i}]"
            yield base, r.organisation, _with_paths(base, r, ROLE_TOPICS_SV), case.role(r.organisation).hidden


def _with_paths(base: str, part, topics: dict[str, str]) -> list[tuple[str, InterviewQuestion]]:
    return [(f"{base}.{t}[{j}]", q) for t in topics for j, q in enumerate(getattr(part, t))]


def _role_links(case: Case) -> Errors:
    errs: Errors = []
    seen: set[str] = set()
    for i, r in enumerate(case.interview.roles):
        path = f"interview.roles[{i}].organisation"
        if r.organisation == PERSON_ROLE:
            errs.append((path, "personens frågor skrivs under interview.person, inte som en roll"))
        elif r.organisation not in case.role_ids:
            close = difflib.get_close_matches(r.organisation, list(case.role_ids), n=1)
            hint = f" (menar du '{close[0]}'?)" if close else ""
            errs.append((path, f"fallet har inget rollkort för '{_q(r.organisation)}'{hint}"))
        elif r.organisation in seen:
            errs.append((path, f"rollen '{_q(r.organisation)}' har redan en intervju i fallet"))
        seen.add(r.organisation)
        for j, q in _with_paths(f"interview.roles[{i}]", r, ROLE_TOPICS_SV):
            if q.by is not None:
                errs.append((f"{j}.by", "by används bara i personens intervju (en närstående som svarar)"))
    return errs


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _q(text: str, limit: int = 80) -> str:
    """A trainer's text quoted in a one-line message: whitespace collapsed, long texts shortened."""
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"


def _questions(base: str, speaker: str, questions: list[tuple[str, InterviewQuestion]], hidden: tuple[Reveal, ...],
               case: Case) -> Errors:
    errs: Errors = []
    ids: dict[str, str] = {}
    phrasings: dict[str, str] = {}
    for path, q in questions:
        if q.id in ids:
            errs.append((f"{path}.id", f"frågan '{q.id}' finns redan ({ids[q.id]})"))
        ids.setdefault(q.id, path)
        for k, a in enumerate(q.ask):
            key = _norm(a)
            if key in phrasings and phrasings[key] != q.id:
                errs.append((f"{path}.ask[{k}]", f"samma formulering finns redan i frågan '{phrasings[key]}'"))
            phrasings.setdefault(key, q.id)

    hidden_by_ask = {_norm(h.ask): h for h in hidden}
    revealed: set[str] = set()
    for path, q in questions:
        for k, ref in enumerate(q.reveals):
            if _norm(ref) in hidden_by_ask:
                revealed.add(_norm(ref))
                continue
            who = "personen" if speaker == PERSON_ROLE else f"rollen {speaker}"
            if not hidden:
                errs.append((f"{path}.reveals[{k}]", f"{who} har ingen dold information (hidden) att avslöja"))
                continue
            close = difflib.get_close_matches(ref, [h.ask for h in hidden], n=1, cutoff=0.4)
            hint = f" (menar du '{_q(close[0])}'?)" if close else ""
            errs.append((f"{path}.reveals[{k}]", f"ingen dold information hos {who} har ask '{_q(ref)}'{hint}"))
        for k, ref in enumerate(q.after):
            if ref == q.id:
                errs.append((f"{path}.after[{k}]", "en fråga kan inte komma efter sig själv"))
            elif ref not in ids:
                close = difflib.get_close_matches(ref, list(ids), n=1)
                hint = f" (menar du '{close[0]}'?)" if close else ""
                errs.append((f"{path}.after[{k}]", f"okänd fråga '{_q(ref)}'{hint}; after ska peka på en fråga till samma svarande"))
        if q.by is not None and not _names_network_member(q.by, case):
            errs.append((f"{path}.by", f"'{_q(q.by)}' finns inte i personens nätverk; skriv en närståendes namn eller relation"))

    errs += _circles(questions, set(ids))
    written = [q for _, q in questions]
    if written:
        for i, h in enumerate(hidden):
            if _norm(h.ask) not in revealed:
                where = "person.hidden" if speaker == PERSON_ROLE else f"roles[{case.role_ids.index(speaker)}].hidden"
                errs.append((base, f"ingen fråga avslöjar den dolda informationen '{_q(h.ask)}' ({where}[{i}]); "
                                   "lägg till en fråga med reveals"))
    return errs


def _circles(questions: list[tuple[str, InterviewQuestion]], known: set[str]) -> Errors:
    """A question whose follow-up chain leads back to itself can never be asked."""
    after = {q.id: [a for a in q.after if a in known and a != q.id] for _, q in questions}
    path_of = {q.id: path for path, q in reversed(questions)}
    reachable: set[str] = set()
    changed = True
    while changed:
        changed = False
        for qid, deps in after.items():
            if qid not in reachable and all(d in reachable for d in deps):
                reachable.add(qid)
                changed = True
    return [(f"{path_of[qid]}.after", f"frågan '{qid}' kan aldrig ställas: följdfrågorna bildar en cirkel")
            for qid in after if qid not in reachable]


def _names_network_member(by: str, case: Case) -> bool:
    wanted = by.casefold().strip()
    for m in case.person.network:
        first = m.name.split(" ", 1)[0]
        if wanted in (m.name.casefold(), m.relation.casefold(), first.casefold()):
            return True
    return False


def _stems(text: str) -> set[str]:
    return {w[:_STEM] for w in _norm(text).split() if len(w) >= _STEM}


def _consent(case: Case) -> Errors:
    person = case.interview.person
    consent = case.person.consent
    path = "interview.person.consent"
    if not person.consent:
        return [(path, "personens intervju behöver minst en fråga om samtycket: vad får delas och med vem")]
    errs: Errors = []
    if consent.stance is ConsentStance.tveksam and not any(q.hesitant for q in person.consent):
        errs.append((path, "samtycket är tveksamt (person.consent.stance), men inget svar tvekar; "
                           "skriv hesitant: true på ett svar som tvekar"))
    if consent.limit:
        common = {w[:_STEM] for w in interview_data()["consent_limit_common"]}
        wanted = _stems(consent.limit) - common
        said = set().union(*(_stems(q.answer) for q in person.consent))
        missing = wanted - said
        if wanted and len(missing) > len(wanted) / 2:
            errs.append((path, f"samtyckets begränsning ('{_q(consent.limit)}') sägs inte i något svar om samtycket"))
    if consent.given_by == "vårdnadshavarna":
        guardians = [m for m in case.person.network if m.role is NetworkRole.vardnadshavare]
        by_guardian = any(q.by and any(q.by.casefold() in (m.name.casefold(), m.relation.casefold(),
                                                           m.name.split(" ", 1)[0].casefold()) for m in guardians)
                          for q in person.consent)
        if guardians and not by_guardian:
            errs.append((path, "vårdnadshavarna lämnar samtycket: låt en vårdnadshavare svara (by: mamma, pappa …)"))
    return errs


def _answer_leaks(case: Case, catalogue: Catalogue) -> Errors:
    """Answers are cards too: they may not give the facit away (case_validation.leaks has the rules)."""
    from simulator.case_validation import LEAK_SHINGLE_WORDS, _norm as leak_norm, _shingles

    errs: Errors = []
    in_place = {c.effort for c in case.person.current_efforts}
    facit_shingles = _shingles(case.facit.text, LEAK_SHINGLE_WORDS)
    expected = dict.fromkeys(e for n in case.needs for e in n.expected_efforts
                             if e in catalogue.effort_by_id and e not in in_place)
    for _, speaker, questions, _ in speakers(case):
        org = None if speaker == PERSON_ROLE else speaker
        for path, q in questions:
            norm = f" {leak_norm(q.answer)} "
            common = _shingles(q.answer, LEAK_SHINGLE_WORDS) & facit_shingles
            if common:
                errs.append((f"{path}.answer", f"svaret avslöjar facit: det upprepar '{_q(sorted(common)[0])}' ur facit"))
            for e in expected:
                effort = catalogue.effort(e)
                if org is not None and org in effort.providers:
                    continue
                if f" {leak_norm(effort.name)} " in norm:
                    errs.append((f"{path}.answer", f"svaret avslöjar facit: det nämner den förväntade insatsen '{effort.name}'"))
            for n in case.needs:
                if len(leak_norm(n.description).split()) >= 4 and f" {leak_norm(n.description)} " in norm:
                    errs.append((f"{path}.answer", f"svaret avslöjar facit: det upprepar behovet '{n.id}' ordagrant"))
    return errs
