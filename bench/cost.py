"""Requests and bytes per package, per ecosystem, on the bundled demo registry.

Counts what the crawler asks of the registry only (the top-N list is read once per run and
is left out). Run: python bench/cost.py
"""

from __future__ import annotations

import json
import statistics
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
    with serve(Registry.from_directory(RECORDINGS / ecosystem)) as url:
        for name, status in expected.items():
            if status == "error":
                continue
            async with Fetcher(url, HttpPolicy(attempts=1)) as fetcher:
                await package_result(eco, fetcher, 1, name)
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


async def main() -> None:
    for ecosystem in REGISTRY:
        await measure(ecosystem)


if __name__ == "__main__":
    anyio.run(main)
