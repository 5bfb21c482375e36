"""The cyclic garbage collector, tuned for a crawl (issue 13).

A crawl allocates millions of short-lived containers (decoded registry documents, which are
freed by reference counting: JSON holds no cycles). With CPython's default thresholds the
collector ran hundreds of times a second and its older generations re-scanned every
long-lived object again and again (then every finished row too: rows now go to disk,
``generator.spool``): a quarter of a PyPI crawl's CPU (bench: 1,000 packages, 10.2–10.8 s
with the defaults, 7.6–8.2 s with the collector off).

:func:`lean_gc` raises the youngest generation's threshold for the crawl and, every
``every`` finished packages, collects the young generations (so cyclic garbage, e.g. a
retried request's exception and traceback, is still freed) and then freezes what is left:
long-lived objects move to the permanent generation and are never scanned again. On the way
out the thresholds are restored and what was frozen here is unfrozen (when nothing was
frozen before: CPython can only thaw everything).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

#: Allocations between two collections of the youngest generation during a crawl
#: (CPython's default is 700 on 3.11–3.13).
YOUNG_THRESHOLD = 50_000
#: Finished packages between two freezes.
EVERY = 256


@contextmanager
def lean_gc(every: int = EVERY) -> Iterator[Callable[[], None]]:
    """A context in which calling the yielded function once per finished package keeps the
    collector off long-lived objects (see the module's docstring)."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    done = 0

    def finished() -> None:
        nonlocal done
        done += 1
        if done % every == 0:
            gc.collect(1)
            gc.freeze()

    gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield finished
    finally:
        gc.set_threshold(*thresholds)
        # gc.unfreeze() thaws everything: only when nothing was frozen before us (otherwise
        # another's frozen objects, e.g. the render's before it forks, would thaw too; ours
        # then stay frozen, still freed by reference counting, only cycles wait).
        if frozen_before == 0:
            gc.unfreeze()
