"""The history in the site (render.history_view): trend charts on the overview, the changes
page, the Atom feed linked from every page, each package's status history."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin

import pytest

from generator import history as hist
from generator.demo.history import demo_history, past_snapshots
from generator.models import Snapshot, Status, summarize
from tests.unit.render.samples import package, parse, render_site, snapshot

ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"


def day(s: Snapshot, days: int) -> Snapshot:
    return s.model_copy(update={"generated_at": s.generated_at + timedelta(days=days)})


def npm_days() -> tuple[Snapshot, Snapshot]:
    before = [
        package(1, "@scope/pkg", status=Status.ATTESTED, trusted_publishing=True),
        package(2, "plain-name"),
        package(3, "gainer"),
        package(4, EVIL, status=Status.PRE_ATTESTATION),
    ]
    after = [
        package(1, "@scope/pkg", version="2.0.0"),  # regression
        package(2, "plain-name"),
        package(3, "gainer", version="1.1.0", status=Status.ATTESTED, trusted_publishing=True),
        package(4, EVIL, version="2.0.0"),
    ]
    first = snapshot("npm", before)
    second = day(snapshot("npm", after), 1)
    return first, second


@pytest.fixture
def history_site(tmp_path: Path) -> tuple[Path, list[Snapshot]]:
    first, second = npm_days()
    pypi = snapshot("pypi", [package(1, "requests", status=Status.ATTESTED)])
    later = [second, day(pypi, 1)]
    history = hist.rebuild([first, second, pypi, day(pypi, 1)])
    site = tmp_path / "site"
    render_site(later, site, history=history, site_url="https://example.test/dash/")
    return site, later


def test_overview_has_a_trend_chart_per_ecosystem(history_site: tuple[Path, object]) -> None:
    site, _ = history_site
    html = (site / "index.html").read_text()
    charts = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="trend".*?</svg>', html)
    assert len(charts) == 2
    first = ET.fromstring(charts[0])  # PyPI first, as the site orders ecosystems
    assert "PyPI" in (first.get("aria-label") or "")
    npm = ET.fromstring(charts[1])
    paths = {p.get("class"): p.get("d") or "" for p in npm.iter(f"{SVG}path")}
    assert set(paths) == {"line attested", "line trusted-publishing"}
    assert len(re.findall(r"[ML]", paths["line attested"])) == 2  # two days
    legend = "".join(npm.itertext())
    assert "attested 25.0%" in legend  # 1 of 4 on the second day
    assert "Over time" in html and "No history yet" not in html
    # the legend is also HTML text, which wraps and reads on a narrow screen
    legends = re.findall(r'<p class="trend-legend">(.*?)</p>', html)
    assert len(legends) == 2 and "attested 25.0%" in legends[1]


def test_no_page_has_style_attributes(history_site: tuple[Path, object]) -> None:
    site, _ = history_site
    for page in site.rglob("*.html"):
        for tag, attrs in parse(page.read_text()).tags:
            assert "style" not in attrs, (page, tag)
            assert tag != "style", page


def test_changes_page_is_in_the_site_with_regressions_first(
    history_site: tuple[Path, object],
) -> None:
    site, _ = history_site
    html = (site / "changes.html").read_text()
    tags = parse(html).tags
    current = [a for t, a in tags if t == "a" and a.get("aria-current") == "page"]
    assert current == [{"href": "changes.html", "aria-current": "page"}]
    assert '<link rel="stylesheet" href="static/site.css">' in html
    regressions = html.index('id="h-regressions"')
    others = html.index('id="h-changes"')
    assert regressions < html.index("@scope/pkg") < others < html.index("gainer")
    assert EVIL not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # package names link to their pages, which exist
    hrefs = [a.get("href") or "" for t, a in tags if t == "a"]
    assert "npm/@scope/pkg.html" in hrefs and "npm/gainer.html" in hrefs
    for href in hrefs:
        if href.startswith(("npm/", "pypi/")):
            assert (site / href).is_file(), href
    # every page's nav links the changes page
    for page in site.rglob("*.html"):
        rel = page.relative_to(site).as_posix()
        root = "../" * rel.count("/")
        assert f'href="{root}changes.html"' in page.read_text(), rel


def test_feed_is_linked_from_every_page_head_and_parses_as_atom(
    history_site: tuple[Path, object],
) -> None:
    site, _ = history_site
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 5
    for page in pages:
        html = page.read_text()
        head = html[: html.index("</head>")]
        links = [
            a
            for t, a in parse(head).tags
            if t == "link" and a.get("type") == "application/atom+xml"
        ]
        assert len(links) == 1, page
        assert links[0]["rel"] == "alternate"
        href = links[0]["href"] or ""
        assert not href.startswith(("/", "http")), href
        base = page.relative_to(site).as_posix()
        assert urljoin(base, href) == "feed.xml", (base, href)
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    entries = root.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") or "" for e in entries]
    assert titles[0].startswith("Regression: npm @scope/pkg")
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert (link.get("href") or "").startswith("https://example.test/dash/changes.html#")


def test_history_files_are_published_and_read_back(history_site: tuple[Path, object]) -> None:
    site, _ = history_site
    again = hist.read_history_dir(site / "data")
    assert sorted(again.ecosystems) == ["npm", "pypi"]
    kinds = [c.kind for c in again.ecosystems["npm"].changes]
    assert hist.ChangeKind.REGRESSION in kinds and hist.ChangeKind.GAINED in kinds


def test_package_page_shows_its_status_history(history_site: tuple[Path, object]) -> None:
    site, _ = history_site
    pkg = (site / "npm" / "@scope" / "pkg.html").read_text()
    section = pkg[pkg.index('id="h-history"') :]
    assert "<strong>regression</strong>" in section
    assert "2026-11-02" in section and "2.0.0" in section
    assert section.index("attested") < section.index("missing")
    plain = (site / "npm" / "plain-name.html").read_text()
    assert "No status change recorded since 2026-11-01" in plain
    requests = (site / "pypi" / "requests.html").read_text()
    assert "Status history" in requests


def test_without_history_the_site_is_as_before(tmp_path: Path) -> None:
    _, second = npm_days()
    site = tmp_path / "site"
    render_site([second], site)
    assert not (site / "feed.xml").exists()
    assert not (site / "changes.html").exists()
    assert not (site / "data" / "history").exists()
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert "application/atom+xml" not in html
        assert "changes.html" not in html
        assert "Status history" not in html
        assert 'class="trend"' not in html
    overview = (site / "index.html").read_text()
    assert "No history yet: it starts with the first scheduled run" in overview


def test_demo_history_is_deterministic_and_shows_each_kind() -> None:
    rows = [
        package(i, f"p{i}", status=Status.ATTESTED if i % 2 else Status.MISSING)
        for i in range(1, 21)
    ]
    snaps = [snapshot("npm", rows, demo=True), snapshot("pypi", rows, demo=True)]
    assert [s.summary for s in past_snapshots(snaps[0])] == [
        s.summary for s in past_snapshots(snaps[0])
    ]
    history = demo_history(snaps)
    assert history.updated == snaps[0].generated_at.date()
    npm, pypi = history.ecosystems["npm"], history.ecosystems["pypi"]
    assert len(npm.days) == 30 and len(pypi.days) == 29  # one failed PyPI run: a gap
    assert npm.days[-1].by_status == summarize(rows).by_status  # ends with the real snapshot
    for h in (npm, pypi):
        kinds = [c.kind for c in h.changes]
        assert kinds.count(hist.ChangeKind.REGRESSION) == 1
        assert kinds.count(hist.ChangeKind.ENTERED) == 1
        assert hist.ChangeKind.GAINED in kinds
