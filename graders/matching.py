"""Matching a plan against the catalogue and the case's ground truth.

Free text to catalogue efforts (``effort_candidates``): a text names an effort when it holds every word of one of
the effort's phrases (graders/data/efforts.yaml, plus the catalogue's own short names), compared as lemmas and inside
compounds, so "Boendestödjaren kommer två gånger i veckan" names boendestöd whatever the participant called it.

Plan efforts to the case's needs (rule K001, ``CaseMatcher``). For every ground-truth need an effort of the plan counts when
  1. its catalogue effort id, or an effort its text names, is one the facit expects for that need, or
  2. its catalogue effort (or one its text names) serves the need's area, and its organisation may respond to that area, or
  3. it is linked to a plan need that is about this need (same area, or shared words with the need's description or
     the person's own words about it) and its organisation may respond to the area.
Rules 2 and 3 are loose, so when the case has several needs in the same area (an old person with three needs in
"boende") they count only for an effort linked to a plan need whose text resembles that ground-truth need. A
ground-truth need that appears among the plan's needs but gets no effort counts half.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

import yaml

from graders import language as lang
from graders.plan import Plan, PlanEffort, PlanNeed
from graders.registry import DATA_DIR
from simulator.catalogue import Catalogue, load_catalogue
from simulator.models import NeedTruth, Scenario

# Words too common in plans to tell needs apart (as lemmas).
STOP = frozenset("behov behöva insats stöd hjälp person plan kunna också efter andra flera mycket själv finnas få".split())


@lru_cache(maxsize=131072)
def holds(lemma_set: frozenset[str], term: str) -> bool:
    """Whether a text's lemmas hold ``term``: the same word family ("dusch", "duscha") or inside a compound."""
    return lang.shares(lemma_set, term) or any(lang.related(x, term) for x in lemma_set)


def _terms(phrase: str) -> tuple[str, ...]:
    """A phrase as the lemmas that must all be found; abbreviations (HVB, LARO) count as words too."""
    return tuple(sorted(lang.content(phrase) | {w.casefold() for w in lang.words(phrase) if w.isupper()}))


@cache
def effort_phrases() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Catalogue effort id → the phrases that name it, longest first. Unknown ids in efforts.yaml are an error."""
    cat = load_catalogue()
    with open(DATA_DIR / "efforts.yaml", encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    unknown = sorted(set(raw) - set(cat.effort_by_id))
    if unknown:
        raise ValueError(f"graders/data/efforts.yaml: unknown effort ids {unknown}")
    out = {}
    for effort in cat.efforts:
        phrases = list(raw.get(effort.id, []))
        if len(lang.content(effort.name)) <= 2:
            phrases.append(effort.name)
        terms = {_terms(p) for p in phrases} - {()}
        out[effort.id] = tuple(sorted(terms, key=len, reverse=True))
    return out


@cache
def _name_terms() -> dict[str, tuple[str, ...]]:
    """The catalogue's own name of each effort as terms: between equally long phrases, the name wins."""
    return {e.id: _terms(e.name) for e in load_catalogue().efforts}


WINDOW = 4  # words a phrase may spread over beyond its own length ("hjälp med maten" in "hjälp med att laga maten")


def _close(positions: list[list[int]], span: int) -> bool:
    """Whether one position from each list fits in ``span`` consecutive words."""
    for start in positions[0]:
        if all(any(start - span < q < start + span for q in qs) for qs in positions[1:]):
            return True
    return False


@lru_cache(maxsize=8192)
def effort_candidates(text: str) -> tuple[str, ...]:
    """The catalogue efforts a free text names, the most specific (longest phrase) first. The words of a phrase must
    stand near each other: "hjälp ... komma hem" twenty words apart is not "hjälp i hemmet"."""
    tokens = [frozenset({lm, w.casefold()}) for w, lm in zip(lang.words(text), lang.lemmas(text), strict=True)]
    if not tokens:
        return ()
    lemma_set = frozenset().union(*tokens)
    found = []
    names = _name_terms()
    for effort_id, phrases in effort_phrases().items():
        best = (0, False)
        for p in phrases:
            rank = (len(p), p == names[effort_id])
            if rank <= best or not all(holds(lemma_set, t) for t in p):
                continue
            if len(p) == 1 or _close([[i for i, tok in enumerate(tokens) if holds(tok, t)] for t in p], len(p) + WINDOW):
                best = rank
        if best[0]:
            found.append((-best[0], not best[1], effort_id))
    return tuple(e for *_, e in sorted(found))


def efforts_of(effort: PlanEffort, catalogue: Catalogue) -> tuple[str, ...]:
    """The catalogue efforts a plan effort is: its id when it has one, else what its text names."""
    if effort.effort in catalogue.effort_by_id:
        return (effort.effort,)
    return effort_candidates(effort.what)


def is_effort(effort: PlanEffort, effort_id: str, catalogue: Catalogue) -> bool:
    """Whether a plan effort is the catalogue effort ``effort_id``: by id, or, for an effort written without an id,
    by a text that names it and an organisation that may provide it (or none given)."""
    if effort.effort:
        return effort.effort == effort_id
    known = catalogue.effort_by_id[effort_id]
    return effort_id in effort_candidates(effort.what) and (not effort.organisation or effort.organisation in known.providers)


