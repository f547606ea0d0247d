"""Swedish text tools for the graders: words, lemmas, word frequencies and spelling, each cached per word.

- Lemmas: simplemma (its low-memory dictionary, ~18 MiB instead of ~95 MiB). Swedish writes compounds as one word
  and simplemma's dictionary holds only common ones, so an unknown compound keeps its first part and takes the lemma
  of its longest known last part ("hemtjänstpersonalen" → "hemtjänstpersonal").
- Word frequencies: wordfreq's small Swedish list (about 30,000 words, ~4 MiB); a word outside it that is not a
  compound of words inside it is rare.
- Spelling: the Swedish Hunspell dictionary (PyPI package hunspell-sv, or Debian's hunspell-sv), read by the C
  library libhunspell when Debian's libhunspell-1.7-0 is installed (fast, ~27 MiB), otherwise by spylls (pure
  Python, slower to load and ~230 MiB). Without a dictionary ``spelling()`` is None and says why in ``SPELLING_MISSING``.

Live feedback grades the same text again and again, so every function here caches per word or per text.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import re
import sys
import threading
from functools import cache, lru_cache
from pathlib import Path

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*", re.UNICODE)
# A sentence ends at . ! or ?, also when a closing quote or bracket follows: "”Jag vill hem.” Hon …"
SENTENCE = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][\"”’»)])\s+|\n+")
LANG = "sv"

# Function words that never carry what a text is about (closed word classes: pronouns, articles, prepositions,
# conjunctions, auxiliaries); everything else counts as content.
FUNCTION_WORDS = frozenset("""
och eller men samt att som om när där då så för till från med utan av på i vid under över efter före mot hos
inom genom mellan kring runt bland enligt än också även bara nu sedan redan ännu
en ett den det de dem denna detta dessa vars vilken vilket vilka sin sitt sina hans hennes deras dess hens
jag du han hon hen vi ni mig dig honom henne oss er sig min mitt mina din ditt dina vår vårt våra er ert era
man någon något några ingen inget inga alla allt varje annan annat andra själv själva samma
är var vara varit blir blev bli blivit har hade ha haft ska skall skulle kan kunde kunna vill ville vilja
får fick få måste bör borde brukar
inte ej icke ja nej jo
mycket mer mest lite mindre många fler flera väl just ganska
""".split())

# The person speaking of themselves ("Jag vill bli elektriker."): in the person's voice these stand for the person.
FIRST_PERSON = frozenset("jag mig min mitt mina".split())

NEGATIONS = frozenset("inte ej icke aldrig ingen inget inga varken nej saknas saknar".split())


@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(text or ""))


@lru_cache(maxsize=8192)
def sentences(text: str) -> tuple[str, ...]:
    return tuple(s for s in SENTENCE.split(text or "") if WORD.search(s))


# --- lemmas ------------------------------------------------------------------------------------------------------
@cache
def _lemmatizer():
    from simplemma import Lemmatizer  # noqa: PLC0415 - loaded on first use
    from simplemma.strategies import DefaultStrategy  # noqa: PLC0415

    strategy = DefaultStrategy(low_memory=True)
    return Lemmatizer(lemmatization_strategy=strategy), strategy


_MIN_PART = 3  # the shortest first part of a compound ("tand|läkaren")


@lru_cache(maxsize=65536)
def lemma(word: str) -> str:
    """The lemma of one word, lower case; unknown compounds by their last known part."""
    folded = word.casefold()
    lemmatizer, strategy = _lemmatizer()
    base = lemmatizer.lemmatize(folded, LANG)
    if base.casefold() != folded or len(folded) < 2 * _MIN_PART + 2 or strategy.is_dictionary_member(folded, LANG):
        return base.casefold()
    for i in range(_MIN_PART, len(folded) - _MIN_PART):
        tail = folded[i:]
        if strategy.is_dictionary_member(tail, LANG):
            return folded[:i] + lemmatizer.lemmatize(tail, LANG).casefold()
    return folded


@lru_cache(maxsize=8192)
def lemmas(text: str) -> tuple[str, ...]:
    """Every word's lemma, in order."""
    return tuple(lemma(w) for w in words(text))


@lru_cache(maxsize=8192)
def content(text: str) -> frozenset[str]:
    """The lemmas of the words that carry meaning (no function words, no one-letter words)."""
    return frozenset(lm for w, lm in zip(words(text), lemmas(text), strict=True)
                     if len(w) > 1 and w.casefold() not in FUNCTION_WORDS and lm not in FUNCTION_WORDS)


@lru_cache(maxsize=131072)
def related(a: str, b: str) -> bool:
    """Two lemmas of one word family: equal, or differing only in their ending ("samtycke", "samtycka"; "dusch",
    "duscha"; "utvärdera", "utvärdering"), not a word and a compound that starts with it ("hjälp", "hjälpmedel")."""
    if a == b:
        return True
    n = len(os.path.commonprefix((a, b)))
    if n == min(len(a), len(b)) >= 3:  # one is the other plus an ending: "hem", "hemma"
        return max(len(a), len(b)) - n <= 2
    return (n >= 5 and max(len(a), len(b)) - n <= 2) or (n >= 6 and max(len(a), len(b)) - n <= 3)


