from __future__ import annotations

from tests.order import long_first


def slices(order: list[str], workers: int) -> list[list[str]]:
    """The slices worksteal deals out at the start (xdist's WorkStealingScheduling)."""
    out, at, remaining = [], 0, len(order)
    for k in range(workers):
        size = remaining // (workers - k)
        out.append(order[at : at + size])
        at, remaining = at + size, remaining - size
    return out


def test_each_slice_starts_with_its_share_of_the_long_tests() -> None:
    items = [f"t{i:02}" for i in range(30)]
    long = {"t05", "t06", "t07", "t20", "t28", "t29"}
    order = long_first(items, long.__contains__, 4)
    assert sorted(order) == items
    firsts = [s[: 2 if i < 2 else 1] for i, s in enumerate(slices(order, 4))]
    assert firsts == [["t05", "t28"], ["t06", "t29"], ["t07"], ["t20"]]
    quick = [item for item in order if item not in long]
    assert quick == [item for item in items if item not in long]


def test_left_alone_without_workers_or_long_tests_or_room() -> None:
    items = [f"t{i}" for i in range(8)]
    assert long_first(items, lambda item: item == "t7", 0) == items
    assert long_first(items, lambda item: item == "t7", 1) == items
    assert long_first(items, lambda item: False, 4) == items
    # 9 long tests, and slices of 2 or 3: the first slice cannot hold its three.
    nine = [*items, "t8"]
    assert long_first(nine, lambda item: True, 4) == nine
