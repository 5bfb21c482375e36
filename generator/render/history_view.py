"""The history as pages show it: the changes page, the overview's trends, a package's status
history, and one line per change (for the changes page and the feed)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from markupsafe import Markup

from generator.history import Change, ChangeKind, DailySummary, History, recent_changes
from generator.models import COUNTED_STATUSES, Status
from generator.render.charts import trend_charts, trend_svg

if TYPE_CHECKING:
    from generator.ecosystems.info import EcosystemInfo

FEED_FILE = "feed.xml"
CHANGES_PAGE = "changes.html"
FEED_LIMIT = 200


def describe(change: Change) -> str:
    """One line a person reads: ``npm left-pad 1.3.0: attested → missing``."""
    name = f"{change.ecosystem} {change.package}"
    if change.kind is ChangeKind.ENTERED:
        return f"{name} {change.version or ''} entered the top N as {change.to_status}".replace(
            "  ", " "
        )
    if change.kind is ChangeKind.LEFT:
        return f"{name} left the top N (was {change.from_status})"
    versions = change.version or "?"
    if change.from_version and change.from_version != change.version:
        versions = f"{change.from_version} → {versions}"
    prefix = "Regression: " if change.kind is ChangeKind.REGRESSION else ""
    return f"{prefix}{name} {versions}: {change.from_status} → {change.to_status}"


def change_anchor(change: Change) -> str:
    raw = f"{change.date}-{change.ecosystem}-{change.package}-{change.kind}"
    return quote(raw, safe="")


def changes_context(
    history: History, infos: Mapping[str, EcosystemInfo], *, limit: int = FEED_LIMIT
) -> dict[str, Any]:
    """Context of the "changes" page: regressions apart and first, then the other changes."""
    changes = recent_changes(history, limit)
    stale = {
        eco: {"snapshot_date": h.snapshot_date, "note": h.note}
        for eco, h in sorted(history.ecosystems.items())
        if not h.fresh
    }
    return {
        "regressions": [c for c in changes if c.kind is ChangeKind.REGRESSION],
        "changes": [c for c in changes if c.kind is not ChangeKind.REGRESSION],
        "describe": describe,
        "anchor": change_anchor,
        "charts": trend_charts(history),
        "stale": stale,
        "displays": {name: info.display_name for name, info in infos.items()},
        "updated": history.updated,
        "feed": FEED_FILE,
        "counted_statuses": list(COUNTED_STATUSES),
    }


def history_view(
    history: History | None, ecosystems: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """What every page needs of the history: the feed, and the overview's trend charts."""
    if history is None:
        return None
    trends = []
    for entry in ecosystems:
        h = history.ecosystems.get(entry["name"])
        if h is None or not h.days:
            continue
        trends.append(
            {
                "eco": entry,
                "svg": Markup(trend_svg(h.days, entry["display"], width=420, height=210)),  # noqa: S704
                "latest": _shares(h.days[-1]),
                "first": h.days[0].date,
                "days": len(h.days),
                "fresh": h.fresh,
                "snapshot_date": h.snapshot_date,
                "note": h.note,
            }
        )
    return {"feed": FEED_FILE, "page": CHANGES_PAGE, "trends": trends}


def _shares(day: DailySummary) -> dict[str, str | None]:
    """The latest day's shares, as the chart's legend shows them."""

    def pct(part: int) -> str:
        return f"{100 * part / day.counted:.1f}%" if day.counted else "n/a"

    share = day.attested_download_share
    return {
        "attested": pct(day.by_status[Status.ATTESTED]),
        "trusted_publishing": pct(day.trusted_publishing),
        "downloads": None if share is None else f"{100 * share:.1f}%",
        "date": day.date.isoformat(),
    }


def status_history(
    history: History | None,
    by_package: dict[tuple[str, str], list[Change]],
    ecosystem: str,
    name: str,
) -> dict[str, Any] | None:
    """A package's recorded changes (newest first) and since when it is watched."""
    if history is None:
        return None
    h = history.ecosystems.get(ecosystem)
    if h is None or not h.days:
        return None
    changes = sorted(by_package.get((ecosystem, name), []), key=lambda c: c.date, reverse=True)
    return {"changes": changes, "since": h.days[0].date, "until": h.days[-1].date}
