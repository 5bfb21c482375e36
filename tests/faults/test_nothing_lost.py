"""Nothing lost: SIGKILL the command line mid-run; the previous data and site stay whole.

Two ways of killing, both deterministic (no clock): a ``build`` is killed while the local
registry holds its Nth request (the crawl, at a known point of its progress), and a
``render`` is killed at its Nth file-system step (so the short render window is covered
step by step, not by luck). Every push runs a few chosen points of each; the weekly deep
run (``-m slow``) sweeps them all.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from generator.demo import RECORDINGS
from generator.demo.server import Registry, Reply, serve
from generator.snapshot import read_snapshot, read_snapshots
from tests.faults.htmlcheck import check_page

EXPECTED = json.loads((RECORDINGS / "expected.json").read_text())
ALL_NAMES = {name for eco in ("pypi", "npm") for name in EXPECTED[eco]}


class Tripwire:
    """Counts the requests of every registry it is wired to; the ``at``-th one is held
    (never answered) until :meth:`release`, and :attr:`reached` is set when it arrives."""

    def __init__(self, at: int = 0) -> None:
        self.at, self.count = at, 0
        self.reached, self._released = threading.Event(), threading.Event()
        self._lock = threading.Lock()

    def passed(self) -> None:
        with self._lock:
            self.count += 1
            tripped = self.count == self.at
        if tripped:
            self.reached.set()
            self._released.wait(timeout=60)

    def release(self) -> None:
        self._released.set()


class WiredRegistry(Registry):
    """The recorded registry of ``ecosystem``, passing every request through ``wire``."""

    def __init__(self, ecosystem: str) -> None:
        super().__init__(Registry.from_directory(RECORDINGS / ecosystem).routes)
        self.wire = Tripwire()

    def reply_for(self, path: str) -> Reply:
        self.wire.passed()
        return super().reply_for(path)


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def build_args(pypi: str, npm: str, top: int) -> list[str]:
    return cli(
        "build",
        "--pypi-url",
        pypi,
        "--top-pypi-url",
        f"{pypi}/top-pypi-packages-30-days.min.json",
        "--npm-url",
        npm,
        "--top",
        str(top),
        "--concurrency",
        "2",
        "--attempts",
        "1",
        "--data",
        "data",
        "--out",
        "site",
    )


def tree(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``folder``."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def assert_data_intact(data: Path) -> dict[str, int]:
    """Every snapshot in ``data`` is complete and valid; returns packages per ecosystem."""
    schema = json.loads((data / "schema.json").read_text())
    counts = {}
    for eco in ("pypi", "npm"):
        path = data / f"{eco}.json"
        jsonschema.validate(json.loads(path.read_bytes()), schema)
        counts[eco] = len(read_snapshot(path).packages)
    assert {s.ecosystem for s in read_snapshots(data)} == {"pypi", "npm"}
    return counts


def assert_site_intact(site: Path) -> int:
    """The site is one whole generation: pages parse, its data validates, and the packages
    its pages name are exactly those of its data. Returns the packages per ecosystem."""
    counts = assert_data_intact(site / "data")
    assert counts["pypi"] == counts["npm"], f"a site mixing two runs: {counts}"
    pages = sorted(site.rglob("*.html"))
    assert pages and (site / "index.html") in pages
    text = ""
    for page in pages:
        check_page(page.read_text(encoding="utf-8"))
        text += page.read_text(encoding="utf-8")
    in_data = {
        p.name for eco in ("pypi", "npm") for p in read_snapshot(site / f"data/{eco}.json").packages
    }
    in_pages = {name for name in ALL_NAMES if name in text}
    assert in_pages == in_data, f"pages and data disagree: {in_pages ^ in_data}"
    return counts["pypi"]


def build_killed_at_requests(
    tmp_path: Path, env: dict[str, str], kill_at: Callable[[int], list[int]]
) -> None:
    """A whole ``build`` (top 20), then one killed at each request number ``kill_at(n)``
    gives (``n``: the requests of the whole build), then a clean re-run (top 15)."""
    pypi_registry, npm_registry = WiredRegistry("pypi"), WiredRegistry("npm")
    registries = (pypi_registry, npm_registry)
    with serve(pypi_registry) as pypi, serve(npm_registry) as npm:
        first = subprocess.run(
            build_args(pypi, npm, 20), cwd=tmp_path, env=env, capture_output=True
        )
        assert first.returncode == 0, first.stderr.decode()
        assert assert_site_intact(tmp_path / "site") == 20
        requests = sum(sum(r.hits.values()) for r in registries)
        points = kill_at(requests)
        assert points and all(1 <= k <= requests for k in points), (points, requests)
        tops = []
        for i, at in enumerate(points):
            top = 21 + i
            tops.append(top)
            wire = Tripwire(at)
            for registry in registries:
                registry.wire = wire
            proc = subprocess.Popen(
                build_args(pypi, npm, top),
                cwd=tmp_path,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                assert wire.reached.wait(timeout=120), f"request {at} never came"
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)
            finally:
                wire.release()
            assert proc.returncode == -signal.SIGKILL
            where = f"killed at request {at} of {requests}"
            data_counts = assert_data_intact(tmp_path / "data")
            assert set(data_counts.values()) <= {20, *tops}, where
            assert assert_site_intact(tmp_path / "site") in {20, *tops}, where
        # Re-running after the kills redoes cleanly, and leaves no debris behind.
        for registry in registries:
            registry.wire = Tripwire()
        last = subprocess.run(build_args(pypi, npm, 15), cwd=tmp_path, env=env, capture_output=True)
    assert last.returncode == 0, last.stderr.decode()
    assert assert_site_intact(tmp_path / "site") == 15
    assert assert_data_intact(tmp_path / "data") == {"pypi": 15, "npm": 15}
    debris = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    debris += [p.name for p in (tmp_path / "data").iterdir() if p.name.endswith(".tmp")]
    assert not debris, debris


@pytest.mark.long
def test_sigkill_mid_crawl_keeps_the_previous_run(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    build_killed_at_requests(tmp_path, guarded_env, lambda n: [n // 2])


@pytest.mark.slow
def test_sigkill_at_request_after_request_of_a_build(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    build_killed_at_requests(
        tmp_path, guarded_env, lambda n: sorted({1, *range(n // 10, n, max(1, n // 10)), n})
    )


# A CLI run that SIGKILLs itself at its Nth file-system write or rename (no hook in the code
# under test: the standard library's primitives are wrapped from outside). With N = 0 it
# never does, and prints how many steps it took.
KILL_AT_STEP = """
import atexit, os, pathlib, shutil, signal, sys
limit, count = int(sys.argv[1]), [0]
atexit.register(lambda: sys.stderr.write(f"steps={count[0]}\\n"))
def hooked(fn):
    def wrapper(*args, **kwargs):
        count[0] += 1
        if count[0] == limit:
            os.kill(os.getpid(), signal.SIGKILL)
        return fn(*args, **kwargs)
    return wrapper