@lru_cache(maxsize=8192)
def _need_terms(text: str) -> frozenset[str]:
    return frozenset(t for t in lang.content(text) if t not in STOP and len(t) > 2)


@dataclass(frozen=True)
class NeedMatch:
    truth: NeedTruth
    description: str
    efforts: tuple[str, ...]  # ids of plan efforts that answer it
    mentioned: bool  # the plan names the need even if no effort answers it
    described: bool = True  # one of those efforts says what will be done (not just a word)

    @property
    def score(self) -> float:
        if self.efforts:
            return 1.0 if self.described else 0.5
        return 0.5 if self.mentioned else 0.0


class CaseMatcher:
    def __init__(self, plan: Plan, scenario: Scenario, catalogue: Catalogue, *, min_shared: int = 2,
                 described: frozenset[str] | None = None, ignored: frozenset[str] = frozenset(),
                 ignored_needs: frozenset[str] = frozenset()) -> None:
        self.plan, self.scenario, self.cat = plan, scenario, catalogue
        self.ignored = ignored  # efforts that deny themselves or are pasted text: they answer nothing
        self.ignored_needs = ignored_needs  # plan needs that deny themselves or are pasted: they name nothing
        self.described = described if described is not None else frozenset(e.id for e in plan.efforts)
        self.min_shared = min_shared
        self.descriptions = {n.id: n.description for n in scenario.person.needs}
        self.voices = {n.id: n.voice or "" for n in scenario.person.needs}
        self.area_count = Counter(t.area for t in scenario.ground_truth.needs)

    def resembles(self, need: PlanNeed, truth: NeedTruth) -> bool:
        """The plan need is about this ground-truth need: words shared with its description or the person's words
        about it (and no other area given)."""
        if need.area and need.area != truth.area:
            return False
        mine = _need_terms(need.text)
        theirs = _need_terms(self.descriptions.get(truth.need, "")) | _need_terms(self.voices.get(truth.need, ""))
        shared = sum(1 for t in theirs if holds(mine, t))
        return shared >= self.min_shared

    def mentions(self, need: PlanNeed, truth: NeedTruth) -> bool:
        if self.resembles(need, truth):
            return True
        if need.area == truth.area and self.area_count[truth.area] == 1:
            return True
        if need.area:
            return False
        candidates = effort_candidates(need.text)  # a need written as what would help ("stöd i boendet")
        return self.area_count[truth.area] == 1 and any(truth.area in self.cat.effort(c).areas for c in candidates)

    def answers(self, effort: PlanEffort, truth: NeedTruth) -> bool:
        ids = efforts_of(effort, self.cat)
        if effort.effort in truth.expected_efforts:
            return True
        if effort.organisation and effort.organisation not in truth.responders:
            return False
        if set(ids) & set(truth.expected_efforts):
            return True
        if not effort.organisation:
            return False
        linked = [n for n in self.plan.needs if n.id in effort.needs]
        if any(truth.area in self.cat.effort(i).areas for i in ids):
            if self.area_count[truth.area] == 1:
                return True
            return any(self.resembles(n, truth) for n in linked)
        if self.area_count[truth.area] == 1:
            return any(self.mentions(n, truth) for n in linked)
        return any(self.resembles(n, truth) for n in linked)

    def match(self) -> list[NeedMatch]:
        out = []
        for truth in self.scenario.ground_truth.needs:
            efforts = tuple(e.id for e in self.plan.efforts if e.id not in self.ignored and self.answers(e, truth))
            mentioned = any(self.mentions(n, truth) for n in self.plan.needs if n.id not in self.ignored_needs)
            out.append(NeedMatch(truth, self.descriptions.get(truth.need, truth.need), efforts, mentioned,
                                 any(e in self.described for e in efforts)))
        return out


@cache
def _organisation_terms() -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    """Organisation id → the word sets that name it (its name, its short name, its abbreviation)."""
    cat = load_catalogue()
    abbreviations = {v.casefold(): k.casefold() for k, v in cat.abbreviations.items()}
    out = []
    for org in cat.organisations:
        forms = {org.short, org.name.split("(")[0]}
        phrases = {tuple(sorted(set(lang.lemmas(f)) - {"och", "eller"})) for f in forms}
        short = abbreviations.get(org.short.casefold())
        if short:
            phrases.add((short,))
        out.append((org.id, tuple(p for p in phrases if p)))
    return tuple(out)


@lru_cache(maxsize=8192)
def organisations_named(text: str) -> frozenset[str]:
    """The catalogue organisations a free text names ("Ahmed Berg, Försäkringskassan" names forsakringskassan)."""
    lemma_set = frozenset(lang.lemmas(text)) | {w.casefold() for w in lang.words(text) if w.isupper()}
    if not lemma_set:
        return frozenset()
    return frozenset(org for org, phrases in _organisation_terms()
                     if any(all(t in lemma_set or lang.shares(lemma_set, t) for t in p) for p in phrases))
