"""History: a memory for the daily snapshots, carried from one published site to the next.

Each run reads the live site's history files (or a local copy), appends the day's fresh
snapshots and writes them back beside the snapshots under ``data/history/``:

``<eco>-daily.json``
    one compact summary per day (counts per status, Trusted Publishing); one line per day.
``<eco>-changes.json``
    per-package transitions (package, from, to, version, date), one line per change.
``<eco>-state.json``
    the last known status and version of every package in the top N (replaced each run;
    the baseline for the next run's transitions, so a package that errors for a day, or a
    failed run in the middle, does not invent or lose a change).
``index.json``
    what the history holds, and for each ecosystem the date of the snapshot published
    (``fresh: false`` when a failed crawl kept the last good one).

Publishing safety lives here too (:func:`plan_update`): an ecosystem whose crawl failed or
whose share of ``error`` packages is above the threshold keeps its last good snapshot; a run
in which nothing is fresh, or which cannot read the previous history, fails before anything
is written. The Atom feed, the trend chart (inline SVG) and the "changes" page context are
pure functions of a :class:`History`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

import anyio
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generator.errors import GeneratorError, PackageError
from generator.http import Fetcher, HttpPolicy, MiB
from generator.models import COUNTED_STATUSES, Snapshot, Status
from generator.snapshot import atomic_write

HISTORY_DIR = "history"
INDEX_FILE = "index.json"
FEED_FILE = "feed.xml"
CHANGES_PAGE = "changes.html"
HISTORY_SCHEMA_VERSION: Literal[1] = 1
DEFAULT_MAX_ERROR_RATE = 0.1
FEED_LIMIT = 200


_M = TypeVar("_M", bound=BaseModel)


class HistoryError(GeneratorError):
    """History cannot be read or written, or the run must not publish."""


class HistoryUnavailable(HistoryError):
    """The previous history cannot be read (``--force`` starts a new one)."""


class PublishRefused(HistoryError):
    """The fresh data is worse than what is live: nothing is written."""


class _Frozen(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, populate_by_name=True
    )


class ChangeKind(StrEnum):
    """What a transition means, worst first."""

    REGRESSION = "regression"
    """The previous release was attested and the new one is not."""
    GAINED = "gained"
    """Not attested before, attested now."""
    CHANGED = "changed"
    """Another status change (e.g. ``pre-attestation`` → ``missing``)."""
    ENTERED = "entered"
    """The package entered the top N."""
    LEFT = "left"
    """The package left the top N."""


class DailySummary(_Frozen):
    """One ecosystem on one day: counts per status and Trusted Publishing."""

    date: date
    """Day of the crawl (UTC date of the snapshot's ``generated_at``)."""
    total: int
    """Packages in the snapshot, errors included."""
    counted: int
    """Packages with one of the four statuses (errors excluded): the percentage base."""
    by_status: dict[Status, int]
    """Count per status, every status present."""
    trusted_publishing: int
    """Packages known to be published through Trusted Publishing."""
    trusted_publishing_unknown: int
    """Packages whose Trusted Publishing is unknown (PyPI without provenance)."""


class Change(_Frozen):
    """One package's status change between two published snapshots."""

    date: date
    """Day of the snapshot where the new status was seen."""
    ecosystem: str
    """``pypi`` or ``npm``."""
    package: str
    """Package name in its display form."""
    kind: ChangeKind
    """``regression``, ``gained``, ``changed``, ``entered`` or ``left``."""
    from_status: Status | None = Field(alias="from")
    """Last known status before (null when the package entered the top N)."""
    to_status: Status | None = Field(alias="to")
    """New status (null when the package left the top N)."""
    from_version: str | None = None
    """Release the previous status was about."""
    version: str | None = None
    """Release the new status is about (null when the package left the top N)."""


class PackageState(_Frozen):
    """Last known status and version of each package in the top N (errors do not count)."""

    date: date
    """Day of the last snapshot folded in."""
    requested: int
    """The N of that snapshot's list (a changed N does not report packages entering/leaving)."""
    packages: dict[str, tuple[Status, str | None]]
    """Package name → [status, version]."""


class DailyFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    ecosystem: str
    days: list[DailySummary]


class ChangesFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    ecosystem: str
    changes: list[Change]


class StateFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    ecosystem: str
    state: PackageState


class EcosystemIndex(_Frozen):
    snapshot_date: date | None
    """Date of the snapshot published for this ecosystem."""
    fresh: bool
    """False when this run's crawl failed and the last good snapshot was kept."""
    note: str | None = None
    """Why the snapshot is not fresh."""
    days: int
    changes: int


class IndexFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    updated: date
    """Day of the run that wrote this history."""
    ecosystems: dict[str, EcosystemIndex]


@dataclass
class EcosystemHistory:
    """Everything remembered about one ecosystem."""

    ecosystem: str
    days: list[DailySummary] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    state: PackageState | None = None
    snapshot_date: date | None = None
    fresh: bool = True
    note: str | None = None


@dataclass
class History:
    """History of every ecosystem, as published under ``data/history/``."""

    ecosystems: dict[str, EcosystemHistory] = field(default_factory=dict)
    updated: date | None = None

    def get(self, ecosystem: str) -> EcosystemHistory:
        return self.ecosystems.setdefault(ecosystem, EcosystemHistory(ecosystem))


# --------------------------------------------------------------------------- folding


def summarize_day(snapshot: Snapshot) -> DailySummary:
    s = snapshot.summary
    return DailySummary(
        date=snapshot.generated_at.astimezone(UTC).date(),
        total=s.total,
        counted=s.counted,
        by_status=dict(s.by_status),
        trusted_publishing=s.trusted_publishing,
        trusted_publishing_unknown=s.trusted_publishing_unknown,
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


# --------------------------------------------------------------------------- publishing safety


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


# --------------------------------------------------------------------------- files


def _lines(header: dict[str, Any], key: str, rows: Iterable[BaseModel]) -> bytes:
    """A JSON object whose list ``key`` holds one row per line (compact, diff-friendly)."""
    head = json.dumps(header, separators=(",", ":"))[:-1]
    body = ",\n".join(r.model_dump_json(by_alias=True) for r in rows)
    return f'{head},"{key}":[\n{body}\n]}}\n'.encode()


def history_files(history: History) -> dict[str, bytes]:
    """File name (under ``data/history/``) → content."""
    files: dict[str, bytes] = {}
    index: dict[str, EcosystemIndex] = {}
    for eco, h in sorted(history.ecosystems.items()):
        header = {"schema_version": HISTORY_SCHEMA_VERSION, "ecosystem": eco}
        files[f"{eco}-daily.json"] = _lines(header, "days", h.days)
        files[f"{eco}-changes.json"] = _lines(header, "changes", h.changes)
        if h.state is not None:
            state = StateFile(ecosystem=eco, state=h.state)
            files[f"{eco}-state.json"] = state.model_dump_json().encode() + b"\n"
        index[eco] = EcosystemIndex(
            snapshot_date=h.snapshot_date,
            fresh=h.fresh,
            note=h.note,
            days=len(h.days),
            changes=len(h.changes),
        )
    updated = history.updated or datetime.now(UTC).date()
    files[INDEX_FILE] = (
        IndexFile(updated=updated, ecosystems=index).model_dump_json(indent=1).encode() + b"\n"
    )
    return files


def write_history(history: History, data_dir: Path) -> list[Path]:
    """Write ``data_dir/history/*`` atomically (index last: it marks a complete history)."""
    files = history_files(history)
    written = []
    for name in sorted(files, key=lambda n: n == INDEX_FILE):
        target = data_dir / HISTORY_DIR / name
        atomic_write(target, files[name])
        written.append(target)
    return written


def parse_history(read: Any) -> History:
    """Build a History from ``read(name) -> bytes`` over the files of ``data/history/``."""
    index = _parse(IndexFile, read(INDEX_FILE), INDEX_FILE)
    history = History(updated=index.updated)
    for eco, entry in index.ecosystems.items():
        days = _parse(DailyFile, read(f"{eco}-daily.json"), f"{eco}-daily.json")
        changes = _parse(ChangesFile, read(f"{eco}-changes.json"), f"{eco}-changes.json")
        state = None
        if entry.days:
            state = _parse(StateFile, read(f"{eco}-state.json"), f"{eco}-state.json").state
        history.ecosystems[eco] = EcosystemHistory(
            ecosystem=eco,
            days=days.days,
            changes=changes.changes,
            state=state,
            snapshot_date=entry.snapshot_date,
            fresh=entry.fresh,
            note=entry.note,
        )
    return history


def _parse(model: type[_M], data: bytes, name: str) -> _M:
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise HistoryUnavailable(f"{name} is not valid history: {where}: {first['msg']}") from None


def read_history_dir(data_dir: Path) -> History:
    """The history under ``data_dir/history/`` (``data_dir`` is a data folder)."""

    def read(name: str) -> bytes:
        path = data_dir / HISTORY_DIR / name
        try:
            return path.read_bytes()
        except OSError as exc:
            raise HistoryUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None

    return parse_history(read)


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


def default_site_url(environ: Mapping[str, str] | None = None) -> str | None:
    """``ATTESTED_YET_SITE_URL``, else the GitHub Pages URL of ``GITHUB_REPOSITORY``."""
    env = os.environ if environ is None else environ
    if env.get("ATTESTED_YET_SITE_URL"):
        return env["ATTESTED_YET_SITE_URL"]
    repository = env.get("GITHUB_REPOSITORY", "")
    owner, _, name = repository.partition("/")
    if not owner or not name:
        return None
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def read_previous(
    location: str, ecosystems: Iterable[str], *, policy: HttpPolicy | None = None
) -> Previous:
    """The live site's history and snapshots, from its URL or a local folder.

    ``location`` is a site (URL or folder holding ``data/``) or a data folder (holding
    ``history/``). Raises :class:`HistoryUnavailable` when the history cannot be read; a
    snapshot that cannot be read is simply absent (it only matters as a fallback).
    """
    names = list(ecosystems)
    if is_url(location):
        return anyio.run(_read_previous_url, location, names, policy or HttpPolicy(attempts=3))
    root = Path(location)
    data = root / "data" if (root / "data" / HISTORY_DIR).is_dir() else root
    history = read_history_dir(data)
    snapshots = {}
    for eco in names:
        try:
            snapshots[eco] = Snapshot.model_validate_json((data / f"{eco}.json").read_bytes())
        except (OSError, ValidationError):
            continue
    return Previous(history, snapshots)


async def _read_previous_url(base: str, names: list[str], policy: HttpPolicy) -> Previous:
    base = base.rstrip("/")
    async with Fetcher(base, policy) as fetcher:
        raw: dict[str, bytes] = {}

        async def get(name: str) -> bytes:
            try:
                return await fetcher.get_bytes(f"/data/{HISTORY_DIR}/{name}", max_bytes=64 * MiB)
            except PackageError as exc:
                raise HistoryUnavailable(
                    f"cannot read {base}/data/{HISTORY_DIR}/{name}: {exc.reason}"
                ) from None

        raw[INDEX_FILE] = await get(INDEX_FILE)
        index = _parse(IndexFile, raw[INDEX_FILE], INDEX_FILE)
        for eco, entry in index.ecosystems.items():
            wanted = [f"{eco}-daily.json", f"{eco}-changes.json"]
            wanted += [f"{eco}-state.json"] if entry.days else []
            for name in wanted:
                raw[name] = await get(name)
        history = parse_history(raw.__getitem__)
        snapshots = {}
        for eco in names:
            try:
                body = await fetcher.get_bytes(f"/data/{eco}.json", max_bytes=256 * MiB)
                snapshots[eco] = Snapshot.model_validate_json(body)
            except (PackageError, ValidationError):
                continue
    return Previous(history, snapshots)


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


def find_snapshots(folder: Path) -> list[Snapshot]:
    """Every valid snapshot under ``folder`` (recursively; other JSON files are ignored)."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        try:
            with path.open("rb") as handle:
                if b'"schema_version"' not in handle.read(256):
                    continue
            found.append(Snapshot.model_validate_json(path.read_bytes()))
        except (OSError, ValidationError):
            continue
    return found


# --------------------------------------------------------------------------- views


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


def describe(change: Change) -> str:
    """One line a person reads: ``npm left-pad 1.3.0: attested → missing``."""
    name = f"{change.ecosystem} {change.package}"
    if change.kind is ChangeKind.ENTERED:
        return f"{name} {change.version or ''} entered the top N as {change.to_status}".replace(
            "  ", " "
        )
    if change.kind is ChangeKind.LEFT:
        return f"{name} left the top N (was {change.from_status})"
    versions = change.version or "?"
    if change.from_version and change.from_version != change.version:
        versions = f"{change.from_version} → {versions}"
    prefix = "Regression: " if change.kind is ChangeKind.REGRESSION else ""
    return f"{prefix}{name} {versions}: {change.from_status} → {change.to_status}"


def change_anchor(change: Change) -> str:
    raw = f"{change.date}-{change.ecosystem}-{change.package}-{change.kind}"
    return quote(raw, safe="")


def feed_xml(history: History, site_url: str, *, limit: int = FEED_LIMIT) -> str:
    """An Atom feed (RFC 4287) of recent changes, regressions first."""
    base = site_url if site_url.endswith("/") else f"{site_url}/" if site_url else ""
    page = f"{base}{CHANGES_PAGE}"
    changes = recent_changes(history, limit)
    updated = history.updated or max((c.date for c in changes), default=date(1970, 1, 1))
    feed_id = f"{base}{FEED_FILE}" if base else "urn:attested-yet:changes"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>Are we attested yet? Changes</title>",
        "<subtitle>Packages whose attestation status changed; regressions first.</subtitle>",
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{_stamp(updated)}</updated>",
        "<author><name>Are we attested yet?</name></author>",
    ]
    if base:
        out.append(f'<link rel="self" type="application/atom+xml" href={quoteattr(feed_id)}/>')
        out.append(f'<link rel="alternate" type="text/html" href={quoteattr(page)}/>')
    for change in changes:
        entry_id = (
            f"{page}#{change_anchor(change)}"
            if base
            else f"urn:attested-yet:change:{change_anchor(change)}"
        )
        text = describe(change)
        out += [
            "<entry>",
            f"<title>{escape(text)}</title>",
            f"<id>{escape(entry_id)}</id>",
            f"<updated>{_stamp(change.date)}</updated>",
            f"<category term={quoteattr(change.kind.value)}/>",
            f"<category term={quoteattr(change.ecosystem)}/>",
        ]
        if base:
            out.append(f'<link rel="alternate" type="text/html" href={quoteattr(entry_id)}/>')
        out += [f'<summary type="text">{escape(text)} (seen {change.date})</summary>', "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def trend_svg(
    days: list[DailySummary], ecosystem: str, *, width: int = 640, height: int = 220
) -> str:
    """An inline SVG line chart: share attested and share with Trusted Publishing, per day.

    Shares are of the counted packages (errors excluded). A missing day (a failed run)
    breaks the lines instead of drawing across the gap.
    """
    left, right, top, bottom = 44, 12, 14, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    label = f"{ecosystem}: share attested and share with Trusted Publishing over time"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f"aria-label={quoteattr(label)}>",
        f"<title>{escape(label)}</title>",
    ]
    for pct in (0, 25, 50, 75, 100):
        gy = top + plot_h * (1 - pct / 100)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}" '
            f'stroke="#ccc" stroke-width="1"/>'
            f'<text class="axis" x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11">'
            f"{pct}%</text>"
        )
    ordered = sorted(days, key=lambda d: d.date)
    if not ordered:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'font-size="13">No history yet</text></svg>'
        )
        return "".join(parts)
    first, last = ordered[0].date.toordinal(), ordered[-1].date.toordinal()
    span = max(last - first, 1)

    def x(day: date) -> float:
        return left + plot_w * ((day.toordinal() - first) / span if last > first else 0.5)

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    def attested(d: DailySummary) -> float | None:
        return _share(d.by_status[Status.ATTESTED], d.counted)

    def trusted(d: DailySummary) -> float | None:
        return _share(d.trusted_publishing, d.counted)

    # Trusted Publishing is dashed: on PyPI it equals the attested line (known only then).
    series: tuple[tuple[str, str, str, Callable[[DailySummary], float | None]], ...] = (
        ("attested", "#1a7f37", "", attested),
        ("trusted-publishing", "#0969da", ' stroke-dasharray="6 4"', trusted),
    )
    for name, colour, dash, value in series:
        path: list[str] = []
        previous: date | None = None
        for d in ordered:
            share = value(d)
            if share is None:
                previous = None
                continue
            gap = previous is None or d.date.toordinal() - previous.toordinal() > 1
            path.append(f"{'M' if gap else 'L'}{x(d.date):.1f},{y(share):.1f}")
            previous = d.date
        if len(ordered) == 1 and path:
            parts.append(
                f'<circle class="{name}" cx="{x(ordered[0].date):.1f}" '
                f'cy="{path[0].split(",")[1]}" r="3" fill="{colour}"/>'
            )
        parts.append(
            f'<path class="{name}" d="{" ".join(path)}" fill="none" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
    base_y = top + plot_h + 16
    parts.append(
        f'<text class="axis" x="{left}" y="{base_y}" font-size="11">{ordered[0].date}</text>'
        f'<text class="axis" x="{left + plot_w}" y="{base_y}" text-anchor="end" font-size="11">'
        f"{ordered[-1].date}</text>"
    )
    latest = ordered[-1]
    legend_y = height - 6
    parts.append(
        f'<text class="legend attested" x="{left}" y="{legend_y}" font-size="11" fill="#1a7f37">'
        f"— attested "
        f"{_pct(attested(latest))}</text>"
        f'<text class="legend trusted-publishing" x="{left + 180}" y="{legend_y}" font-size="11" '
        f'fill="#0969da">- - Trusted '
        f"Publishing {_pct(trusted(latest))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}%"


def trend_charts(history: History) -> dict[str, str]:
    """Ecosystem → inline SVG trend chart (for the overview page)."""
    return {eco: trend_svg(h.days, eco) for eco, h in sorted(history.ecosystems.items())}


def changes_context(history: History, *, limit: int = FEED_LIMIT) -> dict[str, Any]:
    """Context of the "changes" page: regressions apart and first, then the other changes."""
    changes = recent_changes(history, limit)
    stale = {
        eco: {"snapshot_date": h.snapshot_date, "note": h.note}
        for eco, h in sorted(history.ecosystems.items())
        if not h.fresh
    }
    return {
        "regressions": [c for c in changes if c.kind is ChangeKind.REGRESSION],
        "changes": [c for c in changes if c.kind is not ChangeKind.REGRESSION],
        "describe": describe,
        "anchor": change_anchor,
        "charts": trend_charts(history),
        "stale": stale,
        "updated": history.updated,
        "feed": FEED_FILE,
        "counted_statuses": list(COUNTED_STATUSES),
    }
