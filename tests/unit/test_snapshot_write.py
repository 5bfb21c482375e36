"""The snapshot is written row by row (issue 13: the whole text at once was the peak of a
crawl's memory); the bytes are exactly ``model_dump_json(indent=1)`` and a newline."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.models import Snapshot, Status
from generator.snapshot import read_snapshot, snapshot_json, write_snapshot
from generator.timeline import build_timeline
from tests.builders import package, snapshot
from tests.synthetic import synthetic_snapshot
from tests.unit.timeline.facts import facts


def expected(snap: Snapshot) -> bytes:
    return snap.model_dump_json(indent=1).encode() + b"\n"


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
def test_synthetic_snapshots(ecosystem: str) -> None:
    snap = synthetic_snapshot(ecosystem, 60, seed=3)
    assert b"".join(snapshot_json(snap)) == expected(snap)


def test_empty_and_awkward_rows(tmp_path: Path) -> None:
    assert b"".join(snapshot_json(snapshot("pypi", []))) == expected(snapshot("pypi", []))
    timeline = build_timeline(
        [facts("1.0", 0), facts("1.1", 3, attested=0), facts("2.0", 9, yanked=True)],
        ecosystem="pypi",
        latest="1.1",
    )
    rows = [
        package(1, reason='a reason with\n "packages": [] inside, ünïcode and \\ " quotes'),
        package(2, name="p2", timeline=timeline),
        package(3, status=Status.ERROR),
    ]
    snap = snapshot("pypi", rows)
    assert b"".join(snapshot_json(snap)) == expected(snap)
    path = write_snapshot(snap, tmp_path)
    assert path.read_bytes() == expected(snap)
    assert read_snapshot(path) == snap
