"""A plan as fields: paths, flattening and assembling, links between rows."""

import json
from pathlib import Path

import pytest

from graders.plan import Plan
from sipkurs import plandoc

EXAMPLE = json.loads((Path(__file__).parent.parent / "docs" / "exempel-plan.json").read_text(encoding="utf-8"))


def test_every_table_of_the_plan_has_a_row_prefix_and_public_ids_match_the_model():
    tables = {name for name, f in Plan.model_fields.items() if "list[" in str(f.annotation) and name in plandoc.ROW_PREFIX}
    assert tables == set(plandoc.ROW_PREFIX)
    for table in plandoc.ROW_PREFIX:
        row_model = Plan.model_fields[table].annotation.__args__[0]
        assert ("id" in row_model.model_fields) == (table in plandoc.PUBLIC_IDS)
    assert len(set(plandoc.ROW_PREFIX.values())) == len(plandoc.ROW_PREFIX)


def test_the_example_plan_round_trips_through_fields():
    typed = {k: v for k, v in EXAMPLE.items() if k not in plandoc.APP_FIELDS}
    fields = plandoc.flatten(typed)
    assert fields["needs[N1]"] == 1 and "needs[N1].text" in fields and "consent.scope" in fields  # ids kept
    assert "participants[D1].name" in fields  # rows without ids in the plan get ids as fields
    again = plandoc.assemble(fields)
    assert Plan.model_validate(again).model_dump(exclude=set(plandoc.APP_FIELDS)) == Plan.model_validate(
        typed
    ).model_dump(exclude=set(plandoc.APP_FIELDS))


def test_paths_are_parsed_strictly():
    assert plandoc.parse("consent.scope") == (None, None, None)
    assert plandoc.parse("needs[B3]") == ("needs", "B3", None)
    assert plandoc.parse("efforts[I2].needs") == ("efforts", "I2", "needs")
    for bad in ("needs", "nope[B1]", "needs[<b>].text", "scenario_id", "authors", "a..b", "x" * 200, "needs[B1]x"):
        with pytest.raises(plandoc.BadPath):
            plandoc.parse(bad)


def test_deleted_rows_and_links_to_them_leave_the_plan_and_come_back_with_the_row():
    fields = plandoc.flatten(
        {
            "needs": [{"id": "B1", "text": "a"}, {"id": "B2", "text": "b"}],
            "goals": [{"id": "M1", "text": "m"}, {"id": "M2", "kind": "sub_goal", "parent": "M1"}],
            "efforts": [{"id": "I1", "needs": ["B1", "B2"], "goals": ["M1"]}],
        }
    )
    fields["needs[B1]"] = False
    fields["goals[M1]"] = False
    data = plandoc.assemble(fields)
    assert [n["id"] for n in data["needs"]] == ["B2"]
    assert data["efforts"][0]["needs"] == ["B2"] and data["efforts"][0]["goals"] == []
    assert data["goals"][0]["parent"] == ""
    Plan.model_validate(data)
    fields["needs[B1]"] = True
    assert plandoc.assemble(fields)["efforts"][0]["needs"] == ["B1", "B2"]


def test_row_ids_are_never_reused_and_odd_ids_are_replaced():
    assert plandoc.next_row_id("needs", ["B1", "B7", "B3"]) == "B8"
    fields = plandoc.flatten({"needs": [{"id": "<x>", "text": "a"}, {"id": "B1", "text": "b"}, {"id": "B1", "text": "c"}]})
    assert sorted(p for p in fields if p.endswith("]")) == ["needs[B1]", "needs[B2]", "needs[B3]"]
    assert sorted(n["text"] for n in plandoc.assemble(fields)["needs"]) == ["a", "b", "c"]


def test_diff_names_what_changed_and_what_went():
    old = {"chair": "a", "needs[B1]": True, "needs[B1].text": "x"}
    new = {"chair": "b", "wishes": "w"}
    assert plandoc.diff(old, new) == {"chair": "b", "wishes": "w", "needs[B1]": False, "needs[B1].text": None}
