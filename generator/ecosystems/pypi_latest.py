"""The release PyPI reports as ``info.version``, chosen from the PEP 691 simple index.

PyPI's rule is warehouse's ``latest_release_factory`` (pypi/warehouse,
``warehouse/legacy/api/json.py``, the query behind ``/pypi/<name>/json``)::

    .order_by(
        Release.yanked.asc(),
        Release.is_prerelease.nullslast(),
        Release._pypi_ordering.desc(),
    ).limit(1)

that is: a release that is not yanked before one that is; then a final release before a
pre-release (``is_prerelease`` is ``packaging``'s ``Version.is_prerelease``, stored at
upload; dev releases count as pre-releases); then the highest version in PEP 440 order. A
release without files is a candidate like any other (its ``info.version`` then has no files).

The simple index (api-version ≥ 1.1) lists every version (PEP 700) and every file with its
upload time and ``yanked``; PyPI yanks whole releases, so the files of one release agree.
:func:`read_index` gives up (None) whenever it cannot apply the rule exactly, and the caller
then reads ``/pypi/<name>/json``, so "latest" is never a guess: no ``versions`` list, a file
with provenance without a readable upload time, a file with provenance that no version
claims, a version
PEP 440 cannot order, or a release whose files disagree on being yanked. A release none of
whose files is attributed counts as not yanked; the release document's ``info.yanked``
confirms it for the chosen one (:meth:`SimpleIndex.yanked`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from packaging.utils import InvalidWheelFilename, canonicalize_version, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from generator.ecosystems._shape import timestamp
from generator.errors import PackageError

_SDIST = (".tar.gz", ".zip", ".tar.bz2", ".tgz", ".tar.xz", ".tar")


@dataclass(frozen=True)
class SimpleFile:
    filename: str
    version: str
    uploaded: datetime
    yanked: bool
    provenance: bool


@dataclass(frozen=True)
class SimpleIndex:
    versions: dict[str, Version]
    """Every release, as listed, with its PEP 440 version."""
    files: list[SimpleFile]
    """The files with provenance, each attributed to a release."""
    yanked_versions: frozenset[str]

    def yanked(self, version: str) -> bool:
        return version in self.yanked_versions

    def latest(self) -> str | None:
        """PyPI's ``info.version``, or None for a project without releases."""
        if not self.versions:
            return None
        highest_first = sorted(self.versions, key=self.versions.__getitem__, reverse=True)
        # min keeps the first of equals: the highest version of the best (yanked, pre) class
        return min(
            highest_first,
            key=lambda v: (v in self.yanked_versions, self.versions[v].is_prerelease),
        )

    def earlier_attested(self, latest: str, published: datetime) -> str | None:
        """As :func:`generator.ecosystems.pypi.earlier_attested`, from the simple index: the
        release of the newest file with provenance uploaded before ``published``, not
        ``latest``'s."""
        best: tuple[datetime, str] | None = None
        for f in self.files:
            if f.provenance and f.version != latest and f.uploaded < published:
                if best is None or f.uploaded > best[0]:
                    best = (f.uploaded, f.version)
        return best[1] if best else None


def _version_of(
    filename: str, project: str, canonical: dict[str, str], listed: dict[str, Any]
) -> str | None:
    """The listed version a file belongs to, or None."""
    # Fast path, nearly every file: the version as listed, after the last '-' of an sdist
    # or in the second field of a wheel, next to the project's name.
    stem = filename[:-4] if filename.endswith(".whl") else _sdist_stem(filename)
    if stem is not None:
        name, _, rest = stem.partition("-") if filename.endswith(".whl") else stem.rpartition("-")
        version = rest.split("-", 1)[0] if filename.endswith(".whl") else rest
        if version in listed and _canonical_name(name) == project:
            return version
    if filename.endswith(".whl"):
        try:
            _, parsed, _, _ = parse_wheel_filename(filename)
        except (InvalidWheelFilename, InvalidVersion):
            return None
        return canonical.get(canonicalize_version(parsed))
    stem = _sdist_stem(filename)
    if stem is None:
        return None
    # name-version: the name may hold '-' itself (legacy), the version may not.
    for at in range(len(stem)):
        if stem[at] == "-" and _canonical_name(stem[:at]) == project:
            return canonical.get(_canonical_version(stem[at + 1 :]) or "")
    return None


def _sdist_stem(filename: str) -> str | None:
    lowered = filename.lower()
    for ext in _SDIST:
        if lowered.endswith(ext):
            return filename[: -len(ext)]
    return None


_SEPARATORS = re.compile(r"[-_.]+")


def _canonical_name(name: str) -> str:
    # Every file of a project names the project: cached, but only for names of a sane
    # length (a hostile index must not park megabytes in the cache for the whole run).
    return _cached_name(name) if len(name) <= 256 else _SEPARATORS.sub("-", name).lower()


@lru_cache(maxsize=4096)
def _cached_name(name: str) -> str:
    return _SEPARATORS.sub("-", name).lower()


def _canonical_version(version: str) -> str | None:
    try:
        return canonicalize_version(Version(version))
    except InvalidVersion:
        return None


def read_index(simple: dict[str, Any], project: str) -> SimpleIndex | None:
    """The simple index's releases and files, or None when the rule cannot be applied
    exactly from it (see the module's docstring). Never raises for a document's shape:
    the caller has already read the files it needs, with their errors."""
    listed = simple.get("versions")
    files = simple.get("files")
    if not isinstance(listed, list) or not isinstance(files, list):
        return None
    versions: dict[str, Version] = {}
    canonical: dict[str, str] = {}
    for v in listed:
        if not isinstance(v, str):
            return None
        try:
            parsed = Version(v)
        except InvalidVersion:
            return None
        key = canonicalize_version(parsed)
        if key in canonical:  # two releases with one canonical version: ambiguous
            return None
        versions[v] = parsed
        canonical[key] = v
    attributed: list[SimpleFile] = []
    yanked: dict[str, bool] = {}
    for entry in files:
        if not isinstance(entry, dict) or not isinstance(entry.get("filename"), str):
            return None
        filename = entry["filename"]
        provenance = isinstance(entry.get("provenance"), str) and bool(entry["provenance"])
        version = _version_of(filename, project, canonical, versions)
        if version is None:
            if provenance:
                return None
            continue
        flag = entry.get("yanked")
        is_yanked = flag is not False and flag is not None  # true or a reason string
        if yanked.setdefault(version, is_yanked) != is_yanked:
            return None
        if not provenance:
            continue  # only files with provenance are read further (earlier_attested)
        try:
            uploaded = timestamp(entry.get("upload-time"), "upload-time")
        except PackageError:
            return None
        attributed.append(SimpleFile(filename, version, uploaded, is_yanked, provenance))
    return SimpleIndex(versions, attributed, frozenset(v for v, flag in yanked.items() if flag))
