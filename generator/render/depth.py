"""The site's words for issue 11: timeline states, npm trust states, download shares, the
pnpm forecast page and the timeline alerts that lead the changes page and the feed.

Pure: no I/O. Templates reach these through :func:`template_globals`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator.models import PackageResult, Snapshot
from generator.timeline import NpmTrust, ProvenanceState, Release

#: The forecast page (linked from the nav).
FORECAST_PAGE = "forecast.html"

#: A release's provenance state in words (the strip's text; colour is never alone).
STATE_LABEL: dict[ProvenanceState, str] = {
    ProvenanceState.FULL: "attested",
    ProvenanceState.PARTIAL: "partly attested",
    ProvenanceState.INCONSISTENT: "inconsistent signers",
    ProvenanceState.LOST: "provenance lost",
    ProvenanceState.CHANGED: "signer changed",
    ProvenanceState.NONE: "no provenance",
}

#: npm's four trust states in words (the filter on the npm page and the strip).
TRUST_LABEL: dict[NpmTrust, str] = {
    NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE: "Trusted Publishing + provenance",
    NpmTrust.TRUSTED_PUBLISHING_ONLY: "Trusted Publishing only",
    NpmTrust.PROVENANCE_ONLY: "provenance only",
    NpmTrust.NONE: "neither",
}


def share(value: float | None) -> str:
    """A 0..1 share as a whole percent (``63%``), or an empty string without one."""
    return "" if value is None else f"{round(100 * value)}%"


def release_words(release: Release) -> str:
    """One release in words, for its cell's accessible name."""
    words = [STATE_LABEL[release.provenance_state]]
    if 0 < release.files_attested < release.files_total:
        words.append(f"{release.files_attested} of {release.files_total} files attested")
    if release.trust is not None:
        words.append(TRUST_LABEL[release.trust])
    if release.prerelease:
        words.append("pre-release")
    if release.yanked:
        words.append("yanked")
    return ", ".join(words)


@dataclass(frozen=True)
class Alert:
    """A package whose timeline lost or changed provenance (listed first on the changes page
    and in the feed)."""

    ecosystem: str
    package: str
    kind: str
    """``provenance_lost`` or ``provenance_changed``."""
    text: str


def timeline_alerts(snapshots: list[Snapshot]) -> list[Alert]:
    """Every current ``provenance_lost`` and ``provenance_changed``, lost first, in rank
    order within each kind."""
    alerts: list[Alert] = []
    for kind in ("provenance_lost", "provenance_changed"):
        for snapshot in snapshots:
            for row in snapshot.packages:
                timeline = row.timeline
                if timeline is None or not getattr(timeline, kind):
                    continue
                steps = timeline.lost if kind == "provenance_lost" else timeline.changed
                text = "; ".join(f"{t.before} → {t.after}: {t.reason}" for t in steps)
                alerts.append(Alert(snapshot.ecosystem, row.name, kind, text))
    return alerts


def blocked_packages(snapshot: Snapshot) -> list[PackageResult]:
    """The snapshot's packages whose ``latest`` pnpm's ``no-downgrade`` would refuse."""
    return [
        p
        for p in snapshot.packages
        if p.timeline is not None
        and p.timeline.forecast is not None
        and p.timeline.forecast.blocked
    ]


def template_globals() -> dict[str, Any]:
    return {
        "state_label": STATE_LABEL,
        "trust_label": TRUST_LABEL,
        "share": share,
        "release_words": release_words,
        "forecast_page": FORECAST_PAGE,
        "blocked_packages": blocked_packages,
    }
