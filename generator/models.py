"""The data model. These pydantic models *are* the JSON export's schema.

Every field carries a docstring (exported as its JSON Schema ``description``), so
``schema.json`` reads as the specification of the snapshot format. Renaming or
removing a field needs a ``schema_version`` bump.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import AwareDatetime, ConfigDict, Field

from generator.caps import CappedModel, ExampleList
from generator.models_depth import DepthFields, DepthSummary, DepthTally

SCHEMA_VERSION: Literal[2] = 2


class Status(StrEnum):
    """The verdict on a package's latest release."""

    ATTESTED = "attested"
    UNSUPPORTED_CI = "unsupported-ci"
    PRE_ATTESTATION = "pre-attestation"
    MISSING = "missing"
    ERROR = "error"


#: The four statuses that count towards percentages (``error`` does not).
COUNTED_STATUSES: tuple[Status, ...] = (
    Status.ATTESTED,
    Status.UNSUPPORTED_CI,
    Status.PRE_ATTESTATION,
    Status.MISSING,
)


class _Frozen(CappedModel):  # every string field capped (generator/caps.py)
    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class Provenance(_Frozen):
    """Who published the release, as its provenance says (publisher identity)."""

    kind: str
    """Publisher kind: ``GitHub``, ``GitLab``, ``Google`` (PyPI publisher kinds), or the
    npm builder's platform (``GitHub``, ``GitLab``) derived from the SLSA statement."""
    repository: str | None = None
    """Source repository named by the provenance, as ``owner/name`` (GitHub, GitLab), else null."""
    workflow: str | None = None
    """Workflow file that built the release (GitHub ``workflow``, GitLab ``workflow_filepath``,
    npm SLSA ``workflow.path``), else null."""
    environment: str | None = None
    """Deployment environment the publisher was bound to, if any (empty string is kept as null)."""
    email: str | None = None
    """Service-account e-mail of a Google publisher, else null."""
    predicate_type: str | None = None
    """npm: the provenance predicate type (e.g. ``https://slsa.dev/provenance/v1``)."""


class Verification(StrEnum):
    """Whether an ``attested`` release's provenance was checked cryptographically."""

    VERIFIED = "verified"
    """Signature, certificate chain and transparency-log entry check out offline against the
    Sigstore trust root, the certificate matches the publisher, and the signed subject's digest
    equals the digest the registry serves for the artifact."""
    FAILED = "failed"
    """The provenance was checked and does not hold (``verification_reason`` says why)."""
    NOT_CHECKED = "not-checked"
    """Not checked, for one of exactly three reasons (``verification_reason`` says which):
    ``--no-verify``; provenance the registry lists but does not serve (404, or an HTTP error or
    timeout after the retries); or a genuine
    legacy npm Sigstore bundle v0.1 (its transparency-log time, under the log's signature,
    predates the end of v0.1 bundles). Anything served that cannot be parsed or checked is
    ``failed``. (Rows that are not attested also carry ``not-checked``, with no reason.)"""


class Identity(StrEnum):
    """Who signed the provenance, against the repository the package declares."""

    DECLARED_REPOSITORY = "declared-repository"
    """The signer's repository (certificate source repository, else the publisher's) equals
    the declared repository (normalized host/owner/name, case-insensitive)."""
    OTHER_REPOSITORY = "other-repository"
    """The signer's repository differs from the declared one."""
    UNDECLARED = "undeclared"
    """The signer names a repository, but the package declares none to compare it with."""
    NON_REPOSITORY = "non-repository"
    """The signer is not a repository at all (e.g. a Google Cloud service account)."""


class RegistrySignature(StrEnum):
    """npm: the registry's own ECDSA signature over ``<name>@<version>:<integrity>``
    (``dist.signatures``) and over the publish attestation, as ``npm audit signatures``
    checks them, against the keys of ``/-/npm/v1/keys``."""

    VERIFIED = "verified"
    """A ``dist.signatures`` entry verifies under a registry key valid at publish time, and
    the publish attestation, when there is one, verifies too and names this release."""
    FAILED = "failed"
    """A signature under a known, valid key does not verify (or cannot be decoded), or the
    publish attestation does not hold."""
    ABSENT = "absent"
    """The release carries no ``dist.signatures``."""
    UNKNOWN_KEY = "unknown-key"
    """No signature is by a key the registry lists as valid at publish time (including when
    the keys endpoint could not be read)."""


