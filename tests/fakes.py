"""A registry client without a registry: the pipeline's tests drive it instead of HTTP.

:class:`FakeEcosystem` implements :class:`generator.ecosystems.Ecosystem` from a table of
packages; ``calls`` records every ``evidence`` call in order, so tests can assert what the
pipeline asked for and how often.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import anyio

from generator.ecosystems.base import TopList
from generator.ecosystems.info import EcosystemInfo
from generator.errors import PackageError, SourceError
from generator.http import Fetcher
from generator.models import Evidence, Observation

INFO = EcosystemInfo(
    name="fake",
    display_name="Fake",
    order=9,
    website="https://fake.test",
    default_url="https://fake.test",
    package_url="https://fake.test/p/{name}",
    attestation_cutoff=datetime(2024, 1, 1, tzinfo=UTC),
    cutoff_basis="the release date",
    provenance_label="fake provenance",
)


@dataclass
class FakeEcosystem:
    """Packages by name: an :class:`Evidence`, or a :class:`PackageError` to raise, or an
    ``Exception`` standing for a parser bug. ``ranking`` is what ``top`` returns."""

    packages: dict[str, Evidence | Exception]
    ranking: list[str] | None = None
    delay: dict[str, float] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    info: EcosystemInfo = INFO
    name: str = INFO.name
    display_name: str = INFO.display_name
    default_url: str = INFO.default_url
    attestation_cutoff: datetime = INFO.attestation_cutoff

    def normalize(self, name: str) -> str | None:
        return name.lower() if name and " " not in name else None

    async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
        self.calls.append(name)
        if name in self.delay:
            await anyio.sleep(self.delay[name])
        found = self.packages.get(name)
        if found is None:
            raise PackageError("HTTP 404")
        if isinstance(found, Exception):
            raise found
        return Observation(found)

    async def top(self, fetcher: Fetcher, source: str | None, n: int) -> TopList:
        if self.ranking is None:
            raise SourceError("fake ranking unavailable")
        return TopList(self.ranking[:n], source or "fake://top")


def evidence(name: str, *, attested: bool = False, repository: str | None = None) -> Evidence:
    """A readable release of ``name`` published after the fake cutoff."""
    return Evidence(
        name=name,
        version="1.0.0",
        published_at=datetime(2025, 6, 1, tzinfo=UTC),
        attested=attested,
        trusted_publishing=attested,
        repository=repository,
        registry_url=f"https://fake.test/p/{name}",
    )
