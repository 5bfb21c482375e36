"""Download-weighted shares: what part of what people install is attested / trusted-published.

Only rows with a count take part (numerator and denominator alike); rows that do not count
towards package shares (``counted=False``: ``error`` rows) are left out too. When no row has a
count, as in a ``--packages FILE`` run, the share is None: a share is never made up. A row
whose Trusted Publishing is unknown counts in the denominator and not in the numerator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from generator.timeline.model import DownloadRow


def _share(rows: Sequence[DownloadRow], hit: Callable[[DownloadRow], bool]) -> float | None:
    counted = [r for r in rows if r.counted and r.downloads is not None]
    windows = {r.downloads.window for r in counted if r.downloads is not None}
    if len(windows) > 1:
        raise ValueError(f"download counts cover different windows: {sorted(windows)}")
    total = sum(r.downloads.count for r in counted if r.downloads is not None)
    if total == 0:
        return None
    part = sum(r.downloads.count for r in counted if r.downloads is not None and hit(r))
    return part / total


def attested_download_share(rows: Sequence[DownloadRow]) -> float | None:
    """Downloads of packages whose latest release is attested, over all counted downloads
    (0..1), or None when no row has a count (or all counts are 0)."""
    return _share(rows, lambda r: r.attested)


def trusted_publishing_download_share(rows: Sequence[DownloadRow]) -> float | None:
    """Downloads of packages published through Trusted Publishing, over all counted
    downloads (0..1), or None when no row has a count (or all counts are 0)."""
    return _share(rows, lambda r: r.trusted_publishing is True)
