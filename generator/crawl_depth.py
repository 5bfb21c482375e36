"""The crawl's issue-11 steps: download counts from the ranking onto the rows, and the
signers an earlier row knew carried into the new row's timeline (no request either way)."""

from __future__ import annotations

from generator.ecosystems.base import Ecosystem, TopList
from generator.ecosystems.timeline_facts import remember_signers
from generator.models import PackageResult
from generator.state import Entry
from generator.timeline import Downloads


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


def with_depth(
    row: PackageResult, downloads: Downloads | None, previous: Entry | None
) -> PackageResult:
    """The row with this run's download count, and the signers the previous row knew for
    the same releases (a release's attestations never change: nothing is fetched again)."""
    earlier = previous.row.timeline if previous is not None else None
    timeline = remember_signers(row.timeline, earlier)
    update: dict[str, object] = {"downloads": downloads}
    if timeline is not row.timeline:
        update["timeline"] = timeline
    return row.model_copy(update=update)
