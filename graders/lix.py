"""LIX (läsbarhetsindex, Björnsson 1968): words per sentence + 100 × share of words longer than six letters.

Below 30 very easy, 30–40 easy (lättläst), 40–50 medium (normal tidningstext), 50–60 difficult (official prose),
above 60 very difficult.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?:;]+[\"”’»)]*(?=\s|$)|\n+")  # a closing quote may follow


@dataclass(frozen=True)
class Lix:
    words: int
    sentences: int
    long_words: int

    @property
    def value(self) -> float:
        if not self.words:
            return 0.0
        return self.words / max(self.sentences, 1) + 100 * self.long_words / self.words


def lix(texts: str | list[str] | tuple[str, ...]) -> Lix:
    """LIX of a text, or of several texts each ending a sentence (plan fields are separate statements)."""
    return _lix(texts if isinstance(texts, str) else "\n".join(texts))  # each field ends a sentence


@lru_cache(maxsize=4096)
def _lix(joined: str) -> Lix:
    words = _WORD.findall(joined)
    long_words = sum(1 for w in words if len(w) > 6)
    sentences = sum(1 for part in _SENTENCE_END.split(joined) if _WORD.search(part))
    return Lix(len(words), sentences, long_words)
