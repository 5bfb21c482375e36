"""``Tally``: the summary counted one row at a time equals the summary of the whole list as
it was counted before (``tests/unit/summary_oracle.py``), and keeps no row (issue 13)."""

from __future__ import annotations

import gc
import random
import tracemalloc
import weakref

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.models import (
    Identity,
    PackageResult,
    RegistrySignature,
    Status,
    Summary,
    Tally,
    Verification,
    summarize,
)
from generator.models_depth import Lifecycle
from generator.timeline import NpmTrust
from tests.unit import summary_oracle as oracle
from tests.unit.summary_oracle import OTHER_W, W, row


def streamed(rows: list[PackageResult]) -> Summary:
    tally = Tally()
    for package in rows:
        tally.add(package)
    return tally.summary()


def assert_same(rows: list[PackageResult]) -> None:
    expected = oracle.outcome(lambda: oracle.summarize(rows))
    assert oracle.outcome(lambda: streamed(rows)) == expected
    assert oracle.outcome(lambda: summarize(rows)) == expected


@pytest.mark.parametrize("seed", range(40))
def test_a_tally_equals_the_old_summary_on_random_rows(seed: int) -> None:
    rng = random.Random(seed)
    windows = [W] if seed % 2 else [W, OTHER_W]  # one window, or mixed (refused or not)
    for size in (0, 1, 2, 5, 17, 40):
        assert_same(oracle.random_rows(rng, size, windows))


def test_a_tally_read_midway_equals_the_old_summary_of_the_prefix() -> None:
    rows = oracle.random_rows(random.Random(13), 30, [W])
    tally = Tally()
    for i, package in enumerate(rows, start=1):
        tally.add(package)
        assert tally.summary().model_dump_json() == oracle.summarize(rows[:i]).model_dump_json()


_ROW = st.builds(
    row,
    st.integers(1, 10_000),
    st.sampled_from(Status),
    tp=st.sampled_from([None, True, False]),
    verification=st.sampled_from(Verification),
    identity=st.none() | st.sampled_from(Identity),
    registry_signature=st.none() | st.sampled_from(RegistrySignature),
    mismatch=st.sampled_from([None, True, False]),
    dropped=st.booleans(),
    downloads=st.none() | st.tuples(st.integers(0, 2**40), st.sampled_from([W, OTHER_W])),
    timeline=st.none() | st.tuples(st.booleans(), st.booleans(), st.none() | st.booleans()),
    trust=st.none() | st.sampled_from(NpmTrust),
    lifecycle=st.sampled_from(Lifecycle),
)


@given(st.lists(_ROW, max_size=25))
def test_a_tally_equals_the_old_summary_on_any_rows(rows: list[PackageResult]) -> None:
    assert_same(rows)


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param([], id="no-rows"),
        pytest.param([row(1, Status.ERROR)], id="only-errors"),
        pytest.param(
            [row(1, Status.ATTESTED), row(2, Status.MISSING), row(3, Status.MISSING)],
            id="percent-rounds-down",
        ),
        pytest.param(
            [row(1, Status.ATTESTED), row(2, Status.ATTESTED), row(3, Status.MISSING)],
            id="percent-rounds-up",
        ),
        pytest.param(
            [
                row(1, Status.ATTESTED, downloads=(3, W)),
                row(2, Status.MISSING, downloads=(7, W)),
                row(3, Status.ERROR, downloads=(100, OTHER_W)),
            ],
            id="an-error-row-in-another-window-is-no-conflict",
        ),
        pytest.param(
            [
                row(1, Status.ATTESTED, downloads=(3, W)),
                row(2, Status.MISSING, downloads=(7, OTHER_W)),
            ],
            id="counted-rows-in-two-windows-refuse",
        ),
        pytest.param([row(1, Status.ERROR, downloads=(9, W))], id="only-an-error-row-has-a-count"),
        pytest.param([row(1, Status.ATTESTED, downloads=(0, W))], id="all-counts-zero"),
        pytest.param(
            [row(1, Status.ATTESTED, registry_signature=RegistrySignature.ABSENT)],
            id="one-registry-signature",
        ),
        pytest.param(
            [row(1, Status.MISSING, trust=NpmTrust.NONE, lifecycle=Lifecycle.DEPRECATED)],
            id="trust-and-an-inactive-row",
        ),
    ],
)
def test_a_tally_equals_the_old_summary_on_the_edges(rows: list[PackageResult]) -> None:
    assert_same(rows)


def test_the_edges_read_as_documented() -> None:
    empty = streamed([])
    assert empty.by_registry_signature == {} and empty.by_trust == {}
    assert empty.attested_percent is None and empty.downloads_window is None
    mixed = streamed(
        [row(1, Status.ATTESTED, downloads=(3, W)), row(2, Status.ERROR, downloads=(1, OTHER_W))]
    )
    assert mixed.downloads_window is None and mixed.attested_download_share == 1.0
    with pytest.raises(ValueError, match="different windows"):
        streamed(
            [row(1, Status.ATTESTED, downloads=(3, W)), row(2, Status.MISSING, downloads=(1, "x"))]
        )


def test_a_tally_keeps_no_row() -> None:
    tally = Tally()
    package = row(
        1,
        Status.ATTESTED,
        tp=True,
        registry_signature=RegistrySignature.VERIFIED,
        downloads=(5, W),
        timeline=(True, True, True),
        trust=NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE,
    )
    assert package.downloads is not None and package.timeline is not None
    refs: list[weakref.ref[object]] = [
        weakref.ref(package),
        weakref.ref(package.downloads),
        weakref.ref(package.timeline),
    ]
    tally.add(package)
    del package
    gc.collect()
    assert [ref() for ref in refs] == [None, None, None]
    assert tally.summary().attested_download_share == 1.0  # what it counted outlives the row


def test_a_tally_does_not_grow_with_the_rows() -> None:
    rows = oracle.random_rows(random.Random(7), 2000, [W])
    tally = Tally()
    for package in rows[:100]:  # every distinct value seen once, before measuring
        tally.add(package)
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for package in rows[100:]:
            tally.add(package)
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    grown = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert grown < 4096, f"a tally grew by {grown} bytes over 1,900 rows"
    assert tally.summary().total == 2000
