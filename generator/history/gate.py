"""The publish gate: what a run may publish, and what it keeps from the live site.

An ecosystem whose crawl failed or whose share of ``error`` packages is above the threshold
keeps its last good snapshot; a run in which nothing is fresh fails before anything is
written (:func:`plan_update` raises, never writes). :func:`rebuild` applies the same test
to each snapshot of an archive (it lives here, not in ``fold``, because it uses the gate).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from generator.errors import PublishRefused
from generator.history.fold import append_snapshot
from generator.history.model import EcosystemHistory, History
from generator.models import Snapshot, Status

DEFAULT_MAX_ERROR_RATE = 0.1


def health(snapshot: Snapshot | None, max_error_rate: float) -> str | None:
    """Why ``snapshot`` must not be published, or None when it is fit."""
    if snapshot is None:
        return "no fresh snapshot (the crawl failed: top-N source or registry unreadable)"
    total = snapshot.summary.total
    if total == 0:
        return "the fresh snapshot has no packages"
    errors = snapshot.summary.by_status[Status.ERROR]
    if errors / total > max_error_rate:
        return (
            f"{errors} of {total} packages are `error` ({100 * errors / total:.1f}%, "
            f"above {100 * max_error_rate:g}%)"
        )
    return None


@dataclass
class Previous:
    """What the live site holds: its history and its snapshots."""

    history: History
    snapshots: dict[str, Snapshot]


@dataclass
class Plan:
    """The outcome of a run: what to publish, and what was kept from before."""

    history: History
    snapshots: dict[str, Snapshot]
    notes: list[str]


def plan_update(
    fresh: Mapping[str, Snapshot | None],
    previous: Previous,
    *,
    max_error_rate: float = DEFAULT_MAX_ERROR_RATE,
    strict: bool = False,
    today: date | None = None,
) -> Plan:
    """Decide what to publish. Raises :class:`PublishRefused`; never writes.

    Each ecosystem of ``fresh`` is published fresh when :func:`health` passes; otherwise
    its last good snapshot from ``previous`` is kept (with its own date) and its history is
    left as it was. The run is refused when no ecosystem is fresh, when an unfit ecosystem
    has no last good snapshot, or (``strict``) when any ecosystem is unfit.
    """
    notes: list[str] = []
    history = History(updated=today or datetime.now(UTC).date())
    snapshots: dict[str, Snapshot] = {}
    unfit: dict[str, str] = {}
    for eco, snapshot in sorted(fresh.items()):
        old = previous.history.ecosystems.get(eco) or EcosystemHistory(eco)
        reason = health(snapshot, max_error_rate)
        if reason is None and snapshot is not None:
            history.ecosystems[eco] = append_snapshot(old, snapshot)
            snapshots[eco] = snapshot
            continue
        unfit[eco] = reason or "unfit"
        kept = previous.snapshots.get(eco)
        if kept is None:
            continue
        snapshots[eco] = kept
        kept_date = kept.generated_at.astimezone(UTC).date()
        history.ecosystems[eco] = EcosystemHistory(
            ecosystem=eco,
            days=list(old.days),
            changes=list(old.changes),
            state=old.state,
            snapshot_date=kept_date,
            fresh=False,
            note=reason,
        )
        notes.append(f"{eco}: {reason}; keeping the last good snapshot of {kept_date}")
    for eco, old in sorted(previous.history.ecosystems.items()):
        if eco in fresh:
            continue
        history.ecosystems[eco] = EcosystemHistory(
            ecosystem=eco,
            days=list(old.days),
            changes=list(old.changes),
            state=old.state,
            snapshot_date=old.snapshot_date,
            fresh=False,
            note="not crawled in this run",
        )
        if eco in previous.snapshots:
            snapshots[eco] = previous.snapshots[eco]
    problems = [f"{eco}: {why}" for eco, why in unfit.items()]
    if not any(h.fresh for h in history.ecosystems.values()):
        raise PublishRefused("nothing fresh to publish: " + "; ".join(problems))
    if missing := [eco for eco in unfit if eco not in snapshots]:
        raise PublishRefused(
            "no last good snapshot to keep for "
            + ", ".join(missing)
            + ": "
            + "; ".join(p for p in problems if p.split(":")[0] in missing)
        )
    if strict and unfit:
        raise PublishRefused("--strict: " + "; ".join(problems))
    return Plan(history=history, snapshots=snapshots, notes=notes)


def rebuild(snapshots: Iterable[Snapshot], *, max_error_rate: float = 1.0) -> History:
    """History from scratch out of dated snapshots (any order; unfit ones are skipped)."""
    history = History()
    ordered = sorted(snapshots, key=lambda s: (s.ecosystem, s.generated_at))
    for snapshot in ordered:
        if health(snapshot, max_error_rate) is not None:
            continue
        eco = snapshot.ecosystem
        history.ecosystems[eco] = append_snapshot(history.get(eco), snapshot)
        day = history.ecosystems[eco].snapshot_date
        history.updated = max(filter(None, [history.updated, day]))
    return history
