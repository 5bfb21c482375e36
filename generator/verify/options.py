"""How a crawl verifies (:class:`VerifyOptions`) and what one check found (:class:`Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.models import Build, Verification


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of checking one release's provenance."""

    verification: Verification
    reason: str
    build: Build | None = None
    files_verified: int | None = None


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """How a crawl verifies attestations."""

    skip: str | None = None
    """Why not to verify (recorded as ``not-checked``), or None to verify."""
    trusted_root: Path | None = None
    """A Sigstore ``trusted_root.json`` to verify against (the demo's self-made instance);
    None: the production trust root shipped in the ``sigstore`` package."""


#: Verify against the production trust root shipped with sigstore (the default).
VERIFY = VerifyOptions()


def not_checked(reason: str) -> Outcome:
    """``not-checked`` for ``reason``, with no build facts."""
    return Outcome(Verification.NOT_CHECKED, reason)


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (at most 300 characters), or its type."""
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
