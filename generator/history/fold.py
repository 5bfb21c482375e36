"""Folding snapshots into a history: day summaries, per-package transitions, and the
views of what changed. Pure functions: nothing here reads or writes files."""

from __future__ import annotations

from datetime import UTC, date

from generator.errors import HistoryError
from generator.history.model import (
    Change,
    ChangeKind,
    DailySummary,
    EcosystemHistory,
    History,
    PackageState,
)
from generator.models import Snapshot, Status


def summarize_day(snapshot: Snapshot) -> DailySummary:
    s = snapshot.summary
    return DailySummary(
        date=snapshot.generated_at.astimezone(UTC).date(),
        total=s.total,
        counted=s.counted,
        by_status=dict(s.by_status),
        trusted_publishing=s.trusted_publishing,
        trusted_publishing_unknown=s.trusted_publishing_unknown,
        attested_download_share=(
            None if s.attested_download_share is None else round(s.attested_download_share, 4)
        ),
    )


def classify_change(old: Status | None, new: Status | None) -> ChangeKind:
    if old is None:
        return ChangeKind.ENTERED
    if new is None:
        return ChangeKind.LEFT
    if old is Status.ATTESTED:
        return ChangeKind.REGRESSION
    if new is Status.ATTESTED:
        return ChangeKind.GAINED
    return ChangeKind.CHANGED


def transitions(
    state: PackageState | None, snapshot: Snapshot
) -> tuple[list[Change], PackageState]:
    """Changes between the last known state and ``snapshot``, and the new state.

    A package whose row is ``error`` keeps its last known status (an outage is not a
    change). Without a previous state the snapshot is the baseline: no changes. When the
    list's N changed, packages entering or leaving are not reported (that is the N, not them).
    """
    day = snapshot.generated_at.astimezone(UTC).date()
    eco = snapshot.ecosystem
    requested = snapshot.source.requested
    if state is None:
        packages = {
            p.name: (p.status, p.version) for p in snapshot.packages if p.status is not Status.ERROR
        }
        return [], PackageState(date=day, requested=requested, packages=packages)
    same_n = state.requested == requested
    old = state.packages
    new: dict[str, tuple[Status, str | None]] = {}
    changes: list[Change] = []
    seen: set[str] = set()
    for p in snapshot.packages:
        seen.add(p.name)
        before = old.get(p.name)
        if p.status is Status.ERROR:
            if before is not None:
                new[p.name] = before
            continue
        new[p.name] = (p.status, p.version)
        if before is None:
            if same_n:
                changes.append(_change(day, eco, p.name, None, None, p.status, p.version))
        elif before[0] is not p.status:
            changes.append(_change(day, eco, p.name, before[0], before[1], p.status, p.version))
    if same_n:
        for name, (status, version) in old.items():
            if name not in seen:
                changes.append(_change(day, eco, name, status, version, None, None))
    return changes, PackageState(date=day, requested=requested, packages=new)


def _change(
    day: date,
    eco: str,
    name: str,
    old: Status | None,
    old_version: str | None,
    new: Status | None,
    version: str | None,
) -> Change:
    return Change(
        date=day,
        ecosystem=eco,
        package=name,
        kind=classify_change(old, new),
        from_status=old,
        to_status=new,
        from_version=old_version,
        version=version,
    )


def append_snapshot(history: EcosystemHistory, snapshot: Snapshot) -> EcosystemHistory:
    """``history`` with ``snapshot`` folded in (a new day, its changes, the new state).

    Folding a second snapshot of the same day replaces that day's summary; a snapshot older
    than the state is refused (history only moves forward).
    """
    day = summarize_day(snapshot)
    if history.state is not None and day.date < history.state.date:
        raise HistoryError(
            f"{snapshot.ecosystem}: snapshot of {day.date} is older than the history "
            f"({history.state.date})"
        )
    changes, state = transitions(history.state, snapshot)
    days = [d for d in history.days if d.date != day.date] + [day]
    days.sort(key=lambda d: d.date)
    return EcosystemHistory(
        ecosystem=history.ecosystem,
        days=days,
        changes=history.changes + changes,
        state=state,
        snapshot_date=day.date,
        fresh=True,
        note=None,
    )


def recent_changes(history: History, limit: int | None = None) -> list[Change]:
    """Changes of every ecosystem: regressions first, then the others; newest first in each."""
    every = [c for h in history.ecosystems.values() for c in h.changes]
    every.sort(key=lambda c: (c.date, c.ecosystem, c.package), reverse=True)
    ordered = [c for c in every if c.kind is ChangeKind.REGRESSION] + [
        c for c in every if c.kind is not ChangeKind.REGRESSION
    ]
    return ordered[:limit] if limit is not None else ordered


def package_history(history: History, ecosystem: str, package: str) -> list[Change]:
    """One package's changes, newest first (for its page)."""
    h = history.ecosystems.get(ecosystem)
    if h is None:
        return []
    mine = [c for c in h.changes if c.package == package]
    return sorted(mine, key=lambda c: c.date, reverse=True)
