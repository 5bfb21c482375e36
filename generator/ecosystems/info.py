"""What the rest of the program may know about an ecosystem without importing its client.

Dependency-free on purpose: render, history and the demo read these facts; only the
pipeline and the crawl import the registry clients themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class EcosystemInfo:
    """A registry's fixed facts: names, order on the site, and its attestation line."""

    name: str
    """Short name: command line, snapshot file name, site folder (``pypi``)."""
    display_name: str
    """Human name of the registry (``PyPI``)."""
    order: int
    """Position on the site (lower first)."""
    website: str
    """The registry's public website (``https://pypi.org``)."""
    default_url: str
    """Base URL of the public registry API; every request goes under it."""
    package_url: str
    """The registry's page for a package, with ``{name}`` for the name."""
    attestation_cutoff: datetime
    """When the registry began to accept attestations (the ``pre-attestation`` line)."""
    cutoff_basis: str
    """Which date of a release is compared with the cutoff, in words."""
    provenance_label: str
    """Where the raw provenance is served, in words (``PyPI Integrity API``)."""
    trusted_publishing_unknown: str | None = None
    """Why Trusted Publishing can be unknown for a readable release, if it can be."""
    name_separators: str | None = None
    """A regular expression: runs of it in a package name are one ``-`` and case does not
    matter (PyPI, PEP 503: ``[-_.]+``); None when names are compared exactly (npm)."""
