"""Nothing lost: SIGKILL the command line mid-run; the previous data and site stay whole.

Two ways of killing: at random instants during a ``build`` against a slow local registry
(the crawl, the snapshot writes, the render), and deterministically at every file-system
step of a ``render`` (so the short render window is covered step by step, not by luck).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest

from generator.demo import RECORDINGS
from generator.demo.server import Registry, serve
from generator.snapshot import read_snapshot, read_snapshots
from tests.faults.htmlcheck import check_page

pytestmark = pytest.mark.slow

EXPECTED = json.loads((RECORDINGS / "expected.json").read_text())
ALL_NAMES = {name for eco in ("pypi", "npm") for name in EXPECTED[eco]}


class SlowRegistry(Registry):
    """The recorded registry, answering every request after ``delay`` seconds."""

    delay = 0.02

    def reply_for(self, path: str):  # type: ignore[no-untyped-def]
        time.sleep(self.delay)
        return super().reply_for(path)


def slow(ecosystem: str) -> Registry:
    registry = SlowRegistry(Registry.from_directory(RECORDINGS / ecosystem).routes)
    return registry


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


def test_sigkill_at_random_points_of_a_build(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    rng = random.Random(20261128)
    with serve(slow("pypi")) as pypi, serve(slow("npm")) as npm:
        started = time.monotonic()
        first = subprocess.run(
            build_args(pypi, npm, 20), cwd=tmp_path, env=guarded_env, capture_output=True
        )
        full = time.monotonic() - started
        assert first.returncode == 0, first.stderr.decode()
        assert assert_site_intact(tmp_path / "site") == 20
        # Kill points: random over the whole run, and a few in its last tenth (the render).
        points = [rng.uniform(0.2, full) for _ in range(5)]
        points += [rng.uniform(0.9 * full, 1.05 * full) for _ in range(3)]
        tops = []
        for i, when in enumerate(points):
            top = 21 + i
            tops.append(top)
            proc = subprocess.Popen(
                build_args(pypi, npm, top),
                cwd=tmp_path,
                env=guarded_env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(when)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            where = f"kill {i} at {when:.2f} s of a {full:.2f} s run"
            data_counts = assert_data_intact(tmp_path / "data")
            assert set(data_counts.values()) <= {20, *tops}, where
            assert assert_site_intact(tmp_path / "site") in {20, *tops}, where
        # Re-running after the kills redoes cleanly, and leaves no debris behind.
        last = subprocess.run(
            build_args(pypi, npm, 15), cwd=tmp_path, env=guarded_env, capture_output=True
        )
    assert last.returncode == 0, last.stderr.decode()
    assert assert_site_intact(tmp_path / "site") == 15
    assert assert_data_intact(tmp_path / "data") == {"pypi": 15, "npm": 15}
    debris = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    debris += [p.name for p in (tmp_path / "data").iterdir() if p.name.endswith(".tmp")]
    assert not debris, debris


# A CLI run that SIGKILLs itself at its Nth file-system write or rename (no hook in the code
# under test: the standard library's primitives are wrapped from outside).
KILL_AT_STEP = """
import os, pathlib, shutil, signal, sys
limit, count = int(sys.argv[1]), [0]
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


def test_sigkill_at_every_step_of_a_render(tmp_path: Path, guarded_env: dict[str, str]) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=guarded_env, capture_output=True
        )

    for data, top in (("old", "10"), ("new", "12")):
        made = run("-m", "generator", "crawl", "--demo", "--top", top, "--data", data)
        assert made.returncode == 0, made.stderr.decode()
    assert run("-m", "generator", "render", "--data", "new", "--out", "want").returncode == 0
    assert run("-m", "generator", "render", "--data", "old", "--out", "site").returncode == 0
    old, new = tree(tmp_path / "site"), tree(tmp_path / "want")
    assert old != new
    step = 0
    for step in range(1, 200):
        proc = run("-c", KILL_AT_STEP, str(step), "render", "--data", "new", "--out", "site")
        now = tree(tmp_path / "site")
        assert now in (old, new), f"killed at step {step}: a site that is neither old nor new"
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
        if now == new:  # killed after the swap, while the old copy was being removed
            back = run("-m", "generator", "render", "--data", "old", "--out", "site")
            assert back.returncode == 0, back.stderr.decode()
            assert tree(tmp_path / "site") == old
    assert step > 3, "the render made suspiciously few file-system steps"
    assert tree(tmp_path / "site") == new
    assert_site_intact(tmp_path / "site")
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
