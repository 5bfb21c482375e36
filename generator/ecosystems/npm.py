"""npm: the full packument, plus the attestations endpoint for attested releases.

Requests per package: ``/<name>`` (the full packument: ``dist-tags``, ``time``, and
``_npmUser``, which the abbreviated document lacks), and, only when the latest version has
``dist.attestations``, one ``/-/npm/v1/attestations/<name>@<version>`` for the builder identity.

That document is handed over (``Observation``) with the packument's ``dist.integrity``, so the
verification stage can check its SLSA bundle without another request. Earlier versions'
``dist.attestations`` in the same packument give ``provenance_dropped``.
"""

from __future__ import annotations

import gzip
import heapq
import io
import json
import re
import tarfile
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from generator.ecosystems._shape import obj, opt_text, text, timestamp
from generator.ecosystems.info import EcosystemInfo
from generator.errors import PackageError, SourceError
from generator.http import Fetcher
from generator.models import Evidence, NpmSubject, Observation, Provenance
from generator.repository import normalize_repository
from generator.slsa import parse_predicate, slsa_entry, statement_predicate
from generator.sources import read_location

COUNTS_PACKAGE = "download-counts"
COUNTS_MEMBER = "package/counts.json"
MAX_TARBALL = 128 * 1024 * 1024
MAX_COUNTS = 512 * 1024 * 1024
_VALID_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9_][a-z0-9._~-]*$", re.IGNORECASE)
# "name": count pairs of counts.json, read without building a 3.7-million-entry dict.
_COUNT_PAIR = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:\s*(\d+)')


def normalize_name(name: str) -> str | None:
    """The name itself if it is a valid npm package name (scoped or not), else None."""
    if not isinstance(name, str) or len(name) > 214 or not _VALID_NAME.match(name):
        return None
    return name


def path_name(name: str) -> str:
    """A (validated) package name as a registry path segment: ``@scope%2fname`` when scoped,
    the form npm itself uses in ``dist.attestations.url``."""
    return name.replace("/", "%2f")


def builder_identity(attestations: Any) -> Provenance | None:
    """Builder identity from the SLSA provenance statement in an attestations response (read
    by :mod:`generator.slsa`, the parser verification uses too), or None."""
    entry = slsa_entry(attestations)
    if entry is None:
        return None
    predicate = statement_predicate(entry.get("bundle"))
    if predicate is None:
        return None
    facts = parse_predicate(predicate)
    normalized = normalize_repository(facts.source_repository)
    host = urlsplit(normalized).hostname if normalized else None
    kind = {"github.com": "GitHub", "gitlab.com": "GitLab"}.get(host or "", "other")
    return Provenance(
        kind=kind,
        repository="/".join(normalized.split("/")[3:]) if normalized else None,
        workflow=facts.workflow,
        predicate_type=str(entry["predicateType"]),
    )


def earlier_attested(
    versions: dict[str, Any], times: dict[str, Any], latest: str, published: datetime
) -> str | None:
    """The most recently published earlier version whose ``dist.attestations`` is present."""
    best: tuple[datetime, str] | None = None
    for version, manifest in versions.items():
        if version == latest or not isinstance(manifest, dict):
            continue
        dist = manifest.get("dist")
        if not isinstance(dist, dict) or not isinstance(dist.get("attestations"), dict):
            continue
        try:
            when = timestamp(times.get(version), f"time[{version!r}]")
        except PackageError:
            continue
        if when < published and (best is None or when > best[0]):
            best = (when, version)
    return best[1] if best else None


