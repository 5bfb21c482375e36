"""Issue 11's fields of the export: downloads, the release timeline, lifecycle, npm trust.

``DepthFields`` is part of every row (``PackageResult``, and ``Evidence``, which an ecosystem
fills); ``DepthSummary`` is part of every ``Summary``. The timeline's own models live in
:mod:`generator.timeline.model` and are embedded as they are. Every field has a docstring
(its JSON Schema ``description``).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import Any, Protocol

from pydantic import ConfigDict

from generator.caps import CappedModel
from generator.timeline import (
    DownloadRow,
    Downloads,
    NpmTrust,
    Timeline,
    attested_download_share,
    trusted_publishing_download_share,
)


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


def depth_summary(rows: Sequence[_Row], counted: Sequence[str]) -> dict[str, Any]:
    """The ``DepthSummary`` fields over ``rows``; ``counted`` names the statuses that count
    (as for the package shares)."""
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
