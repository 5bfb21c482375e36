"""Requests, bytes and CPU per package, per ecosystem, on the bundled demo registry.

Counts what the crawler asks of the registry only (the top-N list is read once per run and
is left out). CPU is this process's time inside ``package_result`` (fetching, decoding,
verifying, classifying; the demo server runs in a thread of this process, so its share is
included); peak RSS is the whole process's. For realistic document sizes, latency and
concurrency see bench/crawlers.py. Run: python bench/cost.py
"""

from __future__ import annotations

import json
import resource
import statistics
import time
from collections import defaultdict

import anyio

from generator.crawl import package_result
from generator.demo import RECORDINGS
from generator.demo.server import Registry, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy


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


async def main() -> None:
    for ecosystem in REGISTRY:
        await measure(ecosystem)


if __name__ == "__main__":
    anyio.run(main)
