"""PyPI: PEP 691 simple index (with PEP 740 ``provenance``) + JSON API + Integrity API.

Requests per package, the simple index always first (the package's key document):

1. ``/simple/<name>/`` as JSON: every file (upload time, yanked, provenance) and, from
   api-version 1.1 (PEP 700), every version. The latest release is chosen from it exactly
   as PyPI chooses ``info.version`` (:func:`latest_version`);
2. ``/pypi/<name>/<version>/json`` of that release only (its files, project URLs): ~20 kB
   where ``/pypi/<name>/json`` repeats every release's files (hundreds of kB);
3. only when the release is attested, one ``/integrity/<name>/<version>/<file>/provenance``
   for the publisher identity.
4. only when the crawl asks (signer backfill, ``release_signer``), an earlier release's
   provenance at the location its file lists in the simple index; at most K per package.

When the simple index cannot settle "latest" exactly (see
:mod:`generator.ecosystems.pypi_latest`), or PyPI's release document disagrees with it, the
package is read as before from ``/pypi/<name>/json`` (one more request, same verdict).

That one provenance object is handed over (``Observation``) with the sha256 the JSON API lists
for its file, so the verification stage checks it without another request; it covers one
attested file per release (``files_verified``). Earlier releases' provenance
(``provenance_dropped``) comes from the simple index and the JSON API's ``releases``, both
already read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from generator.ecosystems._provenance import fetch_listed, fetch_provenance
from generator.ecosystems._shape import arr, obj, opt_text, text, timestamp
from generator.ecosystems.base import FeedRead, TopList
from generator.ecosystems.info import EcosystemInfo
from generator.ecosystems.pypi_latest import SimpleIndex, read_index
from generator.ecosystems.timeline_facts import pypi_depth, pypi_signer_sources, signer_of
from generator.errors import NotFound, PackageError, SourceError
from generator.http import Fetcher, MiB, decode_json
from generator.models import Evidence, Observation, Provenance, PyPIRelease, PyPISubject
from generator.repository import normalize_repository
from generator.sources import read_location

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"
INTEGRITY_JSON = "application/vnd.pypi.integrity.v1+json, application/json;q=0.9"
DEFAULT_TOP_URL = "https://hugovk.github.io/top-pypi-packages/top-pypi-packages-30-days.min.json"
#: The period the top list's ``download_count`` covers (hugovk/top-pypi-packages: 30 days).
TOP_WINDOW = "last-30-days"
#: The /simple/ root lists every project (~700,000): tens of MB of JSON. Below this many
#: known packages one conditional request each costs fewer bytes (README "Crawl state").
ROOT_CROSSOVER = 10_000
MAX_ROOT = 512 * MiB
_VALID_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
# project_urls keys that name the source repository, most specific first (compared
# after lower-casing and dropping everything but letters).
_SOURCE_KEYS = ("source", "sourcecode", "repository", "code", "github", "gitlab", "git")


def _shown(name: str) -> str:
    """A registry-given name for a message: at most 100 characters, always valid UTF-8."""
    return name[:100].encode("utf-8", "backslashreplace").decode("utf-8")


def normalize_name(name: str) -> str | None:
    """PEP 503 normalized name, or None if ``name`` is not a valid project name."""
    if not isinstance(name, str) or len(name) > 200 or not _VALID_NAME.match(name):
        return None
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_repository(info: dict[str, Any]) -> tuple[str | None, str | None]:
    """(normalized, as declared) source repository from ``project_urls`` and ``home_page``.

    A github.com or gitlab.com URL anywhere wins (preferring source-like keys); otherwise a
    URL under a source-like key on another host; otherwise none.
    """
    urls = info.get("project_urls")
    entries: list[tuple[str, str]] = []
    if isinstance(urls, dict):
        entries = [(str(k), v) for k, v in urls.items() if isinstance(v, str)]
    home = info.get("home_page")
    if isinstance(home, str):
        entries.append(("home_page", home))

    def key_rank(key: str) -> int:
        squashed = re.sub(r"[^a-z]", "", key.lower())
        return _SOURCE_KEYS.index(squashed) if squashed in _SOURCE_KEYS else len(_SOURCE_KEYS)

    ranked = sorted(entries, key=lambda e: key_rank(e[0]))
    for _, raw in ranked:
        normalized = normalize_repository(raw)
        if normalized and normalized.split("/")[2] in ("github.com", "gitlab.com"):
            return normalized, raw
    for key, raw in ranked:
        if key_rank(key) < len(_SOURCE_KEYS) and (normalized := normalize_repository(raw)):
            return normalized, raw
    return None, None


def publisher_of(provenance: Any) -> Provenance | None:
    """The publisher identity of a PEP 740 provenance object's first bundle."""
    try:
        bundles = arr(obj(provenance, "provenance")["attestation_bundles"], "bundles")
        publisher = obj(obj(bundles[0], "bundle")["publisher"], "publisher")
    except (PackageError, KeyError, IndexError):
        return None
    kind = opt_text(publisher.get("kind"))
    if kind is None:
        return None
    return Provenance(
        kind=kind,
        repository=opt_text(publisher.get("repository")),
        workflow=opt_text(publisher.get("workflow"))
        or opt_text(publisher.get("workflow_filepath")),
        environment=opt_text(publisher.get("environment")),
        email=opt_text(publisher.get("email")),
    )


