"""Release facts and lifecycle from documents an ecosystem has already decoded (issue 11).

No request here: ``npm_release_facts`` reads the full packument (every version's ``time``,
``dist.attestations``, ``_npmUser.trustedPublisher``, ``deprecated``), ``pypi_release_facts``
the PEP 691 simple index (every file's ``provenance``, ``upload-time``, ``yanked``; PEP 792's
``meta.project-status``). The signer (repository, workflow) is known only for the release
whose provenance the ecosystem fetched anyway (the latest); every other release's signer is
left unknown here: the crawl fills what an earlier run learnt (:func:`remember_signers`) and
fetches a few more (signer backfill, :mod:`generator.crawl_depth`) from the locations
``npm_signer_sources`` / ``pypi_signer_sources`` read off the same documents.

Each ecosystem calls one function, ``npm_depth`` or ``pypi_depth``, and passes what it returns
to ``Evidence`` as keyword arguments (the :class:`~generator.models_depth.DepthFields`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)

from generator.ecosystems._shape import timestamp
from generator.errors import PackageError
from generator.models import Provenance
from generator.models_depth import Lifecycle
from generator.timeline import (
    FileFacts,
    ReleaseFacts,
    Timeline,
    build_timeline,
    npm_trust,
    with_signers,
)


class Signer(NamedTuple):
    """Who signed one file, as the provenance the ecosystem fetched says."""

    filename: str
    repository: str | None
    workflow: str | None


_HOSTS = {"GitHub": "github.com", "GitLab": "gitlab.com"}


def signer_of(filename: str, provenance: Provenance | None) -> Signer | None:
    """The signer of ``filename`` from the publisher identity an ecosystem read, or None."""
    if provenance is None:
        return None
    repository = provenance.repository
    host = _HOSTS.get(provenance.kind)
    if repository and host and "://" not in repository:
        repository = f"https://{host}/{repository}"
    return Signer(filename, repository, provenance.workflow)


def _when(value: Any) -> datetime | None:
    try:
        return timestamp(value, "time")
    except PackageError:
        return None


def _signed(filename: str, attested: bool, signer: Signer | None) -> FileFacts:
    if attested and signer is not None and signer.filename == filename:
        return FileFacts(
            filename=filename,
            attested=True,
            repository=signer.repository,
            workflow=signer.workflow,
        )
    return FileFacts(filename=filename, attested=attested)


# ------------------------------------------------------------------------------------ npm


def npm_tarball_name(name: str, version: str) -> str:
    """The tarball's file name (``scope-name-1.0.0.tgz`` for ``@scope/name``)."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"


def npm_release_facts(
    packument: dict[str, Any], signer: Signer | None = None
) -> list[ReleaseFacts]:
    """One ``ReleaseFacts`` per version of the packument that has a publish time."""
    versions = packument.get("versions")
    times = packument.get("time")
    if not isinstance(versions, dict) or not isinstance(times, dict):
        return []
    name = str(packument.get("name") or "")
    out = []
    for version, manifest in versions.items():
        when = _when(times.get(version))
        if when is None or not isinstance(manifest, dict):
            continue
        dist = manifest.get("dist")
        att = dist.get("attestations") if isinstance(dist, dict) else None
        attested = isinstance(att, dict) and bool(att.get("url") or att.get("provenance"))
        user = manifest.get("_npmUser")
        trusted = isinstance(user, dict) and bool(user.get("trustedPublisher"))
        tarball = npm_tarball_name(name, version)
        out.append(
            ReleaseFacts(
                version=version,
                published_at=when,
                files=(_signed(tarball, attested, signer),),
                trusted_publishing=trusted,
            )
        )
    return out


def npm_lifecycle(manifest: dict[str, Any]) -> tuple[Lifecycle, str | None]:
    """``deprecated`` (with its message) when the version's manifest says so."""
    message = manifest.get("deprecated")
    if isinstance(message, str) and message.strip():
        return Lifecycle.DEPRECATED, message.strip()
    return Lifecycle.ACTIVE, None


