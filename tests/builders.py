"""Builders for the documents and models the tests feed the program: one place for them.

Registry documents (plain ``dict`` trees, shaped like the real registries' answers):

- :func:`packument` — an npm packument (``dist-tags``, ``versions``, ``time``), one release;
- :func:`pypi_json` — a PyPI JSON API document (``/pypi/<name>/json``: ``info``, ``urls``);
- :func:`simple_index` — a PEP 691 simple index (``/simple/<name>/``: ``files``);
- :func:`encoded` — any document as the bytes a server sends;
- :func:`npm_path`, :func:`pypi_json_path`, :func:`simple_path` — where each is served.

Models (validated pydantic objects, ready to render or write):

- :func:`package` — a :class:`~generator.models.PackageResult` with plausible defaults;
- :func:`snapshot` — a :class:`~generator.models.Snapshot` of packages, summary computed.

Every builder takes keyword overrides, so a test states only what it is about. The defaults
describe one healthy package: its latest release, published on ``RECENT`` (after both
registries' attestation cutoffs) from a GitHub repository, without attestations — which
classifies as ``missing``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from generator.ecosystems import INFOS
from generator.models import PackageResult, Snapshot, SourceInfo, Status, summarize
from generator.spool import Crawled

RECENT = "2025-06-01T00:00:00.000Z"
"""Publication time of the builders' releases (after both attestation cutoffs)."""

GENERATED_AT = datetime(2026, 11, 1, tzinfo=UTC)
"""When :func:`snapshot`'s snapshots were made, unless a test says otherwise."""


def github(name: str) -> str:
    """The repository URL the builders give package ``name``."""
    return f"https://github.com/o/{name.lstrip('@').replace('/', '-')}"


# ---- npm ------------------------------------------------------------------------------


def packument(
    name: str = "pkg",
    version: str = "1.0.0",
    *,
    published: object = RECENT,
    **manifest: Any,
) -> dict[str, Any]:
    """An npm packument whose ``latest`` is ``version``, published at ``published``.

    ``manifest`` entries replace or add keys of the latest version's manifest (``repository``,
    ``_npmUser``, ``dist`` ...); pass ``repository=None`` to leave the repository out.
    """
    release: dict[str, Any] = {
        "name": name,
        "version": version,
        "dist": {"tarball": f"https://registry.npmjs.org/{name}/-/{name}-{version}.tgz"},
        "repository": {"type": "git", "url": f"git+{github(name)}.git"},
        "_npmUser": {"name": "someone", "email": "someone@example.com"},
    }
    release.update(manifest)
    if release["repository"] is None:
        del release["repository"]
    return {
        "_id": name,
        "name": name,
        "dist-tags": {"latest": version},
        "versions": {version: release},
        "time": {"created": RECENT, "modified": RECENT, version: published},
    }


def npm_path(name: str) -> str:
    """The registry path of ``name``'s packument (a scope's slash percent-encoded)."""
    return "/" + name.replace("/", "%2f")


# ---- PyPI -----------------------------------------------------------------------------


def pypi_file(filename: str, *, uploaded: str = RECENT, yanked: bool = False) -> dict[str, Any]:
    """One entry of a JSON API document's ``urls``."""
    return {
        "filename": filename,
        "upload_time": uploaded[:19],
        "upload_time_iso_8601": uploaded,
        "yanked": yanked,
    }


def pypi_json(
    name: str = "pkg",
    version: str = "1.0",
    *,
    files: list[dict[str, Any]] | None = None,
    project_urls: dict[str, Any] | None = None,
    **info: Any,
) -> dict[str, Any]:
    """A PyPI JSON API document for release ``version`` of ``name``.

    ``files`` defaults to one sdist (see :func:`pypi_file`); ``project_urls`` to a GitHub
    ``Source``; ``info`` entries replace or add keys of ``info`` (``home_page`` ...).
    """
    return {
        "info": {
            "name": name,
            "version": version,
            "home_page": None,
            "project_urls": {"Source": github(name)} if project_urls is None else project_urls,
            **info,
        },
        "urls": [pypi_file(f"{name}-{version}.tar.gz")] if files is None else files,
    }


def simple_index(
    name: str = "pkg",
    version: str = "1.0",
    *,
    files: list[dict[str, Any]] | None = None,
    provenance: str | None = None,
) -> dict[str, Any]:
    """A PEP 691 simple index for ``name``: by default the one sdist of :func:`pypi_json`,
    with ``provenance`` (an Integrity API URL, or None for an unattested file)."""
    default = [{"filename": f"{name}-{version}.tar.gz", "provenance": provenance}]
    return {
        "meta": {"api-version": "1.4"},
        "name": name,
        "files": default if files is None else files,
    }


def pypi_json_path(name: str) -> str:
    return f"/pypi/{name}/json"


def simple_path(name: str) -> str:
    return f"/simple/{name}/"


def encoded(document: object) -> bytes:
    """``document`` as JSON bytes, as a registry sends it."""
    return json.dumps(document).encode()


# ---- models ---------------------------------------------------------------------------


def package(rank: int = 1, name: str | None = None, **fields: Any) -> PackageResult:
    """A validated crawl result: by default ``p<rank>``, version 1.0.0, ``missing``.

    ``fields`` replace any field of :class:`~generator.models.PackageResult`.
    """
    name = name or f"p{rank}"
    base: dict[str, Any] = {
        "rank": rank,
        "name": name,
        "version": "1.0.0",
        "published_at": datetime.fromisoformat(RECENT),
        "status": Status.MISSING,
        "reason": f"1.0.0 was published from {github(name)} without attestations",
        "trusted_publishing": False,
        "repository": github(name),
    }
    base.update(fields)
    if base["status"] is Status.ERROR and "error" not in fields:
        base["error"] = "HTTP 404"
    return PackageResult.model_validate(base)


def snapshot(
    ecosystem: str,
    packages: list[PackageResult] | None = None,
    *,
    generated_at: datetime = GENERATED_AT,
    demo: bool = False,
    source: SourceInfo | None = None,
    **fields: Any,
) -> Snapshot:
    """A validated snapshot of ``packages`` for ``ecosystem`` (``pypi`` or ``npm``), with its
    summary computed, that registry's cutoff and, by default, a top-N source of that size.

    ``fields`` replace any other field of :class:`~generator.models.Snapshot`.
    """
    packages = [] if packages is None else packages
    info = INFOS[ecosystem]
    base: dict[str, Any] = {
        "ecosystem": ecosystem,
        "generated_at": generated_at,
        "demo": demo,
        "registry": info.default_url,
        "attestation_cutoff": info.attestation_cutoff,
        "source": source
        or SourceInfo(kind="top-n", location="test", requested=max(len(packages), 1)),
        "summary": summarize(packages),
        "packages": packages,
    }
    base.update(fields)
    return Snapshot.model_validate(base)


def whole(crawled: Crawled) -> Snapshot:
    """A crawl's whole snapshot in memory; the crawl's rows on disk are released."""
    with crawled:
        return crawled.snapshot()
