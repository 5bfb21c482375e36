"""npm: the full packument, plus the attestations endpoint for attested releases.

Requests per package: ``/<name>`` (the full packument: ``dist-tags``, ``time``, and
``_npmUser``, which the abbreviated document lacks), and, only when the latest version has
``dist.attestations``, one ``/-/npm/v1/attestations/<name>@<version>`` for the builder identity.
When the crawl asks (signer backfill, ``release_signer``), an earlier version's attestations at
its ``dist.attestations.url``, at most K per package.

That document is handed over (``Observation``) with the packument's ``dist.integrity``, so the
verification stage can check its SLSA bundle without another request. Earlier versions'
``dist.attestations`` in the same packument give ``provenance_dropped``.
"""

from __future__ import annotations

import gzip
import heapq
import io
import json
import logging
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit
from weakref import WeakKeyDictionary

import anyio

from generator.ecosystems._provenance import fetch_listed, fetch_provenance
from generator.ecosystems._shape import arr, obj, opt_text, text, timestamp
from generator.ecosystems.base import FeedRead, TopList
from generator.ecosystems.info import EcosystemInfo
from generator.ecosystems.timeline_facts import (
    npm_depth,
    npm_signer_sources,
    npm_tarball_name,
    signer_of,
)
from generator.errors import PackageError, SourceError
from generator.http import Fetcher
from generator.models import (
    Evidence,
    NpmKey,
    NpmSubject,
    Observation,
    Provenance,
    RegistrySigned,
)
from generator.repository import normalize_repository
from generator.slsa import parse_predicate, slsa_entry, statement_predicate
from generator.sources import read_location

log = logging.getLogger(__name__)

#: npm's registry signing keys (ECDSA P-256), as ``npm audit signatures`` falls back to them.
KEYS_PATH = "/-/npm/v1/keys"

#: npm's public replication host, 2025 API ("Changes to npm replication feeds APIs", GitHub
#: changelog 2025-04-22). Its root ``GET /`` gives ``update_seq`` (and ``doc_count``);
#: ``GET /registry/_changes?since=S&limit=L`` gives ``{"results": [{"seq", "id",
#: "changes"}], "last_seq"}`` (names only, L ≤ 10,000). A root without ``update_seq`` (a plain
#: CouchDB server's welcome) is followed by CouchDB's database info, ``GET /registry/``.
DEFAULT_CHANGES_URL = "https://replicate.npmjs.com"
FEED_DB = "/registry"
CHANGES_LIMIT = 10_000
COUNTS_PACKAGE = "download-counts"
COUNTS_MEMBER = "package/counts.json"
COUNTS_WINDOW = "last-month"
MAX_TARBALL = 128 * 1024 * 1024
MAX_COUNTS = 512 * 1024 * 1024
#: Entries of a download-counts tarball looked at before ``counts.json`` must have come.
MAX_MEMBERS = 64
_VALID_NAME = re.compile(r"^(?:@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9_][a-z0-9._~-]*$", re.IGNORECASE)
# "name": count pairs of counts.json, read without building a 3.7-million-entry dict.
_COUNT_PAIR = re.compile(rb'"((?:[^"\\]|\\.)*)"\s*:\s*(\d+)')


def _shown(name: str) -> str:
    """A registry-given name for a message: at most 100 characters, always valid UTF-8."""
    return name[:100].encode("utf-8", "backslashreplace").decode("utf-8")


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
    """Names only of :func:`top_pairs_from_counts`."""
    return [name for _, name in top_pairs_from_counts(counts, n)]


def top_pairs_from_counts(counts: bytes, n: int) -> list[tuple[int, str]]:
    """(count, name) of the ``n`` valid names with the highest counts, ties broken by name
    (counts.json order is meaningless by the JSON spec), with every invalid name that ranks
    among them, in rank order: the ranking drops and counts those, so invalid names at the
    top cannot push the valid ones out of the list."""
    invalid: list[tuple[int, str]] = []

    def valid() -> Iterator[tuple[int, str]]:
        for pair in _count_pairs(counts):
            if normalize_name(pair[1]) is None:
                invalid.append(pair)
            else:
                yield pair

    best = heapq.nsmallest(n, valid(), key=_by_count)
    cut = _by_count(best[-1]) if len(best) == n else None  # fewer: every name ranks
    above = [p for p in invalid if cut is None or _by_count(p) < cut]
    return sorted(best + above, key=_by_count)


def _by_count(pair: tuple[int, str]) -> tuple[int, str]:
    return -pair[0], pair[1]


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


