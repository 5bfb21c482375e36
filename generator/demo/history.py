"""A made-up month of history for the demo site, so ``build --demo`` shows the trend charts,
the changes page, the feed and the packages' status histories.

Nothing here is recorded: the earlier days are derived from the demo snapshots themselves,
deterministically (a hash of each name), and the pages say so (the demo is marked as such).
Each demo snapshot is the last day; before it, some of today's attested packages were not
attested yet (they adopted attestations on a day of the month), one package that is not
attested today was attested until a few days ago (a regression: every package that dropped
provenance, else one), the last-ranked package
entered the top N a week ago, and one day of PyPI is missing (a failed run: a gap).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, timedelta
from pathlib import Path

from generator import history as hist
from generator.models import COUNTED_STATUSES, PackageResult, Snapshot, Status, summarize
from generator.snapshot import read_snapshots

DAYS = 30
REGRESSION_DAYS_AGO = 4
ENTERED_DAYS_AGO = 7
FAILED_RUN = ("pypi", 12)
ALWAYS_ATTESTED_PERCENT = 45


def _bucket(ecosystem: str, name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{ecosystem}\0{name}".encode()).digest()[:4], "big")


def _past(row: PackageResult, status: Status) -> PackageResult:
    """``row`` as an earlier release with ``status`` (version unknown: made up)."""
    return row.model_copy(
        update={
            "status": status,
            "version": None,
            "trusted_publishing": status is Status.ATTESTED,
            "reason": "demo history: made up",
        }
    )


def past_snapshots(snapshot: Snapshot, days: int = DAYS) -> list[Snapshot]:
    """``days`` daily snapshots ending with ``snapshot`` (the failed run left out)."""
    eco = snapshot.ecosystem
    adopted: dict[str, int] = {}
    for row in snapshot.packages:
        if row.status is Status.ATTESTED:
            bucket = _bucket(eco, row.name)
            if bucket % 100 >= ALWAYS_ATTESTED_PERCENT:
                adopted[row.name] = 1 + bucket % (days - 2)
    counted = [r for r in snapshot.packages if r.status in COUNTED_STATUSES]
    # Every package that dropped provenance regressed (the story the snapshot tells), else
    # one that is not attested.
    other = next((r.name for r in counted if r.status is not Status.ATTESTED), None)
    regressed = {r.name for r in counted if r.provenance_dropped} or ({other} if other else set())
    entered = counted[-1].name if counted else None
    out = []
    for ago in range(days - 1, -1, -1):
        if (eco, ago) == (FAILED_RUN[0], FAILED_RUN[1]):
            continue
        if ago == 0:
            out.append(snapshot)
            continue
        rows = []
        for row in snapshot.packages:
            if row.name == entered and ago >= ENTERED_DAYS_AGO:
                continue
            if row.name in adopted and ago > adopted[row.name]:
                row = _past(row, Status.MISSING)
            elif row.name in regressed and ago >= REGRESSION_DAYS_AGO:
                row = _past(row, Status.ATTESTED)
            rows.append(row)
        out.append(
            snapshot.model_copy(
                update={
                    "generated_at": snapshot.generated_at - timedelta(days=ago),
                    "packages": rows,
                    "summary": summarize(rows),
                }
            )
        )
    return out


def demo_history(snapshots: list[Snapshot]) -> hist.History:
    every = [past for s in snapshots for past in past_snapshots(s)]
    history = hist.rebuild(every)
    history.updated = max(s.generated_at.astimezone(UTC).date() for s in snapshots)
    return history


def write_demo_history(data_dir: Path) -> list[Path]:
    """Write the made-up history of the demo snapshots in ``data_dir`` beside them."""
    snapshots = [s for s in read_snapshots(data_dir) if s.demo]
    if not snapshots:
        return []
    return hist.write_history(demo_history(snapshots), data_dir)
