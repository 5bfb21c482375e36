"""The crawl's collector tuning: rows frozen as they finish, cyclic garbage still freed,
and the collector exactly as it was afterwards."""

from __future__ import annotations

import gc
import weakref

from generator.gc_tuning import YOUNG_THRESHOLD, lean_gc


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only the collector frees it


def test_thresholds_and_freeze_are_restored() -> None:
    gc.unfreeze()  # whatever an earlier test in this process froze (the render does)
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    with lean_gc(every=2) as finished:
        assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)
        kept = [Node() for _ in range(10)]
        finished()
        finished()
        assert gc.get_freeze_count() > frozen  # the kept rows left the scanned generations
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    assert len(kept) == 10


def test_cyclic_garbage_is_still_collected_at_each_freeze() -> None:
    with lean_gc(every=1) as finished:
        garbage = Node()
        ref = weakref.ref(garbage)
        del garbage
        finished()  # collects the young generations before it freezes
        assert ref() is None


def test_what_another_froze_is_never_thawed() -> None:
    gc.freeze()  # as the render does before it forks
    frozen = gc.get_freeze_count()
    with lean_gc(every=1) as finished:
        finished()
    assert gc.get_freeze_count() >= frozen
    gc.unfreeze()


def test_an_error_inside_restores_the_collector() -> None:
    gc.unfreeze()
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        with lean_gc(every=1) as finished:
            finished()
            raise RuntimeError("a crawl that fails")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