def npm_depth(
    packument: dict[str, Any], latest: str, signer: Signer | None = None
) -> dict[str, Any]:
    """The ``DepthFields`` of an npm package (no downloads: the ranking adds those)."""
    facts = npm_release_facts(packument, signer)
    timeline = build_timeline(facts, ecosystem="npm", latest=latest)
    own = next((f for f in facts if f.version == latest), None)
    manifest = packument.get("versions", {}).get(latest)
    lifecycle, reason = npm_lifecycle(manifest if isinstance(manifest, dict) else {})
    trust = None
    if own is not None:
        trust = npm_trust(own.trusted_publishing, any(f.attested for f in own.files))
    return {
        "timeline": timeline,
        "trust": trust,
        "lifecycle": lifecycle,
        "lifecycle_reason": reason,
    }


# ----------------------------------------------------------------------------------- PyPI


def pypi_file_version(filename: str) -> str | None:
    """The version a distribution file's name carries (wheel or sdist), or None."""
    if filename.endswith(".whl"):
        # As parse_wheel_filename(filename), in two cached halves (issue 13: parsing the
        # tags was most of a PyPI crawl's CPU): name-version[-build] and the tags are
        # checked apart, each in a name that keeps the other half valid and the dashes.
        head, dash, platform = filename[:-4].rpartition("-")
        head, _, abi = head.rpartition("-")
        head, _, python = head.rpartition("-")
        tags = f"{python}-{abi}-{platform}"
        if len(filename) > 256:  # not cached: a hostile index must not park megabytes there
            tags_ok, version_of = _wheel_tags_ok.__wrapped__, _wheel_version.__wrapped__
        else:
            tags_ok, version_of = _wheel_tags_ok, _wheel_version
        if not dash or not tags_ok(tags):
            return None
        return version_of(head)
    try:
        return str(parse_sdist_filename(filename)[1])
    except (InvalidSdistFilename, ValueError):
        return None


@lru_cache(maxsize=16384)  # tag triples recur across projects: a few kB per thousand
def _wheel_tags_ok(tags: str) -> bool:
    try:
        parse_wheel_filename(f"x-0-{tags}.whl")
    except (InvalidWheelFilename, ValueError):
        return False
    return True


@lru_cache(maxsize=1024)
def _wheel_version(head: str) -> str | None:
    """The version of a wheel named ``{head}-py3-none-any.whl``, or None."""
    try:
        return str(parse_wheel_filename(f"{head}-py3-none-any.whl")[1])
    except (InvalidWheelFilename, ValueError):
        return None


def pypi_release_facts(simple: dict[str, Any], signer: Signer | None = None) -> list[ReleaseFacts]:
    """One ``ReleaseFacts`` per release the simple index lists files of, with an upload time.

    The release is published at its first file's upload; it is yanked when every file is,
    and then keeps all its files (otherwise only the non-yanked ones, as the row does).
    A file without ``upload-time`` (api-version < 1.1) or whose name carries no version is
    left out; a release none of whose files has a time is left out.
    """
    files = simple.get("files")
    grouped: dict[str, list[tuple[FileFacts, datetime, bool]]] = defaultdict(list)
    for entry in files if isinstance(files, list) else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            continue
        filename = entry["filename"]
        version = pypi_file_version(filename)
        when = _when(entry.get("upload-time"))
        if version is None or when is None:
            continue
        yanked = entry.get("yanked")
        provenance = entry.get("provenance")
        attested = isinstance(provenance, str) and bool(provenance.strip())
        if signer is None:  # nearly every file: no signer to match
            facts = FileFacts(filename=filename, attested=attested)
        else:
            facts = _signed(filename, attested, signer)
        grouped[version].append((facts, when, bool(yanked)))
    out = []
    for version, items in grouped.items():
        kept = [i for i in items if not i[2]]
        yanked = not kept
        chosen = items if yanked else kept
        out.append(
            ReleaseFacts(
                version=version,
                published_at=min(when for _, when, _ in chosen),
                yanked=yanked,
                files=tuple(f for f, _, _ in chosen),
                trusted_publishing=True if any(f.attested for f, _, _ in chosen) else None,
            )
        )
    return out


