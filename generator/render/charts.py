"""Charts as inline SVG, computed at build time: the status bars of an ecosystem and the
trend of its history. No colours here: elements carry classes (and ``data-st`` for a status)
and ``static/site.css`` paints them, in the light and the dark theme."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator.history import DailySummary, History
from generator.models import COUNTED_STATUSES, Snapshot, Status
from generator.render.env import STATUS_CODE, STATUS_LABEL


def chart(snapshot: Snapshot, width: int = 320) -> dict[str, Any]:
    """Bar geometry for the four counted statuses, computed at build time for inline SVG."""
    counts = [(s, snapshot.summary.by_status[s]) for s in COUNTED_STATUSES]
    top = max((c for _, c in counts), default=0) or 1
    counted = snapshot.summary.counted
    label_w, value_w, bar_h, gap = 118, 86, 22, 8
    span = width - label_w - value_w
    bars = []
    for i, (status, count) in enumerate(counts):
        percent = round(100 * count / counted, 1) if counted else 0.0
        bars.append(
            {
                "status": status,
                "code": STATUS_CODE[status],
                "label": STATUS_LABEL[status],
                "count": count,
                "percent": percent,
                "y": i * (bar_h + gap),
                "width": round(span * count / top, 1),
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": len(bars) * (bar_h + gap) - gap,
        "label_w": label_w,
        "bar_h": bar_h,
        "span": span,
    }


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def trend_svg(
    days: list[DailySummary], ecosystem: str, *, width: int = 640, height: int = 220
) -> str:
    """An inline SVG line chart: share attested, share with Trusted Publishing and share of
    downloads attested, per day.

    Shares are of the counted packages (errors excluded). A missing day (a failed run)
    breaks the lines instead of drawing across the gap.
    """
    left, right, top, bottom = 44, 12, 14, 38
    plot_w, plot_h = width - left - right, height - top - bottom
    label = f"{ecosystem}: share attested and share with Trusted Publishing over time"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f"aria-label={quoteattr(label)}>",
        f"<title>{escape(label)}</title>",
    ]
    for pct in (0, 25, 50, 75, 100):
        gy = top + plot_h * (1 - pct / 100)
        parts.append(
            f'<line class="grid" x1="{left}" y1="{gy:.1f}" x2="{left + plot_w}" y2="{gy:.1f}"/>'
            f'<text class="axis" x="{left - 6}" y="{gy + 4:.1f}" text-anchor="end" font-size="11">'
            f"{pct}%</text>"
        )
    ordered = sorted(days, key=lambda d: d.date)
    if not ordered:
        parts.append(
            f'<text x="{left + plot_w / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
            f'font-size="13">No history yet</text></svg>'
        )
        return "".join(parts)
    first, last = ordered[0].date.toordinal(), ordered[-1].date.toordinal()
    span = max(last - first, 1)

    def x(day: date) -> float:
        return left + plot_w * ((day.toordinal() - first) / span if last > first else 0.5)

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    def attested(d: DailySummary) -> float | None:
        return _share(d.by_status[Status.ATTESTED], d.counted)

    def trusted(d: DailySummary) -> float | None:
        return _share(d.trusted_publishing, d.counted)

    def downloads(d: DailySummary) -> float | None:
        return d.attested_download_share

    # Trusted Publishing is dashed (in CSS): on PyPI it equals the attested line (known only
    # then).
    series: tuple[tuple[str, Callable[[DailySummary], float | None]], ...] = (
        ("attested", attested),
        ("trusted-publishing", trusted),
        # weighted by downloads (dotted, in CSS): drawn only for days whose ranking had counts
        ("downloads", downloads),
    )
    for name, value in series:
        path: list[str] = []
        previous: date | None = None
        for d in ordered:
            share = value(d)
            if share is None:
                previous = None
                continue
            gap = previous is None or d.date.toordinal() - previous.toordinal() > 1
            path.append(f"{'M' if gap else 'L'}{x(d.date):.1f},{y(share):.1f}")
            previous = d.date
        if not path:
            continue
        if len(ordered) == 1:
            parts.append(
                f'<circle class="{name}" cx="{x(ordered[0].date):.1f}" '
                f'cy="{path[0].split(",")[1]}" r="3"/>'
            )
        parts.append(f'<path class="line {name}" d="{" ".join(path)}"/>')
    base_y = top + plot_h + 16
    parts.append(
        f'<text class="axis" x="{left}" y="{base_y}" font-size="11">{ordered[0].date}</text>'
        f'<text class="axis" x="{left + plot_w}" y="{base_y}" text-anchor="end" font-size="11">'
        f"{ordered[-1].date}</text>"
    )
    latest = ordered[-1]
    legend_y = height - 6
    parts.append(
        f'<text class="legend attested" x="{left}" y="{legend_y}" font-size="11">'
        f"— attested "
        f"{_pct(attested(latest))}</text>"
        f'<text class="legend trusted-publishing" x="{left + 180}" y="{legend_y}" font-size="11">'
        f"- - Trusted "
        f"Publishing {_pct(trusted(latest))}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


def _pct(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}%"


def trend_charts(history: History) -> dict[str, str]:
    """Ecosystem → inline SVG trend chart (for the overview page)."""
    return {eco: trend_svg(h.days, eco) for eco, h in sorted(history.ecosystems.items())}
