"""Views of a case: participant and role views never show the ground truth or another role's hidden information."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from simulator.cases import PERSON_ROLE
from simulator.library import load_library
from simulator.views import UnknownView, build_view, render, view_names

LIB = load_library()
CASES = sorted(LIB)


def hidden_texts(case, variant, visible_role: str | None) -> dict[str, str]:
    """Everything a viewer (a participant, or the player of visible_role) must not see, filled for this variant."""
    from simulator.cases import person_values
    from simulator.texts import fill

    s = case.variant(variant)
    f = lambda t: fill(t, person_values(s.person))  # noqa: E731
    out: dict[str, str] = {}
    if case.facit.text:
        out["facit"] = f(case.facit.text)
    for n in s.person.needs:
        out[f"behov {n.id}"] = n.description
    for r in case.roles:
        if r.organisation == visible_role:
            continue
        for field in ("knows", "mandate", "priorities", "time_horizon", "clashes"):
            out[f"{r.organisation}.{field}"] = f(getattr(r, field))
        for h in r.hidden:
            out[f"{r.organisation}.hidden"] = f(h.text)
    if visible_role != PERSON_ROLE:
        for h in case.person.hidden:
            out["personen.hidden"] = f(h.text)
        for w in case.person.worries:
            out["personen.worries"] = f(w)
    for e in case.events:
        out[f"händelse {e.id}"] = f(e.text)
    for g in case.learning_goals:
        out["lärandemål"] = g
    return out


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


@pytest.mark.parametrize("case_id", CASES)
def test_no_participant_or_role_view_leaks(case_id, catalogue):
    case = LIB[case_id]
    for view in view_names(case):
        if view == "trainer":
            continue
        role = view.partition(":")[2] or None
        for variant in (0, 3):
            for fmt in ("md", "html"):
                page = _norm(render(case, view, fmt, variant))
                if fmt == "html":
                    page = _norm(re.sub(r"<[^>]+>", " ", page).replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&"))
                for label, secret in hidden_texts(case, variant, role).items():
                    assert _norm(secret) not in page, f"{view} visar {label}"
                assert "Facit" not in page and "Lärandemål" not in page
                truth = case.ground_truth(catalogue)
                in_place = set(truth.efforts_in_place)
                for e in {e for n in truth.needs for e in n.expected_efforts} - in_place:
                    effort = catalogue.effort(e)
                    if role in effort.providers:
                        continue  # a role may read its own mandate
                    assert effort.name not in page, f"{view} nämner förväntad insats {effort.name}"


@pytest.mark.parametrize("case_id", CASES)
def test_trainer_view_shows_everything(case_id, catalogue):
    case = LIB[case_id]
    page = _norm(render(case, "trainer", "md", 1))
    for label, secret in hidden_texts(case, 1, None).items():
        assert _norm(secret) in page, label
    for n in case.ground_truth(catalogue).needs:
        for e in n.expected_efforts:
            assert catalogue.effort(e).name in page


def test_role_view_shows_its_own_card_and_hidden_information():
    case = LIB["sjukskriven_utmattning"]
    page = render(case, "role:forsakringskassan", "md")
    assert "Dag 180 i rehabiliteringskedjan" in page and "Utan nytt läkarintyg" in page
    person = render(case, "role:personen", "md")
    assert "Kronofogden" in person and "Kronofogden" not in render(case, "participant", "md")


class _Checker(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")


def test_html_is_swedish_print_friendly_and_escaped():
    case = LIB["demens_hjartsvikt"]
    page = render(case, "trainer", "html", 2)
    checker = _Checker()
    checker.feed(page)
    assert checker.lang == "sv" and "main" in checker.tags and "h1" in checker.tags
    assert "@media print" in page
    evil = case.model_copy(update={"title": "<script>alert(1)</script> & {namn}"})
    html = render(evil, "participant", "html")
    assert "<script>" not in html and "&lt;script&gt;" in html
    md = render(evil, "participant", "md")
    assert "<script>" not in md


def test_unknown_view_names_the_choices():
    case = LIB["skor_aldre_ensam"]
    with pytest.raises(UnknownView, match="role:tandvard"):
        build_view(case, "role:bup")
    with pytest.raises(UnknownView):
        build_view(case, "elev")


def test_views_follow_the_variant():
    case = LIB["barn_autism_avlastning"]
    a, b = (case.variant(n).person.full_name for n in (0, 1))
    assert a != b
    assert a in render(case, "participant", "md", 0) and b in render(case, "participant", "md", 1)


@pytest.mark.parametrize("case_id", CASES)
def test_event_handouts_show_only_their_event(case_id):
    case = LIB[case_id]
    events = [v for v in view_names(case, events=True) if v.startswith("event:")]
    assert len(events) == len(case.events) >= 1
    for view in events:
        page = _norm(render(case, view, "md", 2))
        own = view.partition(":")[2]
        for label, secret in hidden_texts(case, 2, None).items():
            if label != f"händelse {own}":
                assert _norm(secret) not in page, f"{view} visar {label}"
            else:
                assert _norm(secret) in page
