"""The one pipeline: top-N source → registry client → evidence → verify → classify → snapshot
→ render. Every command of the CLI is one function here, driven by a typed config; the CLI
only parses arguments into it.

Stages never import this module (nor ``generator.cli``): it is the top of the import graph.
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import anyio

from generator.atomic import replace_dir
from generator.crawl import Shard, crawl, ranked_list, select_shard
from generator.crawl_depth import DEFAULT_SIGNER_BACKFILL
from generator.demo import RECORDINGS, serve_demo
from generator.demo.history import write_demo_history
from generator.ecosystems import INFOS, REGISTRY, Ecosystem
from generator.ecosystems.base import ChangeFeed
from generator.errors import GeneratorError, SnapshotError, UsageError
from generator.feeds import fetch_states, read_feed
from generator.history import HISTORY_DIR, INDEX_FILE, read_history_dir
from generator.http import Fetcher, HttpPolicy, MiB
from generator.merge import merge_shards
from generator.models import PackageResult, Snapshot, Status
from generator.previous import default_site_url
from generator.progress import Progress
from generator.snapshot import SCHEMA_FILE, read_snapshots, write_snapshot
from generator.spool import Crawled, failed_line
from generator.state import (
    CrawlState,
    StateRun,
    StoredEntries,
    fingerprint,
    load_state,
    merge_states,
    read_state,
    state_path,
    write_state,
)
from generator.verify import VERIFY, VerifyOptions

Log = Callable[[str], None]


def stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class CrawlConfig:
    """Everything one crawl needs; ``crawl``/``build`` on the command line fill it in."""

    data: Path
    """Folder the snapshots are written to."""
    ecosystems: tuple[str, ...] = tuple(REGISTRY)
    """Which ecosystems to crawl, by short name."""
    top: int = 1000
    """How many of the most downloaded packages, per ecosystem."""
    packages_file: str | None = None
    """A ranked list of names instead of the top-N source (one ecosystem only)."""
    registry_urls: Mapping[str, str] = field(
        default_factory=lambda: {name: e.default_url for name, e in REGISTRY.items()}
    )
    """Base URL of each ecosystem's registry."""
    top_sources: Mapping[str, str] = field(default_factory=dict)
    """Overrides of an ecosystem's top-N source (a URL or a local file)."""
    policy: HttpPolicy = field(default_factory=HttpPolicy)
    """Timeouts, caps, retries and concurrency of every registry's requests."""
    verify: VerifyOptions = VERIFY
    """How attestations are verified (trust root), or why not."""
    demo: bool = False
    """Snapshots are marked as demo data (the bundled recorded registry)."""
    shard: Shard | None = None
    """Crawl only this shard of each ranked list (``--shard K/N``); ``merge`` joins them."""
    full: bool = False
    """Ignore the crawl state (``crawl --full``): every document is downloaded again."""
    feed_urls: Mapping[str, str] = field(default_factory=dict)
    """Base URL of an ecosystem's change feed (``--npm-changes-url``); "" for none. Unset:
    the ecosystem's default for its public registry (see :meth:`feed_url`)."""
    feed_min: Mapping[str, int] = field(default_factory=dict)
    """Overrides of the fewest known packages at which a change feed is read
    (``--pypi-root-min``); unset: the ecosystem's measured crossover."""
    signer_backfill: int = DEFAULT_SIGNER_BACKFILL
    """Earlier releases' signers fetched per package read afresh (``--signer-backfill``),
    each once: remembered in the crawl state (``generator.crawl_depth``); 0: none."""

    def feed_url(self, name: str, ecosystem: Ecosystem | None = None) -> str | None:
        """Where ``name``'s change feed is read: the URL given; else the ecosystem's default
        feed when the registry is the public one (or the registry itself when its feed is
        served there, PyPI's ``/simple/``); else none. ``ecosystem``: the client, when it
        is not the registered one (tests)."""
        ecosystem = ecosystem or REGISTRY[name]
        if name in self.feed_urls:
            return self.feed_urls[name] or None
        if not isinstance(ecosystem, ChangeFeed):
            return None
        registry = self.registry_urls[name]
        if ecosystem.default_feed_url is None:
            return registry
        return ecosystem.default_feed_url if registry == ecosystem.default_url else None

    def __post_init__(self) -> None:
        if not self.ecosystems:
            raise UsageError("no ecosystem to crawl")
        if self.packages_file is not None and len(self.ecosystems) != 1:
            raise UsageError("--packages needs exactly one --ecosystem")


Outcome = Crawled | GeneratorError


