"""A month of daily runs on the recorded demo registry: history, feed, chart, failed runs.

The demo registry is crawled once for real (over HTTP on 127.0.0.1); each simulated day then
changes what the registries would have said (a release gains or loses provenance, a package
leaves the top N, another enters, a package errors for a day, a registry is down, a whole
run fails) and goes through the same steps as the workflow: read the previous site, plan,
write the snapshots and history, render the history.
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from generator import history as hist
from generator.cli import main
from generator.ecosystems import INFOS
from generator.models import PackageResult, Snapshot, Status, summarize
from generator.previous import read_previous
from generator.render import render, trend_charts
from generator.snapshot import read_snapshots, write_snapshot
from tests.once import built_once

ATOM = "{http://www.w3.org/2005/Atom}"
SVG = "{http://www.w3.org/2000/svg}"
START = date(2026, 11, 1)
SITE_URL = "https://example.github.io/attested-yet/"


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Snapshot]:
    def build(data: Path) -> None:
        assert main(["crawl", "--demo", "--data", str(data)]) == 0

    data = built_once(tmp_path_factory, "recorded-month", build)
    return {s.ecosystem: s for s in read_snapshots(data)}


def day_of(n: int) -> date:
    return START + timedelta(days=n - 1)


def variant(
    base: Snapshot,
    day: date,
    *,
    set_status: dict[str, tuple[Status, str]] | None = None,
    drop: frozenset[str] = frozenset(),
    add: tuple[str, ...] = (),
    errors: frozenset[str] = frozenset(),
) -> Snapshot:
    """``base`` as the registry would have answered on ``day``."""
    rows: list[PackageResult] = []
    for p in base.packages:
        if p.name in drop:
            continue
        if p.name in errors:
            p = p.model_copy(update={"status": Status.ERROR, "version": None, "error": "HTTP 503"})
        elif set_status and p.name in set_status:
            status, version = set_status[p.name]
            p = p.model_copy(update={"status": status, "version": version})
        rows.append(p)
    template = next(p for p in base.packages if p.status is Status.MISSING)
    rows += [template.model_copy(update={"name": name, "version": "0.1.0"}) for name in add]
    rows = [p.model_copy(update={"rank": i}) for i, p in enumerate(rows, 1)]
    return base.model_copy(
        update={
            "generated_at": datetime(day.year, day.month, day.day, 5, 30, tzinfo=UTC),
            "packages": rows,
            "summary": summarize(rows),
        }
    )


def names_with(snapshot: Snapshot, status: Status) -> list[str]:
    return [p.name for p in snapshot.packages if p.status is status]


class Scenario:
    """Who changes when. Day numbers are days of November 2026."""

    def __init__(self, recorded: dict[str, Snapshot]) -> None:
        pypi, npm = recorded["pypi"], recorded["npm"]
        self.regressed = names_with(pypi, Status.ATTESTED)[0]
        self.regressed_version = next(p.version for p in pypi.packages if p.name == self.regressed)
        self.gained = names_with(pypi, Status.MISSING)[0]
        self.leaver = names_with(pypi, Status.PRE_ATTESTATION)[0]
        self.flaky = names_with(pypi, Status.UNSUPPORTED_CI)[0]
        self.npm_gained = names_with(npm, Status.MISSING)[0]
        self.newcomer = "fictional-newcomer"

    def fresh(self, recorded: dict[str, Snapshot], n: int) -> dict[str, Snapshot | None]:
        day = day_of(n)
        pypi_status: dict[str, tuple[Status, str]] = {}
        if n >= 5:
            pypi_status[self.gained] = (Status.ATTESTED, "2.0.0")
        if n >= 10:
            pypi_status[self.regressed] = (Status.MISSING, "9.9.9")
        pypi = variant(
            recorded["pypi"],
            day,
            set_status=pypi_status,
            drop=frozenset({self.leaver}) if n >= 15 else frozenset(),
            add=(self.newcomer,) if n >= 15 else (),
            errors=frozenset({self.flaky}) if n == 22 else frozenset(),
        )
        npm_status = {self.npm_gained: (Status.ATTESTED, "3.0.0")} if n >= 12 else {}
        npm = variant(recorded["npm"], day, set_status=npm_status)
        if n == 16:  # the whole run fails: both top-N sources unreadable
            return {"pypi": None, "npm": None}
        if n == 20:  # a PyPI outage: most packages error
            many = frozenset(p.name for p in recorded["pypi"].packages[:20])
            return {"pypi": variant(recorded["pypi"], day, errors=many), "npm": npm}
        return {"pypi": pypi, "npm": npm}


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def publish_day(
    site: Path, fresh: dict[str, Snapshot | None], first: bool, *, pages: bool = True
) -> hist.Plan:
    """One workflow run, publishing into ``site`` (the live site) only if the plan holds.

    Without ``pages`` only the data a next run reads is published (snapshots and history
    files, written by the same writers render uses): the month renders its pages once, on
    its last day, which is the site the tests read."""
    previous = (
        hist.Previous(hist.History(), {}) if first else read_previous(str(site), ["pypi", "npm"])
    )
    today = (
        max(s.generated_at.date() for s in fresh.values() if s is not None)
        if any(fresh.values())
        else None
    )
    plan = hist.plan_update(fresh, previous, today=today)
    for snapshot in plan.snapshots.values():
        write_snapshot(snapshot, site / "data")
    if not pages:
        hist.write_history(plan.history, site / "data")
        return plan
    render(
        list(plan.snapshots.values()),
        site,
        infos=INFOS,
        history=plan.history,
        site_url=SITE_URL,
    )
    return plan


@pytest.fixture(scope="module")
def month(
    recorded: dict[str, Snapshot], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Scenario, dict[int, str]]:
    scenario = Scenario(recorded)

    def build(root: Path) -> None:
        site = root / "site"
        site.mkdir()
        outcomes: dict[int, str] = {}
        for n in range(1, 31):
            fresh = scenario.fresh(recorded, n)
            before = tree_digest(site)
            try:
                plan = publish_day(site, fresh, first=n == 1, pages=n == 30)
            except hist.PublishRefused as exc:
                outcomes[n] = f"refused: {exc}"
                assert tree_digest(site) == before, f"day {n}: a refused run changed the site"
                continue
            outcomes[n] = "; ".join(plan.notes) or "ok"
        (root / "outcomes.json").write_text(json.dumps(outcomes))

    root = built_once(tmp_path_factory, "month", build)
    outcomes = {int(n): o for n, o in json.loads((root / "outcomes.json").read_text()).items()}
    return root / "site", scenario, outcomes


def test_failed_runs_publish_nothing_or_keep_the_last_good_snapshot(
    month: tuple[Path, Scenario, dict[int, str]], recorded: dict[str, Snapshot]
) -> None:
    _site, _scenario, outcomes = month
    assert outcomes[16].startswith("refused: nothing fresh to publish")
    pypi = recorded["pypi"]
    total = len(pypi.packages)
    errors = 20 + sum(1 for p in pypi.packages[20:] if p.status.value == "error")
    share = f"{100 * errors / total:.1f}%"
    assert f"pypi: {errors} of {total} packages are `error` ({share}, above 10%)" in outcomes[20]
    assert "keeping the last good snapshot of 2026-11-19" in outcomes[20]
    assert [n for n, o in outcomes.items() if o != "ok"] == [16, 20]


def test_daily_summaries_have_the_gaps_of_the_failed_runs(
    month: tuple[Path, Scenario, dict[int, str]], recorded: dict[str, Snapshot]
) -> None:
    site, _scenario, _ = month
    history = hist.read_history_dir(site / "data")
    pypi_days = [d.date for d in history.ecosystems["pypi"].days]
    npm_days = [d.date for d in history.ecosystems["npm"].days]
    assert pypi_days == [day_of(n) for n in range(1, 31) if n not in (16, 20)]
    assert npm_days == [day_of(n) for n in range(1, 31) if n != 16]
    base = recorded["pypi"].summary
    first, last = history.ecosystems["pypi"].days[0], history.ecosystems["pypi"].days[-1]
    assert first.by_status == base.by_status
    # one gained, one regressed, one pre-attestation left, one missing newcomer entered:
    assert last.by_status[Status.ATTESTED] == base.by_status[Status.ATTESTED]
    assert last.by_status[Status.MISSING] == base.by_status[Status.MISSING] + 1
    assert last.by_status[Status.PRE_ATTESTATION] == base.by_status[Status.PRE_ATTESTATION] - 1
    npm_last = history.ecosystems["npm"].days[-1]
    npm_base = recorded["npm"].summary.by_status
    assert npm_last.by_status[Status.ATTESTED] == npm_base[Status.ATTESTED] + 1
    index = hist.IndexFile.model_validate_json((site / "data/history/index.json").read_bytes())
    assert index.updated == day_of(30)
    assert all(e.fresh and e.snapshot_date == day_of(30) for e in index.ecosystems.values())


def test_changes_record_each_transition_once(
    month: tuple[Path, Scenario, dict[int, str]],
) -> None:
    site, s, _ = month
    history = hist.read_history_dir(site / "data")
    got = [
        (c.date, c.package, c.kind, c.from_status, c.to_status)
        for c in history.ecosystems["pypi"].changes
    ]
    assert got == [
        (day_of(5), s.gained, hist.ChangeKind.GAINED, Status.MISSING, Status.ATTESTED),
        (day_of(10), s.regressed, hist.ChangeKind.REGRESSION, Status.ATTESTED, Status.MISSING),
        (day_of(15), s.newcomer, hist.ChangeKind.ENTERED, None, Status.MISSING),
        (day_of(15), s.leaver, hist.ChangeKind.LEFT, Status.PRE_ATTESTATION, None),
    ]
    regression = history.ecosystems["pypi"].changes[1]
    assert (regression.from_version, regression.version) == (s.regressed_version, "9.9.9")
    npm = history.ecosystems["npm"].changes
    assert [(c.date, c.package, c.kind) for c in npm] == [
        (day_of(12), s.npm_gained, hist.ChangeKind.GAINED)
    ]
    # the package that errored on day 22 kept its status: no change either way
    assert s.flaky not in {c.package for c in history.ecosystems["pypi"].changes}
    assert hist.package_history(history, "pypi", s.regressed) == [regression]


def test_history_files_are_compact_lines(month: tuple[Path, Scenario, dict[int, str]]) -> None:
    site, _, _ = month
    daily = (site / "data/history/pypi-daily.json").read_text()
    lines = daily.splitlines()
    assert len(lines) == 28 + 2  # one line per day between the header and the closing line
    # about 200 bytes a day, plus the download share (its field name and 4 decimals)
    assert all(len(line.encode()) < 260 for line in lines[1:-1])
    changes = (site / "data/history/pypi-changes.json").read_text()
    assert '"from":"attested","to":"missing"' in changes


def test_feed_is_atom_with_regressions_first(month: tuple[Path, Scenario, dict[int, str]]) -> None:
    site, s, _ = month
    root = ET.parse(site / "feed.xml").getroot()
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.findtext(f"{ATOM}updated") == "2026-11-30T00:00:00Z"
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href") == f"{SITE_URL}feed.xml"
    every = root.findall(f"{ATOM}entry")
    # The current provenance_lost / provenance_changed packages lead the feed (issue 11).
    kinds = [e.find(f"{ATOM}category").get("term") for e in every]  # type: ignore[union-attr]
    alerts = [k for k in kinds if k in ("provenance_lost", "provenance_changed")]
    assert kinds[: len(alerts)] == alerts and alerts == sorted(alerts, key="provenance_lost".__ne__)
    ids = [e.findtext(f"{ATOM}id") for e in every]
    assert len(set(ids)) == len(ids)
    entries = every[len(alerts) :]
    assert len(entries) == 5
    first = entries[0]
    assert (first.findtext(f"{ATOM}title") or "").startswith(f"Regression: pypi {s.regressed}")
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["regression", "pypi"]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    stamps = [e.findtext(f"{ATOM}updated") or "" for e in entries[1:]]
    assert stamps == sorted(stamps, reverse=True)
    for entry in entries:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.findtext(f"{ATOM}updated") or "")
        link = entry.find(f"{ATOM}link")
        assert link is not None and (link.get("href") or "").startswith(f"{SITE_URL}changes.html#")


def test_trend_chart_breaks_at_failed_runs(
    month: tuple[Path, Scenario, dict[int, str]], recorded: dict[str, Snapshot]
) -> None:
    site, _, _ = month
    history = hist.read_history_dir(site / "data")
    svg = trend_charts(history)["pypi"]
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    paths = {p.get("class"): p.get("d") or "" for p in root.iter(f"{SVG}path")}
    # the demo's rankings carry download counts: the download-weighted line is drawn too
    assert set(paths) == {"line attested", "line trusted-publishing", "line downloads"}
    attested = paths["line attested"]
    # three runs of days: 1-15, 17-19, 21-30
    assert attested.count("M") == 3
    assert paths["line downloads"].count("M") == 3
    points = re.findall(r"[ML]([\d.]+),([\d.]+)", attested)
    assert len(points) == 28
    xs = [float(x) for x, _ in points]
    assert xs == sorted(xs) and len(set(xs)) == len(xs), "one point per day, left to right"
    last = history.ecosystems["pypi"].days[-1]
    share = last.by_status[Status.ATTESTED] / last.counted
    legend = "".join(root.itertext())
    assert f"attested {100 * share:.1f}%" in legend


def test_changes_page_lists_regressions_first(
    month: tuple[Path, Scenario, dict[int, str]],
) -> None:
    site, s, _ = month
    page = (site / "changes.html").read_text()
    assert page.index("Regression") < page.index(s.gained)
    assert s.regressed in page[: page.index(s.gained)]
    assert 'type="application/atom+xml"' in page and 'href="feed.xml"' in page
    # the trend charts are on the overview, one per ecosystem
    overview = (site / "index.html").read_text()
    assert overview.count('<svg xmlns="http://www.w3.org/2000/svg" class="trend"') == 2
