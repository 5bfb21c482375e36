"""Command line: ``attested-yet crawl | merge | render | build | history``. It parses arguments into
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
from generator import cli_options as options
from generator.ecosystems import REGISTRY
from generator.errors import GeneratorError, UsageError
from generator.http import HttpPolicy, MiB

if TYPE_CHECKING:
    from generator import pipeline
    from generator.crawl import Shard

# The crawl/render stack (pipeline: Jinja, verification, the demo registry) is imported by
# the handler that needs it, so `--help` and bad usage answer without loading it.

PROG = "attested-yet"

Handler = Callable[[argparse.Namespace], int]


def _fatal(message: str) -> NoReturn:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    raise SystemExit(1)


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
        shard=_with_run(getattr(args, "shard", None), getattr(args, "run_id", None)),
        full=args.full,
        feed_urls={} if args.npm_changes_url is None else {"npm": args.npm_changes_url},
        feed_min={} if args.pypi_root_min is None else {"pypi": args.pypi_root_min},
        signer_backfill=args.signer_backfill,
    )


def _with_run(shard: Shard | None, run: str | None) -> Shard | None:
    from generator.crawl import Shard

    if shard is None:
        if run is not None:
            raise UsageError("--run-id labels a shard: it needs --shard K/N")
        return None
    return Shard(shard.index, shard.count, run)


def _crawl(args: argparse.Namespace) -> int:
    from generator import pipeline

    config = crawl_config(args)
    if not args.demo:
        _seed(args, config)
        return pipeline.run_crawl(config)
    with pipeline.demo_config(config, temporary_data=args.data is None) as demo:
        status = pipeline.run_crawl(demo)
        if args.data is None:
            print(f"{PROG}: --demo without --data: nothing kept", file=sys.stderr)
        return status


def _merge(args: argparse.Namespace) -> int:
    from generator import pipeline

    return pipeline.merge(args.shard_dirs, args.data)


def _seed(args: argparse.Namespace, config: pipeline.CrawlConfig) -> None:
    """``--state-from``: the live site's crawl state, unless ``--full`` ignores it anyway."""
    if args.state_from and not args.full:
        from generator import pipeline

        pipeline.seed_state(config, args.state_from)


def _render(args: argparse.Namespace) -> int:
    from generator import pipeline

    pipeline.render_site(args.data, args.out, site_url=args.site_url, report_url=args.report_url)
    return 0


def _build(args: argparse.Namespace) -> int:
    from generator import pipeline

    config = crawl_config(args)
    options = {"site_url": args.site_url, "report_url": args.report_url}
    if not args.demo:
        _seed(args, config)
        return pipeline.build(config, args.out, **options)
    with pipeline.demo_config(config, temporary_data=args.data is None) as demo:
        return pipeline.build(demo, args.out, **options)


def _history(args: argparse.Namespace) -> int:
    return history_cli.run(args)


#: Every sub-command: its help, how its arguments are declared, its handler. The parser is
#: made from this table, so a command without a handler cannot exist.
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Handler]] = {
    "crawl": ("crawl registries into JSON snapshots", options.crawl_command_options, _crawl),
    "merge": ("join shard snapshots (crawl --shard K/N) into one", options.merge_options, _merge),
    "render": ("render the site from snapshots", options.render_options, _render),
    "build": ("crawl, then render", options.build_options, _build),
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
