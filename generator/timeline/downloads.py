"""Download-weighted shares: what part of what people install is attested / trusted-published.

Only rows with a count take part (numerator and denominator alike); rows that do not count
towards package shares (``counted=False``: ``error`` rows) are left out too. When no row has a
count, as in a ``--packages FILE`` run, the share is None: a share is never made up. A row
whose Trusted Publishing is unknown counts in the denominator and not in the numerator.

:class:`DownloadSums` counts the shares as rows arrive (integer sums per window, no row
kept); ``attested_download_share(rows)`` and ``trusted_publishing_download_share(rows)`` feed
it a list, so both ways share one implementation.
"""

from __future__ import annotations

from collections.abc import Iterable

from generator.timeline.model import DownloadRow, Downloads

_TOTAL, _ATTESTED, _TRUSTED = 0, 1, 2


class DownloadSums:
    """Per window, the integer sums the download shares are made of: all counted downloads,
    the attested ones, the trusted-published ones. Memory grows with the number of distinct
    windows (one, normally), never with the number of rows."""

    __slots__ = ("_sums",)

    def __init__(self) -> None:
        self._sums: dict[str, list[int]] = {}

    def add(
        self,
        downloads: Downloads | None,
        *,
        attested: bool,
        trusted_publishing: bool | None,
        counted: bool = True,
    ) -> None:
        """Count one package row (a row that does not count, or has no count, takes no part)."""
        if not counted or downloads is None:
            return
        sums = self._sums.get(downloads.window)
        if sums is None:
            sums = self._sums[downloads.window] = [0, 0, 0]
        count = downloads.count
        sums[_TOTAL] += count
        if attested:
            sums[_ATTESTED] += count
        if trusted_publishing is True:
            sums[_TRUSTED] += count

    def add_row(self, row: DownloadRow) -> None:
        """Count one :class:`DownloadRow`."""
        self.add(
            row.downloads,
            attested=row.attested,
            trusted_publishing=row.trusted_publishing,
            counted=row.counted,
        )

    def attested_share(self) -> float | None:
        """Attested downloads over all counted downloads (see the module's rules)."""
        return self._share(_ATTESTED)

    def trusted_publishing_share(self) -> float | None:
        """Trusted-published downloads over all counted downloads (see the module's rules)."""
        return self._share(_TRUSTED)

    def _share(self, part: int) -> float | None:
        if len(self._sums) > 1:
            raise ValueError(f"download counts cover different windows: {sorted(self._sums)}")
        for sums in self._sums.values():
            if sums[_TOTAL] == 0:
                return None
            return sums[part] / sums[_TOTAL]
        return None


def _sums(rows: Iterable[DownloadRow]) -> DownloadSums:
    sums = DownloadSums()
    for row in rows:
        sums.add_row(row)
    return sums


def attested_download_share(rows: Iterable[DownloadRow]) -> float | None:
    """Downloads of packages whose latest release is attested, over all counted downloads
    (0..1), or None when no row has a count (or all counts are 0)."""
    return _sums(rows).attested_share()


def trusted_publishing_download_share(rows: Iterable[DownloadRow]) -> float | None:
    """Downloads of packages published through Trusted Publishing, over all counted
    downloads (0..1), or None when no row has a count (or all counts are 0)."""
    return _sums(rows).trusted_publishing_share()
