"""Charts (render.charts): the status bars and the trend chart, inline SVG without colours."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest

from generator import history as hist
from generator.models import Status
from generator.render import trend_svg
from tests.unit.history.samples import snap
from tests.unit.render.samples import hostile_snapshots


def test_chart_is_inline_svg_with_bars_in_proportion(site: Path) -> None:
    snap = hostile_snapshots()[0]
    html = (site / "index.html").read_text()
    bars = re.findall(r'<rect class="bar" data-st="(\w)" [^>]*width="([\d.]+)"', html)
    assert len(bars) == 8
    widths = {code: float(w) for code, w in bars[4:]}  # PyPI first, then npm
    counts = snap.summary.by_status
    assert widths["m"] > widths["a"] > 0
    assert widths["m"] / widths["a"] == pytest.approx(
        counts[Status.MISSING] / counts[Status.ATTESTED], rel=0.02
    )


def test_trend_chart_with_no_days_and_one_day() -> None:
    empty = ET.fromstring(trend_svg([], "pypi"))
    assert "No history yet" in "".join(empty.itertext())
    one = hist.summarize_day(snap([("a", Status.ATTESTED), ("b", Status.MISSING)]))
    root = ET.fromstring(trend_svg([one], "pypi"))
    circles = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(circles) == 2
    assert "attested 50.0%" in "".join(root.itertext())


def test_trend_chart_has_classes_and_no_colours() -> None:
    days = [
        hist.summarize_day(snap([("a", Status.ATTESTED), ("b", Status.MISSING)], date(2026, 11, d)))
        for d in (1, 2, 4)
    ]
    svg = trend_svg(days, "pypi")
    assert not re.search(r'(fill|stroke|style|color)="', svg), "colours belong to site.css"
    root = ET.fromstring(svg)
    paths = {p.get("class") for p in root.iter("{http://www.w3.org/2000/svg}path")}
    assert paths == {"line attested", "line trusted-publishing"}
    attested = next(
        p
        for p in root.iter("{http://www.w3.org/2000/svg}path")
        if p.get("class") == "line attested"
    )
    assert (attested.get("d") or "").count("M") == 2, "the missing day breaks the line"
    css = (Path(__file__).parents[3] / "static/site.css").read_text()
    for rule in ("svg.trend path.attested", "svg.trend path.trusted-publishing", "svg.trend .grid"):
        assert rule in css, rule
