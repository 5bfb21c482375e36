"""The pipeline driven through fake registry clients: no HTTP, every branch observable."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import anyio
import pytest

from generator.errors import PackageError, SourceError, UsageError
from generator.http import HttpPolicy
from generator.models import Snapshot, Status
from generator.pipeline import CrawlConfig, crawl_all, run_crawl
from generator.progress import Progress
from generator.snapshot import read_snapshot
from generator.spool import Crawled
from tests.builders import whole
from tests.fakes import FakeEcosystem, evidence


def config(tmp_path: Path, *names: str, **changes: object) -> CrawlConfig:
    base = CrawlConfig(
        data=tmp_path / "data",
        ecosystems=names or ("fake",),
        top=10,
        registry_urls={name: f"http://127.0.0.1:9/{name}" for name in ("fake", "other")},
        policy=HttpPolicy(concurrency=4),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def fake(**changes: object) -> FakeEcosystem:
    packages: dict[str, object] = {
        "alpha": evidence("alpha", attested=True, repository="https://github.com/o/alpha"),
        "beta": evidence("beta", repository="https://github.com/o/beta"),
        "gamma": PackageError("HTTP 500 (after 4 attempts)"),
        "delta": RuntimeError("a parser bug"),
    }
    defaults: dict[str, object] = {"packages": packages, "ranking": list(packages)}
    defaults.update(changes)
    return FakeEcosystem(**defaults)  # type: ignore[arg-type]


def crawl(cfg: CrawlConfig, registry: dict[str, FakeEcosystem]) -> dict[str, object]:
    """Each ecosystem's whole snapshot (or its error)."""
    outcomes = anyio.run(crawl_all, cfg, Progress(interval=3600), registry)
    return {k: whole(v) if isinstance(v, Crawled) else v for k, v in outcomes.items()}


def test_rows_keep_rank_order_whatever_finishes_first(tmp_path: Path) -> None:
    eco = fake(delay={"alpha": 0.05, "beta": 0.0})
    snapshot = crawl(config(tmp_path), {"fake": eco})["fake"]
    assert isinstance(snapshot, Snapshot)
    assert [p.name for p in snapshot.packages] == ["alpha", "beta", "gamma", "delta"]
    assert [p.rank for p in snapshot.packages] == [1, 2, 3, 4]
    assert sorted(eco.calls) == ["alpha", "beta", "delta", "gamma"]  # each asked for once


def test_a_failing_package_is_a_row_not_a_failed_run(tmp_path: Path) -> None:
    snapshot = crawl(config(tmp_path), {"fake": fake()})["fake"]
    assert isinstance(snapshot, Snapshot)
    rows = {p.name: p for p in snapshot.packages}
    assert rows["alpha"].status is Status.ATTESTED
    assert rows["beta"].status is Status.MISSING
    assert rows["gamma"].status is Status.ERROR
    assert rows["gamma"].error == "HTTP 500 (after 4 attempts)"
    assert rows["delta"].error == "internal error (RuntimeError)"
    assert snapshot.summary.by_status[Status.ERROR] == 2


def test_one_package_deadline_bounds_all_its_requests(tmp_path: Path) -> None:
    eco = fake(delay={"beta": 30.0})
    cfg = config(tmp_path, policy=HttpPolicy(concurrency=4, package_deadline=0.2))
    snapshot = crawl(cfg, {"fake": eco})["fake"]
    assert isinstance(snapshot, Snapshot)
    beta = next(p for p in snapshot.packages if p.name == "beta")
    assert beta.status is Status.ERROR
    assert beta.error == "no complete answer within 0.2 s for the package"
    assert next(p for p in snapshot.packages if p.name == "alpha").status is Status.ATTESTED


def test_an_unreadable_ranking_fails_its_ecosystem_only(tmp_path: Path) -> None:
    other = replace(fake(ranking=None), name="other")
    outcomes = crawl(config(tmp_path, "fake", "other"), {"fake": fake(), "other": other})
    assert isinstance(outcomes["fake"], Snapshot)
    assert isinstance(outcomes["other"], SourceError)
    assert list(outcomes) == ["fake", "other"]  # in the config's order


def test_run_crawl_writes_good_snapshots_and_reports_failures(tmp_path: Path) -> None:
    other = replace(fake(ranking=None), name="other")
    lines: list[str] = []
    cfg = config(tmp_path, "fake", "other")
    status = run_crawl(cfg, log=lines.append, registry={"fake": fake(), "other": other})
    assert status == 1
    written = read_snapshot(cfg.data / "fake.json")
    assert written.summary.total == 4
    assert not (cfg.data / "other.json").exists()
    assert lines[0].startswith("fake: 4 packages: 1 attested, ")
    assert lines[0].endswith(f"→ {cfg.data / 'fake.json'}")
    assert lines[-1] == "attested-yet: error: other: fake ranking unavailable"


def test_a_packages_file_ranks_only_valid_unique_names(tmp_path: Path) -> None:
    listing = tmp_path / "list.txt"
    listing.write_text("# ranked\nbeta\nBETA\nnot valid\nalpha\n")
    eco = fake()
    snapshot = crawl(config(tmp_path, packages_file=str(listing)), {"fake": eco})["fake"]
    assert isinstance(snapshot, Snapshot)
    assert [p.name for p in snapshot.packages] == ["beta", "alpha"]
    assert snapshot.source.kind == "packages-file"
    assert snapshot.source.skipped == ["BETA (duplicate)", "not valid (invalid name)"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ecosystems": ()}, "no ecosystem to crawl"),
        ({"ecosystems": ("fake", "other"), "packages_file": "x"}, "exactly one --ecosystem"),
    ],
)
def test_config_refuses_what_cannot_work(
    tmp_path: Path, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        config(tmp_path, **changes)
