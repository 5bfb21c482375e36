"""Reading a registry's change feed for an incremental crawl, and fetching the crawl state
from the live site. Both only ever *narrow* what is re-fetched when they are sure: a feed
that fails, gaps or resets leaves every package to a conditional request (README "Crawl
state")."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from generator.ecosystems.base import ChangeFeed, Ecosystem
from generator.errors import PackageError
from generator.http import Fetcher, HttpPolicy, MiB
from generator.snapshot import atomic_write
from generator.state import (
    STATE_DIR,
    CrawlState,
    FeedCursor,
    StateRun,
    load_state,
    state_path,
)


@dataclass(frozen=True)
class FeedOutcome:
    """What reading the feed cost and left behind."""

    cursor: FeedCursor | None = None
    """The position to store for the next run; None: none."""
    requests: int = 0
    bytes: int = 0
    note: str = "no change feed"


async def read_feed(
    ecosystem: Ecosystem,
    url: str | None,
    policy: HttpPolicy,
    state: CrawlState | None,
    run: StateRun,
    least: int | None = None,
) -> FeedOutcome:
    """Read ``ecosystem``'s change feed at ``url`` when it costs less than one conditional
    request per known package (``least`` known packages or more; default the ecosystem's
    crossover), filling ``run.unchanged`` with the known packages it proves unchanged."""
    if not isinstance(ecosystem, ChangeFeed) or url is None:
        return FeedOutcome()
    known = len(run.previous)
    least = ecosystem.feed_min_packages if least is None else least
    since = state.feed.position if state and state.feed and state.feed.url == url else None
    # Read when it pays; with nothing known yet, only a positional feed (npm: one small
    # request) is worth reading, to record where the next run starts.
    if not (known and known >= least) and not (not known and least <= 1):
        return FeedOutcome(note=f"change feed not read ({known} known, pays from {least})")
    async with Fetcher(url, policy) as feed:
        try:
            read = await ecosystem.change_feed(feed, since, max(2, known // 4))
        except PackageError as exc:
            note = f"change feed not used ({exc.reason})"
            return FeedOutcome(None, feed.stats.requests, feed.stats.bytes, note)
        cost = (feed.stats.requests, feed.stats.bytes)
    if since is not None and read.position < since:
        note = f"change feed went back ({since} → {read.position}): not used"
        return FeedOutcome(None, *cost, note)
    unchanged: set[str] = set()
    for key, validators in run.known():
        if read.serials is not None:
            serial = validators.serial
            if serial is not None and read.serials.get(key) == serial:
                unchanged.add(key)
        elif read.changed is not None and since is not None and key not in read.changed:
            unchanged.add(key)
    run.unchanged = frozenset(unchanged)
    cursor = FeedCursor(url=url, position=read.position)
    return FeedOutcome(cursor, *cost, f"change feed read at {read.position}")


async def fetch_states(
    site: str,
    data: Path,
    ecosystems: Iterable[str],
    policy: HttpPolicy,
    log: Callable[[str], None],
) -> None:
    """Copy each ecosystem's crawl state from ``<site>/data/state/`` into ``data`` where none
    is there yet. Anything missing or unreadable is skipped: that ecosystem crawls in full."""
    async with Fetcher(site, replace(policy, attempts=2)) as fetcher:
        for name in ecosystems:
            if state_path(data, name).exists():
                continue
            path = f"/data/{STATE_DIR}/{name}.json"
            try:
                body = await fetcher.get_bytes(path, max_bytes=256 * MiB)
                head, entries = load_state(body)  # a state of this format, or ValueError
                entries.close()
                atomic_write(state_path(data, head.ecosystem), body)
                log(f"{name}: crawl state read from {site}")
            except (PackageError, ValueError) as exc:
                log(f"{name}: no crawl state from {site} ({str(exc)[:120]}): full crawl")
