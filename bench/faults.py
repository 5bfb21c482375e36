"""Faults injected on purpose, and what each cost: a table for the README's "Reliability".

Every registry fault of the test catalogue (``tests/faults/scenarios.py``) is crawled next
to 10 healthy packages on a misbehaving registry on 127.0.0.1, for PyPI and npm; then a
registry that refuses connections, broken top-N sources, and SIGKILLs at random instants of
a ``build``. For each: packages affected (rows that differ from a fault-free run), requests
the server received for the faulty package (all attempts and redirects), whether the run
completed, and whether any data was lost (the snapshot written and read back valid, with
every healthy package; after a failed or killed run, the previous data and site intact).

Run: python bench/faults.py            (about two minutes; --all lists every shape fault)
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import cli  # noqa: E402
from generator.crawl import RankedList, crawl  # noqa: E402
from generator.demo import RECORDINGS  # noqa: E402
from generator.demo.server import Registry, Reply, serve  # noqa: E402
from generator.ecosystems import REGISTRY  # noqa: E402
from generator.errors import GeneratorError  # noqa: E402
from generator.http import Fetcher, HttpPolicy  # noqa: E402
from generator.models import SourceInfo, Status  # noqa: E402
from generator.snapshot import read_snapshot, write_snapshot  # noqa: E402
from tests.builders import whole  # noqa: E402
from tests.faults.scenarios import (  # noqa: E402
    HEALTHY_STATUS,
    Fault,
    check,
    crawl_with_faults,
    faults,
)

HEALTHY = [f"healthy-{i}" for i in range(10)]
Row = tuple[str, str, str, str, str]


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


async def registry_fault(fault: Fault) -> tuple[int, int, bool, bool, list[str]]:
    """(packages affected, requests for the faulty package, completed, data lost, problems)"""
    try:
        run = await crawl_with_faults(fault.ecosystem, [fault], HEALTHY)
    except Exception as exc:  # noqa: BLE001 - the table reports it
        return 0, 0, False, True, [f"run failed: {exc!r}"]
    expected_ok = fault.error is None
    affected = sum(
        1
        for p in run.snapshot.packages
        if (p.name == fault.name and not expected_ok) or p.status is not _want(p.name, fault)
    )
    requests = sum(n for path, n in run.registry.hits.items() if fault.name in path)
    with tempfile.TemporaryDirectory() as tmp:
        try:
            back = read_snapshot(write_snapshot(run.snapshot, Path(tmp)))
            lost = {p.name for p in back.packages} != {*HEALTHY, fault.name} or any(
                p.status is not HEALTHY_STATUS for p in back.packages if p.name in HEALTHY
            )
        except (GeneratorError, ValueError):
            lost = True
    return affected, requests, True, lost, check(fault, run)


def _want(name: str, fault: Fault) -> Status:
    if name != fault.name:
        return HEALTHY_STATUS
    return Status.ERROR if fault.error is not None else (fault.status or HEALTHY_STATUS)


async def registry_rows(show_all: bool) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    problems: list[str] = []
    by_label: dict[str, dict[str, tuple[int, int, bool, bool]]] = {}
    shapes: dict[str, list[tuple[int, int, bool, bool]]] = {}
    for ecosystem in ("pypi", "npm"):
        for fault in faults(ecosystem):
            affected, requests, completed, lost, issues = await registry_fault(fault)
            problems += [f"{fault.name}: {p}" for p in issues]
            outcome = (affected, requests, completed, lost)
            if fault.name.startswith("shape") and not show_all:
                shapes.setdefault(ecosystem, []).append(outcome)
            else:
                by_label.setdefault(fault.label, {})[ecosystem] = outcome
    for label, outcomes in by_label.items():
        py, npm = outcomes.get("pypi"), outcomes.get("npm")
        both = [o for o in (py, npm) if o]
        rows.append(
            (
                label,
                " / ".join(str(o[0]) if o else "–" for o in (py, npm)),
                " / ".join(str(o[1]) if o else "–" for o in (py, npm)),
                yes(all(o[2] for o in both)),
                yes(any(o[3] for o in both)),
            )
        )
    for ecosystem, outcomes in shapes.items():
        errors = sum(1 for f in faults(ecosystem) if f.name.startswith("shape") and f.error)
        rows.append(
            (
                f"{REGISTRY[ecosystem].display_name}: {len(outcomes)} wrong types or shapes "
                f"across the fields it reads ({errors} fatal to the package, the rest read "
                "as absent)",
                f"{sum(o[0] for o in outcomes)} (one per fault)",
                f"{sum(o[1] for o in outcomes)} ({len(outcomes)} faults)",
                yes(all(o[2] for o in outcomes)),
                yes(any(o[3] for o in outcomes)),
            )
        )
    return rows, problems


async def refused_row() -> Row:
    with contextlib.closing(__import__("socket").socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    names = [f"pkg-{i}" for i in range(20)]
    policy = HttpPolicy(attempts=3, backoff=0.01, max_wait=1, connect_timeout=1)
    async with Fetcher(f"http://127.0.0.1:{port}", policy) as fetcher:
        ranked = RankedList(names, SourceInfo(kind="packages-file", location="x", requested=20))
        snapshot = whole(await crawl(REGISTRY["npm"], fetcher, ranked))
        attempts = fetcher.stats.requests
    affected = sum(p.status is Status.ERROR for p in snapshot.packages)
    return (
        "connection refused (the whole registry down, 20 packages, 3 attempts)",
        f"{affected} of 20",
        f"0 received ({attempts} attempted)",
        "yes",
        "no",
    )


SOURCES = {
    "top-N source missing": None,
    "top-N source empty": b"",
    "top-N source malformed (HTML error page)": b"<html>rate limited</html>",
    "top-N source nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
}


def source_rows(work: Path) -> list[Row]:
    """npm's ranking broken in each way, with yesterday's snapshot in data/."""
    rows: list[Row] = []
    data = work / "data"
    quiet = contextlib.redirect_stderr(io.StringIO())
    with quiet:
        assert (
            cli.main(["crawl", "--demo", "--ecosystem", "npm", "--top", "5", "--data", str(data)])
            == 0
        )
    before = (data / "npm.json").read_bytes()
    for label, body in SOURCES.items():
        source = work / "counts.json"
        source.unlink(missing_ok=True)
        if body is not None:
            source.write_bytes(body)
        registry = Registry()
        with serve(registry) as url, contextlib.redirect_stderr(io.StringIO()) as err:
            try:
                code = cli.main(
                    ["crawl", "--ecosystem", "npm", "--npm-url", url, "--top-npm-url", str(source)]
                    + ["--data", str(data)]
                )
            except SystemExit as exc:
                code = int(exc.code or 0)
        one_line = err.getvalue().strip().count("\n") == 0
        lost = (data / "npm.json").read_bytes() != before
        rows.append(
            (
                label,
                "all (npm run refused)",
                str(sum(registry.hits.values())),
                f"no (exit {code}{', one line' if one_line else ''})",
                yes(lost),
            )
        )
    counts = b'{"a": 50, "a": 40, "Not Valid": 45, "../x": 44, "b\\x": 43, "c": 10}'
    source.write_bytes(counts)
    registry = Registry()
    with serve(registry) as url, contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(
            ["crawl", "--ecosystem", "npm", "--npm-url", url, "--top-npm-url", str(source)]
            + ["--data", str(work / "dup"), "--attempts", "1"]
        )
    snap = read_snapshot(work / "dup" / "npm.json")
    rows.append(
        (
            "top-N source with duplicates, invalid names, a bad escape (dropped)",
            f"0 ({len(snap.source.skipped)} entries skipped and listed)",
            str(sum(registry.hits.values())),
            yes(code == 0),
            "no",
        )
    )
    return rows


def _main(args: list[str]) -> int:
    """``cli.main(args)``, its exit status also when it exits through SystemExit."""
    try:
        return cli.main(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def input_rows(work: Path) -> list[Row]:
    """Hostile inputs beyond the registry's HTTP: sizes, keys, CSV, feed, links (issue 10)."""
    import json
    import tarfile
    import tracemalloc
    import xml.etree.ElementTree as ET
    from datetime import date
    from typing import cast

    from generator.ecosystems import INFOS
    from generator.history import EcosystemHistory, History, append_snapshot
    from generator.models import Build, Snapshot
    from generator.render import feed_xml, render, to_csv
    from generator.render.links import build_links
    from tests import builders
    from tests.faults.test_inputs import hostile_previous

    rows: list[Row] = []
    # 12 packages each declaring a 25 MB repository (npm keeps the declared value).
    names = [f"big-{i}" for i in range(12)]
    registry = Registry()
    for name in names:
        doc = builders.packument(name, repository="https://github.com/o/" + "r" * 25_000_000)
        registry.add(builders.npm_path(name), Reply(200, builders.encoded(doc)))

    async def big() -> tuple[int, object]:
        policy = HttpPolicy(attempts=1, max_bytes=32 * 2**20)
        with serve(registry) as url:
            async with Fetcher(url, policy) as fetcher:
                source = SourceInfo(kind="packages-file", location="x", requested=12)
                tracemalloc.start()
                try:
                    snapshot = whole(
                        await crawl(REGISTRY["npm"], fetcher, RankedList(names, source))
                    )
                    retained = tracemalloc.get_traced_memory()[0]
                finally:
                    tracemalloc.stop()
        return retained, snapshot

    retained, crawled = anyio.run(big)
    snapshot = cast(Snapshot, crawled)
    render([snapshot], work / "big-site", infos=INFOS)
    size = sum(p.stat().st_size for p in (work / "big-site").rglob("*") if p.is_file())
    rows.append(
        (
            "12 packages each declaring a 25 MB `repository` (npm)",
            f"{sum(p.status is Status.ERROR for p in snapshot.packages)} (strings capped at"
            f" 2 KiB: rows retain {retained / 2**20:.1f} MiB, site "
            f"{size / 2**20:.1f} MiB)",
            str(sum(registry.hits.values())),
            "yes",
            "no",
        )
    )
    # A previous site whose history names ecosystem "../../x".
    data = work / "prev" / "data"
    write_snapshot(builders.snapshot("pypi", [builders.package(1)]), data)
    registry = Registry()
    for path, body in hostile_previous("../../x").items():
        registry.add(path, Reply(200, body))
    before = sorted(work.rglob("*"))
    with serve(registry) as url, contextlib.redirect_stderr(io.StringIO()):
        code = _main(["history", "update", "--data", str(data), "--previous", url])
    rows.append(
        (
            "previous site's history naming ecosystem `../../x` (`history update --previous`)",
            "all (update refused: not valid history)",
            str(sum(registry.hits.values())),
            f"no (exit {code})",
            f"no ({'nothing' if sorted(work.rglob('*')) == before else 'FILES'} written)",
        )
    )
    # A download-counts tarball whose counts.json declares 600 MiB (over the 512 MiB cap).
    header = tarfile.TarInfo("package/counts.json")
    header.size = 600 * 2**20
    tgz = work / "counts.tgz"
    import gzip

    tgz.write_bytes(gzip.compress(header.tobuf() + b"{" * 4096))
    registry = Registry()
    with serve(registry) as url, contextlib.redirect_stderr(io.StringIO()) as err:
        code = _main(
            ["crawl", "--ecosystem", "npm", "--npm-url", url, "--top-npm-url", str(tgz)]
            + ["--data", str(work / "tgz")]
        )
    rows.append(
        (
            "download-counts tarball whose counts.json is 600 MiB (cap 512 MiB)",
            "all (npm run refused on the tar header, nothing inflated)",
            str(sum(registry.hits.values())),
            f"no (exit {code}, {'one line' if err.getvalue().count(chr(10)) <= 1 else 'lines'})",
            "no",
        )
    )
    # 5,000 invalid names ahead of the valid ones in the top-N source.
    ranking = {f"Not Valid {i}": 10_000 - i for i in range(5000)} | {"a": 5, "b": 4, "c": 3}
    counts = work / "many.json"
    counts.write_text(json.dumps(ranking))
    registry = Registry()
    with serve(registry) as url, contextlib.redirect_stderr(io.StringIO()):
        code = _main(
            ["crawl", "--ecosystem", "npm", "--npm-url", url, "--top-npm-url", str(counts)]
            + ["--top", "3", "--data", str(work / "many"), "--attempts", "1"]
        )
    snap = read_snapshot(work / "many" / "npm.json")
    rows.append(
        (
            "top-N source with 5,000 invalid names ahead of 3 valid ones (`--top 3`)",
            f"0 ({snap.source.skipped_count} skipped, counted; {len(snap.source.skipped)} listed)",
            str(sum(registry.hits.values())),
            yes(code == 0),
            "no",
        )
    )
    # CSV formula starts, XML-forbidden characters in the feed, a ref with "..".
    formulas = ["=HYPERLINK(1)", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]
    pkgs = [builders.package(i + 1, version=v) for i, v in enumerate(formulas)]
    csv_text = to_csv(builders.snapshot("npm", pkgs)).decode()
    neutral = sum(f"'{v}" in csv_text for v in formulas)
    rows.append(
        (
            "CSV cells beginning with `=` `+` `-` `@` tab CR (6 versions)",
            f"0 ({neutral} of 6 prefixed with `'`)",
            "–",
            "yes",
            "no",
        )
    )
    name = "pkg\x00\x01\x0b\ufffe\uffff<&>"
    old = builders.snapshot("pypi", [builders.package(1, name, status=Status.ATTESTED)])
    new = builders.snapshot(
        "pypi",
        [builders.package(1, name, status=Status.MISSING)],
        generated_at=old.generated_at.replace(day=2),
    )
    h = append_snapshot(append_snapshot(EcosystemHistory("pypi"), old), new)
    ok = 0
    for site_url in ("", "https://x.test/"):
        try:
            ET.fromstring(feed_xml(History({"pypi": h}, date(2026, 11, 2)), site_url).encode())
            ok += 1
        except ET.ParseError:
            pass
    rows.append(
        (
            "control characters and U+FFFE in a package name, into `feed.xml`",
            f"0 (well-formed {ok} of 2: with and without --site-url)",
            "–",
            "yes",
            "no",
        )
    )
    refs = ["refs/tags/../../../evil/x", "refs/heads/..", "refs/tags/a//b", "refs/tags/a\\b"]
    linked = sum(
        "workflow"
        in build_links(Build(source_repository="https://github.com/o/r", ref=r, workflow="w.yml"))
        for r in refs
    )
    rows.append(
        (
            "build `ref` with `..`, empty segments or backslashes (4 refs)",
            f"0 ({len(refs) - linked} of 4 get no workflow link)",
            "–",
            "yes",
            "no",
        )
    )
    return rows


