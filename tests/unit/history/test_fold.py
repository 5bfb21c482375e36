"""Folding snapshots into a history (history.fold): transitions, change kinds, order."""

from __future__ import annotations

from datetime import date

import pytest

from generator import history as hist
from generator.models import Status
from tests.unit.history.samples import snap


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
