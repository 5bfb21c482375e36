"""The order the tests run in under ``pytest -n N --dist worksteal``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")


def long_first(items: Sequence[T], is_long: Callable[[T], bool], workers: int) -> list[T]:
    """``items`` reordered so that each of ``workers`` slices starts with its share of the
    long ones, dealt round-robin; everything else keeps its order.

    ``--dist worksteal`` hands each worker a contiguous slice of the collection (what is left,
    shared evenly, worker by worker) and moves the unstarted tail of a busy worker's slice to
    an idle one. A long test at the end of a slice therefore started late and ran alone at the
    end of the run (about 20 s with one core idle, on two cores and four workers). Without
    workers, or with more long tests than the slices hold, the order is left as it is."""
    long = [item for item in items if is_long(item)]
    if workers < 2 or not long or -(-len(long) // workers) > len(items) // workers:
        return list(items)
    rest = iter([item for item in items if not is_long(item)])
    order: list[T] = []
    remaining = len(items)
    for k in range(workers):
        size = remaining // (workers - k)
        remaining -= size
        first = long[k::workers]
        order += first
        order += [next(rest) for _ in range(size - len(first))]
    return order
