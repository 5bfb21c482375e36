"""The cyclic garbage collector, tuned for a crawl (issue 13).

A crawl allocates millions of short-lived containers (decoded registry documents, which are
freed by reference counting: JSON holds no cycles). With CPython's default thresholds the
collector ran hundreds of times a second and its older generations re-scanned every
long-lived object (modules, and then every finished row) again and again: a quarter of a
PyPI crawl's CPU (bench: 1,000 packages, 10.2–10.8 s with the defaults, 7.6–8.2 s with the
collector off).

:func:`lean_gc` freezes what exists when the crawl starts (modules, caches, the stored
state's index): the permanent generation is never scanned again; and it raises the youngest
generation's threshold for the crawl. What the crawl itself makes is collected as usual:
finished rows go to disk (``generator.spool``), so nothing of the crawl needs to be frozen.
(Freezing during the crawl, as an earlier version did every 256 packages, also froze the
objects of the packages in flight at that moment; a reference cycle that later formed
through one of them, such as an exception's traceback and its frames, could then never be
collected: a warm crawl grew by ~4 kB per package.) On the way out the thresholds are
restored and what was frozen here is unfrozen (when nothing was frozen before: CPython can
only thaw everything).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between two collections of the youngest generation during a crawl
#: (CPython's default is 700 on 3.11–3.13).
YOUNG_THRESHOLD = 50_000


@contextmanager
def lean_gc() -> Iterator[None]:
    """A context for a crawl: what exists now is frozen, the youngest generation collected
    less often (see the module's docstring)."""
    thresholds = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.freeze()  # garbage frozen with it waits for the unfreeze: a few objects at start-up
    gc.set_threshold(max(thresholds[0], YOUNG_THRESHOLD), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        # gc.unfreeze() thaws everything: only when nothing was frozen before us (otherwise
        # another's frozen objects, e.g. the render's before it forks, would thaw too; ours
        # then stay frozen, still freed by reference counting, only cycles wait).
        if frozen_before == 0:
            gc.unfreeze()