async def crawl_ecosystem(
    name: str,
    config: CrawlConfig,
    progress: Progress,
    registry: Mapping[str, Ecosystem] = REGISTRY,
) -> Crawled:
    """One ecosystem's crawl (the caller writes its snapshot, then closes it); a
    ``GeneratorError`` when its package list cannot be read. ``registry`` maps names to
    clients (tests pass fakes). The crawl state is read and written here."""
    ecosystem = registry[name]
    started = time.monotonic()
    base_url = config.registry_urls[name]
    expected = fingerprint(config.verify.skip, config.verify.trusted_root)
    stored, note = None, "--full: state ignored"
    if not config.full:
        stored, note = read_state(config.data, name, registry=base_url, expected=expected)
    state, previous = stored if stored is not None else (None, None)
    run = StateRun(previous=previous if previous is not None else {})
    try:
        feed = await read_feed(
            ecosystem,
            config.feed_url(name, ecosystem),
            config.policy,
            state,
            run,
            config.feed_min.get(name),
        )
        async with Fetcher(base_url, config.policy) as fetcher:
            ranked = await ranked_list(
                ecosystem,
                fetcher,
                n=config.top,
                packages_file=config.packages_file,
                top_source=config.top_sources.get(name),
            )
            if config.shard is not None:
                ranked = select_shard(ranked, config.shard)
            task = progress.add(ecosystem.display_name, len(ranked.names))

            def done(result: PackageResult) -> None:
                progress.advance(task, result)

            crawled = await crawl(
                ecosystem,
                fetcher,
                ranked,
                demo=config.demo,
                on_result=done,
                verify=config.verify,
                state=run,
                signer_backfill=config.signer_backfill,
            )
            stats = fetcher.stats
    finally:
        if previous is not None:  # the stored rows, on disk
            previous.close()
    new = CrawlState(
        fingerprint=expected, ecosystem=name, registry=base_url.rstrip("/"), feed=feed.cursor
    )
    try:
        write_state(config.data, new, crawled.entries())
    except OSError as exc:  # the snapshot matters; a missing state only costs a full crawl
        note += f"; crawl state not written ({type(exc).__name__})"
    except BaseException:
        crawled.close()
        raise
    progress.finish(
        task,
        f"{stats.requests + feed.requests} requests, "
        f"{(stats.bytes + feed.bytes) / MiB:.1f} MiB, {time.monotonic() - started:.1f} s; "
        f"{note}; {feed.note}; {stats.not_modified} unchanged (304), "
        f"{run.skipped} skipped on the change feed's word",
    )
    return crawled


def seed_state(config: CrawlConfig, site: str, log: Log = stderr) -> None:
    """Copy the crawl state from the live site ``site`` where ``config.data`` has none."""
    anyio.run(fetch_states, site, config.data, config.ecosystems, config.policy, log)


async def crawl_all(
    config: CrawlConfig,
    progress: Progress | None = None,
    registry: Mapping[str, Ecosystem] = REGISTRY,
) -> dict[str, Outcome]:
    """Every ecosystem of ``config`` at once; one failing ecosystem never stops the others."""
    outcomes: dict[str, Outcome] = {}
    progress = progress or Progress()

    async def one(name: str) -> None:
        try:
            outcomes[name] = await crawl_ecosystem(name, config, progress, registry)
        except GeneratorError as exc:
            outcomes[name] = exc

    with progress:
        async with anyio.create_task_group() as tg:
            for name in config.ecosystems:
                tg.start_soon(one, name)
    return {name: outcomes[name] for name in config.ecosystems}


def run_crawl(
    config: CrawlConfig,
    *,
    log: Log = stderr,
    shown_as: Path | None = None,
    registry: Mapping[str, Ecosystem] = REGISTRY,
) -> int:
    """Crawl, write each good snapshot, log one summary line per ecosystem; the exit status
    (1 when an ecosystem failed). ``shown_as`` names the data folder in the log when the
    snapshots are written somewhere temporary (``build --demo``)."""
    outcomes: dict[str, Outcome] = {}

    async def crawl_into_outcomes() -> None:
        # Returns nothing: asyncio formats the repr of a finished task's result on its way
        # out (reprlib, but each row in full): 0.2 s per 1,000 rows, for nothing.
        outcomes.update(await crawl_all(config, None, registry))

    try:
        anyio.run(crawl_into_outcomes)
        for name, outcome in outcomes.items():
            if isinstance(outcome, GeneratorError):
                log(f"attested-yet: error: {name}: {outcome}")
                continue
            path = write_snapshot(outcome.head, config.data, outcome.rows.texts())
            log(summary_line(outcome.head, (shown_as or config.data) / path.name))
            if line := failed_line(name, outcome.failed):
                log(line)
    finally:
        for outcome in outcomes.values():
            if isinstance(outcome, Crawled):
                outcome.close()
    return 1 if any(isinstance(o, GeneratorError) for o in outcomes.values()) else 0