def _repository_value(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("url")
    return value if isinstance(value, str) and value.strip() else None


def top_from_counts(counts: bytes, n: int) -> list[str]:
    """The ``n`` names with the highest counts, ties broken by name (counts.json order is
    meaningless by the JSON spec)."""
    best = heapq.nsmallest(n, _count_pairs(counts), key=lambda p: (-p[0], p[1]))
    return [name for _, name in best]


def _count_pairs(counts: bytes) -> Iterator[tuple[int, str]]:
    """(count, name) pairs; a pair whose name or count cannot be decoded is left out."""
    for m in _COUNT_PAIR.finditer(counts):
        try:
            yield int(m.group(2)), json.loads(b'"' + m.group(1) + b'"')
        except ValueError:  # bad escape, invalid UTF-8, or a count of over 4300 digits
            continue


INFO = EcosystemInfo(
    name="npm",
    display_name="npm",
    order=1,
    website="https://www.npmjs.com",
    default_url="https://registry.npmjs.org",
    package_url="https://www.npmjs.com/package/{name}",
    # npm provenance public beta (GitHub changelog 2023-04-19); the npm anchor's cutoff.
    attestation_cutoff=datetime(2023, 4, 19, tzinfo=UTC),
    cutoff_basis="<code>time[latest]</code>",
    provenance_label="npm attestations endpoint",
)


class Npm:
    info = INFO
    name = INFO.name
    display_name = INFO.display_name
    default_url = INFO.default_url
    website = INFO.website
    attestation_cutoff = INFO.attestation_cutoff

    def normalize(self, name: str) -> str | None:
        return normalize_name(name)

    async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
        if normalize_name(name) is None:
            raise PackageError("not a valid npm package name")
        doc = obj(await fetcher.get_json(f"/{path_name(name)}"), "packument")
        tags = obj(doc.get("dist-tags"), "dist-tags")
        latest = text(tags.get("latest"), "dist-tags.latest")
        versions = obj(doc.get("versions"), "versions")
        if latest not in versions:
            raise PackageError(f"dist-tags.latest names {latest!r}, which is not in versions")
        manifest = obj(versions[latest], f"versions[{latest!r}]")
        dist = obj(manifest.get("dist"), f"versions[{latest!r}].dist")
        times = obj(doc.get("time"), "time")
        published = timestamp(times.get(latest), f"time[{latest!r}]")

        attestations = dist.get("attestations")
        attested = isinstance(attestations, dict) and bool(
            attestations.get("url") or attestations.get("provenance")
        )
        user = manifest.get("_npmUser")
        # Present means an actual publisher record ({"id", "oidcConfigId"}), not null/false/"".
        trusted = isinstance(user, dict) and bool(user.get("trustedPublisher"))

        declared = _repository_value(manifest.get("repository")) or _repository_value(
            doc.get("repository")
        )
        ref = f"{path_name(name)}@{quote(latest, safe='')}"
        earlier = earlier_attested(versions, times, latest, published)
        integrity = opt_text(dist.get("integrity"))
        del doc, versions, times, manifest, dist  # not held while the provenance is fetched
        provenance = provenance_url = raw = unreadable = None
        if attested:
            path = f"/-/npm/v1/attestations/{ref}"
            provenance_url = f"{self.default_url}{path}"
            try:
                raw = await fetcher.get_json(path)
                provenance = builder_identity(raw)
            except PackageError as exc:
                # The verdict stands on dist.attestations; the document's details are extra.
                raw = provenance = None
                unreadable = f"the attestations document could not be read: {exc}"
        evidence = Evidence(
            name=name,
            version=latest,
            published_at=published,
            repository=normalize_repository(declared) if declared else None,
            repository_declared=declared,
            attested=attested,
            trusted_publishing=trusted,
            provenance=provenance,
            previously_attested=earlier is not None,
            last_attested_version=earlier,
            provenance_dropped=earlier is not None and not attested,
            registry_url=f"{self.website}/package/{name}/v/{quote(latest, safe='')}",
            provenance_url=provenance_url,
        )
        subject = NpmSubject(name, latest, integrity) if attested else None
        return Observation(evidence, raw, subject, unreadable)

    async def top(self, fetcher: Fetcher, source: str | None, n: int) -> tuple[list[str], str]:
        if source:
            body = await read_location(source, fetcher.policy, MAX_COUNTS)
            counts = _counts_from(body, source)
            location = source
        else:
            counts, location = await self._counts_from_registry(fetcher)
        names = top_from_counts(counts, max(n * 2, n + 100))
        if not names:
            raise SourceError(f"{location} lists no packages")
        return names, location

    async def _counts_from_registry(self, fetcher: Fetcher) -> tuple[bytes, str]:
        try:
            doc = obj(await fetcher.get_json(f"/{COUNTS_PACKAGE}"), "packument")
            latest = text(obj(doc.get("dist-tags"), "dist-tags").get("latest"), "latest")
            dist = obj(obj(obj(doc.get("versions"), "versions").get(latest), "v").get("dist"), "d")
            tarball = urlsplit(text(dist.get("tarball"), "dist.tarball")).path
            body = await fetcher.get_bytes(tarball, max_bytes=MAX_TARBALL)
        except PackageError as exc:
            raise SourceError(f"cannot read {COUNTS_PACKAGE} from the registry: {exc}") from None
        return _counts_from(body, fetcher.url(tarball)), f"{COUNTS_PACKAGE}@{latest}"


def _counts_from(body: bytes, location: str) -> bytes:
    """counts.json from a download-counts tarball, or the body itself if it is JSON."""
    if body[:2] == b"\x1f\x8b":
        try:
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
                member = archive.getmember(COUNTS_MEMBER)
                if member.size > MAX_COUNTS:
                    raise SourceError(f"{location}: counts.json is larger than {MAX_COUNTS} bytes")
                handle = archive.extractfile(member)
                if handle is None:
                    raise SourceError(f"{location}: counts.json is not a file")
                return handle.read()
        except (tarfile.TarError, KeyError, OSError, EOFError, gzip.BadGzipFile) as exc:
            raise SourceError(f"{location} is not a download-counts tarball ({exc})") from None
    if not body.lstrip().startswith(b"{"):
        raise SourceError(f"{location} is not a JSON object of package → download count")
    return body
