"""The crawl's collector tuning: what exists at the start is frozen, what the crawl makes is
collected as usual (cycles included), and the collector is exactly as it was afterwards."""

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
    kept = [Node() for _ in range(10)]
    with lean_gc():
        assert gc.get_threshold()[0] == max(before[0], YOUNG_THRESHOLD)
        assert gc.get_freeze_count() >= frozen + 10  # what existed is no longer scanned
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
    assert len(kept) == 10


def test_what_the_crawl_makes_is_never_frozen_and_its_cycles_are_collected() -> None:
    gc.unfreeze()
    with lean_gc():
        frozen = gc.get_freeze_count()
        alive = Node()  # a package in flight ...
        ref = weakref.ref(alive)
        for _ in range(3):
            gc.collect()  # ... survives collections into the oldest generation ...
        # ... and nothing was frozen meanwhile. (The count may fall: a frozen object can still
        # be freed, by another thread of this worker, such as a test server's.)
        assert gc.get_freeze_count() <= frozen
        del alive  # ... and becomes cyclic garbage later
        gc.collect()
        assert ref() is None


def test_what_another_froze_is_never_thawed() -> None:
    gc.freeze()  # as the render does before it forks
    frozen = gc.get_freeze_count()
    with lean_gc():
        pass
    assert gc.get_freeze_count() >= frozen
    gc.unfreeze()


def test_an_error_inside_restores_the_collector() -> None:
    gc.unfreeze()
    before, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        with lean_gc():
            raise RuntimeError("a crawl that fails")
    except RuntimeError:
        pass
    assert gc.get_threshold() == before and gc.get_freeze_count() == frozen
