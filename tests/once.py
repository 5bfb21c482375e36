"""Folders a whole test run builds once, however many pytest-xdist workers ask for them.

A module- or session-scoped fixture is built by every worker that runs one of its tests: with
four workers, a demo crawl the shard tests share ran up to four times. :func:`built_once`
builds the folder in the first worker to ask (under a lock) and hands the others the same
folder. Tests read it; a test that must change something copies it first.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def built_once(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name``, filled by ``build`` (given an empty folder) once per test run."""
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # this run's folder, which its workers share (each has a child)
    done = base / f"once-{name}"
    with open(base / f"once-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.is_dir():
            work = base / f"once-{name}.part"
            shutil.rmtree(work, ignore_errors=True)  # a build that failed in another worker
            work.mkdir()
            build(work)
            work.rename(done)
    return done
