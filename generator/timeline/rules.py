"""The package-level rules: ``provenance_lost``, ``provenance_changed``, ``provenance_dropped``,
the npm trust state, and the helpers they share (pre-release test, signer normalization).

Which releases count (both ``provenance_lost`` and ``provenance_changed``):

* **Order is publish date, never semver.** A 1.x backport published after 2.0 comes after 2.0.
* **Strictly earlier.** Two releases with the same publish instant are not before one another,
  so neither sets the other's bar (pnpm compares ``publishedAt < beforeDate`` the same way).
* **Yanked releases are left out on both sides.** A yanked attested release sets no bar (its
  maintainer withdrew it) and a yanked unattested release is no loss (installers skip it).
* **Pre-releases follow pnpm's rule** (pnpm/pnpm PR #10227): a pre-release never sets the bar
  for a final release (many projects attest only their pre-releases), while a pre-release is
  compared with every earlier release, final or not.
* **Unknown is not a change.** A signer whose repository or workflow is unknown is compared
  only on what is known.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from packaging.version import InvalidVersion, Version

from generator.timeline.model import Ecosystem, NpmTrust, Release, Transition

#: Hosts whose owner and repository names are case-insensitive.
_CASE_INSENSITIVE_HOSTS = frozenset({"github.com", "gitlab.com"})
_SHORTHAND = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+$")
_SEMVER_PRERELEASE = re.compile(r"^v?\d+\.\d+\.\d+-[0-9A-Za-z.-]+(\+[0-9A-Za-z.-]+)?$")


def is_prerelease(version: str, ecosystem: Ecosystem) -> bool:
    """PEP 440 pre-/dev-release on PyPI; a semver pre-release tag (``1.0.0-rc.1``) on npm.
    An unparsable PyPI version counts as final (it cannot be ordered as a pre-release)."""
    if ecosystem == "npm":
        return _SEMVER_PRERELEASE.match(version.strip()) is not None
    try:
        return Version(version).is_prerelease
    except InvalidVersion:
        return False


def normalize_repository(value: str | None) -> str | None:
    """``https://host/owner/name`` for a signer's repository, or None when unknown.

    ``owner/name`` alone means GitHub (PyPI's GitHub publisher spells it so); ``git+``,
    ``.git`` and trailing slashes are dropped; GitHub and GitLab paths are lower-cased since
    those hosts ignore case. Other hosts keep their path's case."""
    if value is None or not value.strip():
        return None
    raw = value.strip()
    if _SHORTHAND.match(raw) and "://" not in raw:
        host, path = "github.com", raw
    else:
        url = raw.removeprefix("git+")
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if not parts.hostname:
            return None
        host, path = parts.hostname.lower().removeprefix("www."), parts.path
    path = path.strip("/").removesuffix(".git").strip("/")
    if not path:
        return None
    if host in _CASE_INSENSITIVE_HOSTS:
        path = path.lower()
    return f"https://{host}/{path}"


def normalize_workflow(value: str | None) -> str | None:
    """The workflow's file name (``release.yml``) from a name, a path
    (``.github/workflows/release.yml``) or a ref'd path (``...@refs/tags/v1``); None if unknown.
    PyPI publishers give the file name, npm's SLSA statement the path: compare names."""
    if value is None:
        return None
    name = value.split("@", 1)[0].strip().rstrip("/").rsplit("/", 1)[-1]
    return name or None


def sets_bar(earlier: Release, later: Release) -> bool:
    """``earlier`` can set ``later``'s bar: not yanked, published strictly before, and not a
    pre-release when ``later`` is a final release."""
    if earlier.yanked or not earlier.published_at < later.published_at:
        return False
    return later.prerelease or not earlier.prerelease


def by_date(releases: Iterable[Release]) -> list[Release]:
    """Oldest first by publish date; equal instants keep their given order."""
    return sorted(releases, key=lambda r: r.published_at)


def lost_transitions(releases: Sequence[Release]) -> list[Transition]:
    """Each non-yanked, unattested release that has an attested release setting its bar
    (``sets_bar``), paired with the most recent such release. ``provenance_lost`` is
    ``bool(lost_transitions(window))``."""
    ordered = by_date(releases)
    found: list[Transition] = []
    for i, release in enumerate(ordered):
        if release.yanked or release.attested:
            continue
        bars = [e for e in ordered[:i] if e.attested and sets_bar(e, release)]
        if bars:
            bar = bars[-1]
            found.append(
                Transition(
                    before=bar.version,
                    after=release.version,
                    reason=f"{release.version} has no provenance; {bar.version} had provenance",
                )
            )
    return found


def _differs(before: Iterable[str], after: Iterable[str]) -> bool:
    known_before, known_after = set(before), set(after)
    return bool(known_before) and bool(known_after) and known_before != known_after


def changed_transitions(releases: Sequence[Release]) -> list[Transition]:
    """Each attested, non-yanked release whose signing repositories or workflows differ from
    those of the most recent earlier attested release that sets its bar (``sets_bar``).
    Only known values are compared: an unknown repository or workflow is never a change."""
    ordered = by_date(releases)
    found: list[Transition] = []
    for i, release in enumerate(ordered):
        if release.yanked or not release.attested:
            continue
        bars = [e for e in ordered[:i] if e.attested and sets_bar(e, release)]
        if not bars:
            continue
        bar = bars[-1]
        what = []
        if _differs(bar.repositories, release.repositories):
            what.append(
                f"repository {', '.join(bar.repositories)} became {', '.join(release.repositories)}"
            )
        if _differs(bar.workflows, release.workflows):
            what.append(
                f"workflow {', '.join(bar.workflows)} became {', '.join(release.workflows)}"
            )
        if what:
            reason = f"{release.version} was signed elsewhere than {bar.version}: {'; '.join(what)}"
            found.append(Transition(before=bar.version, after=release.version, reason=reason))
    return found


def provenance_dropped(releases: Sequence[Release], latest: str | None) -> bool:
    """Today's ``provenance_dropped``, unchanged: ``latest`` is not attested and any release
    published before it is. Whole history, no yanked or pre-release filter, latest only."""
    current = next((r for r in releases if r.version == latest), None)
    if current is None or current.attested:
        return False
    return any(r.attested and r.published_at < current.published_at for r in releases)


def npm_trust(trusted_publishing: bool | None, provenance: bool) -> NpmTrust | None:
    """The npm trust state from Trusted Publishing and provenance; None when Trusted
    Publishing is unknown (the state cannot be told apart then)."""
    if trusted_publishing is None:
        return None
    if trusted_publishing:
        return (
            NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE
            if provenance
            else NpmTrust.TRUSTED_PUBLISHING_ONLY
        )
    return NpmTrust.PROVENANCE_ONLY if provenance else NpmTrust.NONE
