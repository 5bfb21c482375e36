"""Consistency signals between what a package declares and what its provenance names."""

from __future__ import annotations

from generator.models import Build, Identity, Provenance
from generator.repository import normalize_repository


def same_repository(a: str, b: str) -> bool:
    """Whether two repository references name the same host/owner/name (case-insensitive)."""
    na, nb = normalize_repository(a), normalize_repository(b)
    return na is not None and nb is not None and na.lower() == nb.lower()


def provenance_repository(build: Build | None, provenance: Provenance | None) -> str | None:
    """The repository the provenance names: the certificate's, else the publisher's."""
    if build is not None and build.source_repository:
        return build.source_repository
    if provenance is not None and provenance.repository:
        host = {"GitHub": "github.com", "GitLab": "gitlab.com"}.get(provenance.kind)
        if host:
            return f"https://{host}/{provenance.repository}"
    return None


def repository_mismatch(
    declared: str | None, build: Build | None, provenance: Provenance | None
) -> bool | None:
    """True when the provenance's repository differs from the declared one; None if unknown."""
    named = provenance_repository(build, provenance)
    if not declared or not named:
        return None
    na, nd = normalize_repository(named), normalize_repository(declared)
    if na is None or nd is None:
        return None
    return na.lower() != nd.lower()


def identity(
    declared: str | None, build: Build | None, provenance: Provenance | None
) -> Identity | None:
    """Who signed, against the declared repository; None when there is no provenance."""
    if build is None and provenance is None:
        return None
    named = provenance_repository(build, provenance)
    if named is None or normalize_repository(named) is None:
        return Identity.NON_REPOSITORY
    if not declared or normalize_repository(declared) is None:
        return Identity.UNDECLARED
    return (
        Identity.DECLARED_REPOSITORY
        if same_repository(named, declared)
        else (Identity.OTHER_REPOSITORY)
    )
