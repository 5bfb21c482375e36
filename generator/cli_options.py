"""The command line's options, one function per group; ``cli.py`` dispatches.

Kept apart so the dispatcher stays short; nothing here runs a command or imports the
crawl/render stack (``--help`` stays fast).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from generator.ecosystems import REGISTRY
from generator.errors import UsageError

if TYPE_CHECKING:
    from generator.crawl import Shard


def positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value!r}")
    return number


def natural(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more: {value!r}")
    return number


def seconds(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < number < 1e6:
        raise argparse.ArgumentTypeError(f"must be positive: {value!r}")
    return number


def crawl_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("crawl options")
    group.add_argument(
        "--ecosystem",
        action="append",
        choices=sorted(REGISTRY),
        help="ecosystem to crawl; repeat for several (default: all)",
    )
    group.add_argument("--top", type=positive, default=1000, help="top N packages (default 1000)")
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
        "--concurrency", type=positive, default=16, help="requests in flight per registry (16)"
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
        "--timeout", type=seconds, default=90.0, help="overall seconds per request (90)"
    )
    group.add_argument(
        "--package-timeout",
        type=seconds,
        help="overall seconds for all of one package's requests and retries "
        "(default 3 × --timeout); past it the package is an error row",
    )
    group.add_argument(
        "--max-document-mb", type=positive, default=32, help="largest document accepted (32)"
    )
    group.add_argument(
        "--attempts", type=positive, default=4, help="attempts per request, retries included (4)"
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
    group.add_argument(
        "--full",
        action="store_true",
        help="ignore the crawl state (data/state/): download every document again",
    )
    group.add_argument(
        "--state-from",
        metavar="SITE_URL",
        help="first copy the crawl state from a live site's data/state/ where data/ has none",
    )
    group.add_argument(
        "--npm-changes-url",
        metavar="URL",
        help="npm replication feed (default: the public feed when --npm-url is the public "
        "registry, else none; '' for none)",
    )
    group.add_argument(
        "--pypi-root-min",
        type=int,
        metavar="N",
        help="read PyPI's /simple/ root as a change feed from N known packages on "
        '(default: the measured crossover, README "Crawl state")',
    )
    group.add_argument(
        "--signer-backfill",
        type=natural,
        default=1,
        metavar="K",
        help="fetch at most K earlier releases' signers per package read afresh, each once "
        "(remembered in the crawl state); 0: none (default 1: the release the latest is "
        'compared with; README "Signer backfill")',
    )


def shard(value: str) -> Shard:
    from generator.crawl import Shard

    try:
        return Shard.parse(value)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def crawl_command_options(parser: argparse.ArgumentParser) -> None:
    crawl_options(parser)
    group = parser.add_argument_group("sharding (several machines crawl one list)")
    group.add_argument(
        "--shard",
        metavar="K/N",
        type=shard,
        help="crawl only shard K of N (K is 0-based: 0 to N-1): the packages at positions "
        "K, K+N, K+2N … of the ranked list, each keeping its rank; join the N shards' "
        "--data folders with `attested-yet merge`",
    )
    group.add_argument(
        "--run-id",
        metavar="ID",
        help="label recorded in a shard snapshot; merge refuses shards of different labels "
        "(publish.yml passes the Actions run id)",
    )


def merge_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "shard_dirs",
        metavar="SHARD_DIR",
        nargs="+",
        type=Path,
        help="the --data folder of each shard crawl (all N of them)",
    )
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=Path("data"),
        help="folder the merged snapshots (<ecosystem>.json) are written to (default data/)",
    )


def site_options(parser: argparse.ArgumentParser) -> None:
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


def render_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        metavar="DIR",
        type=Path,
        default=Path("data"),
        help="folder holding the snapshots (<ecosystem>.json) and history/ (default data/)",
    )
    site_options(parser)


def build_options(parser: argparse.ArgumentParser) -> None:
    crawl_options(parser)
    site_options(parser)
