"""`attested-yet history ...` end to end in subprocesses, the previous site served over HTTP."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from generator.demo.server import Registry, Reply, serve
from tests.cli import run


def site_registry(site: Path) -> Registry:
    """The rendered site as a web server would serve it (404 for anything else)."""
    registry = Registry()
    for path in site.rglob("*"):
        if path.is_file():
            registry.add("/" + path.relative_to(site).as_posix(), Reply(body=path.read_bytes()))
    return registry


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def next_day(src: Path, dst: Path, *, regress: str | None = None, errors: int = 0) -> None:
    """A snapshot one day later; optionally one attested package regressed or N errors."""
    doc = json.loads(src.read_text())
    doc["generated_at"] = doc["generated_at"].replace(doc["generated_at"][:10], "2031-01-02")
    for row in doc["packages"]:
        if row["name"] == regress:
            row.update(status="missing", version="99.0", provenance=None, trusted_publishing=None)
    for row in doc["packages"][:errors]:
        row.update(status="error", error="HTTP 503", version=None)
    by_status = dict.fromkeys(
        ("attested", "unsupported-ci", "pre-attestation", "missing", "error"), 0
    )
    for row in doc["packages"]:
        by_status[row["status"]] += 1
    doc["summary"]["by_status"] = by_status
    doc["summary"]["counted"] = len(doc["packages"]) - by_status["error"]
    dst.mkdir(parents=True, exist_ok=True)
    (dst / src.name).write_text(json.dumps(doc))


@pytest.fixture
def day1(tmp_path: Path, guarded_env: dict[str, str]) -> Path:
    proc = run(["crawl", "--demo", "--data", "day1"], guarded_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    for path in (tmp_path / "day1").glob("*.json"):  # a fixed date, so day 2 is later
        doc = json.loads(path.read_text())
        if "generated_at" in doc:
            doc["generated_at"] = "2031-01-01T05:00:00Z"
            path.write_text(json.dumps(doc))
    return tmp_path / "day1"


@pytest.mark.long
def test_history_carried_over_http_with_outage_and_failed_run(
    tmp_path: Path, guarded_env: dict[str, str], day1: Path
) -> None:
    empty = tmp_path / "nothing-published"
    empty.mkdir()
    refused = run(
        ["history", "update", "--data", "day1", "--previous", str(empty)], guarded_env, tmp_path
    )
    assert refused.returncode == 1
    assert "cannot read" in refused.stderr and "--force" in refused.stderr
    assert not (day1 / "history").exists()

    first = run(
        ["history", "update", "--data", "day1", "--previous", str(empty), "--force"],
        guarded_env,
        tmp_path,
    )
    assert first.returncode == 0, first.stderr
    for args in (
        ["render", "--data", "day1", "--out", "site"],
        ["history", "render", "--data", "day1", "--out", "site", "--site-url", "https://x.test/"],
    ):
        proc = run(args, guarded_env, tmp_path)
        assert proc.returncode == 0, proc.stderr
    site = tmp_path / "site"
    for rel in ("feed.xml", "changes.html", "data/history/index.json", "data/pypi.json"):
        assert (site / rel).is_file(), rel
    live = digest(site)

    attested = next(
        row["name"]
        for row in json.loads((day1 / "pypi.json").read_text())["packages"]
        if row["status"] == "attested"
    )
    # day 2: PyPI fine with one regression; the npm crawl failed (no npm.json)
    next_day(day1 / "pypi.json", tmp_path / "day2", regress=attested)
    with serve(site_registry(site)) as url:
        second = run(
            ["history", "update", "--data", "day2", "--previous", url + "/"], guarded_env, tmp_path
        )
        assert second.returncode == 0, second.stderr
        assert "npm: no fresh snapshot" in second.stderr
        assert "keeping the last good snapshot of 2031-01-01" in second.stderr
        kept = json.loads((tmp_path / "day2/npm.json").read_text())
        assert kept["generated_at"].startswith("2031-01-01")
        changes = json.loads((tmp_path / "day2/history/pypi-changes.json").read_text())
        assert [
            (c["package"], c["kind"], c["from"], c["to"], c["version"]) for c in changes["changes"]
        ] == [(attested, "regression", "attested", "missing", "99.0")]
        index = json.loads((tmp_path / "day2/history/index.json").read_text())
        assert index["ecosystems"]["npm"]["fresh"] is False
        assert index["ecosystems"]["npm"]["snapshot_date"] == "2031-01-01"
        assert index["ecosystems"]["pypi"]["days"] == 2

        # day 3: PyPI answers errors for 40% of packages, npm is down: nothing is written
        next_day(day1 / "pypi.json", tmp_path / "day3", errors=17)
        third = run(
            ["history", "update", "--data", "day3", "--previous", url], guarded_env, tmp_path
        )
        assert third.returncode == 1
        assert "nothing fresh to publish" in third.stderr
        day1_packages = json.loads((day1 / "pypi.json").read_text())["packages"]
        total = len(day1_packages)
        errors = 17 + sum(1 for p in day1_packages if p["status"] == "error")  # + recorded ones
        assert f"pypi: {errors} of {total} packages are `error` ({100 * errors / total:.1f}%" in (
            third.stderr
        )
        assert not (tmp_path / "day3/history").exists()
        assert not (tmp_path / "day3/npm.json").exists()

        # the same day with a looser threshold publishes
        looser = run(
            ["history", "update", "--data", "day3", "--previous", url, "--max-error-rate", "0.5"],
            guarded_env,
            tmp_path,
        )
        assert looser.returncode == 0, looser.stderr
    assert digest(site) == live, "the live site is never written by `history update`"

    show = run(["history", "show", "day2"], guarded_env, tmp_path)
    assert show.returncode == 0, show.stderr
    assert f"Regression: pypi {attested}" in show.stdout
    assert "npm: 1 days" in show.stdout and "stale since 2031-01-01" in show.stdout

    # recovery by hand: rebuild from the dated snapshots gives the same PyPI history
    archive = tmp_path / "archive"
    for day in ("day1", "day2"):
        (archive / day).mkdir(parents=True)
        (archive / day / "pypi.json").write_bytes((tmp_path / day / "pypi.json").read_bytes())
    rebuilt = run(["history", "rebuild", "archive", "--data", "rebuilt"], guarded_env, tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert (tmp_path / "rebuilt/history/pypi-changes.json").read_bytes() == (
        tmp_path / "day2/history/pypi-changes.json"
    ).read_bytes()
    assert (tmp_path / "rebuilt/history/pypi-daily.json").read_bytes() == (
        tmp_path / "day2/history/pypi-daily.json"
    ).read_bytes()

    # import: the history of day 1 plus the archive's day 2 equals day 2's history
    imported = tmp_path / "imported"
    (imported / "history").mkdir(parents=True)
    for path in (day1 / "history").iterdir():
        (imported / "history" / path.name).write_bytes(path.read_bytes())
    proc = run(["history", "import", "archive", "--data", "imported"], guarded_env, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "imported 1 snapshots, skipped 1" in proc.stderr
    assert (imported / "history/pypi-changes.json").read_bytes() == (
        tmp_path / "day2/history/pypi-changes.json"
    ).read_bytes()


def test_unreadable_history_url_fails_unless_forced(
    tmp_path: Path, guarded_env: dict[str, str], day1: Path
) -> None:
    with serve(Registry({"/data/history/index.json": [Reply(200, b"{not json")]})) as url:
        proc = run(
            ["history", "update", "--data", "day1", "--previous", url], guarded_env, tmp_path
        )
    assert proc.returncode == 1
    assert "index.json is not valid history" in proc.stderr
    assert not (day1 / "history").exists()
    with serve(Registry()) as url:
        proc = run(
            ["history", "update", "--data", "day1", "--previous", url], guarded_env, tmp_path
        )
    assert proc.returncode == 1
    assert "HTTP 404" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_history_update_without_a_location_is_a_usage_error(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    env = {
        k: v
        for k, v in guarded_env.items()
        if k not in ("GITHUB_REPOSITORY", "ATTESTED_YET_SITE_URL")
    }
    proc = run(["history", "update"], env, tmp_path)
    assert proc.returncode == 2
    assert "--previous" in proc.stderr