class Build(_Frozen):
    """Where a release was built, from the signing certificate's Fulcio extensions
    (OIDs 1.3.6.1.4.1.57264.1.*) and, on npm, the SLSA predicate. Filled whenever the
    provenance can be read; trust it only when ``verification`` is ``verified``."""

    source_repository: str | None = None
    """Source repository URL the build ran from (Fulcio 1.12, else the SLSA workflow
    repository), e.g. ``https://github.com/owner/name``."""
    commit: str | None = None
    """Source commit (Fulcio 1.13, else the SLSA ``gitCommit``)."""
    ref: str | None = None
    """Git ref that was built, e.g. ``refs/tags/v1.2.0`` (Fulcio 1.14, else SLSA ``ref``)."""
    workflow: str | None = None
    """Build configuration file within the repository, e.g. ``.github/workflows/release.yml``
    (from Fulcio 1.18, else SLSA ``workflow.path``)."""
    trigger: str | None = None
    """Event that started the build, e.g. ``push``, ``release``, ``workflow_dispatch``
    (Fulcio 1.20, else the SLSA ``event_name``)."""
    runner_environment: str | None = None
    """``github-hosted``, ``self-hosted`` or ``gitlab-hosted`` (Fulcio 1.11, else the SLSA
    builder id's last segment)."""
    repository_visibility: str | None = None
    """``public`` or ``private`` at signing time (Fulcio 1.22), else null."""
    issuer: str | None = None
    """OIDC issuer of the signing identity (Fulcio 1.8, else 1.1), e.g.
    ``https://token.actions.githubusercontent.com``."""
    run_url: str | None = None
    """The CI run that signed (Fulcio 1.21, else the SLSA ``invocationId``), or null."""
    log_index: int | None = None
    """Index of the signature's entry in the Rekor transparency log."""
    integrated_time: AwareDatetime | None = None
    """When the transparency log recorded the entry (UTC); certificates are checked at
    this instant."""
    log_url: str | None = None
    """Link to the transparency-log entry (``https://search.sigstore.dev/?logIndex=N``), when
    the entry is in Sigstore's public Rekor (its log id is in Sigstore's trust root); null for
    other logs, such as the demo's own."""


class ReleaseFields(_Frozen):
    """The facts a registry gives about a package's latest release: declared once, shared by
    :class:`Evidence` (what an ecosystem reads) and :class:`PackageResult` (the exported row)."""

    name: str
    """Package name in its display form."""
    version: str | None
    """The latest release (PyPI ``info.version``; npm ``dist-tags.latest``), or null when it
    could not be read."""
    published_at: AwareDatetime | None
    """When the latest release was published (UTC): PyPI, the newest upload time of the
    release's non-yanked files; npm, ``time[latest]``. Null when unknown."""
    trusted_publishing: bool | None
    """Published through Trusted Publishing: true, false, or null when unknown. npm:
    ``_npmUser.trustedPublisher`` present. PyPI: true when provenance is present, else null
    (PyPI exposes no other machine-readable signal)."""
    repository: str | None
    """Declared source repository, normalized to ``https://host/owner/name``, or null."""
    repository_declared: str | None = None
    """The repository value exactly as the package declares it (for display and audit), or
    null."""
    files_total: int | None = None
    """PyPI: non-yanked files of the release; null on npm."""
    files_attested: int | None = None
    """PyPI: how many of those files carry PEP 740 provenance; null on npm."""
    provenance: Provenance | None = None
    """Publisher identity from the provenance (kind, repository, workflow, environment), when
    attested and readable, else null."""
    previously_attested: bool = False
    """An earlier release (published before the latest) carries provenance."""
    last_attested_version: str | None = None
    """The most recent earlier release that carries provenance, or null."""
    provenance_dropped: bool = False
    """``previously_attested`` and the latest release is not attested (the Nx-style signal)."""
    registry_url: str | None = None
    """The package's page on its registry's website (null when the package could not be read)."""
    provenance_url: str | None = None
    """Raw provenance on the public registry (PyPI Integrity API, npm attestations
    endpoint), or null."""


