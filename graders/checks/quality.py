"""Quality rules: what makes a plan useful to the person: goals that can be followed up, plain Swedish (readability,
sentence length, spelling, rare words, explained abbreviations), the person's own words."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from graders import language as lang
from graders.checks.common import excerpt, listing, quoted
from graders.checks.checklist import GOAL_ECHO, goal_ok
from graders.context import Context
from graders.lix import lix
from graders.matching import STOP
from graders.plan import GoalKind
from graders.registry import Finding, check
from graders.substance import Gap, gap
from simulator.catalogue import load_catalogue

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_DATE = re.compile(r"\b(?:19|20)\d\d-\d\d(?:-\d\d)?\b|\b\d{1,2}/\d{1,2}\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# A state reached is observable: "har flyttat", "har fått en tid", "är betald", "är klar".
_REACHED = re.compile(r"\b(?:har|hade)\s+(?:\w+\s+)?\w{2,}(?:t|tt)\b|\b(?:är|blir)\s+(?:\w+\s+)?(?:\w{3,}(?:d|t)|klar)\b",
                      re.IGNORECASE)


@lru_cache(maxsize=4096)
def goal_parts(text: str, measure: str, has_due: bool, time_words: frozenset[str], amount_words: frozenset[str],
               vague_words: frozenset[str]) -> tuple[bool, bool, bool]:
    """(a time anchor, a quantity, frequency or observable outcome, what the person will do or have) in a goal."""
    joined = f"{text}\n{measure}"
    lemma_set = frozenset(lang.lemmas(joined))
    folded_words = {w.casefold() for w in lang.words(joined)}
    dates = bool(_DATE.search(joined) or _YEAR.search(joined))
    timed = has_due or dates or bool(lemma_set & time_words) or bool(folded_words & time_words)
    numbers = _NUMBER.findall(_YEAR.sub(" ", _DATE.sub(" ", joined)))
    outcome = gap(measure, ("mått", "mäta", "nå", "mål"), min_words=4) is Gap.none and \
        len({w for w in lang.content(measure) if w not in vague_words}) >= 3
    amount = bool(numbers) or bool(folded_words & amount_words) or outcome or bool(_REACHED.search(text))
    doing = {w for w in lang.content(text)  # the goal itself, not its measure, says what the person does or has
             if w not in vague_words and w not in time_words and w not in STOP and not any(c.isdigit() for c in w)}
    return timed, amount, len(doing) >= (1 if outcome else 2)  # a short goal with an observable measure is enough


@lru_cache(maxsize=8)
def _word_sets(*lists: tuple[str, ...]) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(x) for x in lists)


@check("Q001")
def measurable_goals(ctx: Context, params: dict) -> Finding:
    goals = [g for g in ctx.plan.goals
             if ctx.row_gap(f"mål {g.id}", g.text, GOAL_ECHO, min_words=2, min_content=1) is Gap.none]
    subs = [g for g in goals if g.kind is GoalKind.sub_goal] or goals
    if not subs:
        return Finding(0.0, "Planen har inga mål med text.")
    time_words, amount_words, vague_words = _word_sets(tuple(params["time_words"]), tuple(params["amount_words"]),
                                                       tuple(params["vague_words"]))
    vague, reasons = [], set()
    for g in subs:
        timed, amount, doing = goal_parts(g.text, g.measure, g.due is not None, time_words, amount_words, vague_words)
        if not (timed and amount and doing):
            vague.append(g)
            reasons |= {r for ok, r in ((timed, "när"), (amount, "hur mycket eller hur ofta"),
                                        (doing, "vad personen ska göra eller ha")) if not ok}
    if not vague:
        return Finding(1.0)
    missing = [r for r in ("när", "hur mycket eller hur ofta", "vad personen ska göra eller ha") if r in reasons]
    detail = (f"Mål som inte går att följa upp: {quoted([excerpt(g.text, 60) for g in vague])}. "
              f"Det saknas {listing(missing)}; ord som 'öka', 'förbättra' eller 'mer' räcker inte.")
    return Finding((len(subs) - len(vague)) / len(subs), detail)


@check("Q002")
def plain_swedish(ctx: Context, params: dict) -> Finding:
    result = lix(ctx.prose)
    if result.words < params["min_words"]:
        return Finding(0.0, f"Planen har för lite löptext för att bedöma läsbarheten ({result.words} ord); fyll i planens textfält.")
    value = result.value
    long = [s for t in ctx.prose for s in _long_sentences(t, params["long_sentence"])]
    detail = f"Läsbarhetsindex (LIX) är {value:.0f}; gränsen är {params['limit']}."
    score = 1.0 if value <= params["limit"] else 0.5 if value <= params["upper"] else 0.0
    if long:
        detail += (f" {len(long)} {'mening har' if len(long) == 1 else 'meningar har'} fler än {params['long_sentence']} ord, "
                   f"till exempel '{excerpt(long[0], 50)}'.")
        in_long = sum(len(lang.words(s)) for s in long) / result.words
        score = min(score, 0.0 if in_long > params["long_share"] else 0.5)
    return Finding(score, detail)


@lru_cache(maxsize=8192)
def _long_sentences(text: str, limit: int) -> tuple[str, ...]:
    return tuple(s for s in lang.sentences(text) if len(lang.words(s)) > limit)


@lru_cache(maxsize=8)
def _abbreviation_pattern(abbreviations: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_CAPS = re.compile(r"(?<![\w-])[A-ZÅÄÖ]{2,6}(?![\w-])")
_NEAR = 80  # characters: an explanation this close to the first use counts as given there


def _explained_near(text: str, folded: str, abbreviation: str, explanation: str | None) -> bool:
    first = text.find(abbreviation)
    window = text[max(first - _NEAR, 0): first + len(abbreviation) + _NEAR]
    if explanation is not None:
        at = folded.find(explanation.casefold())
        return at != -1 and at <= first + len(abbreviation) + _NEAR
    return "(" in window and ")" in window  # "ADL (aktiviteter i dagliga livet)" or "… livet (ADL)"


@lru_cache(maxsize=4096)
def _unexplained(text: str, known: tuple[str, ...]) -> tuple[int, tuple[str, ...]]:
    """(how many abbreviations the text uses, those not explained where first used)."""
    folded = text.casefold()
    catalogue = {a: e for a, e in load_catalogue().abbreviations.items() if a not in known}
    found = set(_abbreviation_pattern(tuple(catalogue)).findall(text)) if catalogue else set()
    used = [a for a in catalogue if a in found]
    others = sorted({m for m in _CAPS.findall(text) if m not in catalogue and m not in known})
    unexplained = [a for a in used if not _explained_near(text, folded, a, catalogue[a])]
    unexplained += [a for a in others if not _explained_near(text, folded, a, None)]
    return len(used) + len(others), tuple(unexplained)


@check("Q003")
def abbreviations(ctx: Context, params: dict) -> Finding:
    total, unexplained = _unexplained(ctx.all_text, tuple(params["always_known"]))
    if not total:
        return Finding(None)
    detail = f"Förklara första gången: {listing(unexplained)}." if unexplained else ""
    return Finding((total - len(unexplained)) / total, detail)


@check("Q004")
def own_words(ctx: Context, params: dict) -> Finding:
    p = ctx.plan
    found = ctx.gap("vad som är viktigt för personen", ("viktig",))
    text = p.what_matters
    voiced = bool({w.casefold() for w in lang.words(text)} & lang.FIRST_PERSON) or any(q in text for q in '"”“»')
    matters_ok = found is Gap.none and voiced
    own_goal = any(g.own_words and goal_ok(ctx, g) for g in p.goals)
    detail = []
    if not matters_ok:
        detail.append("Det står inte vad som är viktigt för personen med hens egna ord (i jag-form eller som citat)."
                      if found is Gap.none or found is Gap.empty else
                      "Fältet om vad som är viktigt för personen säger för lite.")
    if not own_goal:
        detail.append("Inget mål med innehåll är markerat som personens eget.")
    return Finding((matters_ok + own_goal) / 2, " ".join(detail))


@lru_cache(maxsize=8192)
def _text_words(text: str) -> tuple[str, ...]:
    return tuple(part for w in lang.words(text) for part in w.split("-") if len(part) >= 3 and part.islower())


def _checked_words(ctx: Context) -> tuple[str, ...]:
    """Lower-case words of the prose (capitalised words are names or sentence starts; abbreviations are Q003's)."""
    return _prose_words(tuple(ctx.prose))


@lru_cache(maxsize=4096)
def _prose_words(prose: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for t in prose for w in _text_words(t))


@check("Q005")
def spelling(ctx: Context, params: dict) -> Finding:
    checked = _checked_words(ctx)
    if len(checked) < params["min_words"]:
        return Finding(None)
    if lang.spelling_backend() is None:
        return Finding(None, lang.SPELLING_MISSING)
    wrong, rate = _misspelled(checked)
    wrong = list(wrong)
    if not wrong or (len(wrong) <= params["allowed"] and rate <= params["limit"]):
        return Finding(1.0)
    detail = f"Kontrollera stavningen av {quoted(wrong[:6])}" + (f" och {len(wrong) - 6} ord till" if len(wrong) > 6 else "") + "."
    return Finding(0.5 if rate <= params["upper"] else 0.0, detail)


@cache
def _domain_words() -> frozenset[str]:
    """The catalogue's own words (organisations, efforts, areas, abbreviations): a plan may use them."""
    catalogue = load_catalogue()
    texts = [o.name for o in catalogue.organisations] + [e.name for e in catalogue.efforts]
    texts += [a.name for a in catalogue.need_areas] + list(catalogue.abbreviations.values())
    return frozenset(lm for t in texts for lm in lang.lemmas(t))


@lru_cache(maxsize=4096)
def _misspelled(checked: tuple[str, ...]) -> tuple[tuple[str, ...], float]:
    """(the misspelled words, once each; the share of the words that are misspelled)."""
    flags = [bool(lang.misspelled(w)) for w in checked]
    return tuple(dict.fromkeys(w for w, bad in zip(checked, flags, strict=True) if bad)), sum(flags) / len(checked)


@lru_cache(maxsize=4096)
def _rare(checked: tuple[str, ...], min_length: int) -> tuple[str, ...]:
    domain = _domain_words()
    return tuple(dict.fromkeys(w for w in checked if len(w) >= min_length and not lang.is_common(w)
                               and lang.lemma(w) not in domain and not lang.misspelled(w)))


@check("Q006")
def rare_words(ctx: Context, params: dict) -> Finding:
    checked = _checked_words(ctx)
    if len(checked) < params["min_words"]:
        return Finding(None)
    rare = list(_rare(checked, params["min_length"]))
    rate = len(rare) / len(checked)
    if len(rare) <= params["allowed"] or rate <= params["limit"]:
        return Finding(1.0)
    detail = (f"Ovanliga ord som personen kanske inte förstår: {quoted(rare[:6])}"
              + (f" och {len(rare) - 6} till" if len(rare) > 6 else "") + ". Skriv vardagliga ord eller förklara dem.")
    return Finding(0.5 if rate <= params["upper"] else 0.0, detail)

