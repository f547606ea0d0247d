"""Loading and checking a case file: every problem as file:line:column, a field path and a plain Swedish message.

Three layers, all reported together:
1. the file itself (exists, UTF-8, YAML syntax, not empty, duplicate keys, a mapping at the top);
2. the schema (the pydantic model in simulator.cases), error locations mapped to YAML node marks via yaml.compose;
3. the domain: every id against the catalogue, the ground truth against the catalogue, duplicate ids, placeholders,
   and cards that leak the ground truth (see ``leaks``).
Nothing here raises on bad input: ``load_case_text`` and ``load_case_file`` return (case or None, errors).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from string import Formatter
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simulator.cases import PERSON_ROLE, PLACEHOLDERS, RELATIVE_ROLE, Case, kommun_region, text_fields
from simulator.catalogue import Catalogue, load_catalogue
from simulator.safe_read import UnreadableFile, read_limited

SCHEMA_LINE = "# yaml-language-server: $schema=./case.schema.json"
LEAK_SHINGLE_WORDS = 6  # a run of this many words of the facit text inside a card is a leak


@dataclass(frozen=True, order=True)
class CaseError:
    file: str
    line: int  # 1-based; 0 when the file could not be read at all
    column: int  # 1-based
    path: str  # field path, e.g. needs[2].expected_efforts[0]; "" for the whole file
    message: str  # Swedish

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


# --- field paths and node positions ------------------------------------------------------------------------------


def format_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _parse_path(path: str) -> tuple[Any, ...]:
    parts: list[Any] = []
    for name, index in re.findall(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]", path):
        parts.append(name if name else int(index))
    return tuple(parts)


def _keys(node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    """A mapping node's scalar keys → (key node, value node), the last one for a repeated key; built once per node."""
    index = getattr(node, "_sip_keys", None)
    if index is None:
        index = {k.value: (k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        node._sip_keys = index
    return index


def _locate(root: yaml.Node | None, loc: tuple[Any, ...], *, key: bool = False) -> tuple[int, int]:
    """(line, column), 1-based, of the deepest node along loc; the key node instead of the value if key=True."""
    node = root
    if node is None:
        return 1, 1
    mark = node.start_mark
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            found = _keys(node).get(str(part))
            if found is None:
                continue  # a missing field, or a union tag from pydantic: stay at the enclosing node
            mark = found[0].start_mark if (last and key) else found[1].start_mark
            node = found[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


# --- Swedish messages for pydantic errors --------------------------------------------------------------------------

_TYPE_WORDS = {
    "string_type": "ska vara text",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "int_from_float": "ska vara ett heltal",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "list_type": "ska vara en lista",
    "tuple_type": "ska vara en lista",
    "dict_type": "ska vara en mappning (nyckel: värde)",
    "model_type": "ska vara en mappning (nyckel: värde)",
    "model_attributes_type": "ska vara en mappning (nyckel: värde)",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "none_required": "ska vara tomt",
}


def _message(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "fältet saknas men krävs"
    if kind == "extra_forbidden":
        return "okänt fält (kontrollera stavningen; se docs/fallformat.md)"
    if kind in _TYPE_WORDS:
        return _TYPE_WORDS[kind]
    if kind in ("enum", "literal_error"):
        expected = str(ctx.get("expected", "")).replace("'", "").replace(" or ", " eller ")
        return f"ogiltigt värde; tillåtna värden: {expected}"
    if kind == "too_short":
        return "får inte vara tom" if ctx.get("min_length", 1) <= 1 else f"måste ha minst {ctx['min_length']} delar"
    if kind == "string_too_short":
        return "texten får inte vara tom"
    if kind == "string_pattern_mismatch":
        return "ogiltigt id: använd bara små bokstäver a–z, siffror och understreck, och börja med en bokstav"
    if kind in ("greater_than_equal", "greater_than"):
        return f"måste vara minst {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"får vara högst {ctx.get('le', ctx.get('lt'))}"
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", err.get("msg", ""))).removeprefix("Value error, ")
    return f"ogiltigt värde ({kind})"


# --- the file layer ------------------------------------------------------------------------------------------------

MAX_CASE_BYTES = 256 * 1024  # a case file (the library's largest is ~8 kB)
MAX_NODES = 50_000  # YAML nodes after expanding aliases (the library's largest case has ~1,500)
MAX_INT_DIGITS = 100  # digits in one YAML integer (Python refuses more than 4,300 with a traceback)
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: about 7 times faster


class _Loader(yaml.SafeLoader):
    """The pure-Python safe loader (its error messages are the ones translated below), refusing absurd integers."""


class _FastLoader(_FAST_LOADER):  # type: ignore[misc, valid-type]
    """libyaml's safe loader with the same integer limit."""


def _bounded_int(loader, node):
    digits = str(node.value).replace("_", "").lstrip("+-")
    if len(digits) > MAX_INT_DIGITS:
        raise yaml.constructor.ConstructorError(None, None, "found an integer with too many digits", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


for _cls in (_Loader, _FastLoader):
    _cls.add_constructor("tag:yaml.org,2002:int", _bounded_int)


def _nodes(root: yaml.Node):
    """Every node once, however many aliases point at it (the walk is linear in the file, not in its expansion)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        yield n
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((v, k))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)


def _expanded_size(root: yaml.Node, limit: int) -> int | None:
    """How many nodes the document has with its aliases expanded, up to ``limit`` (None: an alias refers to itself).

    Linear: each distinct node's size is computed once (a post-order walk), so ten nested aliases of ten cost ten
    steps, not ten billion.
    """
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        children = [x for kv in node.value for x in kv] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        if done:
            open_.discard(key)
            size[key] = min(limit + 1, 1 + sum(size[id(c)] for c in children))
            continue
        if key in size:
            continue
        if key in open_:
            return None
        open_.add(key)
        stack.append((node, True))
        for c in children:
            if id(c) in open_:
                return None
            if id(c) not in size:
                stack.append((c, False))
    return size[id(root)]


MAX_DUPLICATE_ERRORS = 50  # repeated keys reported one by one; beyond that, one line counts the rest


def _duplicate_keys(node: yaml.Node, file: str) -> list[CaseError]:
    errors: list[CaseError] = []
    for n in _nodes(node):
        if isinstance(n, yaml.MappingNode):
            seen: set[str] = set()
            for k, v in n.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen:
                        errors.append(
                            CaseError(file, k.start_mark.line + 1, k.start_mark.column + 1, k.value,
                                      f"nyckeln '{k.value}' förekommer två gånger i samma mappning")
                        )
                    seen.add(k.value)
    if len(errors) > MAX_DUPLICATE_ERRORS:
        rest = len(errors) - MAX_DUPLICATE_ERRORS
        errors = sorted(errors)[:MAX_DUPLICATE_ERRORS]
        last = errors[-1]
        errors.append(CaseError(file, last.line, last.column, "", f"och {rest} upprepade nycklar till"))
    return errors


def _yaml_error(exc: yaml.YAMLError, file: str) -> CaseError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or "ogiltig YAML"
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return CaseError(file, line, col, "", f"YAML-syntaxfel: {_yaml_problem_sv(problem)}")


_YAML_PROBLEMS = {
    "found character '\\t' that cannot start any token": "tabbtecken är inte tillåtna för indrag, använd mellanslag",
    "mapping values are not allowed here": "kolon på fel ställe (sätt texten inom citattecken)",
    "could not find expected ':'": "kolon saknas efter nyckeln",
    "found unexpected end of stream": "filen tar slut mitt i ett värde (saknas ett citattecken?)",
    "expected <block end>, but found '<block sequence start>'": "felaktigt indrag av en lista",
    "expected <block end>, but found '<block mapping start>'": "felaktigt indrag",
    "expected <block end>, but found '<scalar>'": "felaktigt indrag",
    "found undefined alias": "okänt alias (*namn)",
    "expected a single document": "filen får bara innehålla ett dokument (ta bort '---')",
    "but found another document": "filen får bara innehålla ett dokument (ta bort '---')",
    "found unhashable key": "en nyckel kan inte vara en lista eller en mappning",
    "found duplicate anchor": "samma ankare (&namn) används två gånger",
    "found an integer with too many digits": f"ett heltal har för många siffror (högst {MAX_INT_DIGITS})",
}


def _yaml_problem_sv(problem: str) -> str:
    for en, sv in _YAML_PROBLEMS.items():
        if problem.startswith(en):
            return sv
    return f"kan inte tolkas ({problem})"


def _load(text: str, loader_class) -> tuple[yaml.Node | None, Any]:
    """Compose once and construct from the composed node (one parse, not two)."""
    loader = loader_class(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        size = _expanded_size(root, MAX_NODES)
        if size is None:
            raise _TooLarge("ett alias (*namn) pekar på sig självt")
        if size > MAX_NODES:
            raise _TooLarge(f"alias (*namn) gör filen för stor: mer än {MAX_NODES} värden när de fylls i")
        return root, loader.construct_document(root)
    finally:
        loader.dispose()


class _TooLarge(Exception):
    pass


def parse(text: str, file: str) -> tuple[Any, yaml.Node | None, list[CaseError]]:
    """(data, root node, errors) for one YAML text; data is None when the text cannot be used at all.

    Linear in the text: libyaml parses when available (the pure-Python parser runs again only to word an error),
    aliases are counted before anything is expanded, and no walk visits a node twice.
    """
    try:
        try:
            root, data = _load(text, _FastLoader)
        except yaml.YAMLError:
            root, data = _load(text, _Loader)  # the same error, worded as the messages above expect
        if root is None:
            return None, None, [CaseError(file, 1, 1, "", "filen är tom; ett fall behöver minst id, title och person")]
    except yaml.YAMLError as exc:
        return None, None, [_yaml_error(exc, file)]
    except _TooLarge as exc:
        return None, None, [CaseError(file, 1, 1, "", str(exc))]
    except (ValueError, TypeError, RecursionError) as exc:  # e.g. an unhashable key, a date out of range
        reason = "för djupt nästlad" if isinstance(exc, RecursionError) else "ogiltigt värde (till exempel en lista som nyckel)"
        return None, None, [CaseError(file, 1, 1, "", f"YAML-värde kan inte tolkas: {reason}")]
    errors = _duplicate_keys(root, file)
    if not isinstance(data, dict):
        errors.append(CaseError(file, 1, 1, "", "filen ska innehålla en mappning (id:, title:, person: …), inte en lista eller ett enskilt värde"))
        return None, root, errors
    return data, root, errors


# --- the domain layer ----------------------------------------------------------------------------------------------


def _suggest(value: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(value, choices, n=1)
    return f" (menar du '{close[0]}'?)" if close else ""


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _shingles(text: str, n: int) -> set[str]:
    words = _norm(text).split()
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def card_texts(case: Case) -> dict[str, tuple[str | None, str]]:
    """Texts on cards participants read: path → (the organisation whose card it is, or None, text). The seat cards of
    the relative and the guardian belong to no organisation, so like the case card they may name no expected effort."""
    out: dict[str, tuple[str | None, str]] = {}
    for path, text in text_fields(case).items():
        if path.startswith("case_card.") or re.match(r"(relative|guardian)\.(?!member$)", path):
            out[path] = (None, text)
        m = re.match(r"roles\[(\d+)\]\.(?!organisation$)", path)
        if m:
            out[path] = (case.roles[int(m.group(1))].organisation, text)
    return out


_CARD_NAMES = {"case_card": "fallkortet", "roles": "rollkortet", "relative": "kortet för närstående", "guardian": "kortet för vårdnadshavaren"}


def leaks(case: Case, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(field path, Swedish message) for every card text that gives away the ground truth.

    A card is the case card (every participant reads it), a role card with its hidden information, or the card of the
    relative or the guardian who sits at the table. A card text leaks when, compared word by word after lower-casing
    and dropping punctuation,
    1. it contains a run of LEAK_SHINGLE_WORDS consecutive words from the facit text, or
    2. it names an expected effort (its catalogue name or its id) that is not already given (person.current_efforts)
       and that the card's own organisation cannot provide: the case card and the seat cards may name no such effort,
       a role card only the efforts its own organisation gives (that is its mandate), or
    3. it contains a need's description verbatim (the need analysis is the participants' work).
    """
    found: list[tuple[str, str]] = []
    in_place = {c.effort for c in case.person.current_efforts}
    facit_shingles = _shingles(case.facit.text, LEAK_SHINGLE_WORDS)
    expected = [e for n in case.needs for e in n.expected_efforts if e in catalogue.effort_by_id and e not in in_place]
    for path, (org, text) in card_texts(case).items():
        norm = f" {_norm(text)} "
        common = _shingles(text, LEAK_SHINGLE_WORDS) & facit_shingles
        if common:
            found.append((path, f"kortet avslöjar facit: texten upprepar '{sorted(common)[0]}' ur facit"))
        for e in dict.fromkeys(expected):
            effort = catalogue.effort(e)
            if org is not None and org in effort.providers:
                continue
            if f" {_norm(effort.name)} " in norm or re.search(rf"\b{re.escape(e)}\b", text):
                who = _CARD_NAMES[re.match(r"[a-z_]+", path).group(0)]
                found.append((path, f"{who} avslöjar facit: det nämner den förväntade insatsen '{effort.name}'"))
        for n in case.needs:
            if len(_norm(n.description).split()) >= 4 and f" {_norm(n.description)} " in norm:
                found.append((path, f"kortet avslöjar facit: det upprepar behovet '{n.id}' ordagrant"))
    return found


def domain_errors(case: Case, catalogue: Catalogue) -> list[tuple[str, str]]:
    """(field path, Swedish message) for everything that contradicts the catalogue or itself."""
    errs: list[tuple[str, str]] = []
    orgs = list(catalogue.organisation_by_id)
    efforts = list(catalogue.effort_by_id)
    areas = list(catalogue.area_by_id)

    def org_ok(path: str, org: str, *, person_ok: bool = False) -> bool:
        if org in catalogue.organisation_by_id or (person_ok and org == PERSON_ROLE):
            return True
        errs.append((path, f"okänd organisation '{org}'{_suggest(org, orgs)}"))
        return False

    def dupes(kind: str, items: list[tuple[str, str]]) -> None:
        seen: set[str] = set()
        for path, value in items:
            if value in seen:
                errs.append((path, f"{kind} '{value}' finns redan i fallet"))
            seen.add(value)

    for i, g in enumerate(case.target_groups):
        if g not in catalogue.target_group_by_id:
            errs.append((f"target_groups[{i}]", f"okänd målgrupp '{g}'{_suggest(g, list(catalogue.target_group_by_id))}"))
    for i, s in enumerate(case.signals):
        if s not in catalogue.signal_by_id:
            errs.append((f"signals[{i}]", f"okänd signal '{s}'{_suggest(s, list(catalogue.signal_by_id))}"))
    for i, h in enumerate(case.person.history):
        for j, s in enumerate(h.signals):
            if s not in catalogue.signal_by_id:
                errs.append((f"person.history[{i}].signals[{j}]", f"okänd signal '{s}'{_suggest(s, list(catalogue.signal_by_id))}"))
    if case.person.kommun is not None and kommun_region(case.person.kommun) is None:
        names = [k for _, ks in _places() for k in ks]
        errs.append(("person.kommun", f"kommunen '{case.person.kommun}' finns inte i simulator/data/places.yaml{_suggest(case.person.kommun, names)}"))

    org_ok("case_card.inviter", case.case_card.inviter)
    if case.case_card.inviter in catalogue.organisation_by_id and case.case_card.inviter not in case.role_ids:
        errs.append(("case_card.inviter", f"organisationen som kallar ('{case.case_card.inviter}') har inget rollkort"))
    for i, r in enumerate(case.roles):
        org_ok(f"roles[{i}].organisation", r.organisation)
    dupes("rollen", [(f"roles[{i}].organisation", r.organisation) for i, r in enumerate(case.roles)])
    dupes("behovet", [(f"needs[{i}].id", n.id) for i, n in enumerate(case.needs)])
    dupes("händelsen", [(f"events[{i}].id", e.id) for i, e in enumerate(case.events)])
    for i, e in enumerate(case.events):
        for j, a in enumerate(e.affects):
            if a == RELATIVE_ROLE:
                if not case.relative:
                    errs.append((f"events[{i}].affects[{j}]", "händelsen berör närstående, men fallet har inget kort för närstående (relative)"))
            elif org_ok(f"events[{i}].affects[{j}]", a, person_ok=True) and a != PERSON_ROLE and a not in case.role_ids:
                errs.append((f"events[{i}].affects[{j}]", f"händelsen berör '{a}', som inte har något rollkort i fallet"))
    errs += _seat_card_errors(case)
    errs += _exercise_errors(case, catalogue)

    for i, c in enumerate(case.person.current_efforts):
        base = f"person.current_efforts[{i}]"
        known_org = org_ok(f"{base}.organisation", c.organisation)
        if c.effort not in catalogue.effort_by_id:
            errs.append((f"{base}.effort", f"okänd insats '{c.effort}'{_suggest(c.effort, efforts)}"))
        elif known_org and not catalogue.can_provide(c.organisation, c.effort):
            errs.append((f"{base}.organisation", f"'{c.organisation}' kan inte ge insatsen '{catalogue.effort(c.effort).name}' enligt katalogen"))
        elif known_org and not catalogue.can_provide(c.organisation, c.effort, case.person.age_range):
            lo, hi = case.person.age_range
            errs.append((f"{base}.organisation", f"'{c.organisation}' ger inte '{catalogue.effort(c.effort).name}' till personer som är {lo}–{hi} år"))

    conditions = {c.id for c in catalogue.conditions}
    roles = set(case.role_ids)
    for i, n in enumerate(case.needs):
        base = f"needs[{i}]"
        if n.area not in catalogue.area_by_id:
            errs.append((f"{base}.area", f"okänt behovsområde '{n.area}'{_suggest(n.area, areas)}"))
            continue
        for j, c in enumerate(n.conditions):
            if c not in conditions:
                errs.append((f"{base}.conditions[{j}]", f"okänt tillstånd '{c}'{_suggest(c, sorted(conditions))}"))
        responders = catalogue.responders_for_area(n.area, case.person.age_range)
        if not responders:
            errs.append((f"{base}.area", f"ingen organisation i katalogen kan svara på behovsområdet '{n.area}'"))
        elif not roles & set(responders):
            names = ", ".join(catalogue.organisation(o).id for o in responders)
            errs.append((f"{base}.area", f"ingen av fallets roller kan svara på behovet '{n.id}'; lägg till en roll för någon av: {names}"))
        seen: set[str] = set()
        for j, e in enumerate(n.expected_efforts):
            path = f"{base}.expected_efforts[{j}]"
            if e in seen:
                errs.append((path, f"insatsen '{e}' står två gånger"))
            seen.add(e)
            if e not in catalogue.effort_by_id:
                errs.append((path, f"okänd insats '{e}'{_suggest(e, efforts)}"))
            elif n.area not in catalogue.effort(e).areas:
                area_names = ", ".join(catalogue.effort(e).areas)
                errs.append((path, f"insatsen '{e}' svarar inte på behovsområdet '{n.area}' (den hör till: {area_names})"))

    if not errs:  # the derived truth is only meaningful when every id resolves
        errs += _facit_errors(case, catalogue)
        errs += _placeholder_errors(case)
        errs += leaks(case, catalogue)
        from simulator.interview_validation import interview_errors  # here: it imports this module's leak helpers

        errs += interview_errors(case, catalogue)
    return errs


def _exercise_errors(case: Case, catalogue: Catalogue) -> list[tuple[str, str]]:
    """Phases have unique ids; an event's phase exists; what an event expects names known organisations and areas."""
    errs: list[tuple[str, str]] = []
    phase_ids = [p.id for p in case.exercise_phases]
    seen: set[str] = set()
    for i, p in enumerate(case.phases):
        if p.id in seen:
            errs.append((f"phases[{i}].id", f"fasen '{p.id}' finns redan i fallet"))
        seen.add(p.id)
    orgs = list(catalogue.organisation_by_id)
    for i, e in enumerate(case.events):
        base = f"events[{i}]"
        if e.phase is not None and e.phase not in phase_ids:
            errs.append((f"{base}.phase", f"okänd fas '{e.phase}'{_suggest(e.phase, phase_ids)}; fallets faser: {', '.join(phase_ids)}"))
        if e.private and not e.affects:  # a private text is shown only to the affected roles: none means no one
            errs.append((f"{base}.private", "en privat händelse måste ange vilka roller som berörs (affects), annars kan ingen läsa den"))
        x = e.expects
        if x.consent_excludes is not None and x.consent_excludes not in catalogue.organisation_by_id:
            errs.append((f"{base}.expects.consent_excludes", f"okänd organisation '{x.consent_excludes}'{_suggest(x.consent_excludes, orgs)}"))
        for j, org in enumerate(x.revise):
            if org in x.revise[:j]:
                errs.append((f"{base}.expects.revise[{j}]", f"'{org}' står två gånger"))
            elif org not in catalogue.organisation_by_id:
                errs.append((f"{base}.expects.revise[{j}]", f"okänd organisation '{org}'{_suggest(org, orgs)}"))
            elif org not in case.role_ids:
                errs.append((f"{base}.expects.revise[{j}]", f"'{org}' har inget rollkort i fallet, så dess del av planen kan inte krävas"))
        if x.need_area is not None and x.need_area not in catalogue.area_by_id:
            errs.append((f"{base}.expects.need_area", f"okänt behovsområde '{x.need_area}'{_suggest(x.need_area, list(catalogue.area_by_id))}"))
        # a discharge asks for a new SIP within three days, which a closed plan cannot hold
        if x.plan_closed and (x.revise or x.need_area or x.follow_up_sooner or x.discharge):
            errs.append((f"{base}.expects", "en plan som ska avslutas kan inte samtidigt kräva ändrade insatser eller ny uppföljning"))
    return errs


def _seat_card_errors(case: Case) -> list[tuple[str, str]]:
    """The relative's and the guardian's cards must name people of the network, in roles that fit."""
    errs: list[tuple[str, str]] = []
    members = {m.name: m for m in case.person.network}
    for key, card in (("relative", case.relative), ("guardian", case.guardian)):
        if card is None:
            continue
        member = members.get(card.member)
        if member is None:
            errs.append((f"{key}.member", f"'{card.member}' finns inte i person.network{_suggest(card.member, list(members))}"))
        elif key == "guardian" and member.role != "vardnadshavare":
            errs.append((f"{key}.member", f"'{card.member}' är inte vårdnadshavare i person.network"))
        elif key == "relative" and member.role == "barn":
            errs.append((f"{key}.member", f"'{card.member}' är ett barn; välj en vuxen närstående"))
    if case.guardian is not None and not case.is_child:
        errs.append(("guardian", "bara ett barn (person.age under 18) har en vårdnadshavare som spelar personens plats"))
    if case.relative and case.guardian and case.relative.member == case.guardian.member:
        errs.append(("relative.member", "närstående och vårdnadshavaren är samma person; välj två olika"))
    return errs


def _places():
    from simulator.archetypes import load_places

    return load_places()


def _facit_errors(case: Case, catalogue: Catalogue) -> list[tuple[str, str]]:
    errs: list[tuple[str, str]] = []
    truth = case.ground_truth(catalogue)
    for i, p in enumerate(case.facit.overall_responsibility):
        path = f"facit.overall_responsibility[{i}]"
        if p in catalogue.organisation_by_id and catalogue.organisation(p).is_other_actor:
            errs.append((path, f"'{p}' är en annan aktör och kan inte ha det övergripande ansvaret; bara kommun eller region kan det"))
        elif p not in catalogue.principal_by_id:
            errs.append((path, f"okänd huvudman '{p}'; välj kommun eller region"))
        elif p not in truth.acceptable_overall:
            errs.append((path, f"{p} ger ingen av de förväntade insatserna och kan därför inte ha det övergripande ansvaret"))
    if case.facit.presumed_sip is not None and case.facit.presumed_sip != truth.presumed_sip:
        derived = "förutsätts" if truth.presumed_sip else "förutsätts inte"
        errs.append(("facit.presumed_sip", f"stämmer inte med behovens tillstånd: enligt katalogen {derived} SIP behövas"))
    if case.discharge and "sjukhus" not in case.role_ids:
        errs.append(("discharge", "en utskrivning enligt lag (2017:612) kräver ett rollkort för slutenvården (sjukhus)"))
    if case.person.age_range[0] < 18:
        if not any(m.role == "vardnadshavare" for m in case.person.network) and case.person.age_range[1] < 18:
            errs.append(("person.network", "ett barn behöver minst en vårdnadshavare i nätverket"))
        if case.person.age_range[1] < 18 and case.person.consent.given_by != "vårdnadshavarna":
            errs.append(("person.consent.given_by", "för ett barn lämnar vårdnadshavarna samtycket (skriv 'vårdnadshavarna')"))
    return errs


def _placeholder_errors(case: Case) -> list[tuple[str, str]]:
    """Every text must fill for every variant: only known {placeholders}, balanced braces, no format codes."""
    errs: list[tuple[str, str]] = []
    allowed = ", ".join(f"{{{p}}}" for p in PLACEHOLDERS if p[0].islower())
    for path, text in text_fields(case).items():
        try:
            fields = [(name, conv, spec) for _, name, spec, conv in Formatter().parse(text) if name is not None]
        except ValueError:
            errs.append((path, "klammerparenteserna { } går inte jämnt ut (skriv {{ eller }} för en klammer i texten)"))
            continue
        for name, conv, spec in fields:
            if name not in PLACEHOLDERS:
                errs.append((path, f"okänd platshållare '{{{name}}}'; tillåtna: {allowed}"))
            elif conv or spec:
                errs.append((path, f"platshållaren '{{{name}}}' får inte ha ! eller : efter namnet"))
    return errs


# --- entry points --------------------------------------------------------------------------------------------------


def load_case_text(text: str, file: str = "<text>", catalogue: Catalogue | None = None) -> tuple[Case | None, list[CaseError]]:
    """A case from YAML text and every error found; the case is None if any error was found."""
    cat = catalogue or load_catalogue()
    data, root, errors = parse(text, file)
    if data is None:
        return None, sorted(errors)
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            loc = tuple(err["loc"])
            line, col = _locate(root, loc, key=err["type"] == "extra_forbidden")
            errors.append(CaseError(file, line, col, format_path(_clean_loc(loc)), _message(err)))
        return None, sorted(set(errors))
    for path, message in domain_errors(case, cat):
        line, col = _locate(root, _parse_path(path))
        errors.append(CaseError(file, line, col, path, message))
    if not text.startswith(SCHEMA_LINE):
        errors.append(CaseError(file, 1, 1, "", f"första raden ska vara '{SCHEMA_LINE}' så att editorn kan kontrollera filen"))
    errors = sorted(set(errors))
    return (None if errors else case), errors


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    """Drop pydantic's union and function tags (e.g. 'int', 'function-after[...]') from a location."""
    return tuple(p for p in loc if isinstance(p, int) or not re.search(r"[\[\]<>, ]|^(int|str|bool|tuple|list)$", p))


def load_case_file(path: Path, catalogue: Catalogue | None = None) -> tuple[Case | None, list[CaseError]]:
    file = str(path)
    try:
        raw = read_limited(path, MAX_CASE_BYTES)  # only a regular file, refused before reading when too large
    except UnreadableFile as exc:
        return None, [CaseError(file, 0, 0, "", str(exc))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [CaseError(file, line, col, "", "filen är inte UTF-8; spara den som UTF-8")]
    return load_case_text(text.removeprefix("\ufeff"), file, catalogue)


def validate_paths(paths: list[Path], catalogue: Catalogue | None = None) -> tuple[dict[str, Case], list[CaseError]]:
    """Every case file under the paths (a directory means its *.yaml files), with cross-file checks."""
    cases, errors, _files = validate_files(paths, catalogue)
    return cases, errors


def validate_files(
    paths: list[Path], catalogue: Catalogue | None = None, parsed: dict | None = None
) -> tuple[dict[str, Case], list[CaseError], dict[str, str]]:
    """As validate_paths, and also which file each valid case came from (case id → file).

    ``parsed``, when given, keeps each file's result by (path, size, modification time) between calls, so a library
    that changed in one file parses only that file again (each running kernel rescans; see simulator/library.py);
    entries of files that are gone or changed are dropped from it."""
    cat = catalogue or load_catalogue()
    files: list[Path] = []
    errors: list[CaseError] = []
    for p in paths:
        if p.is_dir():
            found = sorted(p.glob("*.yaml")) + sorted(p.glob("*.yml"))
            if not found:
                errors.append(CaseError(str(p), 0, 0, "", "mappen innehåller inga fallfiler (*.yaml)"))
            files += found
        else:
            files.append(p)
    cases: dict[str, Case] = {}
    first_file: dict[str, str] = {}
    seen = set()
    for f in files:
        try:
            st = f.stat()
            key = (str(f), st.st_size, st.st_mtime_ns)
        except OSError:
            key = None
        if parsed is not None and key is not None and key in parsed:
            case, errs = parsed[key]
        else:
            case, errs = load_case_file(f, cat)
            if parsed is not None and key is not None:
                parsed[key] = (case, errs)
        seen.add(key)
        errors += errs
        if case is None:
            continue
        if case.id in first_file:
            errors.append(duplicate_id_error(f.read_text(encoding="utf-8"), str(f), case.id, first_file[case.id]))
            continue
        first_file[case.id] = str(f)
        cases[case.id] = case
    if parsed is not None:
        for key in [k for k in parsed if k not in seen]:
            del parsed[key]
    return cases, errors, first_file


def duplicate_id_error(text: str, file: str, case_id: str, other_file: str) -> CaseError:
    """The error for a case whose id another file already uses, placed at the id in this file."""
    _, root, _ = parse(text, file)
    return CaseError(file, *_locate(root, ("id",)), "id", f"fall-id '{case_id}' används redan i {Path(other_file).name}")
