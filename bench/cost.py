"""Requests, bytes and CPU per package, per ecosystem, on the bundled demo registry.

Counts what the crawler asks of the registry only (the top-N list is read once per run and
is left out). CPU is this process's time inside ``package_result`` (fetching, decoding,
verifying, classifying; the demo server runs in a thread of this process, so its share is
included); peak RSS is the whole process's. For realistic document sizes, latency and
concurrency see bench/crawlers.py.

Then whole demo crawls, cold and warm (the second with the first one's crawl state, the
registry unchanged and answering conditional requests with 304, as PyPI and npm do), without
and with the signer backfill: ``--signer-backfill 0`` is what main did before it, the default
``1`` what it does now (README "Signer backfill"). Run: python bench/cost.py
"""

from __future__ import annotations

import hashlib
import json
import logging
import resource
import statistics
import time
from collections import Counter, defaultdict

import anyio
import httpx

from generator.crawl import RankedList, crawl, package_result
from generator.crawl_depth import DEFAULT_SIGNER_BACKFILL
from generator.demo import RECORDINGS
from generator.demo.server import Registry, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import SourceInfo
from generator.state import Entry, StateRun


async def measure(ecosystem: str) -> None:
    eco = REGISTRY[ecosystem]
    expected = json.loads((RECORDINGS / "expected.json").read_text())[ecosystem]
    rows: dict[str, list[tuple[int, int]]] = defaultdict(list)
    cpu: list[float] = []
    with serve(Registry.from_directory(RECORDINGS / ecosystem)) as url:
        for name, status in expected.items():
            if status == "error":
                continue
            async with Fetcher(url, HttpPolicy(attempts=1)) as fetcher:
                started = time.process_time()
                await package_result(eco, fetcher, 1, name)
                cpu.append(time.process_time() - started)
                rows[status].append((fetcher.stats.requests, fetcher.stats.bytes))
    every = [r for status_rows in rows.values() for r in status_rows]
    print(f"{eco.display_name}: {len(every)} readable packages")
    for status, status_rows in sorted(rows.items()):
        reqs = sorted({r for r, _ in status_rows})
        median = statistics.median(b for _, b in status_rows)
        print(f"  {status:<16} requests {reqs}  median bytes {median:,.0f}")
    print(
        f"  overall          requests/package {statistics.mean(r for r, _ in every):.2f}"
        f"  bytes/package median {statistics.median(b for _, b in every):,.0f}"
    )
    print(
        f"  CPU s/package    median {statistics.median(cpu):.4f}  mean {statistics.mean(cpu):.4f}"
        f"  peak RSS so far {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


class Recorded:
    """The demo recordings behind httpx.MockTransport, with an ETag on every document and a
    304 for a matching If-None-Match; ``log`` is (path, status) of every request."""

    def __init__(self, ecosystem: str) -> None:
        self.routes = Registry.from_directory(RECORDINGS / ecosystem).routes
        self.log: list[tuple[str, int]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        replies = self.routes.get(path) or self.routes.get(path.lower())
        if not replies:
            self.log.append((path, 404))
            return httpx.Response(404, json={"error": "Not found"})
        reply = replies[0]
        etag = '"' + hashlib.sha256(reply.body).hexdigest()[:20] + '"'
        status = 304 if request.headers.get("if-none-match") == etag else reply.status
        self.log.append((path, status))
        body = b"" if status == 304 else reply.body
        return httpx.Response(status, content=body, headers={"ETag": etag})


async def demo_crawls(ecosystem: str, k: int) -> tuple[Counter[str], Counter[str]]:
    """Requests of a cold and then a warm crawl of the whole demo list, by kind."""
    eco = REGISTRY[ecosystem]
    recorded = Recorded(ecosystem)
    names = list(json.loads((RECORDINGS / "expected.json").read_text())[ecosystem])
    ranked = RankedList(names, SourceInfo(kind="packages-file", location="demo", requested=0))
    kept: dict[str, Entry] = {}
    out = []
    for _ in range(2):
        policy = HttpPolicy(attempts=1)
        transport = httpx.MockTransport(recorded)
        mark = len(recorded.log)
        async with Fetcher("https://demo.test", policy, transport=transport) as fetcher:
            state = StateRun(previous=kept)
            with await crawl(
                eco, fetcher, ranked, demo=True, state=state, signer_backfill=k
            ) as crawled:
                kept = {key: Entry.model_validate_json(text) for key, text in crawled.entries()}
        out.append(Counter(_kind(path, status) for path, status in recorded.log[mark:]))
    return out[0], out[1]


def _kind(path: str, status: int) -> str:
    if status == 304:
        return "304"
    if "/integrity/" in path or "/attestations/" in path:
        return "provenance"
    return "other"


async def compare() -> None:
    print(
        "\ndemo crawl requests (the ranking source left out): "
        f"before = --signer-backfill 0 (main), after = --signer-backfill {DEFAULT_SIGNER_BACKFILL}"
    )
    print(f"  {'crawl':<14}{'before':>34}{'after':>34}")
    for ecosystem in REGISTRY:
        before = await demo_crawls(ecosystem, 0)
        after = await demo_crawls(ecosystem, DEFAULT_SIGNER_BACKFILL)
        for label, b, a in (("cold", before[0], after[0]), ("warm", before[1], after[1])):
            print(
                f"  {REGISTRY[ecosystem].display_name + ' ' + label:<14}"
                f"{_shown(b):>34}{_shown(a):>34}"
            )


def _shown(counts: Counter[str]) -> str:
    total = sum(counts.values())
    return f"{total} ({counts['provenance']} provenance, {counts['304']} × 304)"


async def main() -> None:
    # the demo registry serves no npm keys: said once per fetcher, and beside the point here
    logging.getLogger("generator.ecosystems.npm").setLevel(logging.ERROR)
    for ecosystem in REGISTRY:
        await measure(ecosystem)
    await compare()


if __name__ == "__main__":
    anyio.run(main)
