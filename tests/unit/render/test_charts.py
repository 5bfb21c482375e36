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


def test_trend_chart_draws_the_download_weighted_line_only_where_counts_were() -> None:
    plain = hist.summarize_day(snap([("a", Status.ATTESTED), ("b", Status.MISSING)]))
    assert plain.attested_download_share is None  # a ranking without counts: no line
    days = [
        plain.model_copy(update={"date": date(2026, 11, d), "attested_download_share": share})
        for d, share in ((1, 0.61234), (2, None), (3, 0.7))
    ]
    root = ET.fromstring(trend_svg(days, "pypi"))
    lines = {
        p.get("class"): p.get("d") or "" for p in root.iter("{http://www.w3.org/2000/svg}path")
    }
    assert set(lines) == {"line attested", "line trusted-publishing", "line downloads"}
    # a day without counts breaks the dotted line rather than drawing across it
    assert lines["line downloads"].count("M") == 2 and "L" not in lines["line downloads"]
    svg_only_plain = ET.fromstring(trend_svg([plain], "pypi"))
    classes = {p.get("class") for p in svg_only_plain.iter("{http://www.w3.org/2000/svg}path")}
    assert "line downloads" not in classes
    css = (Path(__file__).parents[3] / "static/site.css").read_text()
    assert "svg.trend path.downloads" in css


def test_a_day_keeps_the_download_share_of_its_snapshot() -> None:
    day = snap([("a", Status.ATTESTED), ("b", Status.MISSING)])
    summary = day.summary.model_copy(update={"attested_download_share": 0.123456})
    kept = hist.summarize_day(day.model_copy(update={"summary": summary}))
    assert kept.attested_download_share == 0.1235
