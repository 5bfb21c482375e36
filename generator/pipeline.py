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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import anyio

from generator.atomic import replace_dir
from generator.crawl import crawl, ranked_list
from generator.demo import RECORDINGS, serve_demo
from generator.demo.history import write_demo_history
from generator.ecosystems import INFOS, REGISTRY
from generator.errors import GeneratorError
from generator.history import HISTORY_DIR, INDEX_FILE, read_history_dir
from generator.http import Fetcher, HttpPolicy, MiB
from generator.models import PackageResult, Snapshot, Status, Verification
from generator.previous import default_site_url
from generator.progress import Progress
from generator.snapshot import read_snapshots, write_snapshot
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

    def __post_init__(self) -> None:
        unknown = [name for name in self.ecosystems if name not in REGISTRY]
        if unknown:
            raise GeneratorError(f"unknown ecosystem {unknown[0]!r} (known: {', '.join(REGISTRY)})")
        if self.packages_file is not None and len(self.ecosystems) != 1:
            raise GeneratorError("--packages needs exactly one --ecosystem")


Outcome = Snapshot | GeneratorError


async def crawl_ecosystem(name: str, config: CrawlConfig, progress: Progress) -> Snapshot:
    """One ecosystem's snapshot; a ``GeneratorError`` when its package list cannot be read."""
    ecosystem = REGISTRY[name]
    started = time.monotonic()
    async with Fetcher(config.registry_urls[name], config.policy) as fetcher:
        ranked = await ranked_list(
            ecosystem,
            fetcher,
            n=config.top,
            packages_file=config.packages_file,
            top_source=config.top_sources.get(name),
        )
        task = progress.add(ecosystem.display_name, len(ranked.names))

        def done(result: PackageResult) -> None:
            progress.advance(task, result)

        snapshot = await crawl(
            ecosystem, fetcher, ranked, demo=config.demo, on_result=done, verify=config.verify
        )
        progress.finish(
            task,
            f"{fetcher.stats.requests} requests, {fetcher.stats.bytes / MiB:.1f} MiB, "
            f"{time.monotonic() - started:.1f} s",
        )
    return snapshot


async def crawl_all(config: CrawlConfig, progress: Progress | None = None) -> dict[str, Outcome]:
    """Every ecosystem of ``config`` at once; one failing ecosystem never stops the others."""
    outcomes: dict[str, Outcome] = {}
    progress = progress or Progress()

    async def one(name: str) -> None:
        try:
            outcomes[name] = await crawl_ecosystem(name, config, progress)
        except GeneratorError as exc:
            outcomes[name] = exc

    with progress:
        async with anyio.create_task_group() as tg:
            for name in config.ecosystems:
                tg.start_soon(one, name)
    return {name: outcomes[name] for name in config.ecosystems}


def run_crawl(config: CrawlConfig, *, log: Log = stderr, shown_as: Path | None = None) -> int:
    """Crawl, write each good snapshot, log one summary line per ecosystem; the exit status
    (1 when an ecosystem failed). ``shown_as`` names the data folder in the log when the
    snapshots are written somewhere temporary (``build --demo``)."""
    outcomes = anyio.run(crawl_all, config)
    for name, outcome in outcomes.items():
        if isinstance(outcome, Snapshot):
            path = write_snapshot(outcome, config.data)
            log(summary_line(outcome, (shown_as or config.data) / path.name))
            if failed_line := verification_failures(outcome):
                log(failed_line)
        else:
            log(f"attested-yet: error: {name}: {outcome}")
    return 1 if any(isinstance(o, GeneratorError) for o in outcomes.values()) else 0


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
        lambda staging: render(snapshots, staging, infos=INFOS, history=history, site_url=url),
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


def verification_failures(snapshot: Snapshot) -> str | None:
    """A loud line naming the attested releases whose provenance failed verification."""
    names = [p.name for p in snapshot.packages if p.verification is Verification.FAILED]
    if not names:
        return None
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return f"{snapshot.ecosystem}: {len(names)} attested release(s) FAILED verification: {shown}"


def summary_line(snapshot: Snapshot, path: Path) -> str:
    s = snapshot.summary
    counts = ", ".join(f"{s.by_status[status]} {status.value}" for status in Status)
    percent = f"{s.attested_percent}%" if s.attested_percent is not None else "n/a"
    return (
        f"{snapshot.ecosystem}: {s.total} packages: {counts}; attested {percent} of "
        f"{s.counted}; Trusted Publishing {s.trusted_publishing} → {path}"
    )
