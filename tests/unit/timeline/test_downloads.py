"""Download-weighted shares: counted rows only, never invented."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from generator.timeline import (
    DownloadRow,
    Downloads,
    attested_download_share,
    trusted_publishing_download_share,
)
from generator.timeline.downloads import DownloadSums
from tests.unit import summary_oracle as oracle

W = "last-30-days"


def row(count: int | None, attested: bool, tp: bool | None, counted: bool = True) -> DownloadRow:
    downloads = None if count is None else Downloads(count=count, window=W)
    return DownloadRow(
        downloads=downloads, attested=attested, trusted_publishing=tp, counted=counted
    )


def test_shares_weight_by_downloads() -> None:
    rows = [row(600, True, True), row(300, True, False), row(100, False, None)]
    assert attested_download_share(rows) == pytest.approx(0.9)
    assert trusted_publishing_download_share(rows) == pytest.approx(0.6)


def test_rows_without_counts_take_no_part() -> None:
    rows = [row(100, False, False), row(None, True, True)]
    assert attested_download_share(rows) == 0.0
    assert trusted_publishing_download_share(rows) == 0.0


def test_rows_that_do_not_count_are_left_out() -> None:
    rows = [row(100, True, True), row(900, False, False, counted=False)]
    assert attested_download_share(rows) == 1.0


def test_no_counts_means_no_share() -> None:
    rows = [row(None, True, True), row(None, False, False)]
    assert attested_download_share(rows) is None
    assert trusted_publishing_download_share(rows) is None
    assert attested_download_share([]) is None


def test_all_zero_counts_means_no_share() -> None:
    assert attested_download_share([row(0, True, True)]) is None


def test_different_windows_refuse() -> None:
    other = DownloadRow(
        downloads=Downloads(count=1, window="last-week"), attested=True, trusted_publishing=True
    )
    with pytest.raises(ValueError, match="different windows"):
        attested_download_share([row(1, True, True), other])


def random_download_rows(rng: random.Random, windows: list[str]) -> list[DownloadRow]:
    return [
        DownloadRow(
            downloads=rng.choice(
                [
                    None,
                    Downloads(count=rng.choice([0, 1, 3, 10**12 + 39]), window=rng.choice(windows)),
                ]
            ),
            attested=rng.random() < 0.5,
            trusted_publishing=rng.choice([None, True, False]),
            counted=rng.random() < 0.8,
        )
        for _ in range(rng.randrange(0, 30))
    ]


def shares(count: Callable[[], float | None]) -> tuple[str, float | str | None]:
    try:
        return ("share", count())
    except ValueError as error:
        return ("ValueError", str(error))


@pytest.mark.parametrize("seed", range(60))
def test_sums_added_one_row_at_a_time_give_the_old_floats(seed: int) -> None:
    rng = random.Random(seed)
    rows = random_download_rows(rng, [W, "last-week"] if seed % 4 == 0 else [W])
    sums = DownloadSums()
    for r in rows:
        sums.add(
            r.downloads,
            attested=r.attested,
            trusted_publishing=r.trusted_publishing,
            counted=r.counted,
        )
    # == on floats: bit-identical, the same integer sums divided once
    old_attested = shares(lambda: oracle.attested_download_share(rows))
    old_trusted = shares(lambda: oracle.trusted_publishing_download_share(rows))
    assert shares(sums.attested_share) == old_attested
    assert shares(sums.trusted_publishing_share) == old_trusted
    assert shares(lambda: attested_download_share(rows)) == old_attested
    assert shares(lambda: trusted_publishing_download_share(iter(rows))) == old_trusted


def test_sums_keep_no_row_and_refuse_a_second_window_at_any_time() -> None:
    sums = DownloadSums()
    sums.add(Downloads(count=1, window=W), attested=True, trusted_publishing=None)
    assert sums.attested_share() == 1.0 and sums.trusted_publishing_share() == 0.0
    sums.add(
        Downloads(count=1, window="last-week"),
        attested=True,
        trusted_publishing=True,
        counted=False,
    )
    assert sums.attested_share() == 1.0  # a row that does not count is no conflict
    sums.add(Downloads(count=1, window="last-week"), attested=True, trusted_publishing=True)
    with pytest.raises(ValueError, match=r"different windows: \['last-30-days', 'last-week'\]"):
        sums.trusted_publishing_share()
    assert DownloadSums().attested_share() is None