def earlier_attested(
    doc: dict[str, Any], latest: str, published: datetime, provenance: dict[str, bool]
) -> str | None:
    """The most recent earlier release with a file that has provenance, or None.

    Files come from the JSON API's ``releases`` (file → version), provenance from the simple
    index already read; "earlier" means another version uploaded before the latest's newest
    file (so a newer pre-release does not count).
    """
    releases = doc.get("releases")
    best: tuple[datetime, str] | None = None
    for version, entries in releases.items() if isinstance(releases, dict) else ():
        if version == latest or not isinstance(entries, list):
            continue
        for entry in entries:
            if not isinstance(entry, dict) or not provenance.get(str(entry.get("filename"))):
                continue
            try:
                uploaded = timestamp(
                    entry.get("upload_time_iso_8601") or entry.get("upload_time"), "upload_time"
                )
            except PackageError:
                continue
            if uploaded < published and (best is None or uploaded > best[0]):
                best = (uploaded, version)
    return best[1] if best else None


INFO = EcosystemInfo(
    name="pypi",
    display_name="PyPI",
    order=0,
    website="https://pypi.org",
    default_url="https://pypi.org",
    package_url="https://pypi.org/project/{name}/",
    # trailofbits/are-we-pep740-yet's ATTESTATION_ENABLEMENT: gh-action-pypi-publish turned
    # attestations on by default (v1.11.0) on 2024-10-29/30. See README "Classification".
    attestation_cutoff=datetime(2024, 10, 29, tzinfo=UTC),
    cutoff_basis="the newest upload time of the release's files",
    provenance_label="PyPI Integrity API",
    name_separators=r"[-_.]+",
    trusted_publishing_unknown=(
        "PyPI shows Trusted Publishing only in its HTML, and this release has no attestations "
        "that would prove it"
    ),
)


