"""The crawler against real HTTP on 127.0.0.1, on the bundled demo recordings.

Scripted registry faults (429, 5xx, timeouts, trickles, caps, redirects ...) are the fault
catalogue's job: ``tests/faults/scenarios.py``, run by ``tests/faults/test_registry_faults.py``.
"""

from __future__ import annotations

import json

import pytest

from generator.crawl import RankedList, crawl, ranked_list
from generator.demo import RECORDINGS
from generator.demo.server import Registry, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import SourceInfo, Status
from generator.verify import VerifyOptions
from tests.builders import whole


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_demo_recording_classifies_as_intended(ecosystem: str) -> None:
    expected = json.loads((RECORDINGS / "expected.json").read_text())[ecosystem]
    eco = REGISTRY[ecosystem]
    registry = Registry.from_directory(RECORDINGS / ecosystem)
    with serve(registry) as url:
        top = f"{url}/top-pypi-packages-30-days.min.json" if ecosystem == "pypi" else None
        async with Fetcher(url, HttpPolicy(attempts=2, backoff=0.01)) as fetcher:
            ranked = await ranked_list(eco, fetcher, n=1000, top_source=top)
            snapshot = whole(await crawl(eco, fetcher, ranked, demo=True))
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
            snapshot = whole(await crawl(eco, fetcher, ranked, demo=True, verify=options))
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
    dropped = sum(1 for f in expected["signals"][ecosystem].values() if "provenance_dropped" in f)
    assert snapshot.summary.provenance_dropped == dropped
    assert snapshot.summary.repository_mismatch == 1
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
            snapshot = whole(
                await crawl(REGISTRY["npm"], fetcher, ranked, verify=VerifyOptions(skip="x"))
            )
    arrow, ivy = snapshot.packages
    assert arrow.verification.value == "not-checked" and arrow.verification_reason == "x"
    assert arrow.build is not None and arrow.build.commit, "unverified build facts are still read"
    assert ivy.verification_reason is None and ivy.provenance_dropped
