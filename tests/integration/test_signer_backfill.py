"""Signer backfill (issue 11): what a crawl asks for, by request log, never by time.

A small in-memory registry per ecosystem (httpx.MockTransport, no socket) serves a package
with several attested releases, each signed from a repository the test chooses, with ETags
so that a second crawl is conditional (304) as in production.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest

from generator.crawl import RankedList, crawl
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy, Unchanged
from generator.models import PackageResult, SourceInfo
from generator.state import Entry, StateRun
from generator.verify import VerifyOptions
from tests.builders import whole

NAME = {"pypi": "proj", "npm": "pkg"}
SKIP = VerifyOptions(skip="signatures are not the subject of these tests")
POLICY = HttpPolicy(attempts=1, deadline=5)


@dataclass
class Rel:
    version: str
    day: int
    repo: str | None  # owner/name of the signer; None: not attested
    workflow: str = "release.yml"


@dataclass
class Registry:
    """Documents by path for one package; ``log`` is (path, conditional, status)."""

    ecosystem: str
    releases: list[Rel]
    failing: set[str] = field(default_factory=set)
    log: list[tuple[str, bool, int]] = field(default_factory=list)

    def provenance_path(self, version: str) -> str:
        if self.ecosystem == "npm":
            return f"/-/npm/v1/attestations/pkg@{version}"
        return f"/integrity/proj/{version}/proj-{version}.tar.gz/provenance"

    def provenance_hits(self) -> list[str]:
        """Versions whose provenance was asked for, in order."""
        return [
            version
            for path, _, _ in self.log
            for version in [r.version for r in self.releases]
            if path == self.provenance_path(version)
        ]

    def documents(self) -> dict[str, Any]:
        build = npm_documents if self.ecosystem == "npm" else pypi_documents
        return build(self)

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        conditional = "if-none-match" in request.headers
        docs = self.documents()
        if path in self.failing:
            status, response = 500, httpx.Response(500, json={"message": "boom"})
        elif path not in docs:
            status, response = 404, httpx.Response(404, json={"message": "Not Found"})
        else:
            body = json.dumps(docs[path]).encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if request.headers.get("if-none-match") == etag:
                status, response = 304, httpx.Response(304, headers={"ETag": etag})
            else:
                status, response = 200, httpx.Response(200, content=body, headers={"ETag": etag})
        self.log.append((path, conditional, status))
        return response


def when(day: int) -> str:
    return f"2026-01-{day:02d}T10:00:00.000Z"


def slsa_document(repo: str, workflow: str) -> dict[str, Any]:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "externalParameters": {
                    "workflow": {
                        "repository": f"https://github.com/{repo}",
                        "path": f".github/workflows/{workflow}",
                        "ref": "refs/tags/v1",
                    }
                }
            }
        },
    }
    payload = base64.b64encode(json.dumps(statement).encode()).decode()
    bundle = {"dsseEnvelope": {"payload": payload, "payloadType": "application/vnd.in-toto+json"}}
    return {"attestations": [{"predicateType": "https://slsa.dev/provenance/v1", "bundle": bundle}]}


def npm_documents(reg: Registry) -> dict[str, Any]:
    versions: dict[str, Any] = {}
    docs: dict[str, Any] = {}
    for r in reg.releases:
        dist: dict[str, Any] = {"integrity": "sha512-AA=="}
        if r.repo is not None:
            url = "https://registry.npmjs.org" + reg.provenance_path(r.version)
            dist["attestations"] = {"url": url, "provenance": {"predicateType": "x"}}
            docs[reg.provenance_path(r.version)] = slsa_document(r.repo, r.workflow)
        versions[r.version] = {"name": "pkg", "version": r.version, "dist": dist}
    latest = reg.releases[-1].version
    docs["/pkg"] = {
        "name": "pkg",
        "dist-tags": {"latest": latest},
        "versions": versions,
        "time": {r.version: when(r.day) for r in reg.releases},
        "repository": "github:o/r",
    }
    return docs


def pypi_documents(reg: Registry) -> dict[str, Any]:
    files = []
    docs: dict[str, Any] = {}
    for r in reg.releases:
        filename = f"proj-{r.version}.tar.gz"
        provenance = None
        if r.repo is not None:
            provenance = "https://pypi.org" + reg.provenance_path(r.version)
            publisher = {"kind": "GitHub", "repository": r.repo, "workflow": r.workflow}
            docs[reg.provenance_path(r.version)] = {
                "version": 1,
                "attestation_bundles": [{"publisher": publisher, "attestations": []}],
            }
        files.append(
            {
                "filename": filename,
                "hashes": {"sha256": "ab" * 32},
                "provenance": provenance,
                "upload-time": when(r.day),
                "yanked": False,
            }
        )
    latest = reg.releases[-1]
    docs["/simple/proj/"] = {
        "meta": {"api-version": "1.4", "_last-serial": 7},
        "name": "proj",
        "files": files,
        "versions": [r.version for r in reg.releases],
    }
    docs[f"/pypi/proj/{latest.version}/json"] = {
        "info": {
            "name": "proj",
            "version": latest.version,
            "project_urls": {"Source": "https://github.com/o/r"},
        },
        "urls": [
            {
                "filename": f"proj-{latest.version}.tar.gz",
                "upload_time_iso_8601": when(latest.day),
                "digests": {"sha256": "ab" * 32},
                "yanked": False,
            }
        ],
    }
    return docs


async def run(reg: Registry, k: int, state: Kept | None = None) -> PackageResult:
    """Crawl the package once with ``state``'s entries, and leave the new ones in it."""
    eco = REGISTRY[reg.ecosystem]
    ranked = RankedList(
        [NAME[reg.ecosystem]], SourceInfo(kind="packages-file", location="test", requested=1)
    )
    transport = httpx.MockTransport(reg.handler)
    previous = StateRun(previous=state.previous if state else {})
    async with Fetcher("https://registry.test", POLICY, transport=transport) as fetcher:
        with await crawl(
            eco, fetcher, ranked, verify=SKIP, state=previous, signer_backfill=k
        ) as crawled:
            (row,) = crawled.packages()
            if state is not None:
                state.entries = {k: Entry.model_validate_json(t) for k, t in crawled.entries()}
    assert row.status.value == "attested", row.reason
    return row