class PyPI:
    info = INFO
    name = INFO.name
    display_name = INFO.display_name
    default_url = INFO.default_url
    website = INFO.website
    attestation_cutoff = INFO.attestation_cutoff

    feed_min_packages = ROOT_CROSSOVER
    default_feed_url: str | None = None  # /simple/ on the registry itself

    def normalize(self, name: str) -> str | None:
        return normalize_name(name)

    async def change_feed(self, fetcher: Fetcher, since: int | None, budget: int) -> FeedRead:
        """The ``/simple/`` root as PEP 691 JSON: every project's ``_last-serial`` (one request).

        A package whose key document carried that same ``X-PyPI-Last-Serial`` is unchanged.
        """
        body = await fetcher.get_bytes("/simple/", accept=SIMPLE_JSON, max_bytes=MAX_ROOT)
        root = obj(decode_json(body), "simple root")
        position = obj(root.get("meta"), "simple root meta").get("_last-serial")
        if not isinstance(position, int) or isinstance(position, bool):
            raise PackageError("the simple root has no meta._last-serial")
        serials: dict[str, int] = {}
        for i, item in enumerate(arr(root.get("projects"), "projects")):
            entry = obj(item, f"projects[{i}]")
            serial = entry.get("_last-serial")
            key = normalize_name(str(entry.get("name")))
            if key is not None and isinstance(serial, int) and not isinstance(serial, bool):
                serials[key] = serial
        return FeedRead(position=position, serials=serials)

    async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
        project = normalize_name(name)
        if project is None:
            raise PackageError("not a valid PyPI project name")
        # The simple index first: the package's key document (conditional requests).
        simple = obj(
            await fetcher.get_json(f"/simple/{project}/", accept=SIMPLE_JSON), "simple index"
        )
        provenance_urls: dict[str, bool] = {}
        for i, item in enumerate(arr(simple.get("files"), "simple files")):
            entry = obj(item, f"simple files[{i}]")
            if listed := opt_text(entry.get("filename")):
                # A missing key (api-version < 1.3) and null mean the same: no provenance.
                provenance_urls[listed] = bool(opt_text(entry.get("provenance")))
        index = read_index(simple, project)
        doc = await self._release_document(fetcher, project, index)
        if doc is None:  # the simple index cannot settle "latest": the project document
            index = None
            doc = obj(await fetcher.get_json(f"/pypi/{project}/json"), "document")
        info = obj(doc.get("info"), "info")
        answered = opt_text(info.get("name"))
        if answered is not None and normalize_name(answered) != project:
            # Rows are keyed by the name asked for; an answer for another project is no answer.
            raise PackageError(f"registry answered for {_shown(answered)}")
        version = text(info.get("version"), "info.version")
        files = []
        sha256: dict[str, str | None] = {}
        for i, item in enumerate(arr(doc.get("urls"), "urls")):
            entry = obj(item, f"urls[{i}]")
            if entry.get("yanked") is True:
                continue
            filename = text(entry.get("filename"), f"urls[{i}].filename")
            uploaded = entry.get("upload_time_iso_8601") or entry.get("upload_time")
            files.append((filename, timestamp(uploaded, f"urls[{i}].upload_time_iso_8601")))
            digests = entry.get("digests")
            sha256[filename] = (
                opt_text(digests.get("sha256")) if isinstance(digests, dict) else None
            )
        if not files:
            raise PackageError(f"release {version} has no non-yanked files")

        attested = [f for f, _ in files if provenance_urls.get(f)]
        published = max(when for _, when in files)
        if index is not None:
            earlier = index.earlier_attested(version, published)
        else:
            earlier = earlier_attested(doc, version, published, provenance_urls)

        repository, declared = declared_repository(info)
        display = opt_text(info.get("name")) or name
        del doc, info  # facts extracted (the simple index stays for the release timeline)
        quoted = "/".join(quote(p, safe="") for p in (project, version))
        provenance = provenance_url = raw = unreadable = broken = None
        if attested:
            path = f"/integrity/{quoted}/{quote(attested[0], safe='')}/provenance"
            provenance_url = f"{self.default_url}{path}"
            raw, unreadable, broken = await fetch_provenance(
                fetcher,
                path,
                INTEGRITY_JSON,
                f"the simple index lists provenance for {attested[0]}, "
                "but the Integrity API has none (404)",
                "the provenance document",
            )
            # As on npm: the verdict stands on the simple index; the document is extra.
            provenance = publisher_of(raw) if raw is not None else None
        signer = signer_of(attested[0], provenance) if attested else None
        depth = pypi_depth(simple, version, signer)
        sources = pypi_signer_sources(simple, depth["timeline"])
        evidence = Evidence(
            **depth,
            name=display,
            version=version,
            published_at=max(when for _, when in files),
            repository=repository,
            repository_declared=declared,
            attested=bool(attested),
            trusted_publishing=True if attested else None,
            files_total=len(files),
            files_attested=len(attested),
            provenance=provenance,
            previously_attested=earlier is not None,
            last_attested_version=earlier,
            provenance_dropped=earlier is not None and not attested,
            registry_url=f"{self.website}/project/{quoted}/",
            provenance_url=provenance_url,
        )
        release = PyPIRelease(project, version, tuple(sha256.items()))
        subject = PyPISubject(attested[0], sha256.get(attested[0]), release) if attested else None
        return Observation(evidence, raw, subject, unreadable, broken, signer_sources=sources)

    async def release_signer(self, fetcher: Fetcher, source: str) -> Provenance | None:
        """The publisher of the PEP 740 provenance object at ``source`` (a file's
        ``provenance`` URL in the simple index), as :func:`publisher_of` reads the latest's."""
        return publisher_of(await fetch_listed(fetcher, source, INTEGRITY_JSON))

    async def _release_document(
        self, fetcher: Fetcher, project: str, index: SimpleIndex | None
    ) -> dict[str, Any] | None:
        """``/pypi/<project>/<latest>/json`` when the simple index settles the latest release
        and PyPI's answer agrees (same version; yanked only if the index said so), else None.
        """
        latest = index.latest() if index is not None else None
        if index is None or latest is None:
            return None
        try:
            doc = obj(
                await fetcher.get_json(f"/pypi/{project}/{quote(latest, safe='')}/json"),
                "document",
            )
        except NotFound:  # listed but gone (a deletion between two requests)
            return None
        info = doc.get("info")
        if not isinstance(info, dict) or info.get("version") != latest:
            return None
        if info.get("yanked") is True and not index.yanked(latest):
            return None  # a release without files in the index, yanked: not the latest
        return doc

    async def top(self, fetcher: Fetcher, source: str | None, n: int) -> TopList:
        location = source or DEFAULT_TOP_URL
        body = await read_location(location, fetcher.policy, 64 * 1024 * 1024)
        try:
            rows = arr(obj(decode_json(body), "the document").get("rows"), "rows")
            ranked = sorted(
                (_top_row(row, i) + (i,) for i, row in enumerate(rows)),
                key=lambda t: (-t[0], t[2]),
            )
        except PackageError as exc:  # the reason names the field (rows[3].download_count)
            raise SourceError(
                f"{location} is not a top-pypi-packages document (rows of project, "
                f"download_count): {exc.reason}"
            ) from None
        return TopList(
            [name for _, name, _ in ranked], location, [c for c, _, _ in ranked], TOP_WINDOW
        )


def _top_row(row: Any, i: int) -> tuple[int, str]:
    """(download_count, project) of ``rows[i]``; PackageError naming the field otherwise."""
    entry = obj(row, f"rows[{i}]")
    count = entry.get("download_count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise PackageError(f"rows[{i}].download_count is not a whole number of downloads")
    if not isinstance(project := entry.get("project"), str):
        raise PackageError(f"rows[{i}].project is not a string")
    return count, project
