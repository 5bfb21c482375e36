"""A skipped test fails the run under ``CI=true`` (tests/ci_skips.py), and only there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(folder: Path, ci: str | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "CI"))}
    if ci is not None:
        env["CI"] = ci
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.ci_skips"]
        + [*args, str(folder)],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def one_skip(tmp_path: Path) -> Path:
    (tmp_path / "test_one.py").write_text(
        "import pytest\n\n"
        "def test_runs() -> None:\n    pass\n\n"
        "def test_skips() -> None:\n    pytest.skip('nothing to run it with')\n"
    )
    return tmp_path


def test_a_skip_fails_the_run_under_ci(one_skip: Path) -> None:
    proc = run(one_skip, "true")
    assert proc.returncode == pytest.ExitCode.TESTS_FAILED, proc.stdout
    assert "CI=true: 1 test(s) skipped" in proc.stdout


def test_a_skip_fails_the_run_under_ci_with_workers_too(one_skip: Path) -> None:
    proc = run(one_skip, "true", "-n", "2")
    assert proc.returncode == pytest.ExitCode.TESTS_FAILED, proc.stdout
    assert "CI=true: 1 test(s) skipped" in proc.stdout


def test_a_skip_stays_a_skip_outside_ci(one_skip: Path) -> None:
    for ci in (None, "false"):
        proc = run(one_skip, ci)
        assert proc.returncode == pytest.ExitCode.OK, proc.stdout
        assert "1 passed, 1 skipped" in proc.stdout


def test_a_run_without_skips_passes_under_ci(one_skip: Path) -> None:
    proc = run(one_skip, "true", "-k", "runs")
    assert proc.returncode == pytest.ExitCode.OK, proc.stdout
