"""Verification time per package, on the real signed samples (../shared/registry-samples).

Times ``generator.verify.pypi.verify_pypi`` / ``npm.verify_npm`` end to end (parse, signature,
certificate chain at log time, transparency-log proof, digest binding, build facts), offline.
The first call also loads the trust root and imports sigstore; it is reported apart.

Then crawls the demo registry (signed under its own trust root) with verification and with
``--no-verify``, and prints requests and time for each: verification must add no request.

Run: python bench/verify.py [--rounds N]   (samples: $ATTESTED_YET_SAMPLES or the sibling path)
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio

from generator.crawl import crawl, ranked_list
from generator.demo import RECORDINGS, serve_demo
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import Verification
from generator.verify import VerifyOptions
from generator.verify.npm import verify_npm
from generator.verify.pypi import verify_pypi

PYPI = [
    "pypi_attestations-0.0.19.tar.gz",
    "sampleproject-4.0.0.tar.gz",
    "pep740_sampleproject-1.0.0.tar.gz",
    "gcb_attestation_test-0.0.0.tar.gz",
]


def samples_dir() -> Path:
    configured = os.environ.get("ATTESTED_YET_SAMPLES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "registry-samples"


def timed(call: Callable[[], Any], rounds: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    first = call()
    cold = time.perf_counter() - started
    assert first.verification is Verification.VERIFIED, first.reason
    runs = []
    for _ in range(rounds):
        started = time.perf_counter()
        call()
        runs.append(time.perf_counter() - started)
    return cold, runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    rounds = parser.parse_args().rounds
    root = samples_dir()
    if not root.is_dir():
        sys.exit(f"samples not found at {root} (set ATTESTED_YET_SAMPLES)")

    pypi_runs: list[float] = []
    colds = []
    for filename in PYPI:
        raw = json.loads((root / "pypi/integrity" / f"{filename}.provenance.json").read_text())
        att = raw["attestation_bundles"][0]["attestations"][0]
        statement = json.loads(base64.b64decode(att["envelope"]["statement"]))
        sha256 = statement["subject"][0]["digest"]["sha256"]
        cold, runs = timed(lambda r=raw, f=filename, s=sha256: verify_pypi(r, f, s), rounds)
        colds.append(cold)
        pypi_runs += runs
        print(f"PyPI {filename:<40} median {statistics.median(runs) * 1000:6.2f} ms")
    print(
        f"PyPI per package (one provenance object): median "
        f"{statistics.median(pypi_runs) * 1000:.2f} ms over {len(pypi_runs)} runs; "
        f"first call {colds[0] * 1000:.0f} ms (imports, trust root)"
    )

    raw = json.loads((root / "npm/attestations/playwright-cli-0.1.1.attestations.json").read_text())
    payload = raw["attestations"][1]["bundle"]["dsseEnvelope"]["payload"]
    digest = json.loads(base64.b64decode(payload))["subject"][0]["digest"]["sha512"]
    integrity = "sha512-" + base64.b64encode(bytes.fromhex(digest)).decode()
    cold, runs = timed(lambda: verify_npm(raw, "@playwright/cli", "0.1.1", integrity), rounds)
    print(
        f"npm per package (SLSA bundle): median {statistics.median(runs) * 1000:.2f} ms over "
        f"{len(runs)} runs; first call {cold * 1000:.0f} ms (imports, trust root)"
    )
    per_1000 = (statistics.median(pypi_runs) + statistics.median(runs)) / 2 * 1000
    print(f"1,000 attested packages: about {per_1000:.1f} s of CPU for verification")


async def demo_crawls(urls: dict[str, str]) -> None:
    modes = {
        "verify": VerifyOptions(trusted_root=RECORDINGS / "trusted_root.json"),
        "no-verify": VerifyOptions(skip="--no-verify"),
    }
    for name in ("pypi", "npm"):
        eco = REGISTRY[name]
        for label, options in modes.items():
            async with Fetcher(urls[name], HttpPolicy(attempts=1)) as fetcher:
                ranked = await ranked_list(eco, fetcher, n=1000, top_source=urls.get(f"top-{name}"))
                started = time.perf_counter()
                with await crawl(eco, fetcher, ranked, verify=options) as crawled:
                    snapshot = crawled.snapshot()
                elapsed = time.perf_counter() - started
            attested = snapshot.summary.by_status["attested"]
            outcomes = {v.value: n for v, n in snapshot.summary.by_verification.items()}
            print(
                f"demo {name:<4} {label:<9} {len(ranked.names)} packages ({attested} attested): "
                f"{fetcher.stats.requests} requests, {elapsed:.2f} s, {outcomes}"
            )


if __name__ == "__main__":
    main()
    with serve_demo() as demo_urls:
        anyio.run(demo_crawls, demo_urls)
