"""Matching a typed question to the case's questions: character n-grams and lemmas, TF-IDF, cosine similarity.

Each question is known by its phrasings (InterviewQuestion.ask). A typed text is compared with every phrasing in
two ways, because each catches what the other misses:
- character n-grams (3–5 letters, inside words) catch inflections, compounds and typos ("skulderna", "skuld");
- lemmas (simplemma's Swedish dictionary) catch the same word in another form ("mår", "må"; "sover", "sova").
Words every question shares (hur, du, det …; simulator/data/interview.yaml) are dropped first. A question scores the
best cosine of any of its phrasings. Words the index has never seen still count in the typed text's length, so a
question about something else entirely scores low instead of matching on one shared word.

simplemma reads its Swedish dictionary as a compressed stream (``low_memory``: StreamDictionaryFactory): about 18 MiB
instead of about 100 MiB for the in-memory dictionary, which matters with one Voila kernel per participant. That
factory is simplemma's shared one, so these lemmas and the graders' (graders/language.py) read one copy, not two.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache

from simulator.interview_defaults import interview_data

NGRAM_SIZES = (3, 4, 5)
CHAR_WEIGHT = 0.35  # the score is CHAR_WEIGHT * n-gram cosine + (1 - CHAR_WEIGHT) * lemma cosine, of the phrasings

ANSWER_WEIGHT = 0.3  # the share of the score that comes from the answer's words

# Decision thresholds on that score, measured on the library's held-out phrasings and unrelated questions
# (tests/test_interview_matching.py): answer at or above ACCEPT when the runner-up is MARGIN behind; offer the
# closest questions ("Menade du …?") at or above SUGGEST; below that, say honestly that nothing matches.
ACCEPT = 0.4
MARGIN = 0.08
SUGGEST = 0.07
SUGGESTIONS = 3

_WORD = re.compile(r"[^\W\d_]+")


@cache
def _lemmatizer():
    from simplemma import Lemmatizer
    from simplemma.strategies import DefaultStrategy

    return Lemmatizer(lemmatization_strategy=DefaultStrategy(low_memory=True))  # the shared dictionary: see above


def warm_up() -> None:
    """Open the Swedish dictionary now (0.5–3 s, once per process) rather than at the first typed question: call it
    when a kernel starts, for example in a preheated Voila kernel."""
    lemma("skulderna")
    _concept_words()


@cache
def _stopwords() -> frozenset[str]:
    return frozenset(interview_data()["stopwords"])


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    return _lemmatizer().lemmatize(word, lang="sv").casefold()


def content_words(text: str, ignore: frozenset[str] = frozenset()) -> list[str]:
    """The words of a text that carry meaning: casefolded, without digits, punctuation, stopwords and ``ignore``."""
    stop = _stopwords()
    return [w for w in _WORD.findall(text.casefold()) if w not in stop and w not in ignore]


def lemmas(text: str) -> list[str]:
    return [lemma(w) for w in content_words(text)]


@cache
def _concept_words() -> tuple[dict[str, tuple[str, ...]], tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """(exact word -> groups, (suffix, group) pairs, (prefix, group) pairs) from the concepts table."""
    exact: dict[str, list[str]] = {}
    suffixes, prefixes = [], []
    for group, words in interview_data()["concepts"].items():
        for w in words:
            exact.setdefault(w, []).append(group)
            if len(w) >= 4:
                suffixes.append((w, group))
            if len(w) >= 5:
                prefixes.append((w, group))
    return {w: tuple(g) for w, g in exact.items()}, tuple(suffixes), tuple(prefixes)


@lru_cache(maxsize=65536)
def concepts(word_lemma: str) -> tuple[str, ...]:
    """The concept groups a lemma belongs to (see ``concepts`` in simulator/data/interview.yaml)."""
    exact, suffixes, prefixes = _concept_words()
    found = list(exact.get(word_lemma, ()))
    found += [g for w, g in suffixes if word_lemma.endswith(w) and word_lemma != w]
    found += [g for w, g in prefixes if word_lemma.startswith(w) and word_lemma != w]
    return tuple(dict.fromkeys(found))


def features(text: str, ignore: frozenset[str] = frozenset()) -> tuple[Counter, Counter]:
    """(character n-gram counts, lemma and concept counts) of a text."""
    words = content_words(text, ignore)
    grams: Counter = Counter()
    meaning: Counter = Counter()
    for w in words:
        padded = f" {w} "
        for n in NGRAM_SIZES:
            grams.update(padded[i : i + n] for i in range(len(padded) - n + 1))
        base = lemma(w)
        meaning[base] += 1
        meaning.update(f"#{g}" for g in concepts(base) or concepts(w))
    return grams, meaning


@dataclass(frozen=True)
class Match:
    key: str  # the question's id
    score: float  # 0..1


class _Space:
    """One TF-IDF vector space (n-grams or lemmas) over the phrasings of an index."""

    def __init__(self, docs: list[Counter]) -> None:
        df: Counter = Counter()
        for d in docs:
            df.update(d.keys())
        n = len(docs)
        self.idf = {f: math.log((1 + n) / (1 + c)) + 1 for f, c in df.items()}
        self.unseen_idf = math.log(1 + n) + 1
        self.vectors = [self.vector(d) for d in docs]

    def vector(self, counts: Counter) -> dict[str, float]:
        v = {f: (1 + math.log(c)) * self.idf.get(f, self.unseen_idf) for f, c in counts.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {f: x / norm for f, x in v.items()}

    def cosine(self, query: dict[str, float], i: int) -> float:
        doc = self.vectors[i]
        if len(query) > len(doc):
            return sum(x * query.get(f, 0.0) for f, x in doc.items())
        return sum(x * doc.get(f, 0.0) for f, x in query.items())


class QuestionIndex:
    """One speaker's questions, ready to rank a typed text against.

    A question is one document of all its phrasings together, so a typed text that shares words with any of them
    scores, and words repeated across phrasings weigh more. Its answer counts too, with less weight: a participant
    often asks about something the answer names ("Räcker pensionen?" for an answer about the pension).
    ``ignore`` holds words that tell no question apart, such as the person's name (it is in many phrasings).
    """

    def __init__(self, questions: dict[str, tuple[tuple[str, ...], str]], ignore: frozenset[str] = frozenset()) -> None:
        self.keys: list[str] = list(questions)
        self.ignore = frozenset(w.casefold() for w in ignore)
        grams, words, answers = [], [], []
        for phrasings, answer in questions.values():
            g, w = Counter(), Counter()
            for p in phrasings:
                pg, pw = features(p, self.ignore)
                g.update(pg)
                w.update(pw)
            grams.append(g)
            words.append(w)
            answers.append(features(answer, self.ignore)[1])
        self._grams = _Space(grams)
        self._words = _Space(words)
        self._answers = _Space(answers)

    def rank(self, text: str, allowed: set[str] | None = None) -> list[Match]:
        """Every (allowed) question with its score, best first; ties keep the questions' order."""
        g, w = features(text, self.ignore)
        if not g:
            return []
        qg, qw, qa = self._grams.vector(g), self._words.vector(w), self._answers.vector(w)
        out = []
        for i, key in enumerate(self.keys):
            if allowed is not None and key not in allowed:
                continue
            asked = CHAR_WEIGHT * self._grams.cosine(qg, i) + (1 - CHAR_WEIGHT) * self._words.cosine(qw, i)
            score = (1 - ANSWER_WEIGHT) * asked + ANSWER_WEIGHT * self._answers.cosine(qa, i)
            out.append((-round(score, 4), i, key))
        return [Match(key, -neg) for neg, _, key in sorted(out)]


@dataclass(frozen=True)
class Decision:
    kind: str  # "answer" (confident), "suggest" ("Menade du …?") or "none" (nothing matches)
    matches: tuple[Match, ...]  # for "answer" the chosen question first; for "suggest" up to SUGGESTIONS


def decide(ranked: list[Match]) -> Decision:
    """What to do with a ranking: answer, suggest the closest questions, or say nothing matches."""
    if not ranked or ranked[0].score < SUGGEST:
        return Decision("none", ())
    runner_up = ranked[1].score if len(ranked) > 1 else 0.0
    if ranked[0].score >= ACCEPT and ranked[0].score - runner_up >= MARGIN:
        return Decision("answer", (ranked[0],))
    floor = max(SUGGEST * 0.75, ranked[0].score * 0.3)
    return Decision("suggest", tuple(m for m in ranked[:SUGGESTIONS] if m.score >= floor))
