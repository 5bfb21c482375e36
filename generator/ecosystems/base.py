"""The one small interface every ecosystem implements. It fetches and reads; it does not
verify (no ``generator.verify`` import under ``generator/ecosystems``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from generator.ecosystems.info import EcosystemInfo
from generator.http import Fetcher
from generator.models import Observation, Provenance


class Ecosystem(Protocol):
    """A package registry. Adding one means adding a module that provides this."""

    info: EcosystemInfo
    """The fixed facts other stages may read without importing this client."""
    name: str
    """Short name, used on the command line and as the snapshot's file name (``pypi``)."""
    display_name: str
    """Human name of the registry (``PyPI``)."""
    default_url: str
    """Base URL of the public registry; every request goes under it."""
    attestation_cutoff: datetime
    """When the registry began to accept attestations (the ``pre-attestation`` line)."""

    def normalize(self, name: str) -> str | None:
        """The canonical form of a package name, or None if it is not a valid name."""
        ...

    async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
        """Read the latest release of ``name``; raise ``PackageError`` if it cannot be read.

        When it is attested, the raw provenance document is fetched too and handed over in
        the observation with the subject its signature must cover; verifying it is the next
        stage's work (``generator.verify.check``), never the ecosystem's.
        """
        ...

    async def top(self, fetcher: Fetcher, source: str | None, n: int) -> TopList:
        """The ``n`` most downloaded package names in rank order, where they came from, and
        their download counts (``TopList``).

        ``source`` overrides the default ranking with a URL or a local file path.
        Raises ``SourceError`` when the list cannot be read.
        """
        ...


@dataclass(frozen=True)
class TopList:
    """A ranking source's names in rank order, with the download counts it gives."""

    names: list[str]
    location: str
    """URL or file the list was read from."""
    counts: list[int] | None = None
    """Each name's download count (same order), or None when the source has none."""
    window: str | None = None
    """The period the counts cover (``last-30-days``, ``last-month``)."""


@dataclass(frozen=True)
class FeedRead:
    """What a registry's change feed says (read by :class:`ChangeFeed`)."""

    position: int
    """The feed's position now, to start from next time (npm ``update_seq``, PyPI the root's
    ``_last-serial``)."""
    changed: frozenset[str] | None = None
    """Names (normalized) changed since the position asked for; None: the feed cannot say."""
    serials: Mapping[str, int] | None = None
    """Normalized name → the project's last serial (PyPI); None when not that kind of feed."""


@runtime_checkable
class ChangeFeed(Protocol):
    """Optional: an ecosystem whose registry documents a change feed."""

    feed_min_packages: int
    """Fewest known packages at which reading the feed costs less than one conditional
    request per package (README "Crawl state")."""
    default_feed_url: str | None
    """The feed of the public registry; None: the feed is served by the registry itself."""
    """Fewest known packages at which reading the feed costs less than one conditional
    request per package (README "Crawl state")."""

    async def change_feed(self, fetcher: Fetcher, since: int | None, budget: int) -> FeedRead:
        """Read the feed under ``fetcher``'s base URL from position ``since`` in at most
        ``budget`` requests; raise ``PackageError`` when it fails, gaps, resets or would need
        more requests than that (the crawl then makes conditional requests for everything)."""
        ...


@runtime_checkable
class SignerSource(Protocol):
    """Optional: an ecosystem that can read the signer of an earlier release (the crawl's
    signer backfill, README "Signer backfill"). Without it, earlier signers are known only
    from the crawl state."""

    async def release_signer(self, fetcher: Fetcher, source: str) -> Provenance | None:
        """The signer identity (kind, repository, workflow) in the provenance at ``source``,
        a location :meth:`Ecosystem.evidence` put in ``Observation.signer_sources``, read the
        way the latest release's is and fetched from ``fetcher``'s registry; None when the
        document names none. As served: not verified. Raises ``PackageError`` when it cannot
        be read."""
        ...
