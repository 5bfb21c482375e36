"""Render pages in several processes, for large sites.

Rendering is CPU-bound Jinja work, one independent file per page: 10,000 packages per
ecosystem are 20,000 pages (bench/render.py). For a site of :data:`PARALLEL_PAGES` pages or
more, :func:`in_children` forks one child per extra CPU; each renders every n-th page into
the same staging folder while the parent renders its own share. Output is the same for any
number of processes (tests/unit/render/test_parallel.py).

Safety:

- only where ``os.fork`` exists (Linux, macOS) and only while the process runs a single
  thread: forking a threaded process can deadlock in the child (the demo registry's server
  thread, for one); otherwise everything is rendered in-process;
- on Linux each child asks the kernel to kill it when its parent dies
  (``PR_SET_PDEATHSIG``), so a killed run never leaves a child writing into a staging folder
  that the next run sweeps (``generator.atomic``);
- a child that fails (an exception, a signal) fails the render with a
  :class:`~generator.errors.GeneratorError`; the atomic publish then keeps the old site.
"""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable

from generator.errors import GeneratorError

PARALLEL_PAGES = 2000
"""Smallest site rendered by several processes (below it a fork costs more than it saves)."""

MAX_WORKERS = 8

_PR_SET_PDEATHSIG = 1


def can_fork() -> bool:
    """Whether forking is available and safe now (one thread in this process)."""
    return hasattr(os, "fork") and threading.active_count() == 1


def default_workers(pages: int) -> int:
    """One process per usable CPU for a large site, else one."""
    if pages < PARALLEL_PAGES or not can_fork():
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, MAX_WORKERS))


def in_children(workers: int, work: Callable[[slice], None]) -> None:
    """Run ``work(share)`` for ``workers`` interleaved shares of the pages
    (``slice(i, None, workers)``), in forked children and this process; in this process
    alone when ``workers`` is 1 or forking is not safe."""
    if workers <= 1 or not can_fork():
        work(slice(None))
        return
    parent = os.getpid()
    children: list[int] = []
    # Objects alive now are left out of later collections, in the children and here: a
    # collection touches every object it scans, which copies the page it is on (fork shares
    # memory copy-on-write).
    gc.freeze()
    try:
        for i in range(1, workers):
            sys.stdout.flush()
            sys.stderr.flush()
            pid = os.fork()
            if pid == 0:  # pragma: no cover - runs in the child (coverage does not follow)
                _child(parent, work, slice(i, None, workers))
            children.append(pid)
        work(slice(0, None, workers))
    except BaseException:
        for pid in children:
            _kill(pid)
        _reap(children)
        raise
    finally:
        gc.unfreeze()
    failed = _reap(children)
    if failed:
        raise GeneratorError(
            f"rendering failed in {failed} of {workers} processes (see the messages above)"
        )


def _child(parent: int, work: Callable[[slice], None], share: slice) -> None:  # pragma: no cover
    code = 1
    try:
        _die_with(parent)
        work(share)
        code = 0
    except BaseException:  # noqa: BLE001 - reported, then the exit status says it failed
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with(parent: int) -> None:  # pragma: no cover - runs in the child
    """Be killed when the parent dies (Linux); exit now if it is already gone."""
    if sys.platform == "linux":
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _reap(children: list[int]) -> int:
    """Wait for every child; the number that did not exit with status 0."""
    failed = 0
    for pid in children:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            failed += 1
    return failed