class VerificationFields(_Frozen):
    """The verification stage's findings about a release (:func:`generator.verify.check`):
    declared once, part of every :class:`PackageResult`."""

    verification: Verification = Verification.NOT_CHECKED
    """Outcome of the cryptographic check of the provenance (see ``Verification``)."""
    verification_reason: str | None = None
    """Why ``failed`` or ``not-checked``, or what was checked when ``verified``; null when not
    attested."""
    files_verified: int | None = None
    """PyPI: how many attested files had their provenance verified (the crawler fetches one
    provenance object per release); null on npm."""
    build: Build | None = None
    """Where the release was built (repository, commit, workflow, log entry), or null."""
    repository_mismatch: bool | None = None
    """True when the repository named by the provenance differs from the declared repository
    (normalized host/owner/name, case-insensitive); null when either is unknown."""
    identity: Identity | None = None
    """Who signed, against what the package declares (see ``Identity``); null when the release
    has no readable provenance."""
    registry_signature: RegistrySignature | None = None
    """npm: the registry signature check (see ``RegistrySignature``); null on PyPI and on
    rows that could not be read."""


class Evidence(DepthFields, ReleaseFields):
    """What a registry says about a package's latest release, before any check or verdict.

    Produced by an ecosystem client (inside an :class:`Observation`); consumed by
    :func:`generator.classify.classify` and the verification stage.
    """

    version: str
    """The latest release (PyPI ``info.version``; npm ``dist-tags.latest``)."""
    attested: bool
    """PyPI: a non-yanked file has PEP 740 provenance; npm: ``dist.attestations`` is present."""
    registry_url: str
    """The package's page on its registry's website."""


class _RowHead(_Frozen):
    """The first fields of a row: where it ranks and the verdict (kept first in the export)."""

    rank: int = Field(ge=1)
    """Position in the top-N list (1 = most downloaded)."""
    status: Status
    """The verdict (see the methodology)."""
    reason: str
    """Which rule decided the status, in words, with the fact that decided it."""


class PackageResult(DepthFields, VerificationFields, ReleaseFields, _RowHead):
    """One row of the snapshot: a package, its evidence, its verification and its verdict."""

    error: str | None = None
    """Why the package could not be read; null unless ``status`` is ``error``."""


# ---------------------------------------------------------------- not exported: stage hand-over


@dataclass(frozen=True, slots=True)
class PyPISubject:
    """What a PyPI attestation must cover: one distribution file and the sha256 PyPI's JSON API
    serves for it (None when it lists none)."""

    filename: str
    sha256: str | None
    release: PyPIRelease | None = None
    """The release the file must belong to (None: not bound, for callers that only check
    the signature)."""


@dataclass(frozen=True, slots=True)
class PyPIRelease:
    """The release a PyPI attestation must belong to: the project name asked for, the
    release's version and its files with the sha256 the JSON API lists."""

    project: str
    version: str
    files: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class NpmKey:
    """One key of npm's ``/-/npm/v1/keys``: ``keyid``, base64 SPKI DER, and ``expires``."""

    keyid: str
    key: str
    expires: datetime | None


@dataclass(frozen=True, slots=True)
class RegistrySigned:
    """What npm's registry signatures must cover for one release, and the keys (None when
    the keys endpoint could not be read)."""

    name: str
    version: str
    integrity: str | None
    published_at: datetime
    signatures: tuple[tuple[str, str], ...]
    """(keyid, sig) pairs of ``dist.signatures``, as served (possibly malformed)."""
    keys: tuple[NpmKey, ...] | None


@dataclass(frozen=True, slots=True)
class NpmSubject:
    """What an npm SLSA attestation must cover: ``pkg:npm/<name>@<version>`` with the sha512 of
    the packument's ``dist.integrity`` (None when it has none)."""

    name: str
    version: str
    integrity: str | None


#: What the signature of a provenance document must cover, per ecosystem.
Subject = PyPISubject | NpmSubject


