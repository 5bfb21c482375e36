"""Command line: ``attested-yet crawl | render | build | history``. It parses arguments into
the pipeline's config and dispatches to one handler per sub-command; the work is in
``generator.pipeline``.

Exit codes: 0 success; 1 the run failed (one clear line on stderr); 2 bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from generator import __version__, history_cli
from generator.ecosystems import REGISTRY
from generator.errors import GeneratorError, UsageError
from generator.http import HttpPolicy, MiB

if TYPE_CHECKING:
    from generator import pipeline

# The crawl/render stack (pipeline: Jinja, verification, the demo registry) is imported by
# the handler that needs it, so `--help` and bad usage answer without loading it.

PROG = "attested-yet"

Handler = Callable[[argparse.Namespace], int]


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
    if not 0 < number < 1e6:
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
        "--package-timeout",
        type=_seconds,
        help="overall seconds for all of one package's requests and retries "
        "(default 3 × --timeout); past it the package is an error row",
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


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("site"),
        help="folder the site is written into, replaced whole (default site/)",
    )
    parser.add_argument(
        "--site-url",
        metavar="URL",
        help="the site's absolute URL, for feed.xml (default: $ATTESTED_YET_SITE_URL, else "
        "the GitHub Pages URL of $GITHUB_REPOSITORY)",
    )
    parser.add_argument(
        "--report-url",
        metavar="URL",
        default=os.environ.get("ATTESTED_YET_REPORT_URL", ""),
        help="issue form each package page links to as 'Report an incorrect listing' "
        "(http(s); default: $ATTESTED_YET_REPORT_URL, else no link)",
    )


def _render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=Path("data"),
        help="folder holding the snapshots (<ecosystem>.json) and history/ (default data/)",
    )
    _site_options(parser)


def _build_options(parser: argparse.ArgumentParser) -> None:
    _crawl_options(parser)
    _site_options(parser)


def crawl_config(args: argparse.Namespace) -> pipeline.CrawlConfig:
    """The pipeline's config from parsed ``crawl``/``build`` arguments."""
    from generator import pipeline
    from generator.verify import VERIFY, VerifyOptions

    policy = HttpPolicy(
        concurrency=args.concurrency,
        deadline=args.timeout,
        read_timeout=min(30.0, args.timeout),
        max_bytes=args.max_document_mb * MiB,
        attempts=args.attempts,
        package_deadline=args.package_timeout or 3 * args.timeout,
    )
    verify = VERIFY
    if args.no_verify:
        verify = VerifyOptions(skip="verification was turned off (--no-verify)")
    return pipeline.CrawlConfig(
        data=args.data or Path("data"),
        ecosystems=tuple(args.ecosystem or REGISTRY),
        top=args.top,
        packages_file=args.packages,
        registry_urls={name: getattr(args, f"{name}_url") for name in REGISTRY},
        top_sources={name: url for name in REGISTRY if (url := getattr(args, f"top_{name}_url"))},
        policy=policy,
        verify=verify,
    )


def _crawl(args: argparse.Namespace) -> int:
    from generator import pipeline

    config = crawl_config(args)
    if not args.demo:
        return pipeline.run_crawl(config)
    with pipeline.demo_config(config, temporary_data=args.data is None) as demo:
        status = pipeline.run_crawl(demo)
        if args.data is None:
            print(f"{PROG}: --demo without --data: nothing kept", file=sys.stderr)
        return status


def _render(args: argparse.Namespace) -> int:
    from generator import pipeline

    pipeline.render_site(args.data, args.out, site_url=args.site_url, report_url=args.report_url)
    return 0


def _build(args: argparse.Namespace) -> int:
    from generator import pipeline

    config = crawl_config(args)
    options = {"site_url": args.site_url, "report_url": args.report_url}
    if not args.demo:
        return pipeline.build(config, args.out, **options)
    with pipeline.demo_config(config, temporary_data=args.data is None) as demo:
        return pipeline.build(demo, args.out, **options)


def _history(args: argparse.Namespace) -> int:
    return history_cli.run(args)


#: Every sub-command: its help, how its arguments are declared, its handler. The parser is
#: made from this table, so a command without a handler cannot exist.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "crawl": ("crawl registries into JSON snapshots", _crawl_options, _crawl),
    "render": ("render the site from snapshots", _render_options, _render),
    "build": ("crawl, then render", _build_options, _build),
    "history": (
        "carry history forward; inspect or rebuild it",
        history_cli.add_arguments,
        _history,
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Crawl PyPI and npm for attestations and Trusted Publishing; render a site.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (text, declare, _) in COMMANDS.items():
        declare(sub.add_parser(name, help=text, description=text))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "packages", None) and len(args.ecosystem or []) != 1:
        parser.error("--packages needs exactly one --ecosystem")
    handler = COMMANDS[args.command][2]
    try:
        return handler(args)
    except UsageError as exc:
        parser.error(str(exc))
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