@dataclass
class _KeyState:
    lock: anyio.Lock
    done: bool = False
    keys: tuple[NpmKey, ...] | None = None


def parse_keys(document: Any) -> tuple[NpmKey, ...]:
    """The keys of a ``/-/npm/v1/keys`` document; raises ``PackageError`` when unreadable."""
    keys = []
    for i, item in enumerate(arr(obj(document, "keys document").get("keys"), "keys")):
        entry = obj(item, f"keys[{i}]")
        expires = entry.get("expires")
        keys.append(
            NpmKey(
                keyid=text(entry.get("keyid"), f"keys[{i}].keyid"),
                key=text(entry.get("key"), f"keys[{i}].key"),
                expires=None if expires is None else timestamp(expires, f"keys[{i}].expires"),
            )
        )
    return tuple(keys)


def dist_signatures(value: Any) -> tuple[tuple[str, str], ...]:
    """``dist.signatures`` as (keyid, sig) pairs; an entry that is not two strings is kept as
    an empty pair so that it fails the check rather than vanishing."""
    if not isinstance(value, list):
        return ()
    pairs: list[tuple[str, str]] = []
    for entry in value:
        keyid = entry.get("keyid") if isinstance(entry, dict) else None
        sig = entry.get("sig") if isinstance(entry, dict) else None
        if isinstance(keyid, str) and isinstance(sig, str):
            pairs.append((keyid, sig))
        else:
            pairs.append(("", ""))
    return tuple(pairs)


