"""The crawler against real HTTP on 127.0.0.1: recorded responses and scripted faults."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler

import pytest

from generator.crawl import RankedList, crawl, ranked_list
from generator.demo import RECORDINGS
from generator.demo.server import Registry, Reply, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import SourceInfo, Status
from generator.verify import VerifyOptions

QUICK = HttpPolicy(attempts=3, backoff=0.01, max_wait=2, deadline=2, read_timeout=1)


def packument(name: str, when: str = "2025-06-01T00:00:00.000Z") -> bytes:
    return json.dumps(
        {
            "name": name,
            "dist-tags": {"latest": "1.0.0"},
            "versions": {
                "1.0.0": {
                    "name": name,
                    "version": "1.0.0",
                    "dist": {},
                    "repository": "github:o/" + name,
                }
            },
            "time": {"1.0.0": when},
        }
    ).encode()


def stall(seconds: float):
    def action(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)

    return action


async def run_npm(registry: Registry, names: list[str], policy: HttpPolicy = QUICK):
    npm = REGISTRY["npm"]
    with serve(registry) as url:
        async with Fetcher(url, policy) as fetcher:
            ranked = RankedList(
                names, SourceInfo(kind="packages-file", location="t", requested=len(names))
            )
            return await crawl(npm, fetcher, ranked), fetcher.stats


async def test_faults_cost_one_package_each() -> None:
    registry = Registry()
    ok = Reply(200, packument("ok"))
    registry.add("/ok", ok)
    registry.add(
        "/limited", Reply(429, b"", {"Retry-After": "1"}), Reply(200, packument("limited"))
    )
    registry.add("/flaky", Reply(500), Reply(502), Reply(200, packument("flaky")))
    registry.add("/down", Reply(503))
    registry.add("/garbage", Reply(200, b'{"name": "garbage", "dist-tags": {'))
    registry.add("/slow", Reply(action=stall(5)))
    started = time.monotonic()
    snapshot, stats = await run_npm(
        registry, ["ok", "limited", "flaky", "down", "missing", "garbage", "slow"]
    )
    elapsed = time.monotonic() - started
    by_name = {p.name: p for p in snapshot.packages}
    assert [p.name for p in snapshot.packages][:3] == ["ok", "limited", "flaky"]
    assert by_name["ok"].status is Status.MISSING
    assert by_name["limited"].status is Status.MISSING
    assert by_name["flaky"].status is Status.MISSING
    assert by_name["down"].error == "HTTP 503 (after 3 attempts)"
    assert by_name["missing"].error == "HTTP 404"
    assert by_name["garbage"].error is not None and "malformed JSON" in by_name["garbage"].error
    assert by_name["slow"].error == "timeout (ReadTimeout) (after 3 attempts)"
    # Retry budgets: exactly what the script needed, no more.
    assert registry.hits["/limited"] == 2
    assert registry.hits["/flaky"] == 3
    assert registry.hits["/down"] == 3
    assert registry.hits["/missing"] == 1 and registry.hits["/garbage"] == 1
    assert registry.hits["/slow"] == 3
    assert snapshot.summary.by_status[Status.ERROR] == 4
    assert elapsed < 12, f"the run took {elapsed:.1f} s"


async def test_retry_after_is_honoured() -> None:
    registry = Registry()
    registry.add("/p", Reply(429, b"", {"Retry-After": "1"}), Reply(200, packument("p")))
    started = time.monotonic()
    snapshot, _ = await run_npm(registry, ["p"])
    assert snapshot.packages[0].status is Status.MISSING
    assert time.monotonic() - started >= 0.95


async def test_retry_after_beyond_budget_gives_up_at_once() -> None:
    registry = Registry()
    registry.add("/p", Reply(429, b"", {"Retry-After": "3600"}))
    snapshot, _ = await run_npm(registry, ["p"])
    assert "Retry-After 3600 s" in (snapshot.packages[0].error or "")
    assert registry.hits["/p"] == 1


async def test_trickle_hits_the_overall_deadline() -> None:
    def trickle(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(0.3)
        except OSError:
            pass

    registry = Registry()
    registry.add("/p", Reply(action=trickle))
    policy = HttpPolicy(attempts=1, deadline=1.5, read_timeout=1)
    started = time.monotonic()
    snapshot, _ = await run_npm(registry, ["p"], policy)
    assert snapshot.packages[0].error == "no complete response within 1.5 s (after 1 attempt)"
    assert time.monotonic() - started < 4


async def test_size_cap_and_foreign_redirect() -> None:
    registry = Registry()
    registry.add("/big", Reply(200, b"[" + b"0," * 600_000 + b"0]"))
    registry.add("/bomb", Reply(200, b" " * 3_000_000 + packument("bomb"), gzip=True))
    registry.add("/away", Reply(302, b"", {"Location": "https://example.com/x"}))
    registry.add("/js", Reply(302, b"", {"Location": "javascript:alert(1)"}))
    registry.add("/loop", Reply(302, b"", {"Location": "/loop"}))
    registry.add("/moved", Reply(301, b"", {"Location": "/ok"}))
    registry.add("/ok", Reply(200, packument("ok")))
    policy = HttpPolicy(attempts=1, max_bytes=1024 * 1024, deadline=5)
    snapshot, _ = await run_npm(registry, ["big", "bomb", "away", "js", "loop", "moved"], policy)
    errors = {p.name: p.error for p in snapshot.packages}
    assert "over the 1 MiB cap" in (errors["big"] or "")
    assert "over the 1 MiB cap" in (errors["bomb"] or "")
    assert "another host" in (errors["away"] or "")
    assert "non-HTTP" in (errors["js"] or "")
    assert "redirects" in (errors["loop"] or "")
    assert errors["moved"] is None


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_demo_recording_classifies_as_intended(ecosystem: str) -> None:
    expected = json.loads((RECORDINGS / "expected.json").read_text())[ecosystem]
    eco = REGISTRY[ecosystem]
    registry = Registry.from_directory(RECORDINGS / ecosystem)
    with serve(registry) as url:
        top = f"{url}/top-pypi-packages-30-days.min.json" if ecosystem == "pypi" else None
        async with Fetcher(url, HttpPolicy(attempts=2, backoff=0.01)) as fetcher:
            ranked = await ranked_list(eco, fetcher, n=1000, top_source=top)
            snapshot = await crawl(eco, fetcher, ranked, demo=True)
    got = {p.name: p.status.value for p in snapshot.packages}
    assert got == expected
    assert len(got) >= 40
    statuses = set(got.values())
    assert statuses == {"attested", "unsupported-ci", "pre-attestation", "missing", "error"}
    assert [p.rank for p in snapshot.packages] == list(range(1, len(got) + 1))
    tp = {p.trusted_publishing for p in snapshot.packages if p.status is not Status.ERROR}
    assert True in tp and (False in tp or None in tp)
    kinds = {p.provenance.kind for p in snapshot.packages if p.provenance}
    assert {"GitHub", "GitLab"} <= kinds


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_demo_recording_verifies_and_flags_as_intended(ecosystem: str) -> None:
    """Under the demo's own trust root each attested package gets the verification, and each
    package exactly the consistency flags, that expected.json lists."""
    expected = json.loads((RECORDINGS / "expected.json").read_text())
    eco = REGISTRY[ecosystem]
    registry = Registry.from_directory(RECORDINGS / ecosystem)
    options = VerifyOptions(trusted_root=RECORDINGS / "trusted_root.json")
    with serve(registry) as url:
        top = f"{url}/top-pypi-packages-30-days.min.json" if ecosystem == "pypi" else None
        async with Fetcher(url, HttpPolicy(attempts=2, backoff=0.01)) as fetcher:
            ranked = await ranked_list(eco, fetcher, n=1000, top_source=top)
            snapshot = await crawl(eco, fetcher, ranked, demo=True, verify=options)
    flags = {
        p.name: [
            flag
            for flag in ("repository_mismatch", "provenance_dropped")
            if getattr(p, flag) is True
        ]
        for p in snapshot.packages
    }
    assert {name: f for name, f in flags.items() if f} == expected["signals"][ecosystem]
    verification = {
        p.name: p.verification.value for p in snapshot.packages if p.status is Status.ATTESTED
    }
    assert verification == expected["verification"][ecosystem]
    assert {"verified", "failed"} <= set(verification.values())
    assert snapshot.summary.provenance_dropped == 1 and snapshot.summary.repository_mismatch == 1
    verified = [p for p in snapshot.packages if p.verification.value == "verified"]
    assert all(p.build and p.build.log_index and p.build.integrated_time for p in verified)
    # The demo's log is not Sigstore's: its entries must not link to search.sigstore.dev.
    assert all(p.build and p.build.log_url is None for p in verified)
    google = {p.name for p in verified if p.provenance and p.provenance.kind == "Google"}
    assert all(p.build and p.build.commit for p in verified if p.name not in google)
    assert {p.build.issuer for p in verified if p.build} >= {
        "https://token.actions.githubusercontent.com",
        "https://gitlab.com",
    }


async def test_demo_not_verified_when_skipped() -> None:
    registry = Registry.from_directory(RECORDINGS / "npm")
    with serve(registry) as url:
        async with Fetcher(url, HttpPolicy(attempts=2, backoff=0.01)) as fetcher:
            ranked = RankedList(
                ["fictional-arrow", "fictional-ivy"],
                SourceInfo(kind="packages-file", location="t", requested=2),
            )
            snapshot = await crawl(REGISTRY["npm"], fetcher, ranked, verify=VerifyOptions(skip="x"))
    arrow, ivy = snapshot.packages
    assert arrow.verification.value == "not-checked" and arrow.verification_reason == "x"
    assert arrow.build is not None and arrow.build.commit, "unverified build facts are still read"
    assert ivy.verification_reason is None and ivy.provenance_dropped
