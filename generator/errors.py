"""Error family: one tree, rooted at :class:`AttestedYetError`.

Expected gaps are data (a package with status ``error``); these are raised::

    AttestedYetError                 anything this program raises on purpose
    ├── UsageError                   the command line asks for something impossible (exit 2)
    ├── GeneratorError               the command fails (exit code 1, one-line message)
    │   ├── SourceError              the ranked package list could not be read
    │   ├── SnapshotError            a snapshot file is missing, unreadable or invalid
    │   └── HistoryError             history cannot be read or written, or must not publish
    │       ├── HistoryUnavailable   the previous history cannot be read (--force starts anew)
    │       └── PublishRefused       the fresh data is worse than what is live: nothing written
    └── PackageError                 one package could not be read: it becomes an ``error`` row
        └── NotFound                 the registry answered 404 for the package

A :class:`PackageError` never fails a command by itself: the crawl records it in the package's
row. Code that turns one into a command failure re-raises it as a :class:`GeneratorError`.
"""

from __future__ import annotations


class AttestedYetError(Exception):
    """Root of every error this program raises on purpose."""


class UsageError(AttestedYetError):
    """Arguments that parse but cannot work together (exit code 2, like argparse's errors)."""


class GeneratorError(AttestedYetError):
    """Anything that makes a command fail (exit code 1) with a one-line message."""


class SourceError(GeneratorError):
    """The ranked package list could not be read."""


class SnapshotError(GeneratorError):
    """A snapshot file is missing, unreadable or invalid."""


class HistoryError(GeneratorError):
    """History cannot be read or written, or the run must not publish."""


class HistoryUnavailable(HistoryError):
    """The previous history cannot be read (``--force`` starts a new one)."""


class PublishRefused(HistoryError):
    """The fresh data is worse than what is live: nothing is written."""


class PackageError(AttestedYetError):
    """One package could not be read; it becomes a row with status ``error``.

    ``reason`` is short and names the fault (``HTTP 404``, ``response over 32 MiB`` ...).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(PackageError):
    """The registry answered 404 for the package."""
