"""What every check sees: the plan, the scenario (or None), the catalogue, and text views computed once."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from graders import language as lang
from graders.plan import Plan
from graders.substance import Gap, copies, denies, gap, negates
from simulator.catalogue import Catalogue, load_catalogue
from simulator.models import Scenario

WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def filled(text: str | None) -> bool:
    """Text with at least one letter (whitespace or punctuation alone is not an answer)."""
    return bool(text) and WORD.search(text) is not None


VOICES = frozenset({"vad som är viktigt för personen", "önskemål"})


@lru_cache(maxsize=4096)
def _pasted(texts: tuple[tuple[str, str], ...]) -> frozenset[str]:
    out: set[str] = set()
    for keys in copies(dict(texts)):
        goals = [k for k in keys if k.startswith("mål ")]
        if len(goals) <= 1 and all(k in VOICES or k in goals for k in keys):
            continue  # the person's own words as a wish and as their own goal
        out.update(keys)
    return frozenset(out)


@dataclass
class Context:
    plan: Plan
    scenario: Scenario | None = None
    catalogue: Catalogue | None = None

    def __post_init__(self) -> None:
        if self.catalogue is None:
            self.catalogue = load_catalogue()
        self._row_gaps: dict[tuple, Gap] = {}

    @cached_property
    def prose(self) -> list[str]:
        """Every free text a participant wrote, as the person would read it, in the plan document's order."""
        p = self.plan
        texts = [
            p.consent.scope, p.person_participation, p.relatives_involvement, *p.meeting_questions,
            p.current_situation, p.what_matters, *(n.text for n in p.needs), p.own_resources, p.relatives_resources,
            p.wishes, *(t for g in p.goals for t in (g.text, g.measure)), *(e.what for e in p.efforts),
            p.other_actors_note, *(a.what for a in p.own_actions), p.follow_up.evaluate, p.if_plan_fails,
        ]
        return [t for t in texts if filled(t)]

    @cached_property
    def fields(self) -> dict[str, str]:
        """The plan's single free-text fields by their Swedish label (the ones a participant might paste into)."""
        p = self.plan
        return {
            "aktuell situation": p.current_situation, "vad som är viktigt för personen": p.what_matters,
            "egna resurser": p.own_resources, "närståendes resurser": p.relatives_resources, "önskemål": p.wishes,
            "personens delaktighet": p.person_participation, "närståendes medverkan": p.relatives_involvement,
            "om planen inte fungerar": p.if_plan_fails, "andra aktörer": p.other_actors_note,
            "samtyckets omfattning": p.consent.scope, "vad uppföljningen utvärderar": p.follow_up.evaluate,
        }

    @cached_property
    def copied(self) -> frozenset[str]:
        """The labels of texts pasted into another field word for word: the single fields and the rows of needs,
        goals and efforts ("behov B1", "mål M1", "insats I1"). A goal may repeat the person's words from the wishes."""
        p = self.plan
        texts = dict(self.fields)
        texts |= {f"behov {n.id}": n.text for n in p.needs} | {f"insats {e.id}": e.what for e in p.efforts}
        texts |= {f"mål {g.id}": g.text for g in p.goals}
        return _pasted(tuple(texts.items()))

    def gap(self, label: str, echo: tuple[str, ...] = (), *, deniable: bool = True, negatable: bool = False,
            **limits) -> Gap:
        """Why the text ``label`` (a key of ``fields``) is not yet an answer; Gap.none if it is. ``deniable``: a text
        saying there is nothing ("Inget.", "Inga behov finns") is no answer; ``negatable``: neither is one that
        negates the rule's own word ("Elvis var inte delaktig")."""
        text = self.fields[label]
        found = gap(text, echo, **limits)
        if found is not Gap.none:
            return found
        if (deniable and denies(text)) or (negatable and echo and negates(text, echo)):
            return Gap.negated
        return Gap.copy if label in self.copied else Gap.none

    def row_gap(self, label: str, text: str, echo: tuple[str, ...], **limits) -> Gap:
        """The same for a row of needs, goals or efforts ("behov B1"); asked by several rules, computed once."""
        key = (label, text, echo, tuple(sorted(limits.items())))
        if key not in self._row_gaps:
            self._row_gaps[key] = self._row_gap(label, text, echo, **limits)
        return self._row_gaps[key]

    def _row_gap(self, label: str, text: str, echo: tuple[str, ...], **limits) -> Gap:
        found = gap(text, echo, **limits)
        if found is not Gap.none:
            return found
        if denies(text, rows=True, need=label.startswith("behov ")):
            return Gap.negated
        return Gap.copy if label in self.copied else Gap.none

    @cached_property
    def case(self):
        """The library case behind the scenario (role cards, worries, hidden information, facit), or None."""
        if self.scenario is None:
            return None
        from simulator.cases import VARIANT_SEPARATOR  # noqa: PLC0415
        from simulator.library import load_library  # noqa: PLC0415

        case_id = self.scenario.id.partition(VARIANT_SEPARATOR)[0]
        try:
            case = load_library().get(case_id)
        except Exception:  # noqa: BLE001 - a broken library must not stop grading; the scenario still holds the truth
            return None
        return case if case is not None and case.id == self.scenario.archetype else None

    @cached_property
    def all_lemmas(self) -> frozenset[str]:
        return frozenset(lang.lemmas(self.all_text))

    @cached_property
    def all_text(self) -> str:
        """Everything the plan says, short fields (names, roles, timings) too, in the plan document's order: where a
        word is first used is where a reader meets it."""
        p = self.plan
        texts = [
            p.concerns.name, p.consent.given_by, p.consent.scope, p.consent.recorded, p.initiator, p.chair,
            *(f"{x.name} {x.role}" for x in p.participants), p.person_participation, p.relatives_involvement,
            *p.meeting_questions, p.current_situation, p.what_matters, *(n.text for n in p.needs), p.own_resources,
            p.relatives_resources, p.wishes, *(t for g in p.goals for t in (g.text, g.measure)),
            *(f"{e.what} {e.when}" for e in p.efforts), p.other_actors_note, *(f"{a.who} {a.what}" for a in p.own_actions),
            p.overall_responsibility.person, *(f"{c.name} {c.reach}" for c in p.contacts), p.follow_up.called_by,
            p.follow_up.how, p.follow_up.evaluate, p.if_plan_fails,
        ]
        return "\n".join(t for t in texts if t and t.strip())

    @cached_property
    def all_text_folded(self) -> str:
        return self.all_text.casefold()