class Npm:
    info = INFO
    name = INFO.name
    display_name = INFO.display_name
    default_url = INFO.default_url
    website = INFO.website
    attestation_cutoff = INFO.attestation_cutoff

    #: A page of the feed replaces up to 10,000 conditional requests: it pays from one package.
    feed_min_packages = 1
    default_feed_url: str | None = DEFAULT_CHANGES_URL

    def __init__(self) -> None:
        self._keys: WeakKeyDictionary[Fetcher, _KeyState] = WeakKeyDictionary()

    def normalize(self, name: str) -> str | None:
        return normalize_name(name)

    async def change_feed(self, fetcher: Fetcher, since: int | None, budget: int) -> FeedRead:
        """The names changed since ``since`` from the replication feed (``fetcher`` is on the
        feed's URL). Without ``since`` only the position is read (nothing can be skipped)."""
        root = obj(await fetcher.get_json("/"), "feed root")
        if "update_seq" not in root:
            root = obj(await fetcher.get_json(f"{FEED_DB}/"), "feed database")
        position = _seq(root.get("update_seq"))
        if since is None:
            return FeedRead(position=position)
        if position < since:
            raise PackageError(f"the feed's sequence went back ({since} → {position}): reset")
        changed: set[str] = set()
        at, requests = since, 1
        while at < position:
            if requests >= budget:
                raise PackageError(f"more than {budget} requests of changes: cheaper without")
            page = obj(
                await fetcher.get_json(f"{FEED_DB}/_changes?since={at}&limit={CHANGES_LIMIT}"),
                "changes page",
            )
            requests += 1
            for i, item in enumerate(arr(page.get("results"), "results")):
                entry = obj(item, f"results[{i}]")
                if _seq(entry.get("seq")) <= at:
                    raise PackageError(f"a change at or before the position asked for ({at})")
                changed.add(text(entry.get("id"), f"results[{i}].id"))
            last = _seq(page.get("last_seq"))
            if last <= at:
                raise PackageError(f"the feed stopped at {last}, short of {position}: a gap")
            at = last
        return FeedRead(position=position, changed=frozenset(changed))

    async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
        if normalize_name(name) is None:
            raise PackageError("not a valid npm package name")
        doc = obj(await fetcher.get_json(f"/{path_name(name)}"), "packument")
        answered = opt_text(doc.get("name"))
        if answered is not None and answered != name:
            # Rows are keyed by the name asked for; an answer for another package is no answer.
            raise PackageError(f"registry answered for {_shown(answered)}")
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
        signatures = dist_signatures(dist.get("signatures"))
        # The packument stays for the release timeline (read once the signer is known).
        del versions, times, manifest, dist
        provenance = provenance_url = raw = unreadable = broken = None
        if attested:
            path = f"/-/npm/v1/attestations/{ref}"
            provenance_url = f"{self.default_url}{path}"
            raw, unreadable, broken = await fetch_provenance(
                fetcher,
                path,
                "application/json",
                "dist.attestations lists provenance, but the registry has none (404)",
                "the attestations document",
            )
            # The verdict stands on dist.attestations; the document is extra.
            provenance = builder_identity(raw) if raw is not None else None
        signer = signer_of(npm_tarball_name(str(doc.get("name") or name), latest), provenance)
        depth = npm_depth(doc, latest, signer)
        sources = npm_signer_sources(doc, depth["timeline"])
        evidence = Evidence(
            **depth,
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
        signed = RegistrySigned(
            name,
            latest,
            integrity,
            published,
            signatures,
            await self.keys(fetcher) if signatures else None,
        )
        return Observation(
            evidence, raw, subject, unreadable, broken, signed, signer_sources=sources
        )

    async def release_signer(self, fetcher: Fetcher, source: str) -> Provenance | None:
        """The builder identity of the attestations document at ``source`` (a version's
        ``dist.attestations.url``), as :func:`builder_identity` reads the latest's."""
        return builder_identity(await fetch_listed(fetcher, source, "application/json"))

    async def keys(self, fetcher: Fetcher) -> tuple[NpmKey, ...] | None:
        """The registry's signing keys (``/-/npm/v1/keys``), fetched once per fetcher (one per
        run) however many packages ask; None, logged once, when they cannot be read."""
        state = self._keys.get(fetcher)
        if state is None:
            state = self._keys[fetcher] = _KeyState(anyio.Lock())
        async with state.lock:
            if not state.done:
                # Shielded, so the first package's deadline cannot leave it half done (and
                # every later package trying again); bounded by one request's deadline, so a
                # slow keys endpoint costs at most that, once, and then only this field.
                why: str | None = f"no answer within {fetcher.policy.deadline:g} s"
                with anyio.CancelScope(shield=True), anyio.move_on_after(fetcher.policy.deadline):
                    try:
                        state.keys = parse_keys(await fetcher.get_json(KEYS_PATH))
                        why = None
                    except PackageError as exc:
                        why = str(exc)
                if why is not None:
                    log.warning(
                        "npm registry keys unreadable at %s (%s): registry_signature is "
                        "unknown-key on every row",
                        fetcher.url(KEYS_PATH),
                        why,
                    )
                state.done = True
        return state.keys

    async def top(self, fetcher: Fetcher, source: str | None, n: int) -> TopList:
        if source:
            body = await read_location(source, fetcher.policy, MAX_COUNTS)
            counts = _counts_from(body, source)
            location = source
        else:
            counts, location = await self._counts_from_registry(fetcher)
        pairs = top_pairs_from_counts(counts, max(n * 2, n + 100))
        if not pairs:
            raise SourceError(f"{location} lists no packages")
        # download-counts' counts.json: each package's downloads in the month before the
        # package version's date (nice-registry/download-counts).
        return TopList([name for _, name in pairs], location, [c for c, _ in pairs], COUNTS_WINDOW)

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


def _seq(value: Any) -> int:
    """A feed sequence number; an opaque (non-integer) one cannot be compared: an error."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise PackageError(f"a feed sequence that is not a whole number ({str(value)[:40]!r})")
    return value


def _counts_from(body: bytes, location: str, max_member: int = MAX_COUNTS) -> bytes:
    """counts.json from a download-counts tarball, or the body itself if it is JSON.

    Entries are read one by one (``r:gz``, which inflates in small steps; the ``r|gz`` stream
    mode inflates a whole read at once, a bomb's worth): ``counts.json`` must be among the
    first :data:`MAX_MEMBERS` entries and is refused on its header's size (over
    ``max_member``) before a byte of it is inflated."""
    if body[:2] == b"\x1f\x8b":
        try:
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as archive:
                for seen, member in enumerate(archive):
                    if seen >= MAX_MEMBERS:
                        break
                    if member.name != COUNTS_MEMBER:
                        continue
                    if member.size > max_member:
                        raise SourceError(
                            f"{location}: counts.json is larger than {max_member} bytes"
                        )
                    handle = archive.extractfile(member)
                    if handle is None:
                        raise SourceError(f"{location}: counts.json is not a file")
                    return handle.read()
        except (tarfile.TarError, OSError, EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise SourceError(f"{location} is not a download-counts tarball ({exc})") from None
        raise SourceError(f"{location} is not a download-counts tarball (no {COUNTS_MEMBER})")
    if not body.lstrip().startswith(b"{"):
        raise SourceError(f"{location} is not a JSON object of package → download count")
    return body
