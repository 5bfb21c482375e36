"""Rendering pages in several processes gives the very same site as one process."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.ecosystems import INFOS
from generator.errors import GeneratorError
from generator.render import plan, write
from generator.render.env import environment
from generator.render.parallel import PARALLEL_PAGES, can_fork, default_workers, in_children
from tests.synthetic import synthetic_snapshot


def needs_fork() -> None:
    """Skip unless forking happens now (another test may have left a thread running)."""
    if not can_fork():
        pytest.skip("fork unavailable, or a thread is running in this process")


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_three_processes_write_what_one_does(tmp_path: Path) -> None:
    needs_fork()
    site = plan([synthetic_snapshot(eco, 60) for eco in sorted(INFOS)], INFOS)
    one = write(site, tmp_path / "one", environment(), workers=1)
    three = write(site, tmp_path / "three", environment(), workers=3)
    assert [p.relative_to(tmp_path / "one") for p in one] == [
        p.relative_to(tmp_path / "three") for p in three
    ]
    assert tree(tmp_path / "one") == tree(tmp_path / "three")


def test_a_failing_child_fails_the_render() -> None:
    needs_fork()
    parent = os.getpid()

    def work(share: slice) -> None:
        if os.getpid() != parent and share.start == 2:
            raise RuntimeError("boom")

    with pytest.raises(GeneratorError, match="1 of 3 processes"):
        in_children(3, work)


def test_small_sites_render_in_process() -> None:
    assert default_workers(PARALLEL_PAGES - 1) == 1
