"""Under ``CI=true`` a skipped test fails the run.

.ci/run installs everything the tests need (Chromium, the tools), and the shared samples sit
beside the clone, so every test runs there. A skip would hide a test, as one did when the
fork tests of ``tests/unit/render/test_parallel.py`` skipped on whichever xdist worker had
run a browser test first. Outside CI, skips stay skips (no Chromium on a laptop, say).
"""

from __future__ import annotations

import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() != "true" or hasattr(session.config, "workerinput"):
        return  # not CI; or an xdist worker, whose reports the controller counts
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = reporter.stats.get("skipped", [])
    if skipped and session.exitstatus == pytest.ExitCode.OK:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) skipped, and under CI every test must run "
            "(their reasons are in the short test summary)",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