@dataclass(frozen=True, slots=True)
class Observation:
    """What an ecosystem hands to the next stages: the evidence, plus the raw provenance it
    fetched and what that provenance must be checked against. Not part of the export.

    An ecosystem fetches; it never verifies. :func:`generator.verify.check` turns an
    observation into :class:`VerificationFields`.
    """

    evidence: Evidence
    provenance: Any = None
    """The provenance document as fetched (decoded JSON): PyPI, the Integrity API's PEP 740
    provenance object; npm, the ``/-/npm/v1/attestations`` document. None when the release is
    not attested or the document could not be read."""
    subject: Subject | None = None
    """What the provenance's signature must cover; None when not attested."""
    unreadable: str | None = None
    """Why an attested release's provenance is listed but not served (404, or an HTTP error or
    timeout after the retries; recorded as the ``not-checked`` reason), else None."""
    broken: str | None = None
    """Why a served provenance document could not be read (truncated, malformed; recorded as
    the ``failed`` reason), else None."""
    registry_signed: RegistrySigned | None = None
    """npm: what the registry's signatures must cover, and its keys; None on PyPI."""
    signer_sources: dict[str, str] = field(default_factory=dict)
    """Version → where one attested file's provenance of that release is (the URL the
    registry lists: PyPI's simple index ``provenance``, npm's ``dist.attestations.url``), for
    the attested releases of the timeline other than the latest. The crawl's signer backfill
    reads the few it chooses (``generator.crawl_depth``); nothing else does."""


class SourceInfo(_Frozen):
    """Where the ranked package list came from."""

    kind: Literal["top-n", "packages-file"]
    """``top-n``: a public download ranking; ``packages-file``: a list given with ``--packages``."""
    location: str
    """URL or file path the list was read from."""
    requested: int
    """How many packages were asked for (``--top``), or the file's length."""
    skipped: ExampleList = []
    """Examples (at most 100) of entries that were dropped: duplicates and invalid names."""
    skipped_count: int = 0
    """How many entries were dropped before the list yielded ``requested`` valid names."""


class ShardInfo(_Frozen):
    """Which part of a larger crawl a shard snapshot holds (``crawl --shard K/N``).

    Shard ``index`` of ``count`` (0-based) crawls the packages at 0-based positions
    ``index``, ``index + count``, ``index + 2 × count`` … of the ranked list, each keeping its
    rank in the full list. ``attested-yet merge`` joins all ``count`` shards of one run.
    """

    index: int
    """This shard's number, 0-based: 0 ≤ index < count."""
    count: int
    """How many shards the ranked list was split into."""
    ranked: int
    """Packages in the full ranked list (all shards together)."""
    ranked_sha256: str
    """SHA-256 (hex) of the full ranked list's names, one per line: shards of the same
    list agree on it, so shards of different top-N lists are never merged."""
    run: str | None = None
    """Label of the crawl run (``--run-id``; the Actions run id in ``publish.yml``): shards
    of different runs are never merged. Null when not given."""


class Summary(_Frozen, DepthSummary):
    """Counts over the snapshot's packages (and :class:`DepthSummary`'s, issue 11)."""

    total: int
    """Packages in the snapshot, errors included."""
    counted: int
    """Packages with one of the four statuses (errors excluded): the percentage base."""
    by_status: dict[Status, int]
    """Count per status, every status present (zero included)."""
    trusted_publishing: int
    """Packages known to be published through Trusted Publishing."""
    trusted_publishing_unknown: int
    """Packages whose Trusted Publishing is unknown (PyPI without provenance)."""
    attested_percent: float | None
    """attested / counted × 100, rounded to 0.1; null when nothing was counted."""
    by_verification: dict[Verification, int] = {}
    """Count of attested packages per verification outcome, every outcome present."""
    repository_mismatch: int = 0
    """Packages whose provenance names another repository than the declared one."""
    attested_unverified: int = 0
    """Attested packages whose provenance is not ``verified`` (failed or not checked)."""
    by_identity: dict[Identity, int] = {}
    """Count of packages with provenance per ``identity`` value, every value present."""
    by_registry_signature: dict[RegistrySignature, int] = {}
    """npm: count of packages per ``registry_signature`` value, every value present; empty
    on PyPI."""
    provenance_dropped: int = 0
    """Packages whose latest release lost the provenance an earlier release had."""


