"""Rendering pages in several processes gives the very same site as one process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from generator.ecosystems import INFOS
from generator.errors import GeneratorError
from generator.render import plan, write
from generator.render.env import environment
from generator.render.parallel import PARALLEL_PAGES, can_fork, default_workers, in_children
from tests.synthetic import synthetic_snapshot

NESTED = "ATTESTED_YET_FORK_TEST_NESTED"


def ran_elsewhere(config: pytest.Config, nodeid: str) -> bool:
    """False when this process can fork now. Otherwise run test ``nodeid`` again in a new
    interpreter, assert that it passed there, and return True.

    Forking needs a single thread. An xdist worker that ran a browser test keeps that
    session's threads, the web server's and the one waiting on Playwright's driver, until it
    ends. A skip here used to hide these tests on whichever worker drew them after one."""
    if can_fork():
        return False
    if not hasattr(os, "fork"):
        pytest.skip("no fork on this platform")
    if os.environ.get(NESTED):
        pytest.fail("a thread runs even in a new interpreter: forking is never safe here")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", nodeid],
        env={**env, NESTED: "1"},
        cwd=config.rootpath,
        capture_output=True,
        text=True,
        timeout=120,
    )
    passed = re.search(r"^1 passed in ", proc.stdout, re.MULTILINE)
    assert proc.returncode == 0 and passed, proc.stdout + proc.stderr
    return True


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_three_processes_write_what_one_does(
    tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if ran_elsewhere(request.config, request.node.nodeid):
        return
    site = plan([synthetic_snapshot(eco, 60) for eco in sorted(INFOS)], INFOS)
    one = write(site, tmp_path / "one", environment(), workers=1)
    three = write(site, tmp_path / "three", environment(), workers=3)
    assert [p.relative_to(tmp_path / "one") for p in one] == [
        p.relative_to(tmp_path / "three") for p in three
    ]
    assert tree(tmp_path / "one") == tree(tmp_path / "three")


def test_a_failing_child_fails_the_render(request: pytest.FixtureRequest) -> None:
    if ran_elsewhere(request.config, request.node.nodeid):
        return
    parent = os.getpid()

    def work(share: slice) -> None:
        if os.getpid() != parent and share.start == 2:
            raise RuntimeError("boom")

    with pytest.raises(GeneratorError, match="1 of 3 processes"):
        in_children(3, work)


def test_small_sites_render_in_process() -> None:
    assert default_workers(PARALLEL_PAGES - 1) == 1


def test_a_thread_here_sends_the_fork_tests_to_a_new_interpreter(
    request: pytest.FixtureRequest,
) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait, daemon=True)
    thread.start()
    try:
        assert not can_fork()
        assert default_workers(PARALLEL_PAGES) == 1  # the render itself stays in-process
        test = request.node.nodeid.replace(
            request.node.name, "test_a_failing_child_fails_the_render"
        )
        assert ran_elsewhere(request.config, test)
    finally:
        stop.set()
        thread.join()
