"""Top-N sources that are missing, empty, malformed, hostile, or full of duplicates.

A source that cannot be read fails its ecosystem with one clear line (``SourceError``),
never with an internal error, and never touches the previous snapshot; a readable source's
bad entries are dropped and listed in ``source.skipped``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from generator.crawl import RankedList, crawl, ranked_list
from generator.demo.server import Registry, Reply, serve
from generator.ecosystems import REGISTRY
from generator.errors import SourceError
from generator.http import Fetcher, HttpPolicy
from generator.models import Status
from tests.builders import whole
from tests.faults.actions import stall
from tests.faults.scenarios import healthy_routes

POLICY = HttpPolicy(attempts=3, backoff=0.01, max_wait=1, read_timeout=0.5, deadline=1)


def top_pypi(*rows: object) -> bytes:
    return json.dumps({"last_update": "2026-11-01 00:00:00", "rows": list(rows)}).encode()


def row(project: object, count: object = 10) -> dict[str, object]:
    return {"project": project, "download_count": count}


def tarball(member: str, content: bytes) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo(member)
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


async def read(
    ecosystem: str, source: str | None, registry: Registry | None = None, n: int = 10
) -> RankedList:
    with serve(registry or Registry()) as url:
        if source is not None and source.startswith("@"):  # a path on the test registry
            source = f"{url}{source[1:]}"
        async with Fetcher(url, POLICY) as fetcher:
            return await ranked_list(REGISTRY[ecosystem], fetcher, n=n, top_source=source)


BAD_PYPI = {
    "empty": (b"", "is not a top-pypi-packages document"),
    "truncated": (top_pypi(row("a"))[:20], "is not a top-pypi-packages document"),
    "array": (b"[]", "is not a top-pypi-packages document"),
    "rows an object": (b'{"rows": {}}', "rows is an object, not an array"),
    "row a string": (b'{"rows": ["requests"]}', r"rows\[0\] is a string"),
    "count not a number": (top_pypi(row("a", "many")), r"rows\[0\].download_count is not"),
    "count infinite": (b'{"rows": [{"project": "a", "download_count": 1e400}]}', "document"),
    "count NaN": (b'{"rows": [{"project": "a", "download_count": NaN}]}', "NaN"),
    "count of 100,000 digits": (
        b'{"rows": [{"project": "a", "download_count": 1' + b"0" * 100_000 + b"}]}",
        "100,001 digits",
    ),
    "project a number": (top_pypi(row(7)), r"rows\[0\].project is not a string"),
    "nested deeply": (b'{"rows": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "document"),
    "invalid UTF-8": (b'{"rows": [{"project": "caf\xe9", "download_count": 1}]}', "document"),
    "only invalid names": (top_pypi(row("-x"), row("a b"), row("")), "yields no valid"),
}


@pytest.mark.parametrize("case", sorted(BAD_PYPI))
async def test_pypi_source_unreadable(case: str, tmp_path: Path) -> None:
    body, message = BAD_PYPI[case]
    path = tmp_path / "top.json"
    path.write_bytes(body)
    with pytest.raises(SourceError, match=message):
        await read("pypi", str(path))


BAD_NPM = {
    "empty": (b"", "is not a JSON object of package"),
    "array": (b"[1, 2]", "is not a JSON object of package"),
    "truncated": (b'{"a": ', "lists no packages"),
    "no counts": (b'{"a": "many"}', "lists no packages"),
    "bad gzip": (b"\x1f\x8b" + b"\x00" * 50, "is not a download-counts tarball"),
    "tarball without counts": (tarball("package/x.json", b"{}"), "is not a download-counts"),
    "only invalid names": (b'{"../etc/passwd": 9, "Not Valid": 8, "": 7}', "yields no valid"),
}


@pytest.mark.parametrize("case", sorted(BAD_NPM))
async def test_npm_source_unreadable(case: str, tmp_path: Path) -> None:
    body, message = BAD_NPM[case]
    path = tmp_path / "counts.json"
    path.write_bytes(body)
    with pytest.raises(SourceError, match=message):
        await read("npm", str(path))


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_missing_source(ecosystem: str, tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read .*No such file"):
        await read(ecosystem, str(tmp_path / "nowhere.json"))


@pytest.mark.parametrize(
    ("reply", "message", "hits"),
    [
        (Reply(404), "HTTP 404", 1),
        (Reply(503), "HTTP 503 \\(after 3 attempts\\)", 3),
        (Reply(action=stall(2)), "timeout \\(ReadTimeout\\) \\(after 3 attempts\\)", 3),
        (Reply(302, headers={"Location": "https://example.com/top.json"}), "another host", 1),
    ],
)
async def test_source_url_faults(reply: Reply, message: str, hits: int) -> None:
    registry = Registry()
    registry.add("/top.json", reply)
    with pytest.raises(SourceError, match=message):
        await read("pypi", "@/top.json", registry)
    assert registry.hits["/top.json"] == hits


async def test_npm_default_source_missing_from_the_registry() -> None:
    with pytest.raises(SourceError, match="cannot read download-counts from the registry"):
        await read("npm", None)


async def test_pypi_duplicates_and_invalid_names_are_skipped_and_listed() -> None:
    body = top_pypi(
        row("Alpha", 100),
        row("alpha", 90),  # the same project, normalized
        row("ALPHA", 80),
        row("../../etc/passwd", 70),
        row("<script>", 60),
        row("bad\udc80name", 50),  # a lone surrogate: must not break the snapshot
        row("beta", 40),
        row("a" * 300, 30),
    )
    registry = Registry()
    registry.add("/top.json", Reply(200, body))
    for name in ("alpha", "beta"):
        registry.routes.update(healthy_routes("pypi", name))
    with serve(registry) as url:
        async with Fetcher(url, POLICY) as fetcher:
            ranked = await ranked_list(
                REGISTRY["pypi"], fetcher, n=10, top_source=f"{url}/top.json"
            )
            snapshot = whole(await crawl(REGISTRY["pypi"], fetcher, ranked))
    assert ranked.names == ["Alpha", "beta"]
    skipped = ranked.source.skipped
    assert skipped[:2] == ["alpha (duplicate)", "ALPHA (duplicate)"]
    assert "../../etc/passwd (invalid name)" in skipped and "<script> (invalid name)" in skipped
    assert "bad\ufffdname (invalid name)" in skipped  # decode_json replaces lone surrogates
    assert ranked.source.skipped_count == len(skipped) == 6
    assert f"{'a' * 100} (invalid name)" in skipped
    assert [p.status for p in snapshot.packages] == [Status.MISSING, Status.MISSING]
    snapshot.model_dump_json()  # serializable despite the surrogate in the source


async def test_npm_duplicates_bad_escapes_and_huge_counts_are_dropped(tmp_path: Path) -> None:
    counts = (
        b'{"a": 50, "a": 40, "b\\x": 45, "huge": ' + b"9" * 5000 + b', "bad\\ud800": 30, '
        b'"Not Valid": 35, "c": 10, "@s/d": 20}'
    )
    path = tmp_path / "counts.json"
    path.write_bytes(counts)
    ranked = await read("npm", str(path))
    assert ranked.names[:3] == ["a", "@s/d", "c"]
    assert "a (duplicate)" in ranked.source.skipped
    assert "Not Valid (invalid name)" in ranked.source.skipped
    assert any(s.startswith("bad\\ud800") for s in ranked.source.skipped)


def test_packages_file_faults(tmp_path: Path) -> None:
    from generator.sources import read_packages_file

    with pytest.raises(SourceError, match="cannot read"):
        read_packages_file(str(tmp_path / "missing.txt"))
    latin = tmp_path / "latin.txt"
    latin.write_bytes(b"caf\xe9\n")
    with pytest.raises(SourceError, match="cannot read"):
        read_packages_file(str(latin))


@pytest.mark.long
def test_broken_source_keeps_the_previous_snapshot(
    tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    """The run fails with one line and exit 1; yesterday's data/npm.json is untouched."""
    data = tmp_path / "data"
    made = subprocess.run(
        [sys.executable, "-m", "generator", "crawl", "--demo", "--ecosystem", "npm"]
        + ["--top", "5", "--data", str(data)],
        env=guarded_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    before = (data / "npm.json").read_bytes()
    (tmp_path / "counts.json").write_bytes(b"<html>rate limited</html>")
    with serve(Registry()) as url:
        proc = subprocess.run(
            [sys.executable, "-m", "generator", "crawl", "--ecosystem", "npm", "--npm-url", url]
            + ["--top-npm-url", str(tmp_path / "counts.json"), "--data", str(data)],
            env=guarded_env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 1
    assert proc.stderr.strip().count("\n") == 0, proc.stderr
    assert "is not a JSON object of package" in proc.stderr and "Traceback" not in proc.stderr
    assert (data / "npm.json").read_bytes() == before


async def test_top_n_stops_after_n_valid_names_and_keeps_100_examples() -> None:
    """A list of 5,000 invalid names before the valid ones costs a count and 100 examples;
    nothing after the ``--top`` valid names is looked at."""
    rows = [row(f"bad name {i}", 10_000 - i) for i in range(5000)]
    rows += [row(f"good-{i}", 100 - i) for i in range(10)]
    registry = Registry()
    registry.add("/top.json", Reply(200, top_pypi(*rows)))
    ranked = await read("pypi", "@/top.json", registry, n=3)
    assert ranked.names == ["good-0", "good-1", "good-2"]
    assert ranked.source.skipped_count == 5000
    assert len(ranked.source.skipped) == 100
    assert ranked.source.skipped[0] == "bad name 0 (invalid name)"
    # On reading a snapshot back, the list is capped as well.
    dumped = ranked.source.model_dump() | {"skipped": [f"x{i}" for i in range(500)]}
    assert len(type(ranked.source).model_validate(dumped).skipped) == 100


def test_counts_member_over_the_cap_is_refused_before_it_is_read() -> None:
    """counts.json's size comes from its tar header: over the cap it is refused without
    inflating it (tracemalloc's peak stays far below the member's size)."""
    import tracemalloc

    from generator.ecosystems.npm import _counts_from

    body = tarball("package/counts.json", b"{" + b" " * (32 * 1024 * 1024) + b"}")
    tracemalloc.start()
    try:
        with pytest.raises(SourceError, match="counts.json is larger than 1048576 bytes"):
            _counts_from(body, "counts.tgz", max_member=1024 * 1024)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 1024 * 1024, peak
    assert _counts_from(tarball("package/counts.json", b'{"a": 1}'), "t") == b'{"a": 1}'
    many = io.BytesIO()
    with tarfile.open(fileobj=many, mode="w:gz") as archive:
        for i in range(100):  # counts.json after 100 other entries: not looked for
            archive.addfile(tarfile.TarInfo(f"package/f{i}"), io.BytesIO(b""))
    with pytest.raises(SourceError, match="no package/counts.json"):
        _counts_from(many.getvalue(), "t")


async def test_npm_invalid_names_at_the_top_do_not_push_valid_ones_out(tmp_path: Path) -> None:
    ranking = {f"Not Valid {i}": 10_000 - i for i in range(5000)} | {"a": 5, "b": 4, "c": 3}
    path = tmp_path / "counts.json"
    path.write_text(json.dumps(ranking))
    ranked = await read("npm", str(path), n=2)
    assert ranked.names == ["a", "b"]
    assert ranked.source.skipped_count == 5000 and len(ranked.source.skipped) == 100