def merge(shard_dirs: Sequence[Path], data: Path, *, log: Log = stderr) -> int:
    """Join the shard snapshots found in ``shard_dirs`` (each one shard's ``--data`` folder)
    into one snapshot per ecosystem in ``data``; the exit status. An ecosystem whose shards
    are incomplete, duplicated or from different crawls is not written (one line says why)
    and the status is 1, as for an ecosystem whose crawl failed; the others are written."""
    found: dict[str, list[tuple[Path, Snapshot]]] = {}
    for folder in shard_dirs:
        if not folder.is_dir():
            raise SnapshotError(f"{folder} is not a folder of shard snapshots")
        if not any(p.name != SCHEMA_FILE for p in folder.glob("[!.]*.json")):
            continue  # a shard whose every ecosystem failed: its shards are reported missing
        for snapshot in read_snapshots(folder):
            found.setdefault(snapshot.ecosystem, []).append(
                (folder / f"{snapshot.ecosystem}.json", snapshot)
            )
    if not found:
        raise SnapshotError("no shard snapshots in " + ", ".join(map(str, shard_dirs)))
    status = 0
    for ecosystem in sorted(found):
        try:
            merged = merge_shards(found[ecosystem])
        except SnapshotError as exc:
            log(f"attested-yet: error: {exc}; {ecosystem} not merged")
            status = 1
            continue
        path = write_snapshot(merged, data)
        log(summary_line(merged, path) + f" (merged from {len(found[ecosystem])} shards)")
        log(_merge_state(ecosystem, [f.parent for f, _ in found[ecosystem]], data))
    return status


def render_site(
    data: Path,
    out: Path,
    *,
    site_url: str | None = None,
    report_url: str = "",
    log: Log = stderr,
) -> int:
    """The site for the snapshots in ``data``, with their history when ``data/history/``
    holds one (an unreadable history is an error, not a site without it). Returns the
    number of files written."""
    from generator.render import render  # Jinja is imported when a site is rendered, not before

    snapshots = read_snapshots(data)
    history = None
    if (data / HISTORY_DIR / INDEX_FILE).is_file():
        history = read_history_dir(data)
    url = site_url or default_site_url() or ""
    # Built beside `out` and swapped in whole: a killed run never leaves a mixed site.
    files = replace_dir(
        out,
        lambda staging: render(
            snapshots,
            staging,
            infos=INFOS,
            history=history,
            site_url=url,
            report_url=report_url,
        ),
    )
    shown = "with its history" if history is not None else "no history yet"
    log(f"rendered {len(files)} files into {out}/ ({shown}); the data is in {out}/data/")
    return len(files)


def build(
    config: CrawlConfig,
    out: Path,
    *,
    site_url: str | None = None,
    report_url: str = "",
    log: Log = stderr,
) -> int:
    """Crawl, then render; the crawl's exit status (a failed ecosystem still renders the
    others). A demo build writes the demo's made-up history too."""
    status = run_crawl(config, log=log, shown_as=out / "data" if config.demo else None)
    if config.demo:
        write_demo_history(config.data)
    render_site(config.data, out, site_url=site_url, report_url=report_url, log=log)
    return status


@contextlib.contextmanager
def demo_config(config: CrawlConfig, *, temporary_data: bool) -> Iterator[CrawlConfig]:
    """``config`` pointed at the bundled recorded registries, served on 127.0.0.1 for as long
    as the context lasts, verified against the demo's own trust root. With
    ``temporary_data`` the snapshots go to a folder that is removed afterwards, so real
    snapshots are never touched (``build --demo`` keeps its copy under the site's data/)."""
    with contextlib.ExitStack() as stack:
        urls = stack.enter_context(serve_demo())
        data = config.data
        if temporary_data:
            data = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="attested-yet-")))
        verify = config.verify
        if verify.skip is None:
            verify = VerifyOptions(trusted_root=RECORDINGS / "trusted_root.json")
        yield replace(
            config,
            data=data,
            demo=True,
            verify=verify,
            registry_urls={name: urls[name] for name in INFOS},
            top_sources={name: urls[f"top-{name}"] for name in INFOS if f"top-{name}" in urls},
        )


def summary_line(snapshot: Snapshot, path: Path) -> str:
    s = snapshot.summary
    counts = ", ".join(f"{s.by_status[status]} {status.value}" for status in Status)
    percent = f"{s.attested_percent}%" if s.attested_percent is not None else "n/a"
    return (
        f"{snapshot.ecosystem}: {s.total} packages: {counts}; attested {percent} of "
        f"{s.counted}; Trusted Publishing {s.trusted_publishing} → {path}"
    )


def _merge_state(ecosystem: str, folders: list[Path], data: Path) -> str:
    """The shards' crawl states joined into ``data``'s, so a sharded daily run stays
    incremental; a missing or mismatched shard state only costs the next run a full crawl.
    Each shard's rows stay on disk (``StoredEntries``) and are copied as text, one by one."""
    states: list[tuple[CrawlState, StoredEntries]] = []
    try:
        for folder in folders:
            try:
                states.append(load_state(state_path(folder, ecosystem).read_bytes()))
            except (OSError, ValueError):
                return f"{ecosystem}: a shard has no readable crawl state; none merged"
        merged = merge_states(states)
        if merged is None:
            return f"{ecosystem}: the shards' crawl states disagree; none merged"
        head, entries, count = merged
        write_state(data, head, entries)
        return f"{ecosystem}: crawl state of {count} packages merged"
    finally:
        for _, stored in states:
            stored.close()
