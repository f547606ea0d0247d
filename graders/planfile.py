"""Reading and writing plan files: JSON, ``{"format": "sipkurs-plan", "version": 1, …}`` = ``Plan.model_dump(mode="json")``.

Every problem with a file becomes one ``PlanFileError`` whose message is one Swedish line that says where it is:
``plan.json:12:5: efforts[0].organisation: okänd organisation 'NASA'``. Line and column come from the JSON text itself
(the position of the key that holds the bad value), so a trainer who wrote the file by hand finds the spot at once.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from pydantic import ValidationError

from graders.plan import Plan
from simulator.safe_read import UnreadableFile, read_limited

MAX_FILE_BYTES = 5_000_000  # a plan file; the largest valid plan is far smaller (texts are capped at 10,000 characters)
MAX_INT_DIGITS = 18  # no number in a plan needs more; Python refuses to even read some (int_max_str_digits)

_PYDANTIC_SV = {
    "missing": "fältet saknas",
    "extra_forbidden": "okänt fält",
    "string_type": "ska vara text",
    "string_too_long": "texten är för lång (högst {max_length} tecken)",
    "too_long": "för många rader (högst {max_length})",
    "list_type": "ska vara en lista",
    "bool_type": "ska vara true eller false",
    "bool_parsing": "ska vara true eller false",
    "date_type": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_from_datetime_inexact": "ska vara ett datum utan klockslag (ÅÅÅÅ-MM-DD)",
    "datetime_type": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTHH:MM)",
    "datetime_parsing": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTHH:MM)",
    "datetime_from_date_parsing": "ska vara en tidpunkt (ÅÅÅÅ-MM-DDTHH:MM)",
    "model_type": "ska vara ett objekt med fält",
    "model_attributes_type": "ska vara ett objekt med fält",
    "dict_type": "ska vara ett objekt med fält",
    "enum": "ogiltigt värde; tillåtna: {expected}",
    "literal_error": "ogiltigt värde; tillåtet: {expected}",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
}


class PlanFileError(ValueError):
    """A plan file that cannot be read as a plan. ``str(error)`` is one Swedish line starting with file:line:column."""

    def __init__(self, source: str, message: str, line: int | None = None, column: int | None = None) -> None:
        self.source, self.line, self.column, self.reason = source, line, column, message
        where = source + (f":{line}" if line else "") + (f":{column}" if line and column else "")
        super().__init__(" ".join(f"{where}: {message}".split()))


def _position(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _field_path(loc: tuple) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-after", "function-before", "literal[", "function-plain")) or part in (
            "str", "constrained-str", "date", "datetime", "enum", "lax-or-strict", "json-or-python"):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


_LINK = re.compile(r"(?P<table>\w+)\[(?P<index>\d+)\]\.(?P<field>\w+):")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _locate(text: str, loc: tuple) -> tuple[int, int] | tuple[None, None]:
    """The line and column of the key (or list item) that pydantic's location ``loc`` points at, found by walking the
    JSON text; (None, None) when the text cannot be walked that far."""
    try:
        return _walk(text, loc)
    except (IndexError, ValueError):
        return None, None


def _skip_ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _skip_value(text: str, i: int) -> int:
    i = _skip_ws(text, i)
    c = text[i]
    if c == '"':
        m = _STRING.match(text, i)
        if not m:
            raise ValueError
        return m.end()
    if c in "{[":
        close = "}" if c == "{" else "]"
        i += 1
        while True:
            i = _skip_ws(text, i)
            if text[i] == close:
                return i + 1
            if c == "{":
                i = _skip_value(text, i)  # key
                i = _skip_ws(text, i)
                i += 1  # colon
            i = _skip_value(text, i)
            i = _skip_ws(text, i)
            if text[i] == ",":
                i += 1
    j = i
    while j < len(text) and text[j] not in ",]} \t\r\n":
        j += 1
    return j


def _walk(text: str, loc: tuple) -> tuple[int, int]:
    i = _skip_ws(text, 0)
    found = i
    for part in loc:
        i = _skip_ws(text, i)
        if isinstance(part, int) and text[i] == "[":
            i += 1
            for _ in range(part):
                i = _skip_value(text, i)
                i = _skip_ws(text, i) + 1  # comma
            found = i = _skip_ws(text, i)
        elif isinstance(part, str) and text[i] == "{":
            i += 1
            while True:
                i = _skip_ws(text, i)
                if text[i] == "}":
                    return _position(text, found)  # key absent: point at the enclosing object
                key_start = i
                i = _skip_value(text, i)
                key = json.loads(text[key_start:i])
                i = _skip_ws(text, i) + 1  # colon
                if key == part:
                    found = key_start
                    break
                i = _skip_value(text, i)
                i = _skip_ws(text, i)
                if text[i] == ",":
                    i += 1
        else:
            break  # a validator step (e.g. function-after) or a type mismatch: stop at the last found key
    return _position(text, found)


def _message(err: dict) -> str:
    template = _PYDANTIC_SV.get(err["type"])
    if template is None:
        if err["type"] == "value_error":  # our own validators raise Swedish ValueErrors
            return err["msg"].removeprefix("Value error, ")
        return f"ogiltigt värde ({err['type']})"
    try:
        return template.format(**(err.get("ctx") or {}))
    except (KeyError, IndexError):
        return template


class _LongNumber(ValueError):
    pass


_LONG_NUMBER = re.compile(rf"-?\d{{{MAX_INT_DIGITS + 1},}}")


def _plan_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise _LongNumber(digits[:20])
    return int(digits)


def parse_plan(text: str, source: str = "<plan>") -> Plan:
    """A plan from JSON text; raises PlanFileError (one line, with line:column) for any problem."""
    try:
        data = json.loads(text, parse_int=_plan_int)
    except json.JSONDecodeError as exc:
        raise PlanFileError(source, f"ogiltig JSON ({_json_reason(exc.msg)})", exc.lineno, exc.colno) from None
    except RecursionError:
        raise PlanFileError(source, "ogiltig JSON (för djupt nästlad)") from None
    except _LongNumber:
        where = _LONG_NUMBER.search(text)
        line, column = _position(text, where.start()) if where else (None, None)
        raise PlanFileError(source, f"ett tal har för många siffror (högst {MAX_INT_DIGITS})", line, column) from None
    if not isinstance(data, dict):
        raise PlanFileError(source, "filen ska innehålla ett JSON-objekt med en plan", 1, 1)
    if data.get("format") != "sipkurs-plan":
        raise PlanFileError(source, "inte en planfil: fältet \"format\" ska vara \"sipkurs-plan\"", *_locate(text, ("format",)))
    try:
        return Plan.model_validate(data)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = tuple(err["loc"])
        link = _LINK.match(_message(err)) if not loc else None
        if link:  # a plan-wide check names the field in its message: point at that field
            loc = (link["table"], int(link["index"]), link["field"])
            err = {**err, "msg": _message(err)[link.end():].lstrip()}
        path = _field_path(loc)
        line, column = _locate(text, loc)
        more = len(exc.errors()) - 1
        suffix = f" (och {more} fel till)" if more else ""
        prefix = f"{path}: " if path else ""
        raise PlanFileError(source, f"{prefix}{_message(err)}{suffix}", line, column) from None


_JSON_REASONS = {
    "Expecting value": "ett värde saknas",
    "Expecting property name enclosed in double quotes": "fältnamn ska stå inom dubbla citattecken",
    "Expecting ',' delimiter": "kommatecken saknas",
    "Expecting ':' delimiter": "kolon saknas",
    "Extra data": "extra text efter planen",
    "Unterminated string starting at": "en text saknar avslutande citattecken",
    "Invalid control character at": "otillåtet kontrolltecken i text",
    "Invalid \\escape": "ogiltig escape-sekvens",
    "Illegal trailing comma before end of object": "kommatecken för mycket",
    "Illegal trailing comma before end of array": "kommatecken för mycket",
}


def _json_reason(msg: str) -> str:
    return _JSON_REASONS.get(msg, "felaktig JSON-syntax")


def load_plan(path: str | Path) -> Plan:
    """Read a plan file; raises PlanFileError (one Swedish line naming file:line:column) for any problem."""
    name = str(path)
    try:
        raw = read_limited(path, MAX_FILE_BYTES)  # a regular file, checked for size before reading
    except UnreadableFile as exc:
        raise PlanFileError(name, str(exc)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise PlanFileError(name, "filen är inte UTF-8-kodad", line, column) from None
    return parse_plan(text, name)


def dump_plan(plan: Plan) -> str:
    """The plan as the JSON text of a plan file (stable key order, Swedish characters kept)."""
    return json.dumps(plan.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def plan_schema() -> dict:
    """The JSON Schema of a plan file, generated from the model."""
    schema = Plan.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://sipkurs.example/plan.schema.json"
    schema["title"] = "SIP-plan (sipkurs-plan, version 1)"
    return schema


SCHEMA_FILE = Path(__file__).parent / "plan.schema.json"


def write_schema(path: Path = SCHEMA_FILE) -> None:
    """Regenerate graders/plan.schema.json: python -c 'from graders.planfile import write_schema; write_schema()'."""
    path.write_text(json.dumps(plan_schema(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
