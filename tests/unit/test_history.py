"""History's pure parts: thresholds, fallbacks, transitions, feed and chart edge cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime

import pytest

from generator import history as hist
from generator.models import PackageResult, Snapshot, SourceInfo, Status, summarize

ATOM = "{http://www.w3.org/2005/Atom}"


def row(name: str, status: Status, version: str | None = "1.0", rank: int = 1) -> PackageResult:
    return PackageResult(
        rank=rank,
        name=name,
        version=version,
        published_at=None,
        status=status,
        reason="test",
        trusted_publishing=status is Status.ATTESTED,
        repository=None,
        error="HTTP 503" if status is Status.ERROR else None,
    )


def snap(
    rows: list[tuple[str, Status]] | list[PackageResult],
    day: date = date(2026, 11, 1),
    eco: str = "pypi",
    requested: int | None = None,
) -> Snapshot:
    packages = [
        r if isinstance(r, PackageResult) else row(r[0], r[1], rank=i)
        for i, r in enumerate(rows, 1)
    ]
    return Snapshot(
        ecosystem=eco,
        generated_at=datetime(day.year, day.month, day.day, 6, tzinfo=UTC),
        registry="https://pypi.org",
        attestation_cutoff=datetime(2024, 10, 29, tzinfo=UTC),
        source=SourceInfo(kind="top-n", location="test", requested=requested or len(packages)),
        summary=summarize(packages),
        packages=packages,
    )


def with_errors(errors: int, total: int = 10) -> Snapshot:
    rows = [(f"p{i}", Status.ERROR if i < errors else Status.MISSING) for i in range(total)]
    return snap(rows)


@pytest.mark.parametrize(
    ("errors", "total", "rate", "fit"),
    [
        (0, 10, 0.1, True),
        (1, 10, 0.1, True),  # exactly 10% is allowed
        (2, 10, 0.1, False),
        (11, 100, 0.1, False),
        (2, 10, 0.2, True),
        (1, 10, 0.0, False),
        (10, 10, 1.0, True),
    ],
)
def test_error_threshold(errors: int, total: int, rate: float, fit: bool) -> None:
    assert (hist.health(with_errors(errors, total), rate) is None) is fit


def test_no_snapshot_or_empty_snapshot_is_unfit() -> None:
    assert "crawl failed" in (hist.health(None, 0.1) or "")
    assert "no packages" in (hist.health(snap([]), 0.1) or "")


def previous_with(eco: str, snapshot: Snapshot) -> hist.Previous:
    h = hist.append_snapshot(hist.EcosystemHistory(eco), snapshot)
    return hist.Previous(hist.History(ecosystems={eco: h}), {eco: snapshot})


def test_outage_in_one_ecosystem_keeps_its_last_good_snapshot() -> None:
    old_pypi = snap([("a", Status.ATTESTED)], date(2026, 11, 1))
    old_npm = snap([("x", Status.MISSING)], date(2026, 11, 1), eco="npm")
    previous = previous_with("pypi", old_pypi)
    previous.history.ecosystems["npm"] = hist.append_snapshot(hist.EcosystemHistory("npm"), old_npm)
    previous.snapshots["npm"] = old_npm
    fresh_npm = snap([("x", Status.ATTESTED)], date(2026, 11, 2), eco="npm")
    plan = hist.plan_update({"pypi": with_errors(5), "npm": fresh_npm}, previous)
    assert plan.snapshots == {"pypi": old_pypi, "npm": fresh_npm}
    pypi = plan.history.ecosystems["pypi"]
    assert (pypi.fresh, pypi.snapshot_date, len(pypi.days)) == (False, date(2026, 11, 1), 1)
    assert "5 of 10 packages are `error`" in (pypi.note or "")
    assert plan.history.ecosystems["npm"].fresh
    assert [c.kind for c in plan.history.ecosystems["npm"].changes] == [hist.ChangeKind.GAINED]
    with pytest.raises(hist.PublishRefused, match="--strict"):
        hist.plan_update({"pypi": None, "npm": fresh_npm}, previous, strict=True)


def test_refused_without_a_fallback_or_anything_fresh() -> None:
    fresh_npm = snap([("x", Status.ATTESTED)], eco="npm")
    with pytest.raises(hist.PublishRefused, match="no last good snapshot to keep for pypi"):
        hist.plan_update({"pypi": None, "npm": fresh_npm}, hist.Previous(hist.History(), {}))
    previous = previous_with("pypi", snap([("a", Status.ATTESTED)]))
    with pytest.raises(hist.PublishRefused, match="nothing fresh"):
        hist.plan_update({"pypi": with_errors(9)}, previous)


def test_ecosystem_not_crawled_keeps_its_history() -> None:
    previous = previous_with("npm", snap([("x", Status.MISSING)], eco="npm"))
    plan = hist.plan_update({"pypi": snap([("a", Status.ATTESTED)])}, previous)
    assert len(plan.history.ecosystems["npm"].days) == 1
    assert "npm" in plan.snapshots


def test_transitions_ignore_errors_and_changed_n() -> None:
    _, state = hist.transitions(None, snap([("a", Status.ATTESTED), ("b", Status.MISSING)]))
    errored = snap([("a", Status.ERROR), ("b", Status.MISSING)], date(2026, 11, 2))
    changes, state2 = hist.transitions(state, errored)
    assert changes == [] and state2.packages["a"] == (Status.ATTESTED, "1.0")
    back = snap([("a", Status.MISSING), ("b", Status.MISSING)], date(2026, 11, 3))
    changes, _ = hist.transitions(state2, back)
    assert [(c.package, c.kind) for c in changes] == [("a", hist.ChangeKind.REGRESSION)]
    # a bigger N brings new names in: not reported as entering
    bigger = snap(
        [("a", Status.ATTESTED), ("b", Status.MISSING), ("c", Status.MISSING)],
        date(2026, 11, 3),
        requested=3,
    )
    assert hist.transitions(state, bigger)[0] == []


@pytest.mark.parametrize(
    ("old", "new", "kind"),
    [
        (Status.ATTESTED, Status.MISSING, hist.ChangeKind.REGRESSION),
        (Status.ATTESTED, Status.UNSUPPORTED_CI, hist.ChangeKind.REGRESSION),
        (Status.MISSING, Status.ATTESTED, hist.ChangeKind.GAINED),
        (Status.PRE_ATTESTATION, Status.MISSING, hist.ChangeKind.CHANGED),
        (None, Status.MISSING, hist.ChangeKind.ENTERED),
        (Status.ATTESTED, None, hist.ChangeKind.LEFT),
    ],
)
def test_change_kinds(old: Status | None, new: Status | None, kind: hist.ChangeKind) -> None:
    assert hist.classify_change(old, new) is kind


def test_history_never_moves_backwards() -> None:
    h = hist.append_snapshot(
        hist.EcosystemHistory("pypi"), snap([("a", Status.ATTESTED)], date(2026, 11, 5))
    )
    with pytest.raises(hist.HistoryError, match="older than the history"):
        hist.append_snapshot(h, snap([("a", Status.ATTESTED)], date(2026, 11, 4)))
    again = hist.append_snapshot(h, snap([("a", Status.MISSING)], date(2026, 11, 5)))
    assert len(again.days) == 1 and again.days[0].by_status[Status.MISSING] == 1


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"GITHUB_REPOSITORY": "Octo/attested-yet"}, "https://octo.github.io/attested-yet/"),
        ({"GITHUB_REPOSITORY": "octo/octo.github.io"}, "https://octo.github.io/"),
        (
            {"GITHUB_REPOSITORY": "octo/x", "ATTESTED_YET_SITE_URL": "https://dash.example/"},
            "https://dash.example/",
        ),
        ({}, None),
        ({"GITHUB_REPOSITORY": "nonsense"}, None),
    ],
)
def test_default_site_url(env: dict[str, str], url: str | None) -> None:
    assert hist.default_site_url(env) == url


def test_feed_escapes_hostile_names_and_stays_valid() -> None:
    name = '<script>alert("x")</script>&'
    old = snap([row(name, Status.ATTESTED)])
    new = snap([row(name, Status.MISSING, version="2.0")], date(2026, 11, 2))
    h = hist.append_snapshot(hist.append_snapshot(hist.EcosystemHistory("pypi"), old), new)
    xml = hist.feed_xml(hist.History({"pypi": h}, date(2026, 11, 2)), "")
    assert "<script>" not in xml
    root = ET.fromstring(xml)
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert name in (entry.findtext(f"{ATOM}title") or "")
    assert (entry.findtext(f"{ATOM}id") or "").startswith("urn:attested-yet:change:")
    assert root.find(f"{ATOM}link") is None  # no site URL: no links, ids still unique URNs


def test_trend_chart_with_no_days_and_one_day() -> None:
    empty = ET.fromstring(hist.trend_svg([], "pypi"))
    assert "No history yet" in "".join(empty.itertext())
    one = hist.summarize_day(snap([("a", Status.ATTESTED), ("b", Status.MISSING)]))
    root = ET.fromstring(hist.trend_svg([one], "pypi"))
    circles = list(root.iter("{http://www.w3.org/2000/svg}circle"))
    assert len(circles) == 2
    assert "attested 50.0%" in "".join(root.itertext())


def test_invalid_history_file_is_unavailable(tmp_path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "history").mkdir()
    (tmp_path / "history/index.json").write_text('{"schema_version": 2}')
    with pytest.raises(hist.HistoryUnavailable, match="index.json is not valid history"):
        hist.read_history_dir(tmp_path)
    with pytest.raises(hist.HistoryUnavailable, match="cannot read"):
        hist.read_history_dir(tmp_path / "missing")
