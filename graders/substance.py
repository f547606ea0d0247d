"""Whether a free text says something: not empty, not a word or two, not the field's label or the rule's keyword
repeated, not a statement that negates what the rule asks for, not the same text pasted into several fields.

Each test gives a reason code (``Gap``) that the checks turn into Swedish feedback; "" means the text has substance.
Words are compared as lemmas (graders.language), so "Samtycke finns." echoes the label "samtycke" and
"Tillhör inte målgruppen." negates "målgrupp".
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache

from graders import language as lang


class Gap(StrEnum):
    none = ""
    empty = "empty"
    short = "short"
    echo = "echo"
    negated = "negated"
    copy = "copy"


GAP_SV = {
    Gap.empty: "är tomt",
    Gap.short: "har bara ett eller två ord",
    Gap.echo: "upprepar bara rubriken eller nyckelordet",
    Gap.negated: "säger att det inte finns",
    Gap.copy: "har samma text som ett annat fält",
}

# Words that fill a sentence without saying anything about the person ("Bra.", "Finns.", "Se ovan.", "OK, klart.").
FILLER = frozenset("""
finnas bra ok okej klar klart fylla ifylld gjord göra se ovan nedan ovanstående följande enligt text fält rubrik
sak saker del delar punkt grej info information uppgift osv etc mm aktuell viss vissa olik olika
""".split())


def _meaningful(text: str, echo: tuple[str, ...]) -> frozenset[str]:
    """The content lemmas that are neither filler nor a word of the label or keyword. The person speaking ("jag",
    "min") counts as the person's name does: "Jag vill bli elektriker." says as much as "Lena vill bli elektriker."."""
    found = {w for w in lang.content(text) if w not in FILLER and not any(lang.related(w, e) for e in echo)}
    if any(w.casefold() in lang.FIRST_PERSON for w in lang.words(text)):
        found.add("jag")
    return frozenset(found)


@lru_cache(maxsize=16384)
def gap(text: str, echo: tuple[str, ...] = (), min_words: int = 3, min_content: int = 2) -> Gap:
    """Why ``text`` is not yet an answer (Gap.none if it is). ``echo``: lemmas of the field's label and the rule's
    keyword, which do not count as content."""
    all_words = lang.words(text)
    if not all_words:
        return Gap.empty
    if len(all_words) < min_words:
        return Gap.short
    if len(_meaningful(text, echo)) < min_content:
        return Gap.echo
    return Gap.none


@lru_cache(maxsize=8192)
def negates(text: str, terms: tuple[str, ...]) -> bool:
    """Whether every sentence of the text that names one of ``terms`` (lemmas) also negates it: "Personen tillhör
    inte målgruppen", "Inget samtycke", "Samtycke saknas"."""
    naming = [s for s in lang.sentences(text) if any(lang.shares(lang.content(s), t) or t in lang.lemmas(s) for t in terms)]
    if not naming:
        return False
    return all(any(w.casefold() in lang.NEGATIONS for w in lang.words(s)) for s in naming)


@lru_cache(maxsize=8192)
def affirms(text: str, terms: tuple[str, ...]) -> bool:
    """A sentence that names one of ``terms`` without negating it."""
    for s in lang.sentences(text):
        lemma_set = frozenset(lang.lemmas(s))
        if any(lang.shares(lemma_set, t) for t in terms) and not any(w.casefold() in lang.NEGATIONS for w in lang.words(s)):
            return True
    return False


LACK = frozenset({"saknar", "saknas"})


@lru_cache(maxsize=16384)
def denies(text: str, rows: bool = False, need: bool = False) -> bool:
    """The text says that something is not there or not needed: it starts with a negation ("Inget boendestöd
    behövs.", "Ingen ny insats."); for a row of needs or efforts also a negated need ("Elvis har inget behov av
    vård", "Det behövs inte"). In a need, what the person lacks is the need itself: "Saknar sysselsättning efter
    skolan." describes a need, "Saknar inget." and "Saknar behov av stöd." do not."""
    found = [w.casefold() for w in lang.words(text)]
    first = found[0] if found else ""
    if first in lang.NEGATIONS:
        lack = need and first in LACK and len(found) > 1 and found[1] not in lang.NEGATIONS
        if not lack:
            return True
    return rows and negated_near(text, ("behov", "behöva"))


@lru_cache(maxsize=16384)
def negated_near(text: str, terms: tuple[str, ...]) -> bool:
    """A negation right before or after one of ``terms`` ("ska inte vända sig", "ringer inte"), as opposed to a
    negation elsewhere in the sentence ("Om planen inte fungerar ringer Filip")."""
    words = lang.words(text)
    found = lang.lemmas(text)
    for i, lemma in enumerate(found):
        if any(lang.related(lemma, t) for t in terms):
            near = [words[j].casefold() for j in (i - 1, i + 1) if 0 <= j < len(words)]
            if any(w in lang.NEGATIONS for w in near):
                return True
    return False


@lru_cache(maxsize=16384)
def normalised(text: str) -> str:
    return " ".join(w.casefold() for w in lang.words(text))


def copies(fields: dict[str, str], min_words: int = 4) -> list[list[str]]:
    """Groups of fields whose texts (of at least ``min_words`` words) are the same, word for word."""
    seen: dict[str, list[str]] = {}
    for key, text in fields.items():
        norm = normalised(text)
        if len(norm.split()) >= min_words:
            seen.setdefault(norm, []).append(key)
    return [keys for keys in seen.values() if len(keys) > 1]