class SlowRegistry(Registry):
    """The recorded registry of ``ecosystem``, answering each request after 20 ms, so that
    random kill instants spread over a run of a few seconds."""

    def __init__(self, ecosystem: str) -> None:
        super().__init__(Registry.from_directory(RECORDINGS / ecosystem).routes)

    def reply_for(self, path: str) -> Reply:
        time.sleep(0.02)
        return super().reply_for(path)


def kill_rows(work: Path, kills: int) -> list[Row]:
    from tests.faults.test_nothing_lost import (
        assert_data_intact,
        assert_site_intact,
        build_args,
    )

    env = dict(os.environ)
    netguard = ROOT / "tests" / "netguard"
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(netguard), str(ROOT), env.get("PYTHONPATH")])
    )
    rng = random.Random(7)
    rows: list[Row] = []
    pypi_registry, npm_registry = SlowRegistry("pypi"), SlowRegistry("npm")
    with serve(pypi_registry) as pypi, serve(npm_registry) as npm:
        started = time.monotonic()
        subprocess.run(
            build_args(pypi, npm, 20), cwd=work, env=env, check=True, capture_output=True
        )
        full = time.monotonic() - started
        intact = 0
        for i in range(kills):
            hits_before = sum(pypi_registry.hits.values()) + sum(npm_registry.hits.values())
            proc = subprocess.Popen(
                build_args(pypi, npm, 21 + i), cwd=work, env=env,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(rng.uniform(0.2, full))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            try:
                assert_data_intact(work / "data")
                assert_site_intact(work / "site")
                intact += 1
            except AssertionError:
                pass
        hits = sum(pypi_registry.hits.values()) + sum(npm_registry.hits.values()) - hits_before
        rows.append(
            (
                f"SIGKILL of `build` at {kills} random instants of a {full:.1f} s run",
                "none lost (runs killed)",
                f"{hits} in the last killed run",
                "no (killed)",
                yes(intact != kills) + f" ({intact}/{kills} checks: data and site whole)",
            )
        )
        final = subprocess.run(build_args(pypi, npm, 15), cwd=work, env=env, capture_output=True)
        rows.append(
            (
                "re-run after the kills",
                "0",
                "–",
                yes(final.returncode == 0),
                yes(final.returncode != 0 or assert_site_intact(work / "site") != 15),
            )
        )
    return rows


def table(rows: list[Row]) -> str:
    head = ("fault injected", "packages affected", "requests made", "run completed", "data lost")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="one row per shape fault")
    parser.add_argument("--kills", type=int, default=6, help="random SIGKILLs (6)")
    args = parser.parse_args()
    started = time.monotonic()
    rows, problems = anyio.run(registry_rows, args.all)
    rows.append(anyio.run(refused_row))
    with tempfile.TemporaryDirectory() as tmp:
        rows += source_rows(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        rows += input_rows(Path(tmp))
    with tempfile.TemporaryDirectory() as tmp:
        rows += kill_rows(Path(tmp), args.kills)
    print(
        "Registry faults: a / b = PyPI / npm, each crawled next to 10 healthy packages;"
        " requests = all the faulty package's documents (PyPI: JSON API + simple index)."
    )
    print(table(rows))
    print(f"\n{len(rows)} rows in {time.monotonic() - started:.0f} s")
    for problem in problems:
        print(f"UNEXPECTED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
