"""Crawlers side by side on one loopback registry (bench/_registry.py): realistic document
sizes, a fixed latency per request (50 ms by default), each run in a fresh process.

- pep740: the "Are we PEP 740 yet?" design: per package the JSON API and the simple index,
  one package at a time (a synchronous client, the standard library's json);
- npm-stats: the npm provenance-stats design: the full packument, at most 50 in flight
  (asyncio, one shared client, the standard library's json);
- ours: ``generator.crawl.crawl`` at 16 and at 50 in flight (verification skipped: the
  emulator's provenance is not signed; the other designs do not verify either).

Prints s/package (wall), bytes/package and requests/package (counted by the registry), CPU
s/package and peak RSS of the crawling process; medians of ``--runs`` runs.
Run: python bench/crawlers.py [--pypi 360] [--npm 500] [--runs 3] [--latency-ms 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIMPLE_JSON = "application/vnd.pypi.simple.v1+json"


def names(n: int) -> list[str]:
    return [f"pkg{i:05d}" for i in range(n)]


def pep740(url: str, n: int, _: int) -> None:
    import httpx

    with httpx.Client(base_url=url) as client:
        for name in names(n):
            doc = json.loads(client.get(f"/pypi/{name}/json").content)
            version = doc["info"]["version"]
            files = {f["filename"] for f in doc["releases"][version] if not f.get("yanked")}
            simple = json.loads(
                client.get(f"/simple/{name}/", headers={"Accept": SIMPLE_JSON}).content
            )
            listed = [f for f in simple["files"] if f["filename"] in files]
            _ = bool(listed and listed[-1].get("provenance"))


def npm_stats(url: str, n: int, in_flight: int) -> None:
    import httpx

    async def run() -> None:
        limits = httpx.Limits(max_connections=in_flight, max_keepalive_connections=in_flight)
        gate = asyncio.Semaphore(in_flight)
        async with httpx.AsyncClient(base_url=url, limits=limits) as client:

            async def one(name: str) -> None:
                async with gate:
                    doc = json.loads((await client.get(f"/{name}")).content)
                latest = doc["dist-tags"]["latest"]
                _ = bool(doc["versions"][latest]["dist"].get("attestations", {}).get("url"))

            await asyncio.gather(*(one(name) for name in names(n)))

    asyncio.run(run())


def ours(url: str, n: int, in_flight: int, ecosystem: str) -> None:
    import anyio

    from generator.crawl import RankedList, crawl
    from generator.ecosystems import REGISTRY
    from generator.http import Fetcher, HttpPolicy
    from generator.models import SourceInfo
    from generator.verify import VerifyOptions

    async def run() -> None:
        ranked = RankedList(
            names(n), SourceInfo(kind="packages-file", location="bench", requested=n, skipped=[])
        )
        async with Fetcher(url, HttpPolicy(concurrency=in_flight)) as fetcher:
            snapshot = await crawl(
                REGISTRY[ecosystem], fetcher, ranked, verify=VerifyOptions(skip="bench")
            )
        errors = [p for p in snapshot.packages if p.status.value == "error"]
        if errors:
            raise SystemExit(f"{len(errors)} errors, e.g. {errors[0].error}")

    anyio.run(run)


DESIGNS = {
    "pep740": (pep740, "pypi", 1),
    "npm-stats": (npm_stats, "npm", 50),
    "ours-pypi-16": (lambda u, n, k: ours(u, n, k, "pypi"), "pypi", 16),
    "ours-pypi-50": (lambda u, n, k: ours(u, n, k, "pypi"), "pypi", 50),
    "ours-npm-16": (lambda u, n, k: ours(u, n, k, "npm"), "npm", 16),
    "ours-npm-50": (lambda u, n, k: ours(u, n, k, "npm"), "npm", 50),
}


def child(design: str, url: str, n: int) -> None:
    """Run one design in this (fresh) process; print wall, CPU and peak RSS as JSON.
    ``$BENCH_CODE`` (a folder holding a ``generator/`` package, e.g. an older commit's
    ``git archive``) runs that code as "ours" instead, for before/after figures."""
    if code := os.environ.get("BENCH_CODE"):
        sys.path.insert(0, code)
    run, _, in_flight = DESIGNS[design]
    cpu, wall = time.process_time(), time.perf_counter()
    run(url, n, in_flight)
    result = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    print(json.dumps(result))


def main() -> None:
    from _registry import Emulator

    parser = argparse.ArgumentParser()
    parser.add_argument("--pypi", type=int, default=360)
    parser.add_argument("--npm", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--only", nargs="*", default=list(DESIGNS))
    parser.add_argument("--child", nargs=3, metavar=("DESIGN", "URL", "N"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    print(f"latency {args.latency_ms:g} ms per request; medians of {args.runs} runs")
    header = "design           pkgs  in flight  s/pkg    kB/pkg  req/pkg  CPU s/pkg  peak RSS"
    print(header)
    emulator = Emulator(args.latency_ms / 1000)
    with emulator as url:
        for design in args.only:
            _, eco, in_flight = DESIGNS[design]
            n = args.pypi if eco == "pypi" else args.npm
            rows: list[dict[str, Any]] = []
            for _ in range(args.runs):
                emulator.reset()
                out = subprocess.run(
                    [sys.executable, __file__, "--child", design, url, str(n)],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                row = json.loads(out.strip().splitlines()[-1])
                row["requests"], row["bytes"] = emulator.reset()
                rows.append(row)

            def med(key: str, rows: list[dict[str, Any]] = rows) -> float:
                return statistics.median(r[key] for r in rows)

            print(
                f"{design:<16}{n:>5}  {in_flight:>9}  {med('wall') / n:.4f}  "
                f"{med('bytes') / n / 1e3:7.0f}  {med('requests') / n:7.2f}  "
                f"{med('cpu') / n:9.4f}  {med('rss_mb'):6.0f} MB",
                flush=True,
            )


if __name__ == "__main__":
    main()
