"""Helpers for course notebooks (nbgrader assignments, self-study): thin calls so the notebooks stay readable."""

from __future__ import annotations

from IPython.display import Markdown


def show_case(case_id: str, variant: int = 0) -> Markdown:
    """The participant's case card for a library case: never the facit, never a role's hidden information."""
    from simulator.library import load_library
    from simulator.views import render

    library = load_library()
    if case_id not in library:
        return Markdown(f"**Fallet '{case_id}' finns inte i fallbiblioteket.** Fråga utbildaren vilket fall som gäller.")
    return Markdown(render(library[case_id], "participant", "md", variant))
