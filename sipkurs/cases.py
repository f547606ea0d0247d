"""Which case a participant works on, and the participant's view of it (never the facit).

The only module of the app that knows where cases come from: a case of the library (scenarios/, variant n for the
n-th participant, each a different person), or, for a course started with an archetype, generated variants.
"""

from __future__ import annotations

import html

from markdown_it import MarkdownIt

from simulator.cases import VARIANT_SEPARATOR
from simulator.casecard import case_card
from simulator.engine import generate_variants
from simulator.library import load_library
from simulator.lookup import get_scenario

DEFAULT_CASE = "psykos_missbruk_boende"

_markdown = MarkdownIt("commonmark", {"html": False}).enable("table")


def case_ids() -> list[str]:
    return sorted(load_library())


def scenario_for_variant(course, n: int) -> str:
    """The scenario id for the course's n-th participant (0-based): each participant a different person."""
    if course.archetype:
        return generate_variants(course.archetype, n + 1, course.seed)[n].id
    case = load_library()[course.case_id or DEFAULT_CASE]
    return case.variants(n + 1)[n].id


def scenario(scenario_id: str):
    return get_scenario(scenario_id) if scenario_id else None


def markdown_html(text: str) -> str:
    """Markdown with raw HTML disabled: whatever a case text holds, it shows as text."""
    return _markdown.render(text)


def participant_card_html(scenario_id: str) -> str:
    """The case as the participant reads it (an HTML fragment, escaped; without facit)."""
    if not scenario_id:
        return ""
    case_id, sep, variant = scenario_id.partition(VARIANT_SEPARATOR)
    case = load_library().get(case_id)
    if case is not None:
        from simulator.rendering import render_html_fragment
        from simulator.views import build_view

        return render_html_fragment(build_view(case, "participant", int(variant) if sep else 0))
    s = scenario(scenario_id)
    return markdown_html(case_card(s, facit=False)) if s is not None else f"<p>{html.escape(scenario_id)}</p>"


# --- role-play groups ------------------------------------------------------------------------------------------
def library_case(scenario_id: str):
    case_id, sep, variant = scenario_id.partition(VARIANT_SEPARATOR)
    case = load_library().get(case_id)
    return case, (int(variant) if sep and variant.isdigit() else 0)


def group_case_id(course, case_id: str = "") -> str:
    """The case a new group of the course plays: the one asked for, else the course's (a library case)."""
    case_id = case_id or course.case_id or (DEFAULT_CASE if not course.archetype else "")
    if case_id not in load_library():
        raise KeyError(case_id)
    return case_id


def group_seats(case_id: str) -> list[str]:
    """One seat per role of the case: every organisation, the person (a guardian for a child), a relative."""
    return list(load_library()[case_id].seat_ids)


def scenario_for_group(case_id: str, n: int) -> str:
    """The scenario id of a course's n-th group (0-based) on a case: each group meets its own variant."""
    return load_library()[case_id].variants(n + 1)[n].id


def is_organisation(role: str) -> bool:
    from simulator.catalogue import load_catalogue

    return role in load_catalogue().organisation_by_id


def seat_label(scenario_id: str, role: str) -> str:
    """A seat as people call it: 'Försäkringskassan', 'personen', 'vårdnadshavare (för barnet)', 'närstående'."""
    from simulator.views import seat_label as label

    case, _ = library_case(scenario_id)
    if case is None:
        return role
    return label(case, role)


def seat_card_html(scenario_id: str, role: str) -> str:
    """One seat's private card (an HTML fragment, escaped): only ever rendered for whoever sits in that seat."""
    from simulator.rendering import render_html_fragment
    from simulator.views import build_seat_view

    case, variant = library_case(scenario_id)
    if case is None or role not in case.seat_ids:
        return ""
    return render_html_fragment(build_seat_view(case, role, variant))


def case_titles() -> dict[str, str]:
    """Every library case's id and title, in id order (for choosing a group's case)."""
    return {cid: case.title for cid, case in sorted(load_library().items())}


def library_problems() -> tuple[list[str], int, list[str]]:
    """What a trainer must know about the case library now: each refused file's errors (file:line: message), how many
    files are refused, and the cases still served in their last valid version because their file broke meanwhile."""
    from pathlib import Path

    from simulator.library import kept_cases, library_errors

    errors = library_errors()
    lines = [str(e).replace(e.file, Path(e.file).name, 1) for e in errors]
    return lines, len({e.file for e in errors}), kept_cases()