os.replace, os.rename, os.unlink = hooked(os.replace), hooked(os.rename), hooked(os.unlink)
shutil.copyfile = hooked(shutil.copyfile)
pathlib.Path.write_bytes = hooked(pathlib.Path.write_bytes)
pathlib.Path.write_text = hooked(pathlib.Path.write_text)
from generator.cli import main
sys.exit(main(sys.argv[2:]))
"""


def render_killed_at_steps(
    tmp_path: Path, env: dict[str, str], kill_at: Callable[[int], list[int]]
) -> None:
    """Render ``old`` into ``site``, then render ``new`` over it, killed at each file-system
    step ``kill_at(n)`` gives (``n``: the steps of a whole render); the site must always be
    exactly the old one or exactly the new one, and a last render must finish the job."""

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, *args], cwd=tmp_path, env=env, capture_output=True)

    for data, top in (("old", "10"), ("new", "12")):
        made = run("-m", "generator", "crawl", "--demo", "--top", top, "--data", data)
        assert made.returncode == 0, made.stderr.decode()
    for out in ("site", "want"):  # the same starting point for the counted render
        assert run("-m", "generator", "render", "--data", "old", "--out", out).returncode == 0
    old = tree(tmp_path / "site")
    counted = run("-c", KILL_AT_STEP, "0", "render", "--data", "new", "--out", "want")
    assert counted.returncode == 0, counted.stderr.decode()
    steps = int(counted.stderr.decode().rsplit("steps=", 1)[1])
    assert steps > 3, "the render made suspiciously few file-system steps"
    new = tree(tmp_path / "want")
    assert old != new
    for step in kill_at(steps):
        proc = run("-c", KILL_AT_STEP, str(step), "render", "--data", "new", "--out", "site")
        assert proc.returncode == -signal.SIGKILL, (step, steps, proc.stderr.decode())
        now = tree(tmp_path / "site")
        assert now in (old, new), f"killed at step {step}: a site that is neither old nor new"
        if now == new:  # killed after the swap, while the old copy was being removed
            back = run("-m", "generator", "render", "--data", "old", "--out", "site")
            assert back.returncode == 0, back.stderr.decode()
            assert tree(tmp_path / "site") == old
    done = run("-m", "generator", "render", "--data", "new", "--out", "site")
    assert done.returncode == 0, done.stderr.decode()
    assert tree(tmp_path / "site") == new
    assert_site_intact(tmp_path / "site")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.long
def test_sigkill_at_chosen_steps_of_a_render(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    """The first step, one in the middle, and the last (after the swap)."""
    render_killed_at_steps(tmp_path, guarded_env, lambda n: [1, n // 2, n])


@pytest.mark.slow
def test_sigkill_at_every_step_of_a_render(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    render_killed_at_steps(tmp_path, guarded_env, lambda n: list(range(1, n + 1)))