@dataclass
class Kept:
    """A crawl's state entries: what it started from, and what it left behind."""

    previous: dict[str, Entry] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)


def moved() -> list[Rel]:
    """1.0 and 1.1 from o/old; 1.2, the latest, from o/r: a change between the latest and
    the release it is compared with."""
    return [Rel("1.0", 1, "o/old"), Rel("1.1", 2, "o/old"), Rel("1.2", 3, "o/r")]


ECOSYSTEMS = pytest.mark.parametrize("ecosystem", ["pypi", "npm"])


@ECOSYSTEMS
async def test_a_cold_crawl_sees_a_changed_repository(ecosystem: str) -> None:
    reg = Registry(ecosystem, moved())
    row = await run(reg, k=1)
    # exactly one extra document: the release the latest is compared with
    assert reg.provenance_hits() == ["1.2", "1.1"]
    assert row.timeline is not None and row.timeline.provenance_changed
    (change,) = row.timeline.changed
    assert (change.before, change.after) == ("1.1", "1.2")
    assert "o/old" in change.reason and "o/r" in change.reason
    latest, before, oldest = row.timeline.releases
    assert latest.provenance_state.value == "changed"  # warehouse's state follows
    assert before.repositories == ["https://github.com/o/old"]
    assert before.workflows == ["release.yml"]
    assert oldest.attested and oldest.repositories == [], "at most K per package and run"


@ECOSYSTEMS
async def test_a_changed_workflow_alone_is_a_change(ecosystem: str) -> None:
    reg = Registry(ecosystem, [Rel("1.0", 1, "o/r", "ci.yml"), Rel("1.1", 2, "o/r")])
    row = await run(reg, k=1)
    assert row.timeline is not None and row.timeline.provenance_changed
    assert "workflow ci.yml became release.yml" in row.timeline.changed[0].reason


@ECOSYSTEMS
@pytest.mark.parametrize(("k", "fetched"), [(0, []), (1, ["1.1"]), (2, ["1.1", "1.0"])])
async def test_k_bounds_the_documents_newest_first(
    ecosystem: str, k: int, fetched: list[str]
) -> None:
    reg = Registry(ecosystem, moved())
    row = await run(reg, k=k)
    assert reg.provenance_hits() == ["1.2", *fetched]
    assert row.timeline is not None
    assert row.timeline.provenance_changed is (k > 0)
    known = [r.version for r in row.timeline.releases if r.repositories]
    assert sorted(known) == sorted(["1.2", *fetched])


@ECOSYSTEMS
async def test_unattested_and_known_releases_cost_nothing(ecosystem: str) -> None:
    reg = Registry(ecosystem, [Rel("1.0", 1, None), Rel("1.1", 2, "o/r")])
    row = await run(reg, k=3)
    assert reg.provenance_hits() == ["1.1"], "only the latest's provenance, as before"
    assert row.timeline is not None and not row.timeline.provenance_changed


@ECOSYSTEMS
async def test_a_warm_run_over_an_unchanged_registry_makes_no_extra_request(
    ecosystem: str,
) -> None:
    reg = Registry(ecosystem, moved())
    first = Kept()
    cold = await run(reg, k=1, state=first)
    mark = len(reg.log)
    warm = await run(reg, k=1, state=Kept(previous=first.entries))
    assert reg.log[mark:] == [
        (f"/{NAME[ecosystem]}" if ecosystem == "npm" else "/simple/proj/", True, 304)
    ]
    assert warm.timeline == cold.timeline


