"""Command line: ``attested-yet crawl | render | build``. Parses, calls, maps errors to exits.

Exit codes: 0 success; 1 the run failed (one clear line on stderr); 2 bad usage.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import NoReturn

import anyio

from generator import __version__
from generator.atomic import replace_dir
from generator.crawl import crawl, ranked_list
from generator.ecosystems import REGISTRY
from generator.errors import GeneratorError
from generator.http import Fetcher, HttpPolicy, MiB
from generator.models import PackageResult, Snapshot, Status, Verification
from generator.progress import Progress
from generator.render import render
from generator.snapshot import read_snapshots, write_snapshot
from generator.verify import VERIFY, VerifyOptions

PROG = "attested-yet"


def _fatal(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(1)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


def _seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not number > 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value!r}")
    return number


def _crawl_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("crawl options")
    group.add_argument(
        "--ecosystem",
        action="append",
        choices=sorted(REGISTRY),
        help="ecosystem to crawl; repeat for several (default: all)",
    )
    group.add_argument("--top", type=_positive, default=1000, help="top N packages (default 1000)")
    group.add_argument(
        "--packages",
        metavar="FILE",
        help="ranked list of names, one per line (# comments); needs exactly one --ecosystem",
    )
    group.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        help="folder the snapshots (<ecosystem>.json) are written to (default data/; "
        "build --demo without --data: a temporary folder, removed afterwards)",
    )
    group.add_argument(
        "--concurrency", type=_positive, default=16, help="requests in flight per registry (16)"
    )
    for eco in REGISTRY.values():
        group.add_argument(
            f"--{eco.name}-url",
            metavar="URL",
            default=eco.default_url,
            help=f"{eco.display_name} base URL (default {eco.default_url})",
        )
        group.add_argument(
            f"--top-{eco.name}-url",
            metavar="URL_OR_PATH",
            help=f"override the {eco.display_name} top-N source with a URL or a local file",
        )
    group.add_argument(
        "--timeout", type=_seconds, default=90.0, help="overall seconds per request (90)"
    )
    group.add_argument(
        "--max-document-mb", type=_positive, default=32, help="largest document accepted (32)"
    )
    group.add_argument(
        "--attempts", type=_positive, default=4, help="attempts per request, retries included (4)"
    )
    group.add_argument(
        "--no-verify",
        action="store_true",
        help="do not verify attestations cryptographically (recorded as not-checked)",
    )
    group.add_argument(
        "--demo",
        action="store_true",
        help="crawl the bundled recorded registry offline (fictional packages, marked as demo)",
    )


def _report_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--report-url",
        metavar="URL",
        default=os.environ.get("ATTESTED_YET_REPORT_URL", ""),
        help="issue form each package page links to as 'Report an incorrect listing' "
        "(http(s); default: $ATTESTED_YET_REPORT_URL, else no link)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Crawl PyPI and npm for attestations and Trusted Publishing; render a site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    crawl_p = sub.add_parser("crawl", help="crawl registries into JSON snapshots")
    _crawl_options(crawl_p)

    render_p = sub.add_parser("render", help="render the site from snapshots")
    render_p.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=Path("data"),
        help="folder holding the snapshots (<ecosystem>.json) and history/ (default data/)",
    )
    render_p.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("site"),
        help="folder the site is written into, replaced whole (default site/)",
    )
    _report_option(render_p)
    render_p.add_argument(
        "--site-url",
        metavar="URL",
        help="the site's absolute URL, for feed.xml (default: $ATTESTED_YET_SITE_URL, else "
        "the GitHub Pages URL of $GITHUB_REPOSITORY)",
    )

    build_p = sub.add_parser("build", help="crawl, then render")
    _crawl_options(build_p)
    build_p.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("site"),
        help="folder the site is written into, replaced whole; the snapshots go to --data "
        "(default site/)",
    )
    _report_option(build_p)

    from generator import history_cli

    history_cli.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command in ("crawl", "build"):
        if args.packages and len(args.ecosystem or []) != 1:
            parser.error("--packages needs exactly one --ecosystem")
    try:
        if args.command == "crawl":
            return _run_crawl(args)
        if args.command == "render":
            render_site(args.data, args.out, site_url=args.site_url, report_url=args.report_url)
            return 0
        if args.command == "build":
            with _build_data_dir(args):
                status = _run_crawl(args)
                if args.demo:
                    from generator.demo.history import write_demo_history

                    write_demo_history(args.data)
                render_site(args.data, args.out, report_url=args.report_url)
            return status
        if args.command == "history":
            from generator import history_cli

            return history_cli.run(args, parser)
    except GeneratorError as exc:
        _fatal(str(exc))
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - one line, not a traceback
        if os.environ.get("ATTESTED_YET_DEBUG"):
            raise
        _fatal(
            f"internal error: {type(exc).__name__}: {exc} (set ATTESTED_YET_DEBUG=1 for details)"
        )
    raise AssertionError(f"unhandled command {args.command}")  # pragma: no cover


def render_site(
    data: Path, out: Path, *, site_url: str | None = None, report_url: str = ""
) -> None:
    """The site for the snapshots in ``data``, with their history when ``data/history/``
    holds one (an unreadable history is an error, not a site without it)."""
    from generator import history as hist

    snapshots = read_snapshots(data)
    history = None
    if (data / hist.HISTORY_DIR / hist.INDEX_FILE).is_file():
        history = hist.read_history_dir(data)
    url = site_url or hist.default_site_url() or ""
    # Built beside `out` and swapped in whole: a killed run never leaves a mixed site.
    files = replace_dir(
        out,
        lambda staging: render(
            snapshots, staging, history=history, site_url=url, report_url=report_url
        ),
    )
    shown = "with its history" if history is not None else "no history yet"
    print(f"rendered {len(files)} files into {out}/ ({shown})", file=sys.stderr)


@contextlib.contextmanager
def _demo_registries(args: argparse.Namespace) -> Iterator[None]:
    """Serve the bundled recorded registries on 127.0.0.1 and point every URL at them."""
    from generator.demo import serve_demo

    with serve_demo() as urls:
        for eco in REGISTRY.values():
            setattr(args, f"{eco.name}_url", urls[eco.name])
            setattr(args, f"top_{eco.name}_url", urls.get(f"top-{eco.name}"))
        yield


@contextlib.contextmanager
def _build_data_dir(args: argparse.Namespace) -> Iterator[None]:
    """``build --demo`` without ``--data``: snapshots live in a temporary folder, removed once
    rendered (the site keeps its copy under ``data/``), so real snapshots are never touched."""
    if args.demo and args.data is None:
        with tempfile.TemporaryDirectory(prefix="attested-yet-demo-") as tmp:
            args.data = Path(tmp)
            yield
    else:
        yield


def _run_crawl(args: argparse.Namespace) -> int:
    if args.data is None:
        args.data = (
            Path(tempfile.mkdtemp(prefix="attested-yet-demo-")) if args.demo else Path("data")
        )
    names = args.ecosystem or list(REGISTRY)
    policy = HttpPolicy(
        concurrency=args.concurrency,
        deadline=args.timeout,
        read_timeout=min(30.0, args.timeout),
        max_bytes=args.max_document_mb * MiB,
        attempts=args.attempts,
    )
    with _demo_registries(args) if args.demo else contextlib.nullcontext():
        outcomes = anyio.run(_crawl_all, names, args, policy)
    failed = [name for name, outcome in outcomes.items() if isinstance(outcome, GeneratorError)]
    for name in names:
        outcome = outcomes[name]
        if isinstance(outcome, Snapshot):
            path = write_snapshot(outcome, args.data)
            print(summary_line(outcome, path), file=sys.stderr)
            if failed_line := verification_failures(outcome):
                print(failed_line, file=sys.stderr)
        else:
            print(f"{PROG}: error: {name}: {outcome}", file=sys.stderr)
    if failed:
        return 1
    return 0


async def _crawl_all(
    names: list[str], args: argparse.Namespace, policy: HttpPolicy
) -> dict[str, Snapshot | GeneratorError]:
    outcomes: dict[str, Snapshot | GeneratorError] = {}
    progress = Progress()

    async def one(name: str) -> None:
        ecosystem = REGISTRY[name]
        started = time.monotonic()
        try:
            async with Fetcher(getattr(args, f"{name}_url"), policy) as fetcher:
                ranked = await ranked_list(
                    ecosystem,
                    fetcher,
                    n=args.top,
                    packages_file=args.packages,
                    top_source=getattr(args, f"top_{name}_url"),
                )
                task = progress.add(ecosystem.display_name, len(ranked.names))

                def done(result: PackageResult) -> None:
                    progress.advance(task, result)

                snapshot = await crawl(
                    ecosystem,
                    fetcher,
                    ranked,
                    demo=args.demo,
                    on_result=done,
                    verify=verify_options(args),
                )
                progress.finish(
                    task,
                    f"{fetcher.stats.requests} requests, {fetcher.stats.bytes / MiB:.1f} MiB, "
                    f"{time.monotonic() - started:.1f} s",
                )
            outcomes[name] = snapshot
        except GeneratorError as exc:
            outcomes[name] = exc

    with progress:
        async with anyio.create_task_group() as tg:
            for name in names:
                tg.start_soon(one, name)
    return outcomes


def verify_options(args: argparse.Namespace) -> VerifyOptions:
    """How this run verifies attestations: the demo's self-made trust root under --demo."""
    if args.no_verify:
        return VerifyOptions(skip="verification was turned off (--no-verify)")
    if args.demo:
        from generator.demo import RECORDINGS

        return VerifyOptions(trusted_root=RECORDINGS / "trusted_root.json")
    return VERIFY


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
