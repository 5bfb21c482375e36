"""The publish gate (history.gate): error thresholds, fallbacks, refusals."""

from __future__ import annotations

from datetime import date

import pytest

from generator import history as hist
from generator.models import Snapshot, Status
from tests.unit.history.samples import snap, with_errors


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
