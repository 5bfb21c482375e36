"""Error family. Expected gaps are data (a package with status ``error``); these are raised."""

from __future__ import annotations


class GeneratorError(Exception):
    """Anything that makes a command fail (exit code 1) with a one-line message."""


class SourceError(GeneratorError):
    """The ranked package list could not be read."""


class SnapshotError(GeneratorError):
    """A snapshot file is missing, unreadable or invalid."""


class PackageError(Exception):
    """One package could not be read; it becomes a row with status ``error``.

    ``reason`` is short and names the fault (``HTTP 404``, ``response over 32 MiB`` ...).
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotFound(PackageError):
    """The registry answered 404 for the package."""