def shares(lemma_set: frozenset[str], term: str) -> bool:
    """Whether a text's lemmas hold ``term`` (a lemma), also inside a compound ("boendestöd" holds "stöd")."""
    if term in lemma_set:
        return True
    if len(term) < 5:
        return False
    return any(len(x) > len(term) and (x.endswith(term) or x.startswith(term)) for x in lemma_set)


# --- word frequencies --------------------------------------------------------------------------------------------
@cache
def _common() -> frozenset[str]:
    from wordfreq import get_frequency_dict  # noqa: PLC0415 - loaded on first use

    return frozenset(get_frequency_dict(LANG, wordlist="small"))


@lru_cache(maxsize=65536)
def is_common(word: str) -> bool:
    """A word among the ~30,000 most frequent Swedish words, or a compound of them ("boende|stöd", "sjukskrivnings|tid")."""
    folded = word.casefold()
    common = _common()
    if folded in common or lemma(folded) in common:
        return True
    for i in range(_MIN_PART + 1, len(folded) - _MIN_PART + 1):  # a head of four letters or more: "til" is no word
        head, tail = folded[:i], folded[i:]
        if (tail in common or lemma(tail) in common) and (head in common or (head.endswith("s") and head[:-1] in common)):
            return True
    return False


# --- spelling ----------------------------------------------------------------------------------------------------
DICTIONARY_DIRS = (Path(sys.prefix) / "share/hunspell", Path(os.environ.get("CONDA_PREFIX", sys.prefix)) / "share/hunspell",
                   Path("/usr/share/hunspell"), Path("/usr/local/share/hunspell"))
SPELLING_MISSING = ("Stavningskontrollen saknar den svenska ordlistan: installera paketet hunspell-sv "
                    "(pip install hunspell-sv eller apt-get install hunspell-sv).")


def dictionary_path() -> Path | None:
    """sv_SE.aff/.dic from the PyPI package hunspell-sv (in the environment's share/hunspell) or the system's."""
    for folder in DICTIONARY_DIRS:
        if (folder / "sv_SE.aff").is_file() and (folder / "sv_SE.dic").is_file():
            return folder / "sv_SE"
    return None


class _LibHunspell:
    """The C library (Debian libhunspell-1.7-0) through ctypes: the reference implementation, fast and small."""

    name = "libhunspell"

    def __init__(self, base: Path) -> None:
        found = ctypes.util.find_library("hunspell-1.7") or "libhunspell-1.7.so.0"
        lib = ctypes.CDLL(found)
        lib.Hunspell_create.restype = ctypes.c_void_p
        lib.Hunspell_create.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
        lib.Hunspell_spell.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.Hunspell_spell.restype = ctypes.c_int
        self._lib = lib
        self._handle = lib.Hunspell_create(str(base.with_suffix(".aff")).encode(), str(base.with_suffix(".dic")).encode())
        self._lock = threading.Lock()  # a Hunspell handle is not thread-safe

    def known(self, word: str) -> bool:
        with self._lock:
            return bool(self._lib.Hunspell_spell(self._handle, word.encode("utf-8")))


class _Spylls:
    """spylls, Hunspell ported to pure Python: always installable from PyPI."""

    name = "spylls"

    def __init__(self, base: Path) -> None:
        from spylls.hunspell import Dictionary  # noqa: PLC0415

        self._dictionary = Dictionary.from_files(str(base))

    def known(self, word: str) -> bool:
        return bool(self._dictionary.lookup(word))


_spelling_lock = threading.Lock()


@cache
def _speller():
    base = dictionary_path()
    if base is None:
        return None
    with _spelling_lock:
        for backend in (_LibHunspell, _Spylls):
            try:
                return backend(base)
            except (OSError, ImportError, AttributeError):
                continue
    return None


def spelling_backend() -> str | None:
    """'libhunspell', 'spylls', or None when no Swedish dictionary can be read."""
    speller = _speller()
    return speller.name if speller else None


@lru_cache(maxsize=65536)
def spelled_right(word: str) -> bool | None:
    """Whether Hunspell's Swedish dictionary accepts the word; None without a dictionary."""
    speller = _speller()
    if speller is None:
        return None
    return speller.known(word) or (word[:1].isupper() and speller.known(word.lower()))


def _one_edit(word: str):
    """Variants one typing slip away: a letter left out, two letters swapped, a letter written once too often."""
    for i in range(len(word)):
        yield word[:i] + word[i + 1:]  # an extra letter typed
        yield word[:i] + word[i] + word[i:]  # a double letter written single
        if i + 1 < len(word):
            yield word[:i] + word[i + 1] + word[i] + word[i + 2:]  # two letters swapped


@lru_cache(maxsize=16384)
def misspelled(word: str) -> bool | None:
    """A word the dictionary does not know, that is not a compound of common words, and that is one typing slip away
    from a word it knows ("anstälning"). Unknown words far from any known word are rare words, not slips."""
    known = spelled_right(word)
    if known is None:
        return None
    if known or is_common(word):
        return False
    return any(len(v) > 2 and spelled_right(v) for v in _one_edit(word.casefold()))


def warm_up() -> None:
    """Load every tool now (a pool kernel does this before anyone waits), not at the first keystroke."""
    lemma("boendet")
    is_common("boendestöd")
    spelled_right("samordnad")
