"""Reading snapshots back: the ``ecosystem`` field later names files, so it is checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.errors import SnapshotError
from generator.snapshot import read_snapshot, read_snapshots, write_snapshot
from tests.builders import snapshot


def test_a_written_snapshot_reads_back(tmp_path: Path) -> None:
    path = write_snapshot(snapshot("pypi"), tmp_path)
    assert read_snapshot(path).ecosystem == "pypi"


@pytest.mark.parametrize("value", ["../../X", "npm", "PyPI", "pypi/../x", "", "p" * 40])
def test_an_ecosystem_that_is_not_the_file_name_is_refused(tmp_path: Path, value: str) -> None:
    path = write_snapshot(snapshot("pypi"), tmp_path)
    document = json.loads(path.read_text())
    document["ecosystem"] = value
    path.write_text(json.dumps(document))
    with pytest.raises(SnapshotError, match="is not the file's name"):
        read_snapshots(tmp_path)
