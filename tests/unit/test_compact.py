"""``compact``: kept rows share their fields-set objects, and nothing else changes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from generator.compact import compact


class Inner(BaseModel):
    model_config = ConfigDict(frozen=True)
    a: int
    b: str = "x"


class Outer(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: str
    items: list[Inner]
    one: Inner | None = None


class Loose(BaseModel):
    a: int = 0


def test_shared_sets_same_values_and_copies_stay_apart() -> None:
    rows = [
        Outer(name=f"p{i}", items=[Inner(a=i), Inner(a=i, b="y")], one=Inner(a=1)) for i in range(3)
    ]
    dumps = [r.model_dump_json() for r in rows]
    for row in rows:
        assert compact(row) is row
    assert [r.model_dump_json() for r in rows] == dumps
    assert rows[0].model_fields_set is rows[1].model_fields_set == {"name", "items", "one"}
    assert rows[0].items[0].model_fields_set is rows[2].items[0].model_fields_set == {"a"}
    assert rows[0].items[1].model_fields_set == {"a", "b"}
    assert rows[0].model_dump(exclude_unset=True)["items"][0] == {"a": 0}
    copied = rows[0].model_copy(update={"name": "q"})
    assert copied.name == "q" and rows[0].name == "p0"
    assert rows[1].model_fields_set == {"name", "items", "one"}


def test_models_that_can_change_keep_their_own() -> None:
    first, second = Loose(a=1), Loose(a=1)
    compact(first)
    compact(second)
    assert first.model_fields_set is not second.model_fields_set
