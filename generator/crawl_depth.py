"""The crawl's issue-11 steps: download counts from the ranking onto the rows, and for a
fresh row the signers an earlier row knew (no request) plus the signer backfill: a few
earlier releases' signers fetched once, then remembered.

Signer backfill (README "Signer backfill"): only after a package's documents were read
afresh (a reused row, 304 or unchanged on the change feed, costs nothing), for the
timeline's attested releases whose signer is neither known nor remembered, at most ``k``
documents per package and run: first the release the latest is compared with (the nearest
earlier attested release that sets its bar), then the others newest first. Each is one
request the registry listed (PyPI a file's ``provenance``, npm ``dist.attestations.url``),
read as served (the latest's provenance is the one verified). A fetch that fails, or the
package deadline running out, costs that fact only: the row is otherwise the same. Nothing is
fetched for a row that will not be stored (its latest's provenance unreadable).
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace

import anyio

from generator.ecosystems.base import Ecosystem, SignerSource, TopList
from generator.ecosystems.timeline_facts import remember_signers, signer_of
from generator.http import Fetcher
from generator.models import Observation, PackageResult
from generator.state import Entry
from generator.timeline import Downloads, Release, Timeline, unknown_signer, with_signers
from generator.timeline.rules import sets_bar

log = logging.getLogger(__name__)

#: Earlier signers fetched per package and run by default (``--signer-backfill``): the
#: release the latest is compared with, so a cold crawl can already see a change.
DEFAULT_SIGNER_BACKFILL = 1


def ranked_downloads(
    ecosystem: Ecosystem, top: TopList, names: list[str]
) -> list[Downloads | None] | None:
    """Each kept name's count (its first entry in the source's list), or None without counts."""
    if top.counts is None or top.window is None:
        return None
    counts: dict[str, int] = {}
    for name, count in zip(top.names, top.counts, strict=False):
        counts.setdefault(ecosystem.normalize(name) or name, count)
    out: list[Downloads | None] = []
    for name in names:
        found = counts.get(ecosystem.normalize(name) or name)
        out.append(None if found is None else Downloads(count=found, window=top.window))
    return out


def with_depth(row: PackageResult, downloads: Downloads | None) -> PackageResult:
    """The row with this run's download count (the signers an earlier row knew are carried
    into a fresh row by :func:`backfill_signers`; a reused row already holds them)."""
    return row.model_copy(update={"downloads": downloads})


def backfill_order(timeline: Timeline, sources: dict[str, str]) -> list[str]:
    """The versions worth a request, in the order they are fetched: attested, not yanked,
    not the latest, signer unknown, with a listed provenance location; the release the
    latest is compared with first, then newest first."""
    candidates = [
        r
        for r in timeline.releases  # newest first
        if unknown_signer(r)
        and not r.yanked
        and r.version != timeline.latest
        and r.version in sources
    ]
    latest = next((r for r in timeline.releases if r.version == timeline.latest), None)
    first = _compared_with(latest, timeline.releases) if latest is not None else None
    ordered = [first] if first is not None and first in candidates else []
    return [r.version for r in ordered + [r for r in candidates if r is not first]]


def _compared_with(latest: Release, releases: list[Release]) -> Release | None:
    bars = [r for r in releases if r.attested and sets_bar(r, latest)]
    return max(bars, key=lambda r: r.published_at) if bars else None


async def backfill_signers(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    observation: Observation,
    previous: Entry | None,
    k: int,
    deadline: float = math.inf,
) -> Observation:
    """``observation`` with the remembered signers and up to ``k`` fetched ones on its
    timeline (see the module's docstring); the same object when nothing was learnt."""
    timeline = observation.evidence.timeline
    if timeline is None:
        return observation
    earlier = previous.row.timeline if previous is not None else None
    start = remember_signers(timeline, earlier) or timeline
    learnt: dict[str, tuple[list[str | None], list[str | None]]] = {}
    # A row whose latest provenance could not be read is not stored (it is read again in
    # full next time): what it learnt would be forgotten, and its latest has no signer.
    if k > 0 and observation.unreadable is None and isinstance(ecosystem, SignerSource):
        wanted = backfill_order(start, observation.signer_sources)[:k]
        with anyio.CancelScope(deadline=deadline):
            for version in wanted:
                try:
                    found = await ecosystem.release_signer(
                        fetcher, observation.signer_sources[version]
                    )
                except Exception as exc:  # noqa: BLE001 - that fact stays unknown, asked again
                    # on the package's next fresh read; the row is otherwise the same
                    log.info("signer of %s %s unread: %s", observation.evidence.name, version, exc)
                    continue
                signer = signer_of("", found)
                if signer is not None:
                    learnt[version] = ([signer.repository], [signer.workflow])
    filled = with_signers(start, learnt)
    if filled is timeline:
        return observation
    return replace(
        observation, evidence=observation.evidence.model_copy(update={"timeline": filled})
    )
