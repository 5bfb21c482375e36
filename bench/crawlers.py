"""Crawlers side by side on one loopback registry (bench/_registry.py): realistic document
sizes, a fixed latency per request (50 ms by default), each run in a fresh process.

- pep740: the "Are we PEP 740 yet?" design: per package the JSON API and the simple index,
  one package at a time (a synchronous client, the standard library's json);
- npm-stats: the npm provenance-stats design: the full packument, at most 50 in flight
  (asyncio, one shared client, the standard library's json);
- ours: ``generator.crawl.crawl`` at 16 and at 50 in flight (verification skipped: the
  emulator's provenance is not signed; the other designs do not verify either).

- fetch: the floor that ours' HTTP stack sets: the same requests as ours (the packument, or
  the simple index and the release's JSON; the attestations or provenance document of an
  attested package) through ``generator.http.Fetcher`` at 16 in flight, and nothing else
  (no decoding, no evidence); fetch+json decodes each body too (``decode_json``).

- cli: ``attested-yet crawl`` as a user runs it (``python -m generator crawl --top N`` with
  the top-N source a local file, ``--no-verify``, into a fresh ``--data``): ranking, crawl,
  snapshot and crawl state written; at 16 in flight.
- cli-…-warm: the same crawl again into the ``--data`` of a cold one (run first, in its own
  process, not measured): every key document answers 304, every row comes from the crawl
  state. Its requests and bytes are the warm run's only.

Prints s/package (wall), bytes/package and requests/package (counted by the registry), CPU
s/package and peak RSS of the crawling process; medians of ``--runs`` runs, and the load
average of the machine before and after.
Run: python bench/crawlers.py [--pypi 360] [--npm 500] [--runs 3] [--latency-ms 50]
     python bench/crawlers.py --before DIR   (each "ours"/"cli" design also with the code in
        DIR, e.g. ``git archive ac644ff | tar -x -C DIR``, run after run, side by side)
     python bench/crawlers.py --top-10k      (the cli designs at 10,000 per ecosystem, 1 run)
     python bench/crawlers.py --top-10k --warm   (and each one's warm re-run)
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
import tempfile
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
            crawled: Any = await crawl(
                REGISTRY[ecosystem], fetcher, ranked, verify=VerifyOptions(skip="bench")
            )
        if hasattr(crawled, "rows"):  # a Crawled: the rows are on disk
            with crawled:
                errors = [p for p in crawled.packages() if p.status.value == "error"]
        else:  # code before f07e413's successor ($BENCH_CODE) returned the Snapshot
            errors = [p for p in crawled.packages if p.status.value == "error"]
        if errors:
            raise SystemExit(f"{len(errors)} errors, e.g. {errors[0].error}")

    anyio.run(run)


def fetch(url: str, n: int, in_flight: int, ecosystem: str, decode: bool) -> None:
    import anyio
    from _registry import attested

    from generator.http import Fetcher, HttpPolicy, decode_json

    def paths(name: str) -> list[str]:
        if ecosystem == "npm":
            main = [f"/{name}"]
            provenance = f"/-/npm/v1/attestations/{name}@2.0.0"
        else:
            main = [f"/simple/{name}/", f"/pypi/{name}/1.0/json"]
            provenance = f"/integrity/{name}/1.0/{name}-1.0.tar.gz/provenance"
        return [*main, provenance] if attested(name) else main

    async def run() -> None:
        todo = iter(names(n))
        async with Fetcher(url, HttpPolicy(concurrency=in_flight)) as fetcher:

            async def worker() -> None:
                for name in todo:
                    for path in paths(name):
                        body = await fetcher.get_bytes(path)
                        if decode:
                            decode_json(body)

            async with anyio.create_task_group() as group:
                for _ in range(in_flight):
                    group.start_soon(worker)

    anyio.run(run)


#: The cli designs' peak RSS, read before their own check of what was written.
CRAWLER_PEAK: list[float] = []


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cli(url: str, n: int, in_flight: int, ecosystem: str) -> None:
    import tempfile

    from generator.cli import main

    with tempfile.TemporaryDirectory(prefix="bench-crawl-") as fresh:
        folder = os.environ.get("BENCH_DATA", fresh)  # a warm run's: the cold run's folder
        top = Path(folder) / "top.json"
        counts = {name: 10_000_000 - i for i, name in enumerate(names(n))}
        if ecosystem == "pypi":
            rows = [{"project": k, "download_count": v} for k, v in counts.items()]
            top.write_text(json.dumps({"rows": rows}))
        else:
            top.write_text(json.dumps(counts))
        status = main(
            [
                "crawl",
                "--ecosystem",
                ecosystem,
                "--top",
                str(n),
                f"--top-{ecosystem}-url",
                str(top),
                f"--{ecosystem}-url",
                url,
                "--data",
                str(Path(folder) / "data"),
                "--concurrency",
                str(in_flight),
                "--no-verify",
            ]
        )
        # The crawler's peak, before this check reads the whole snapshot back as dicts
        # (which alone costs more than 100 MB at 10,000 PyPI rows).
        CRAWLER_PEAK.append(peak_rss_mb())
        written = json.loads((Path(folder) / "data" / f"{ecosystem}.json").read_bytes())
        errors = sum(p["status"] == "error" for p in written["packages"])
        if status or errors or len(written["packages"]) != n:
            raise SystemExit(f"exit status {status}, {errors} errors")


DESIGNS = {
    "pep740": (pep740, "pypi", 1),
    "npm-stats": (npm_stats, "npm", 50),
    "ours-pypi-16": (lambda u, n, k: ours(u, n, k, "pypi"), "pypi", 16),
    "ours-pypi-50": (lambda u, n, k: ours(u, n, k, "pypi"), "pypi", 50),
    "ours-npm-16": (lambda u, n, k: ours(u, n, k, "npm"), "npm", 16),
    "ours-npm-50": (lambda u, n, k: ours(u, n, k, "npm"), "npm", 50),
    "fetch-pypi-16": (lambda u, n, k: fetch(u, n, k, "pypi", False), "pypi", 16),
    "fetch-npm-16": (lambda u, n, k: fetch(u, n, k, "npm", False), "npm", 16),
    "fetch+json-pypi-16": (lambda u, n, k: fetch(u, n, k, "pypi", True), "pypi", 16),
    "fetch+json-npm-16": (lambda u, n, k: fetch(u, n, k, "npm", True), "npm", 16),
    "cli-pypi-16": (lambda u, n, k: cli(u, n, k, "pypi"), "pypi", 16),
    "cli-npm-16": (lambda u, n, k: cli(u, n, k, "npm"), "npm", 16),
    "cli-pypi-16-warm": (lambda u, n, k: cli(u, n, k, "pypi"), "pypi", 16),
    "cli-npm-16-warm": (lambda u, n, k: cli(u, n, k, "npm"), "npm", 16),
}
DEFAULT = [d for d in DESIGNS if not d.startswith(("cli-", "fetch"))]


def child(design: str, url: str, n: int) -> None:
    """Run one design in this (fresh) process; print wall, CPU and peak RSS as JSON.
    ``$BENCH_CODE`` (a folder holding a ``generator/`` package, e.g. an older commit's
    ``git archive``) runs that code as "ours" instead, for before/after figures."""
    if code := os.environ.get("BENCH_CODE"):
        sys.path.insert(0, code)
        sys.modules.pop("generator", None)
    run, _, in_flight = DESIGNS[design]
    cpu, wall = time.process_time(), time.perf_counter()
    run(url, n, in_flight)
    result = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": CRAWLER_PEAK[0] if CRAWLER_PEAK else peak_rss_mb(),
    }
    print(json.dumps(result))


def run_child(design: str, url: str, n: int, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", design, url, str(n)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    row: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return row


def main() -> None:
    from _registry import Emulator

    parser = argparse.ArgumentParser()
    parser.add_argument("--pypi", type=int, default=360)
    parser.add_argument("--npm", type=int, default=500)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50)
    parser.add_argument("--only", nargs="*", default=DEFAULT, choices=list(DESIGNS))
    parser.add_argument(
        "--before",
        metavar="DIR",
        help="also run each ours/cli design with the code in DIR (a folder holding generator/)",
    )
    parser.add_argument(
        "--top-10k",
        action="store_true",
        help="the user's crawl (cli designs) of 10,000 packages per ecosystem, one run",
    )
    parser.add_argument(
        "--warm", action="store_true", help="with --top-10k: the warm re-runs (cli-*-warm) too"
    )
    parser.add_argument("--child", nargs=3, metavar=("DESIGN", "URL", "N"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], int(args.child[2]))
        return
    if args.top_10k:
        args.pypi = args.npm = 10_000
        args.runs = 1
        args.only = [d for d in args.only if d.startswith("cli-")] or ["cli-pypi-16", "cli-npm-16"]
        if args.warm:
            args.only += [f"{d}-warm" for d in args.only if not d.endswith("-warm")]
    print(f"latency {args.latency_ms:g} ms per request; medians of {args.runs} runs")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    header = "design              code    pkgs  in flight  s/pkg    kB/pkg  req/pkg  CPU s/pkg  "
    print(header + "peak RSS   wall    CPU")
    emulator = Emulator(args.latency_ms / 1000)
    with emulator as url:
        for design in args.only:
            _, eco, in_flight = DESIGNS[design]
            n = args.pypi if eco == "pypi" else args.npm
            codes = {"now": None}
            if args.before and not design.startswith(("pep740", "npm-stats")):
                codes["before"] = str(Path(args.before).resolve())
            rows: dict[str, list[dict[str, Any]]] = {code: [] for code in codes}
            for _ in range(args.runs):
                for code, folder in codes.items():  # run after run: the load hits both alike
                    env = dict(os.environ)
                    env.pop("BENCH_CODE", None)
                    if folder:
                        env["BENCH_CODE"] = folder
                    with tempfile.TemporaryDirectory(prefix="bench-warm-") as data:
                        if design.endswith("-warm"):  # the cold crawl it starts from
                            env["BENCH_DATA"] = data
                            run_child(design.removesuffix("-warm"), url, n, env)
                        emulator.reset()
                        row = run_child(design, url, n, env)
                    row["requests"], row["bytes"] = emulator.reset()
                    rows[code].append(row)
            for code, runs in rows.items():

                def med(key: str, runs: list[dict[str, Any]] = runs) -> float:
                    return statistics.median(r[key] for r in runs)

                print(
                    f"{design:<18}  {code:<6}{n:>6}  {in_flight:>9}  {med('wall') / n:.4f}  "
                    f"{med('bytes') / n / 1e3:7.0f}  {med('requests') / n:7.2f}  "
                    f"{med('cpu') / n:9.4f}  {med('rss_mb'):6.0f} MB  {med('wall'):6.1f} s"
                    f"  {med('cpu'):5.1f} s",
                    flush=True,
                )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
