"""Snapshots for the history tests: one row per package, a fixed day."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from generator.models import PackageResult, Snapshot, SourceInfo, Status, summarize


def row(name: str, status: Status, version: str | None = "1.0", rank: int = 1) -> PackageResult:
    return PackageResult(
        rank=rank,
        name=name,
        version=version,
        published_at=None,
        status=status,
        reason="test",
        trusted_publishing=status is Status.ATTESTED,
        repository=None,
        error="HTTP 503" if status is Status.ERROR else None,
    )


def snap(
    rows: Sequence[tuple[str, Status] | PackageResult],
    day: date = date(2026, 11, 1),
    eco: str = "pypi",
    requested: int | None = None,
) -> Snapshot:
    packages = [
        r if isinstance(r, PackageResult) else row(r[0], r[1], rank=i)
        for i, r in enumerate(rows, 1)
    ]
    return Snapshot(
        ecosystem=eco,
        generated_at=datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
        registry="https://pypi.org",
        attestation_cutoff=datetime(2024, 10, 29, tzinfo=UTC),
        source=SourceInfo(kind="top-n", location="test", requested=requested or len(packages)),
        summary=summarize(packages),
        packages=packages,
    )


def with_errors(errors: int, total: int = 10) -> Snapshot:
    rows = [(f"p{i}", Status.ERROR if i < errors else Status.MISSING) for i in range(total)]
    return snap(rows)
