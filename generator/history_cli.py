"""``attested-yet history update | render | show | rebuild | import``: the history's commands.

Kept apart from ``cli.py``, which only registers the subcommand and dispatches here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from generator import history as hist
from generator.ecosystems import REGISTRY
from generator.errors import HistoryError, HistoryUnavailable, UsageError
from generator.models import Snapshot, Status
from generator.previous import data_folder, default_site_url, read_previous
from generator.snapshot import write_snapshot


def _rate(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not 0 <= number <= 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {value!r}")
    return number


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``history`` sub-command's actions, declared on its parser."""
    hsub = parser.add_subparsers(dest="history_command", required=True, metavar="ACTION")

    update = hsub.add_parser(
        "update",
        help="fold this run's snapshots into the live site's history (fails before writing "
        "anything when the run is unfit to publish)",
    )
    update.add_argument("--data", metavar="DIR", type=Path, default=Path("data"))
    update.add_argument(
        "--previous",
        "--site-url",
        dest="previous",
        metavar="URL_OR_DIR",
        help="the live site (URL or folder) whose history to continue (default: "
        "$ATTESTED_YET_SITE_URL, else the GitHub Pages URL of $GITHUB_REPOSITORY)",
    )
    update.add_argument(
        "--ecosystem", action="append", choices=sorted(REGISTRY), help="expected ecosystems"
    )
    update.add_argument(
        "--max-error-rate",
        type=_rate,
        default=hist.DEFAULT_MAX_ERROR_RATE,
        help="largest share of `error` packages an ecosystem may publish (default 0.1)",
    )
    update.add_argument(
        "--strict", action="store_true", help="fail when any ecosystem is unfit (no fallback)"
    )
    update.add_argument(
        "--force",
        action="store_true",
        help="start a new history when the previous one cannot be read (first run)",
    )

    render = hsub.add_parser(
        "render", help="render the whole site, history included (the same as `render`)"
    )
    render.add_argument("--data", metavar="DIR", type=Path, default=Path("data"))
    render.add_argument("--out", metavar="DIR", type=Path, default=Path("site"))
    render.add_argument("--site-url", metavar="URL", help="absolute site URL for the feed")

    show = hsub.add_parser("show", help="print what a history holds")
    show.add_argument("data", metavar="DIR", type=Path, help="a data folder or a site")
    show.add_argument("--limit", type=int, default=10, help="recent changes to list (10)")

    for name, text in (
        ("rebuild", "build history from scratch out of a folder of dated snapshots"),
        ("import", "fold a folder of dated snapshots, newer than the history, into it"),
    ):
        p = hsub.add_parser(name, help=text)
        p.add_argument("snapshots", metavar="SNAPSHOTS_DIR", type=Path)
        p.add_argument("--data", metavar="DIR", type=Path, default=Path("data"))
        p.add_argument(
            "--max-error-rate", type=_rate, default=1.0, help="skip snapshots above it (1.0)"
        )


def run(args: argparse.Namespace) -> int:
    """Run the history action that ``args`` name."""
    handler: Callable[[argparse.Namespace], int] = ACTIONS[args.history_command]
    return handler(args)


def _log(message: str) -> None:
    print(f"attested-yet: {message}", file=sys.stderr)


def _fresh(data: Path, ecosystems: list[str]) -> dict[str, Snapshot | None]:
    fresh: dict[str, Snapshot | None] = {}
    for eco in ecosystems:
        try:
            fresh[eco] = Snapshot.model_validate_json((data / f"{eco}.json").read_bytes())
        except (OSError, ValidationError):
            fresh[eco] = None
    return fresh