class Snapshot(_Frozen):
    """One ecosystem's crawl: the JSON export (``data/<ecosystem>.json``)."""

    schema_version: Literal[2] = SCHEMA_VERSION
    """Format version of this document; bumped on any incompatible change."""
    ecosystem: str
    """``pypi`` or ``npm`` (or a later ecosystem's short name)."""
    generated_at: AwareDatetime
    """When the crawl finished (UTC, ISO 8601)."""
    demo: bool = False
    """True when made from the bundled demo registry: fictional packages, not real data."""
    registry: str
    """Base URL of the registry that was crawled."""
    attestation_cutoff: AwareDatetime
    """Releases published before this instant are ``pre-attestation`` when not attested."""
    source: SourceInfo
    """Where the ranked package list came from."""
    summary: Summary
    """Counts per status and Trusted Publishing."""
    packages: list[PackageResult]
    """Every package of the list, in rank order."""
    shard: ShardInfo | None = None
    """Set when this snapshot is one shard of a larger crawl (``crawl --shard K/N``); its
    ``packages`` and ``summary`` cover that shard only. Null for a whole crawl, and for the
    snapshot ``attested-yet merge`` makes from all shards."""


class Tally:
    """The :class:`Summary`, counted as rows arrive: ``add(row)`` for each finished row, then
    ``summary()``. Keeps counters (one per distinct value) and the distinct download windows,
    never a row, so a crawl need not hold its rows to summarize them.

    ``summary()`` may be called at any time; it raises ``ValueError`` when counted rows'
    download counts cover different windows (see :mod:`generator.timeline.downloads`)."""

    __slots__ = (
        "_any_registry_signature",
        "_attested_unverified",
        "_by_identity",
        "_by_registry_signature",
        "_by_status",
        "_by_verification",
        "_depth",
        "_provenance_dropped",
        "_repository_mismatch",
        "_total",
        "_trusted_publishing",
        "_trusted_publishing_unknown",
    )

    def __init__(self) -> None:
        self._total = 0
        self._by_status = dict.fromkeys(Status, 0)
        self._trusted_publishing = 0
        self._trusted_publishing_unknown = 0
        self._by_verification = dict.fromkeys(Verification, 0)
        self._repository_mismatch = 0
        self._attested_unverified = 0
        self._by_identity = dict.fromkeys(Identity, 0)
        self._by_registry_signature = dict.fromkeys(RegistrySignature, 0)
        self._any_registry_signature = False
        self._provenance_dropped = 0
        self._depth = DepthTally(COUNTED_STATUSES)

    def add(self, package: PackageResult) -> None:
        """Count one row."""
        self._total += 1
        self._by_status[package.status] += 1
        if package.trusted_publishing is True:
            self._trusted_publishing += 1
        elif package.trusted_publishing is None and package.status is not Status.ERROR:
            self._trusted_publishing_unknown += 1
        # Enum members are singletons: isinstance(v, E) holds exactly when ``v is`` a member.
        if package.status is Status.ATTESTED:
            if isinstance(package.verification, Verification):
                self._by_verification[package.verification] += 1
            if package.verification is not Verification.VERIFIED:
                self._attested_unverified += 1
        if package.repository_mismatch:
            self._repository_mismatch += 1
        if isinstance(package.identity, Identity):
            self._by_identity[package.identity] += 1
        if package.registry_signature is not None:
            self._any_registry_signature = True
            if isinstance(package.registry_signature, RegistrySignature):
                self._by_registry_signature[package.registry_signature] += 1
        if package.provenance_dropped:
            self._provenance_dropped += 1
        self._depth.add(package)

    def summary(self) -> Summary:
        """The counts over the rows added so far."""
        by_status = dict(self._by_status)
        counted = sum(by_status[s] for s in COUNTED_STATUSES)
        attested = by_status[Status.ATTESTED]
        return Summary(
            total=self._total,
            counted=counted,
            by_status=by_status,
            trusted_publishing=self._trusted_publishing,
            trusted_publishing_unknown=self._trusted_publishing_unknown,
            attested_percent=round(100 * attested / counted, 1) if counted else None,
            by_verification=dict(self._by_verification),
            repository_mismatch=self._repository_mismatch,
            attested_unverified=self._attested_unverified,
            by_identity=dict(self._by_identity),
            by_registry_signature=(
                dict(self._by_registry_signature) if self._any_registry_signature else {}
            ),
            provenance_dropped=self._provenance_dropped,
            **self._depth.fields(),
        )


def summarize(packages: Iterable[PackageResult]) -> Summary:
    """Count statuses and Trusted Publishing over ``packages`` (a :class:`Tally` over them)."""
    tally = Tally()
    for package in packages:
        tally.add(package)
    return tally.summary()


def utc_now() -> datetime:
    """The current instant in UTC (kept here so callers need no clock of their own)."""
    from datetime import UTC

    return datetime.now(UTC)