#: PEP 792's markers (https://packaging.python.org/en/latest/specifications/project-status-markers/).
#: The simple API spec's JSON example puts them in ``meta`` (``project-status``, a string, and
#: ``project-status-reason``); PyPI's own JSON (and uv's reader) has a top-level
#: ``project-status`` object ``{"status", "reason"}``: both are read. Absent means ``active``.
_PROJECT_STATUS = {s.value: s for s in Lifecycle}


def pypi_lifecycle(simple: dict[str, Any]) -> tuple[Lifecycle, str | None]:
    """The project status marker (PEP 792) of a simple index, ``active`` when absent or
    unknown, with its reason when given."""
    top = simple.get("project-status")
    meta = simple.get("meta")
    if isinstance(top, dict):
        status, reason = top.get("status"), top.get("reason")
    elif isinstance(meta, dict):
        status, reason = meta.get("project-status"), meta.get("project-status-reason")
    else:
        status, reason = None, None
    lifecycle = _PROJECT_STATUS.get(str(status or "active"), Lifecycle.ACTIVE)
    return lifecycle, reason.strip() if isinstance(reason, str) and reason.strip() else None


def pypi_depth(simple: dict[str, Any], latest: str, signer: Signer | None = None) -> dict[str, Any]:
    """The ``DepthFields`` of a PyPI project (no downloads: the ranking adds those)."""
    facts = pypi_release_facts(simple, signer)
    lifecycle, reason = pypi_lifecycle(simple)
    timeline = build_timeline(facts, ecosystem="pypi", latest=latest)
    return {"timeline": timeline, "lifecycle": lifecycle, "lifecycle_reason": reason}


# ----------------------------------------------------------------- signer backfill sources


def _backfillable(timeline: Timeline | None) -> set[str]:
    """The timeline's attested releases other than the latest (whose provenance is read)."""
    if timeline is None:
        return set()
    return {r.version for r in timeline.releases if r.attested and r.version != timeline.latest}


def npm_signer_sources(packument: dict[str, Any], timeline: Timeline | None) -> dict[str, str]:
    """Version → ``dist.attestations.url`` for the timeline's earlier attested releases."""
    versions = packument.get("versions")
    out: dict[str, str] = {}
    for version in _backfillable(timeline):
        manifest = versions.get(version) if isinstance(versions, dict) else None
        dist = manifest.get("dist") if isinstance(manifest, dict) else None
        att = dist.get("attestations") if isinstance(dist, dict) else None
        url = att.get("url") if isinstance(att, dict) else None
        if isinstance(url, str) and url.strip():
            out[version] = url.strip()
    return out


def pypi_signer_sources(simple: dict[str, Any], timeline: Timeline | None) -> dict[str, str]:
    """Version → the first listed attested file's ``provenance`` URL (PEP 740 in PEP 691)
    for the timeline's earlier attested releases."""
    wanted = _backfillable(timeline)
    files = simple.get("files")
    out: dict[str, str] = {}
    for entry in files if isinstance(files, list) and wanted else ():
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            continue
        url = entry.get("provenance")
        version = pypi_file_version(entry["filename"])
        if version in wanted and version not in out and isinstance(url, str) and url.strip():
            out[version] = url.strip()
    return out


# ------------------------------------------------------------------------- crawl memory


def remember_signers(timeline: Timeline | None, earlier: Timeline | None) -> Timeline | None:
    """``timeline`` with the signers an earlier row knew for the same attested releases (a
    release's files and attestations never change after upload), and what reads signers
    (``provenance_changed``, the ``changed`` states) read again over them. Nothing is
    fetched: the earlier row is the crawl state's."""
    if timeline is None or earlier is None:
        return timeline
    known = {
        r.version: (r.repositories, r.workflows)
        for r in earlier.releases
        if r.attested and (r.repositories or r.workflows)
    }
    return with_signers(timeline, known)