def _update(args: argparse.Namespace) -> int:
    location = args.previous or default_site_url()
    if location is None:
        raise UsageError("history update: give --previous (no GITHUB_REPOSITORY to derive it from)")
    ecosystems = args.ecosystem or list(REGISTRY)
    try:
        previous = read_previous(location, ecosystems)
    except HistoryUnavailable as exc:
        if not args.force:
            raise HistoryUnavailable(
                f"{exc}; refusing to publish a site without its history (--force starts anew)"
            ) from None
        _log(f"warning: {exc}; --force: starting a new history")
        previous = hist.Previous(hist.History(), {})
    plan = hist.plan_update(
        _fresh(args.data, ecosystems),
        previous,
        max_error_rate=args.max_error_rate,
        strict=args.strict,
    )
    for note in plan.notes:
        _log(f"warning: {note}")
    for eco, snapshot in sorted(plan.snapshots.items()):
        if not plan.history.ecosystems[eco].fresh:
            write_snapshot(snapshot, args.data)
    hist.write_history(plan.history, args.data)
    for eco, h in sorted(plan.history.ecosystems.items()):
        state = "fresh" if h.fresh else f"kept from {h.snapshot_date}"
        _log(f"history {eco}: {len(h.days)} days, {len(h.changes)} changes ({state})")
    return 0


def _render(args: argparse.Namespace) -> int:
    from generator.pipeline import render_site  # the crawl and render stack, when used

    render_site(args.data, args.out, site_url=args.site_url)
    return 0


def _show(args: argparse.Namespace) -> int:
    history = hist.read_history_dir(data_folder(args.data))
    print(f"history updated {history.updated}")
    for eco, h in sorted(history.ecosystems.items()):
        span = f"{h.days[0].date} .. {h.days[-1].date}" if h.days else "no days"
        latest = h.days[-1] if h.days else None
        share = "n/a"
        if latest is not None and latest.counted:
            attested = latest.by_status[Status.ATTESTED]
            share = (
                f"attested {100 * attested / latest.counted:.1f}%, Trusted Publishing "
                f"{100 * latest.trusted_publishing / latest.counted:.1f}%"
            )
        regressions = sum(1 for c in h.changes if c.kind is hist.ChangeKind.REGRESSION)
        fresh = "fresh" if h.fresh else f"stale since {h.snapshot_date}: {h.note}"
        print(
            f"{eco}: {len(h.days)} days ({span}); {share}; {len(h.changes)} changes, "
            f"{regressions} regressions; {fresh}"
        )

    from generator.render import describe  # Jinja only when shown

    for change in hist.recent_changes(history, args.limit):
        print(f"  {change.date} {describe(change)}")
    return 0


def _rebuild(args: argparse.Namespace) -> int:
    snapshots = hist.find_snapshots(args.snapshots)
    if not snapshots:
        raise HistoryError(f"no snapshots under {args.snapshots}")
    history = hist.rebuild(snapshots, max_error_rate=args.max_error_rate)
    hist.write_history(history, args.data)
    _log(f"rebuilt history from {len(snapshots)} snapshots into {args.data}/{hist.HISTORY_DIR}/")
    return 0


def _import(args: argparse.Namespace) -> int:
    history = hist.read_history_dir(data_folder(args.data))
    snapshots = sorted(
        hist.find_snapshots(args.snapshots), key=lambda s: (s.ecosystem, s.generated_at)
    )
    added = skipped = 0
    for snapshot in snapshots:
        h = history.get(snapshot.ecosystem)
        day = snapshot.generated_at.date()
        too_old = h.state is not None and day <= h.state.date
        if too_old or hist.health(snapshot, args.max_error_rate) is not None:
            skipped += 1
            continue
        history.ecosystems[snapshot.ecosystem] = hist.append_snapshot(h, snapshot)
        history.updated = max(filter(None, [history.updated, day]))
        added += 1
    hist.write_history(history, data_folder(args.data))
    _log(f"imported {added} snapshots, skipped {skipped} (not newer than the history, or unfit)")
    return 0


#: One handler per action; the parser's choices are exactly these keys.
ACTIONS: dict[str, Callable[[argparse.Namespace], int]] = {
    "update": _update,
    "render": _render,
    "show": _show,
    "rebuild": _rebuild,
    "import": _import,
}
