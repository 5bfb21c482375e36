"""Download-weighted shares: counted rows only, never invented."""

from __future__ import annotations

import pytest

from generator.timeline import (
    DownloadRow,
    Downloads,
    attested_download_share,
    trusted_publishing_download_share,
)

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
