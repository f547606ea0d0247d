"""Views of a case: participant and role views never show the ground truth or another role's hidden information."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from simulator.cases import PERSON_ROLE, RELATIVE_ROLE
from simulator.library import load_library
from simulator.views import UnknownView, build_view, render, view_names

LIB = load_library()
CASES = sorted(LIB)


def _filler(case, variant):
    from simulator.cases import person_values
    from simulator.texts import fill

    values = person_values(case.variant(variant).person)
    return lambda t: fill(t, values)


def hidden_texts(case, variant) -> dict[str, str]:
    """What no seat may read, only the trainer: the facit, the need analysis, the events and the learning goals."""
    s = case.variant(variant)
    f = _filler(case, variant)
    out: dict[str, str] = {}
    if case.facit.text:
        out["facit"] = f(case.facit.text)
    for n in s.person.needs:
        out[f"behov {n.id}"] = n.description
    for e in case.events:
        out[f"händelse {e.id}"] = f(e.text)
    for g in case.learning_goals:
        out["lärandemål"] = g
    return out


def seat_texts(case, variant) -> dict[str | None, dict[str, str]]:
    """The private texts of each seat's card, filled for this variant: seat id → {label: text}. Under None, what no
    seat reads: the child's own worries and secrets when a guardian plays the person's seat."""
    f = _filler(case, variant)
    out: dict[str | None, dict[str, str]] = {}
    for r in case.roles:
        own = out.setdefault(r.organisation, {})
        for field in ("knows", "mandate", "priorities", "time_horizon", "clashes"):
            own[f"{r.organisation}.{field}"] = f(getattr(r, field))
        for i, h in enumerate(r.hidden):
            own[f"{r.organisation}.hidden[{i}]"] = f(h.text)

    def card(label, c):
        texts = {f"{label}.knows": f(c.knows)}
        texts |= {f"{label}.wishes[{i}]": f(w) for i, w in enumerate(c.wishes)}
        texts |= {f"{label}.worries[{i}]": f(w) for i, w in enumerate(c.worries)}
        return texts | {f"{label}.hidden[{i}]": f(h.text) for i, h in enumerate(c.hidden)}

    person = {f"personen.worries[{i}]": f(w) for i, w in enumerate(case.person.worries)}
    person |= {f"personen.hidden[{i}]": f(h.text) for i, h in enumerate(case.person.hidden)}
    if case.is_child and case.guardian:
        out[PERSON_ROLE], out[None] = card("vårdnadshavare", case.guardian), person
    else:
        out[PERSON_ROLE] = person
    if case.relative:
        out[RELATIVE_ROLE] = card("närstående", case.relative)
    assert set(out) - {None} == set(case.seat_ids)
    return out


def _norm(text: str) -> str:
    return " ".join(re.sub(r"\\(.)", r"\1", text).split())


def _page(case, view, fmt, variant) -> str:
    page = _norm(render(case, view, fmt, variant))
    if fmt == "html":
        page = _norm(re.sub(r"<[^>]+>", " ", page).replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&"))
    return page


@pytest.mark.parametrize("case_id", CASES)
def test_no_participant_or_seat_view_leaks(case_id, catalogue):
    """The participant view shows no seat's card; each seat's view shows its own card and no other seat's."""
    case = LIB[case_id]
    truth = case.ground_truth(catalogue)
    not_given = {e for n in truth.needs for e in n.expected_efforts} - set(truth.efforts_in_place)
    views = [v for v in view_names(case) if v != "trainer"]
    assert views == ["participant", *(f"role:{s}" for s in case.seat_ids)]
    for variant in (0, 3):
        seats = seat_texts(case, variant)
        for view in views:
            seat = view.partition(":")[2] or None
            forbidden = hidden_texts(case, variant) | {k: v for s, texts in seats.items() if s != seat or s is None for k, v in texts.items()}
            for fmt in ("md", "html"):
                page = _page(case, view, fmt, variant)
                for label, secret in forbidden.items():
                    assert _norm(secret) not in page, f"{view} visar {label}"
                for label, own in (seats.get(seat, {}) if seat else {}).items():
                    assert _norm(own) in page, f"{view} saknar sitt eget kort: {label}"
                assert "Facit" not in page and "Lärandemål" not in page
                for e in not_given:
                    effort = catalogue.effort(e)
                    if seat not in effort.providers:  # a role may read its own mandate
                        assert effort.name not in page, f"{view} nämner förväntad insats {effort.name}"


@pytest.mark.parametrize("case_id", CASES)
def test_trainer_view_shows_everything(case_id, catalogue):
    case = LIB[case_id]
    page = _norm(render(case, "trainer", "md", 1))
    everything = hidden_texts(case, 1) | {k: v for texts in seat_texts(case, 1).values() for k, v in texts.items()}
    for label, secret in everything.items():
        assert _norm(secret) in page, label
    for n in case.ground_truth(catalogue).needs:
        for e in n.expected_efforts:
            assert catalogue.effort(e).name in page


def test_library_seats_a_relative_a_guardian_and_the_three_big_agencies():
    """Every child case has a guardian at the table; the library has a case with socialtjänst, psykiatri and FK."""
    children = [c for c in LIB.values() if c.is_child]
    assert children and all(c.guardian for c in children)
    assert not any(c.guardian for c in LIB.values() if not c.is_child)
    attends = {"psykos_missbruk_boende", "aldre_utskrivning_hoftfraktur", "demens_hjartsvikt", "lss_vuxen_boende",
               "nyanland_ungdom_trauma", "ung_hvb_placerad", "barn_skolfranvaro_npf", "sjukskriven_utmattning"}
    assert attends <= {c.id for c in LIB.values() if c.relative}
    big_three = [c.id for c in LIB.values() if {"forsakringskassan"} <= set(c.role_ids)
                 and {"socialtjanst_vuxen", "socialtjanst_barn"} & set(c.role_ids) and {"vuxenpsykiatri", "bup"} & set(c.role_ids)]
    assert "psykos_missbruk_boende" in big_three


def test_a_guardian_plays_the_childs_seat_without_the_childs_secrets():
    case = LIB["barn_skolfranvaro_npf"]
    s = case.variant(0)
    guardian = render(case, "role:personen", "md")
    assert "Rollkort: vårdnadshavare" in guardian and f"Du spelar Sara {s.person.family_name}" in guardian
    assert "tar min mobil" not in guardian and "tar min mobil" in render(case, "trainer", "md")
    relative = render(case, "role:narstaende", "md")
    assert "Du spelar Gunnel Ek" in relative and "de stora" in relative and "de stora" not in guardian
    adult = render(LIB["psykos_missbruk_boende"], "role:personen", "md")
    assert "Rollkort: personen" in adult and "tolv tusen" in adult
    handout = render(LIB["ung_hvb_placerad"], "event:rymning", "md")
    assert "vårdnadshavare (för barnet)" in handout and "närstående" in handout


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
        everything = hidden_texts(case, 2) | {k: v for texts in seat_texts(case, 2).values() for k, v in texts.items()}
        for label, secret in everything.items():
            if label != f"händelse {own}":
                assert _norm(secret) not in page, f"{view} visar {label}"
            else:
                assert _norm(secret) in page
