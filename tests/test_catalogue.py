"""The catalogue is data; these tests prove the loader checks it and the look-ups answer from it."""

import pytest
import yaml
from pydantic import ValidationError

from simulator.archetypes import check_references, load_archetypes, load_need_templates
from simulator.catalogue import Catalogue, OrgKind
from simulator.datafiles import DATA_DIR


def raw_catalogue():
    return yaml.safe_load((DATA_DIR / "catalogue.yaml").read_text(encoding="utf-8"))


def test_principals_are_kommun_and_region(catalogue):
    assert [p.id for p in catalogue.principals] == ["kommun", "region"]


def test_required_other_actors_present(catalogue):
    others = {o.id for o in catalogue.organisations if o.kind is OrgKind.other_actor}
    assert {
        "forsakringskassan", "arbetsformedlingen", "skola", "sis", "kriminalvarden", "polisen", "god_man",
        "personligt_ombud", "samordningsforbund", "ideell_organisation",
    } <= others


def test_every_need_area_has_a_provider(catalogue):
    for area in catalogue.need_areas:
        assert catalogue.responders_for_area(area.id), area.id


def test_lookups(catalogue):
    assert catalogue.principal_of("bup") == "region"
    assert catalogue.principal_of("hemsjukvard" and "kommunal_hsl") == "kommun"
    assert catalogue.principal_of("forsakringskassan") is None
    assert catalogue.can_provide("aldreomsorg", "hemtjanst")
    assert not catalogue.can_provide("forsakringskassan", "hemtjanst")
    assert catalogue.presumption_groups_for({"demens", "somatisk_sjukdom"}) == ["demens_och_somatisk_sjukdom"]
    assert catalogue.presumption_groups_for({"demens"}) == []


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (lambda c: c["efforts"][0]["providers"].append("nobody"), "unknown provider nobody"),
        (lambda c: c["efforts"][0]["areas"].append("nowhere"), "unknown area nowhere"),
        (lambda c: c["organisations"].append(dict(c["organisations"][0])), "duplicate organisation ids"),
        (lambda c: c["organisations"][0].update(principal="landsting"), "unknown principal landsting"),
        (lambda c: c["organisations"][0].pop("principal"), "a unit needs a principal"),
    ],
)
def test_broken_catalogue_is_rejected(mutate, expected):
    data = raw_catalogue()
    mutate(data)
    with pytest.raises(ValidationError, match=expected):
        Catalogue.model_validate(data)


def test_shipped_archetypes_reference_only_known_things(catalogue):
    assert check_references(catalogue, load_need_templates(), load_archetypes()) == []


def test_reference_check_finds_an_effort_that_does_not_fit_the_need(catalogue):
    templates = dict(load_need_templates())
    templates["skolfranvaro"] = templates["skolfranvaro"].model_copy(update={"expected_efforts": ("hemtjanst",)})
    problems = check_references(catalogue, templates, load_archetypes())
    assert problems == ["need skolfranvaro: effort hemtjanst does not serve area skolgang"]


def test_archetypes_cover_every_target_group(catalogue):
    covered = {g for a in load_archetypes().values() for g in a.target_groups}
    assert covered == {t.id for t in catalogue.target_groups}


def test_catalogue_page_is_current():
    from pathlib import Path

    from simulator.catalogue_doc import catalogue_markdown

    page = Path(__file__).parents[1] / "docs" / "katalog.md"
    assert page.read_text(encoding="utf-8") == catalogue_markdown(), "kör: sipkurs catalogue > docs/katalog.md"
