"""The timeline's data: the facts the crawl hands in, and the results that go into the export.

Every exported field carries a docstring (its JSON Schema ``description``). The input models
(``FileFacts``, ``ReleaseFacts``, ``DownloadRow``) are built by the crawl from documents it
already reads; the output models (``Release``, ``Timeline``, ``Forecast``, ``Downloads``,
``Transition``) are meant to be embedded in the snapshot as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from generator.caps import CappedModel

Ecosystem = Literal["pypi", "npm"]


class _Frozen(CappedModel):
    # Every string capped (generator/caps.py, pydantic only): versions and file names come
    # from registries, and a 2 MB version must not be kept whole in every release and reason.
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class ProvenanceState(StrEnum):
    """A release's provenance state, after warehouse's ``Release.provenance_status``
    (pypi/warehouse PR #20326). Several can hold at once (``lost`` implies ``none``); a
    ``Release`` lists all of them and names the most critical one."""

    FULL = "full"
    """Every file of the release carries provenance."""
    PARTIAL = "partial"
    """Some, not all, files carry provenance."""
    INCONSISTENT = "inconsistent"
    """The release's attested files name more than one repository or more than one workflow."""
    LOST = "lost"
    """No file carries provenance, but a release published up to 14 days earlier had some."""
    CHANGED = "changed"
    """This release and the release before it both carry provenance, and their sets of
    repositories or workflows differ."""
    NONE = "none"
    """No file of the release carries provenance."""


class NpmTrust(StrEnum):
    """How an npm release was published: Trusted Publishing (OIDC) and provenance are separate
    on npm, so all four combinations occur."""

    TRUSTED_PUBLISHING_AND_PROVENANCE = "trusted-publishing+provenance"
    """Published through Trusted Publishing, with a provenance attestation."""
    TRUSTED_PUBLISHING_ONLY = "trusted-publishing-only"
    """Trusted Publishing without provenance (e.g. CircleCI, or a private repository)."""
    PROVENANCE_ONLY = "provenance-only"
    """A provenance attestation, published with a token rather than Trusted Publishing."""
    NONE = "none"
    """Neither Trusted Publishing nor provenance."""


@dataclass(frozen=True, slots=True, kw_only=True)
class FileFacts:
    """Input: one distribution file of a release (npm: the release's tarball).

    The inputs are plain dataclasses, not models: a PyPI simple index lists hundreds of
    files per project, and validating each one was a quarter of a PyPI crawl's CPU (issue
    13). Nothing of them is exported as it is: the output models below cap every string."""

    filename: str
    """The file's name."""
    attested: bool
    """The registry lists provenance for this file."""
    repository: str | None = None
    """Repository the signer named (``owner/name`` means GitHub, or a URL), or null if unknown."""
    workflow: str | None = None
    """Workflow the signer named (file name or path), or null if unknown."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ReleaseFacts:
    """Input: what the crawl knows about one release (a dataclass, as :class:`FileFacts`)."""

    version: str
    """The version string as the registry spells it."""
    published_at: datetime
    """When the release was published (upload time of its first file on PyPI; aware)."""
    yanked: bool = False
    """PyPI: the release is yanked (all its files); npm: never (unpublished versions are gone)."""
    files: tuple[FileFacts, ...] = ()
    """PyPI: the release's non-yanked files; npm: exactly one entry, the tarball."""
    trusted_publishing: bool | None = None
    """Published through Trusted Publishing: true, false, or null when unknown."""

    def __post_init__(self) -> None:
        if self.published_at.tzinfo is None:  # dates are compared across releases
            raise ValueError(f"published_at of {self.version!r} has no time zone")


class Transition(_Frozen):
    """A change between two releases, explained in words."""

    before: str
    """The earlier release (by publish date)."""
    after: str
    """The later release."""
    reason: str
    """What changed, in words."""


class Release(_Frozen):
    """One release on a package's timeline."""

    version: str
    """The version string as the registry spells it."""
    published_at: AwareDatetime
    """When the release was published (UTC)."""
    yanked: bool
    """The release is yanked (PyPI); yanked releases never set or break a bar."""
    prerelease: bool
    """A pre-release: PEP 440 on PyPI (``1.0rc1``), a semver pre-release tag on npm
    (``1.0.0-beta.1``)."""
    files_total: int = Field(ge=0)
    """Files of the release (npm: 1, the tarball)."""
    files_attested: int = Field(ge=0)
    """Files of the release that carry provenance."""
    attested: bool
    """At least one file carries provenance."""
    provenance_state: ProvenanceState
    """The most critical of ``provenance_states`` (lost, changed, inconsistent, partial, full,
    none, in that order)."""
    provenance_states: list[ProvenanceState]
    """Every state that holds, most critical first (warehouse exposes them all)."""
    trusted_publishing: bool | None
    """Published through Trusted Publishing: true, false, or null when unknown."""
    repositories: list[str]
    """Repositories the signers named, normalized (``https://host/owner/name``); empty when
    unknown."""
    workflows: list[str]
    """Workflow files the signers named (file name only); empty if unknown."""
    trust: NpmTrust | None = None
    """npm: Trusted Publishing and provenance together; null on PyPI or when Trusted
    Publishing is unknown."""


class Forecast(_Frozen):
    """Would pnpm's ``trustPolicy: no-downgrade`` refuse to install the ``latest`` version?"""

    blocked: bool
    """pnpm (default settings) refuses ``latest`` with ``ERR_PNPM_TRUST_DOWNGRADE``."""
    version: str | None
    """The version checked (the ``latest`` dist-tag), or null when unknown."""
    reason: str
    """Why, in words (e.g. ``1.14.1 has no provenance; 1.14.0 had Trusted Publishing``)."""
    bar_version: str | None = None
    """The earlier release whose trust evidence sets the bar (the most recent one with the
    strongest evidence), or null when no earlier release has any."""
    unknown_trusted_publishing: list[str] = []
    """Versions whose Trusted Publishing was unknown and was counted as absent."""


class Timeline(_Frozen):
    """A package's recent releases, newest first, and the flags read from them."""

    releases: list[Release]
    """The most recent releases by publish date, newest first (at least the last 10 known)."""
    latest: str | None
    """The release the package row reports (PyPI latest, npm ``latest`` dist-tag), or null."""
    provenance_dropped: bool
    """Today's signal, kept: ``latest`` is not attested and any release published before it,
    in the whole known history, is (no window, no yanked or pre-release filter)."""
    provenance_lost: bool
    """Within ``releases``: a release is not attested although an earlier-published release
    that sets its bar is (see ``lost``)."""
    lost: list[Transition] = []
    """Each release that lost provenance, with the earlier attested release it is compared to."""
    provenance_changed: bool
    """Within ``releases``: two attested releases name different repositories or workflows."""
    changed: list[Transition] = []
    """Each change of signing repository or workflow, earlier and later release named."""
    forecast: Forecast | None = None
    """npm: pnpm's ``no-downgrade`` forecast for ``latest``, over the whole known history;
    null on PyPI."""


class Downloads(_Frozen):
    """How often a package was downloaded, as its ranking source reports it."""

    count: int = Field(ge=0)
    """Downloads in ``window``."""
    window: str
    """The period the count covers, e.g. ``last-30-days`` or ``last-week``."""


class DownloadRow(_Frozen):
    """Input to the download shares: one package row."""

    downloads: Downloads | None
    """The package's count, or null when the run has none (``--packages FILE``)."""
    attested: bool
    """The package's latest release is attested."""
    trusted_publishing: bool | None
    """The latest release was published through Trusted Publishing (null: unknown)."""
    counted: bool = True
    """The row counts towards shares (false for ``error`` rows, as for package shares)."""
