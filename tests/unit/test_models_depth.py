"""``DepthTally``: the depth summary counted one row at a time, equal to the old
``depth_summary`` over the whole list (``tests/unit/summary_oracle.py``), keeping no row."""

from __future__ import annotations

import gc
import random
import weakref
from typing import Any

import pytest

from generator.models import COUNTED_STATUSES, PackageResult, Status
from generator.models_depth import DepthTally, Lifecycle, depth_summary
from generator.timeline import NpmTrust
from tests.unit import summary_oracle as oracle
from tests.unit.summary_oracle import OTHER_W, W, row


def outcome(fields: Any) -> tuple[str, Any]:
    try:
        return ("fields", repr(fields()))  # repr: key order and float digits too
    except ValueError as error:
        return ("ValueError", str(error))


def assert_same(rows: list[PackageResult]) -> None:
    expected = outcome(lambda: oracle.depth_summary(rows, COUNTED_STATUSES))
    tally = DepthTally(COUNTED_STATUSES)
    for package in rows:
        tally.add(package)
    assert outcome(tally.fields) == expected
    assert outcome(lambda: depth_summary(rows, COUNTED_STATUSES)) == expected


@pytest.mark.parametrize("seed", range(20))
def test_a_depth_tally_equals_the_old_depth_summary(seed: int) -> None:
    rng = random.Random(seed)
    windows = [W, OTHER_W] if seed % 3 == 0 else [W]
    for size in (0, 1, 3, 12, 30):
        assert_same(oracle.random_rows(rng, size, windows))


def test_depth_fields_count_what_they_say() -> None:
    tally = DepthTally(COUNTED_STATUSES)
    for package in [
        row(1, Status.ATTESTED, downloads=(30, W), timeline=(True, False, True)),
        row(2, Status.MISSING, tp=True, downloads=(10, W), timeline=(False, True, False)),
        row(3, Status.ATTESTED, lifecycle=Lifecycle.ARCHIVED, trust=NpmTrust.PROVENANCE_ONLY),
        row(4, Status.ERROR, downloads=(1000, W)),
    ]:
        tally.add(package)
    fields = tally.fields()
    assert fields["downloads_window"] == W
    assert fields["attested_download_share"] == 30 / 40
    assert fields["trusted_publishing_download_share"] == 10 / 40
    assert (fields["provenance_lost"], fields["provenance_changed"]) == (1, 1)
    assert fields["forecast_blocked"] == 1 and fields["inactive"] == 1
    assert fields["attested_percent_active"] == 50.0  # rows 1 and 2; 3 archived, 4 an error
    assert fields["by_trust"] == {t: int(t is NpmTrust.PROVENANCE_ONLY) for t in NpmTrust}
    assert list(fields["by_trust"]) == list(NpmTrust)


def test_a_depth_tally_keeps_no_row() -> None:
    tally = DepthTally(COUNTED_STATUSES)
    package = row(1, Status.ATTESTED, downloads=(5, W), timeline=(True, True, True))
    ref = weakref.ref(package)
    tally.add(package)
    del package
    gc.collect()
    assert ref() is None
    assert tally.fields()["attested_download_share"] == 1.0
