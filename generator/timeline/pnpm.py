"""pnpm's ``trustPolicy: no-downgrade``, applied to a package's npm history.

Source: pnpm/pnpm ``resolving/npm-resolver/src/trustChecks.ts`` (``failIfTrustDowngraded``,
``detectStrongestTrustEvidenceBeforeDate``, ``getTrustEvidence``). Read in the search index
as its current stored text (the version with ``stagedPublish`` and ``pickWithoutTrustDowngrade``;
the index gives no commit for it) and, for comparison, at commit
``2794e9a8e03d6d819ac40b035b4038de56309b68`` (the first version: no pre-release rule, and
Trusted Publishing counted without provenance). Documentation: https://pnpm.io/settings#trustpolicy.

The rule implemented here (the current text):

* **Evidence** of a version: ``stagedPublish`` (rank 3) when ``_npmUser.approver`` is set;
  ``trustedPublisher`` (2) when ``_npmUser.trustedPublisher`` is set *and* the version has a
  provenance attestation; ``provenance`` (1) when it has a provenance attestation; otherwise
  none. So Trusted Publishing without provenance counts as no evidence at all.
* **The bar** for installing version V is the strongest evidence among versions published
  strictly before V (``publishedAt < beforeDate``: publish date only, never semver; equal
  instants do not count). When V is not a pre-release, pre-releases are skipped (pnpm PR
  #10227, pnpm 10.24.0); when V is a pre-release, every earlier version counts.
* V is **refused** (``ERR_PNPM_TRUST_DOWNGRADE``) when a bar exists and V has no evidence or
  weaker evidence than the bar.

Not modelled: ``stagedPublish`` (the crawl does not read ``_npmUser.approver``; no top package
is known to use it), and the user settings ``trustPolicyExclude`` / ``trustPolicyIgnoreAfter``
(the forecast assumes pnpm's defaults: neither set). Newer pnpm sets a refused candidate aside
and re-picks for a range (``pickWithoutTrustDowngrade``); the forecast answers for ``latest``
itself, as ``pnpm add name@latest`` asks for it.

Known false positives, all from ordering by date rather than by release line: a backport
published after a newer major that had more evidence is refused, e.g. ``semver@6.3.1`` after
``semver@7.5.x`` had provenance (pnpm/pnpm#10202, npm/node-semver#886) and ``vite@6.4.1``
after 7.x had Trusted Publishing (pnpm/pnpm#10622). The forecast reproduces them on purpose:
it predicts what pnpm does, not what it should do.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from generator.timeline.model import Forecast, Release


class Evidence(IntEnum):
    """pnpm's trust ranks (``TRUST_RANK``), with 0 for "no trust evidence"."""

    NONE = 0
    PROVENANCE = 1
    TRUSTED_PUBLISHER = 2


def evidence(release: Release) -> Evidence:
    """pnpm's ``getTrustEvidence`` from our facts: provenance is ``attested`` (npm's
    ``dist.attestations.provenance``), Trusted Publishing is ``trusted_publishing``
    (unknown counts as absent)."""
    if not release.attested:
        return Evidence.NONE
    if release.trusted_publishing:
        return Evidence.TRUSTED_PUBLISHER
    return Evidence.PROVENANCE


def _has(release: Release) -> str:
    level = evidence(release)
    if level is Evidence.TRUSTED_PUBLISHER:
        return "Trusted Publishing"
    if level is Evidence.PROVENANCE:
        return "provenance without Trusted Publishing"
    if release.trusted_publishing:
        return "Trusted Publishing but no provenance"
    return "no provenance"


def _had(release: Release) -> str:
    return "Trusted Publishing" if evidence(release) is Evidence.TRUSTED_PUBLISHER else "provenance"


def forecast(history: Sequence[Release], latest: str | None) -> Forecast:
    """Would ``pnpm add <name>@latest`` under ``trustPolicy: no-downgrade`` be refused?

    ``history`` is every known version of the package (the whole packument, not a window:
    pnpm compares with all of it); ``latest`` is the ``latest`` dist-tag."""
    current = next((r for r in history if r.version == latest), None)
    if current is None:
        return Forecast(blocked=False, version=latest, reason="the latest version is unknown")
    earlier = [
        r
        for r in history
        if r.published_at < current.published_at and (current.prerelease or not r.prerelease)
    ]
    unknown = sorted(
        {r.version for r in [*earlier, current] if r.attested and r.trusted_publishing is None}
    )
    best = max((evidence(r) for r in earlier), default=Evidence.NONE)
    if best is Evidence.NONE:
        return Forecast(
            blocked=False,
            version=current.version,
            reason=f"no release published before {current.version} had trust evidence",
            unknown_trusted_publishing=unknown,
        )
    bar = max((r for r in earlier if evidence(r) is best), key=lambda r: r.published_at)
    blocked = evidence(current) < best
    if blocked:
        reason = f"{current.version} has {_has(current)}; {bar.version} had {_had(bar)}"
    else:
        reason = f"{current.version} has {_has(current)}, no less than {bar.version}"
    return Forecast(
        blocked=blocked,
        version=current.version,
        reason=reason,
        bar_version=bar.version,
        unknown_trusted_publishing=unknown,
    )