@ECOSYSTEMS
async def test_a_304_leaves_no_cycle_for_the_collector(ecosystem: str) -> None:
    # The signal of a 304 passed tenacity's attempt, which holds it: its traceback made a
    # cycle per package, which only the collector frees (a warm crawl grew until it ran).
    reg = Registry(ecosystem, moved())
    first = Kept()
    await run(reg, k=1, state=first)
    gc.collect()
    gc.disable()
    try:
        await run(reg, k=1, state=Kept(previous=first.entries))
        left = [o for o in gc.get_objects() if isinstance(o, Unchanged)]
    finally:
        gc.enable()
    assert reg.log[-1][2] == 304 and left == []


@ECOSYSTEMS
async def test_a_new_release_does_not_fetch_a_remembered_signer_again(ecosystem: str) -> None:
    reg = Registry(ecosystem, moved())
    first = Kept()
    await run(reg, k=1, state=first)
    mark = len(reg.log)
    reg.releases.append(Rel("1.3", 4, "o/r"))
    second = Kept(previous=first.entries)
    row = await run(reg, k=1, state=second)
    fetched = [p for p, _, _ in reg.log[mark:] if "attestations" in p or "integrity" in p]
    # 1.3's own provenance (the latest's, read as always) and one older unknown signer (1.0);
    # 1.2 (the latest last time) and 1.1 (backfilled last time) come from the crawl state
    assert fetched == [reg.provenance_path("1.3"), reg.provenance_path("1.0")]
    assert row.timeline is not None
    assert all(r.repositories for r in row.timeline.releases)
    assert [(c.before, c.after) for c in row.timeline.changed] == [("1.1", "1.2")]
    # and the third run, after yet another release, fetches only the new latest's
    mark = len(reg.log)
    reg.releases.append(Rel("1.4", 5, "o/r"))
    await run(reg, k=1, state=Kept(previous=second.entries))
    fetched = [p for p, _, _ in reg.log[mark:] if "attestations" in p or "integrity" in p]
    assert fetched == [reg.provenance_path("1.4")]


@ECOSYSTEMS
async def test_a_failing_backfill_costs_that_fact_only(ecosystem: str) -> None:
    without = await run(Registry(ecosystem, moved()), k=0)
    reg = Registry(ecosystem, moved())
    reg.failing.add(reg.provenance_path("1.1"))
    state = Kept()
    row = await run(reg, k=1, state=state)
    assert (reg.provenance_path("1.1"), False, 500) in reg.log
    assert row == without
    assert NAME[ecosystem] in state.entries, "the row is still kept for the next crawl"
    # the next fresh read asks for it again (nothing was learnt), and then learns it
    reg.failing.clear()
    reg.releases.append(Rel("1.3", 4, "o/r"))
    again = await run(reg, k=1, state=Kept(previous=state.entries))
    assert again.timeline is not None
    assert [(c.before, c.after) for c in again.timeline.changed] == [("1.1", "1.2")]


@ECOSYSTEMS
async def test_a_listed_location_never_sends_the_crawler_to_another_host(ecosystem: str) -> None:
    reg = Registry(ecosystem, moved())
    hosts: list[str] = []
    handler = reg.handler

    def spy(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return handler(request)

    reg.handler = spy  # type: ignore[method-assign]
    await run(reg, k=1)
    assert set(hosts) == {"registry.test"}  # the documents list pypi.org / registry.npmjs.org


@ECOSYSTEMS
async def test_the_package_deadline_bounds_the_backfill_and_costs_that_fact_only(
    ecosystem: str,
) -> None:
    without = await run(Registry(ecosystem, moved()), k=0)
    reg = Registry(ecosystem, moved())
    slow = reg.provenance_path("1.1")
    answer = reg.handler

    async def hanging(request: httpx.Request) -> httpx.Response:
        if request.url.raw_path.decode() == slow:
            await anyio.sleep_forever()
        return answer(request)

    reg.handler = hanging  # type: ignore[assignment]
    eco = REGISTRY[ecosystem]
    ranked = RankedList(
        [NAME[ecosystem]], SourceInfo(kind="packages-file", location="test", requested=1)
    )
    policy = HttpPolicy(attempts=1, deadline=30, package_deadline=1)
    transport = httpx.MockTransport(reg.handler)
    async with Fetcher("https://registry.test", policy, transport=transport) as fetcher:
        snapshot = whole(await crawl(eco, fetcher, ranked, verify=SKIP, signer_backfill=1))
    assert snapshot.packages == [without]


@ECOSYSTEMS
async def test_nothing_is_backfilled_for_a_row_that_will_not_be_stored(ecosystem: str) -> None:
    reg = Registry(ecosystem, moved())
    reg.failing.add(reg.provenance_path("1.2"))  # the latest's: the row is not kept
    state = Kept()
    await run(reg, k=1, state=state)
    assert reg.provenance_hits() == ["1.2"]
    assert state.entries == {}
