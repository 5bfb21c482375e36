"""Issue 11's fields of the export: downloads, the release timeline, lifecycle, npm trust.

``DepthFields`` is part of every row (``PackageResult``, and ``Evidence``, which an ecosystem
fills); ``DepthSummary`` is part of every ``Summary``. The timeline's own models live in
:mod:`generator.timeline.model` and are embedded as they are. Every field has a docstring
(its JSON Schema ``description``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from typing import Any, Protocol

from pydantic import ConfigDict

from generator.caps import CappedModel
from generator.timeline import Downloads, NpmTrust, Timeline
from generator.timeline.downloads import DownloadSums


class Lifecycle(StrEnum):
    """A package's lifecycle, from what its registry says (never a hand-written list)."""

    ACTIVE = "active"
    """Nothing says otherwise (the default on both registries)."""
    DEPRECATED = "deprecated"
    """npm: the latest version carries a ``deprecated`` message; PyPI: the project status
    marker (PEP 792) is ``deprecated``."""
    ARCHIVED = "archived"
    """PyPI: the project status marker is ``archived`` (no new uploads expected)."""
    QUARANTINED = "quarantined"
    """PyPI: the project status marker is ``quarantined`` (nothing offered for download)."""


#: Lifecycles left out of ``attested_percent_active`` (the overview's visible toggle).
INACTIVE: frozenset[Lifecycle] = frozenset(
    {Lifecycle.DEPRECATED, Lifecycle.ARCHIVED, Lifecycle.QUARANTINED}
)


class _Frozen(CappedModel):  # strings capped (generator/caps.py), like generator.models
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class DepthFields(_Frozen):
    """Per package: downloads, the release timeline, lifecycle and the npm trust state."""

    downloads: Downloads | None = None
    """Downloads as the ranking source counts them, with the window they cover; null when
    the run has no counts (``--packages FILE``: counts are never made up)."""
    timeline: Timeline | None = None
    """The most recent releases (newest first, at least 10) with ``provenance_lost``,
    ``provenance_changed`` and, on npm, pnpm's ``no-downgrade`` forecast; read from the
    documents the crawl already fetches. Null when the package could not be read."""
    trust: NpmTrust | None = None
    """npm: the latest release's trust state (Trusted Publishing and provenance together);
    null on PyPI."""
    lifecycle: Lifecycle = Lifecycle.ACTIVE
    """``deprecated``, ``archived`` or ``quarantined`` when the registry says so, else
    ``active``."""
    lifecycle_reason: str | None = None
    """npm: the ``deprecated`` message of the latest version; PyPI: the simple index's
    ``project-status-reason``. Null when none is given."""


class DepthSummary(_Frozen):
    """Summary counts over the depth fields (part of ``Summary``)."""

    downloads_window: str | None = None
    """The window the rows' download counts cover (e.g. ``last-30-days``), or null when the
    run has no counts."""
    attested_download_share: float | None = None
    """Downloads of packages whose latest release is attested over all downloads of counted
    packages (0..1); null without counts."""
    trusted_publishing_download_share: float | None = None
    """Downloads of packages published through Trusted Publishing over all downloads of
    counted packages (0..1); null without counts."""
    provenance_lost: int = 0
    """Packages whose timeline has ``provenance_lost``."""
    provenance_changed: int = 0
    """Packages whose timeline has ``provenance_changed``."""
    by_trust: dict[NpmTrust, int] = {}
    """npm: packages per trust state of their latest release, every state present; empty on
    PyPI."""
    inactive: int = 0
    """Packages that are deprecated, archived or quarantined (still listed, flagged)."""
    attested_percent_active: float | None = None
    """attested / counted × 100 over packages that are not deprecated, archived or
    quarantined (the overview's toggle); null when none is counted."""
    forecast_blocked: int = 0
    """npm: packages whose ``latest`` pnpm's ``no-downgrade`` would refuse."""


class _Row(Protocol):
    @property
    def status(self) -> Any: ...
    @property
    def trusted_publishing(self) -> bool | None: ...
    @property
    def downloads(self) -> Downloads | None: ...
    @property
    def timeline(self) -> Timeline | None: ...
    @property
    def trust(self) -> NpmTrust | None: ...
    @property
    def lifecycle(self) -> Lifecycle: ...


class DepthTally:
    """The ``DepthSummary`` fields, counted as rows arrive: ``add(row)`` for each row, then
    ``fields()``. Keeps counters and the distinct download windows, never a row.

    ``counted`` names the statuses that count (as for the package shares)."""

    __slots__ = (
        "_active",
        "_attested_active",
        "_counted",
        "_forecast_blocked",
        "_inactive",
        "_provenance_changed",
        "_provenance_lost",
        "_shares",
        "_trusts",
        "_windows",
    )

    def __init__(self, counted: Sequence[str]) -> None:
        self._counted = tuple(counted)
        self._shares = DownloadSums()
        self._windows: set[str] = set()
        self._active = 0
        self._attested_active = 0
        self._trusts: dict[NpmTrust, int] = {}
        self._provenance_lost = 0
        self._provenance_changed = 0
        self._inactive = 0
        self._forecast_blocked = 0

    def add(self, row: _Row) -> None:
        """Count one row."""
        status = str(row.status)
        counted = status in self._counted
        attested = status == "attested"
        downloads = row.downloads
        self._shares.add(
            downloads,
            attested=attested,
            trusted_publishing=row.trusted_publishing,
            counted=counted,
        )
        if downloads is not None:
            self._windows.add(downloads.window)
        inactive = row.lifecycle in INACTIVE
        if counted and not inactive:
            self._active += 1
            self._attested_active += attested
        if row.trust is not None:
            self._trusts[row.trust] = self._trusts.get(row.trust, 0) + 1
        timeline = row.timeline
        if timeline and timeline.provenance_lost:
            self._provenance_lost += 1
        if timeline and timeline.provenance_changed:
            self._provenance_changed += 1
        self._inactive += inactive
        if timeline and timeline.forecast and timeline.forecast.blocked:
            self._forecast_blocked += 1

    def fields(self) -> dict[str, Any]:
        """The ``DepthSummary`` fields over the rows added so far. Raises ``ValueError`` when
        counted rows' download counts cover different windows (as the shares do)."""
        windows = sorted(self._windows)
        active = self._active
        return {
            "downloads_window": windows[0] if len(windows) == 1 else None,
            "attested_download_share": self._shares.attested_share() if windows else None,
            "trusted_publishing_download_share": (
                self._shares.trusted_publishing_share() if windows else None
            ),
            "provenance_lost": self._provenance_lost,
            "provenance_changed": self._provenance_changed,
            "by_trust": {t: self._trusts.get(t, 0) for t in NpmTrust} if self._trusts else {},
            "inactive": self._inactive,
            "attested_percent_active": (
                round(100 * self._attested_active / active, 1) if active else None
            ),
            "forecast_blocked": self._forecast_blocked,
        }


def depth_summary(rows: Iterable[_Row], counted: Sequence[str]) -> dict[str, Any]:
    """The ``DepthSummary`` fields over ``rows`` (:class:`DepthTally` over a list)."""
    tally = DepthTally(counted)
    for row in rows:
        tally.add(row)
    return tally.fields()
