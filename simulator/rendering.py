"""Rendering a case view (simulator.views.View) as Markdown or as a print-friendly HTML page (Jinja2, autoescaped)."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, select_autoescape

from simulator.casecard import md
from simulator.views import View

FORMATS = ("md", "html")


@cache
def _env() -> Environment:
    return Environment(loader=PackageLoader("simulator", "templates"), autoescape=select_autoescape(["html"]))


def render_markdown(view: View) -> str:
    lines = [f"# {md(view.title)}", "", f"*{md(view.subtitle)}*"]
    for s in view.sections:
        lines += ["", f"## {md(s.title)}", ""]
        lines += [md(p) + "\n" for p in s.paragraphs]
        lines += [f"- **{md(a)}:** {md(b)}" for a, b in s.pairs]
        lines += [f"> {md(q)}\n" for q in s.quotes]
        lines += [f"- {md(i)}" for i in s.items]
    return "\n".join(lines).rstrip() + "\n"


def render_html(view: View) -> str:
    return _env().get_template("case_view.html").render(view=view)


def render_html_fragment(view: View) -> str:
    """The view's content without the page around it, for embedding (the authoring notebook)."""
    return _env().get_template("case_body.html").render(view=view)


def render_view(view: View, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(view)
    if fmt == "html":
        return render_html(view)
    raise ValueError(f"okänt format '{fmt}'; välj md eller html")
