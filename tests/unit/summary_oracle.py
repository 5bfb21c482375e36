"""The summary as it was counted before the streaming ``Tally`` (main at f07e413), kept
verbatim as the oracle the equivalence tests compare against. Not used by ``generator/``."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from generator.models import (
    COUNTED_STATUSES,
    Identity,
    PackageResult,
    RegistrySignature,
    Status,
    Summary,
    Verification,
)
from generator.models_depth import INACTIVE, Lifecycle
from generator.timeline import DownloadRow, Downloads, Forecast, NpmTrust, Timeline


def _share(rows: Sequence[DownloadRow], hit: Callable[[DownloadRow], bool]) -> float | None:
    counted = [r for r in rows if r.counted and r.downloads is not None]
    windows = {r.downloads.window for r in counted if r.downloads is not None}
    if len(windows) > 1:
        raise ValueError(f"download counts cover different windows: {sorted(windows)}")
    total = sum(r.downloads.count for r in counted if r.downloads is not None)
    if total == 0:
        return None
    part = sum(r.downloads.count for r in counted if r.downloads is not None and hit(r))
    return part / total


def attested_download_share(rows: Sequence[DownloadRow]) -> float | None:
    return _share(rows, lambda r: r.attested)


def trusted_publishing_download_share(rows: Sequence[DownloadRow]) -> float | None:
    return _share(rows, lambda r: r.trusted_publishing is True)


def depth_summary(rows: Sequence[PackageResult], counted: Sequence[str]) -> dict[str, Any]:
    shares = [
        DownloadRow(
            downloads=r.downloads,
            attested=str(r.status) == "attested",
            trusted_publishing=r.trusted_publishing,
            counted=str(r.status) in counted,
        )
        for r in rows
    ]
    windows = sorted({r.downloads.window for r in rows if r.downloads is not None})
    active = [r for r in rows if str(r.status) in counted and r.lifecycle not in INACTIVE]
    attested_active = sum(1 for r in active if str(r.status) == "attested")
    trusts = [r.trust for r in rows if r.trust is not None]
    return {
        "downloads_window": windows[0] if len(windows) == 1 else None,
        "attested_download_share": attested_download_share(shares) if windows else None,
        "trusted_publishing_download_share": (
            trusted_publishing_download_share(shares) if windows else None
        ),
        "provenance_lost": sum(1 for r in rows if r.timeline and r.timeline.provenance_lost),
        "provenance_changed": sum(1 for r in rows if r.timeline and r.timeline.provenance_changed),
        "by_trust": {t: trusts.count(t) for t in NpmTrust} if trusts else {},
        "inactive": sum(1 for r in rows if r.lifecycle in INACTIVE),
        "attested_percent_active": (
            round(100 * attested_active / len(active), 1) if active else None
        ),
        "forecast_blocked": sum(
            1 for r in rows if r.timeline and r.timeline.forecast and r.timeline.forecast.blocked
        ),
    }


def summarize(packages: list[PackageResult]) -> Summary:
    by_status = dict.fromkeys(Status, 0)
    for package in packages:
        by_status[package.status] += 1
    counted = sum(by_status[s] for s in COUNTED_STATUSES)
    attested = by_status[Status.ATTESTED]
    return Summary(
        total=len(packages),
        counted=counted,
        by_status=by_status,
        trusted_publishing=sum(1 for p in packages if p.trusted_publishing is True),
        trusted_publishing_unknown=sum(
            1 for p in packages if p.trusted_publishing is None and p.status is not Status.ERROR
        ),
        attested_percent=round(100 * attested / counted, 1) if counted else None,
        by_verification={
            v: sum(1 for p in packages if p.status is Status.ATTESTED and p.verification is v)
            for v in Verification
        },
        repository_mismatch=sum(1 for p in packages if p.repository_mismatch),
        attested_unverified=sum(
            1
            for p in packages
            if p.status is Status.ATTESTED and p.verification is not Verification.VERIFIED
        ),
        by_identity={i: sum(1 for p in packages if p.identity is i) for i in Identity},
        by_registry_signature=(
            {r: sum(1 for p in packages if p.registry_signature is r) for r in RegistrySignature}
            if any(p.registry_signature is not None for p in packages)
            else {}
        ),
        provenance_dropped=sum(1 for p in packages if p.provenance_dropped),
        **depth_summary(packages, COUNTED_STATUSES),
    )


# ---------------------------------------------------------------- varied rows for the comparisons

W, OTHER_W = "last-30-days", "last-week"


def row(
    rank: int,
    status: Status,
    *,
    tp: bool | None = None,
    verification: Verification = Verification.NOT_CHECKED,
    identity: Identity | None = None,
    registry_signature: RegistrySignature | None = None,
    mismatch: bool | None = None,
    dropped: bool = False,
    downloads: tuple[int, str] | None = None,
    timeline: tuple[bool, bool, bool | None] | None = None,
    trust: NpmTrust | None = None,
    lifecycle: Lifecycle = Lifecycle.ACTIVE,
) -> PackageResult:
    """One row; ``downloads`` is (count, window); ``timeline`` is (provenance_lost,
    provenance_changed, forecast blocked or None for no forecast)."""
    lost, changed, blocked = timeline if timeline is not None else (False, False, None)
    return PackageResult(
        rank=rank,
        name=f"p{rank}",
        version="1.0",
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
        status=status,
        reason="because",
        trusted_publishing=tp,
        repository=None,
        verification=verification,
        identity=identity,
        registry_signature=registry_signature,
        repository_mismatch=mismatch,
        provenance_dropped=dropped,
        error="HTTP 404" if status is Status.ERROR else None,
        downloads=None if downloads is None else Downloads(count=downloads[0], window=downloads[1]),
        timeline=None
        if timeline is None
        else Timeline(
            releases=[],
            latest="1.0",
            provenance_dropped=dropped,
            provenance_lost=lost,
            provenance_changed=changed,
            forecast=None
            if blocked is None
            else Forecast(blocked=blocked, version="1.0", reason="because"),
        ),
        trust=trust,
        lifecycle=lifecycle,
    )


def random_rows(rng: random.Random, size: int, windows: Sequence[str]) -> list[PackageResult]:
    """``size`` rows with every field drawn at random (download windows from ``windows``)."""

    def maybe(values: Sequence[Any]) -> Any:
        return rng.choice([None, *values])

    return [
        row(
            rank,
            rng.choice(list(Status)),
            tp=maybe([True, False]),
            verification=rng.choice(list(Verification)),
            identity=maybe(list(Identity)),
            registry_signature=maybe(list(RegistrySignature)) if rng.random() < 0.5 else None,
            mismatch=maybe([True, False]),
            dropped=rng.random() < 0.3,
            downloads=maybe([(rng.choice([0, 1, 7, 10**9 + 7]), rng.choice(windows))]),
            timeline=maybe([(rng.random() < 0.3, rng.random() < 0.3, maybe([True, False]))]),
            trust=maybe(list(NpmTrust)) if rng.random() < 0.5 else None,
            lifecycle=rng.choice(list(Lifecycle)),
        )
        for rank in range(1, size + 1)
    ]


def outcome(count: Callable[[], Summary]) -> tuple[str, str]:
    """The summary as exported (JSON: key order, float digits), or the error it raised."""
    try:
        return ("summary", count().model_dump_json())
    except ValueError as error:
        return ("ValueError", str(error))
