"""Inputs that once broke something, each pinned by a test (issue 10, "harden every input").

- huge strings: every stored string is capped (2 KiB, visible marker), so 12 packages that
  each declare a huge ``repository`` cost neither memory nor site size in proportion;
- a hostile previous site: history keys like ``../../x`` are refused on read, nothing is
  written outside ``--data``;
- CSV cells that a spreadsheet would run as a formula are neutralized (OWASP);
- ``feed.xml`` stays well-formed with any character in any field, and valid Atom without a
  site URL;
- a build ``ref`` with ``..`` or other path tricks gets no link.
"""

from __future__ import annotations

import csv
import io
import json
import tracemalloc
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from generator.caps import MAX_TEXT, TRUNCATED
from generator.crawl import RankedList, crawl
from generator.demo.server import Registry, Reply, serve
from generator.ecosystems import INFOS, REGISTRY
from generator.history import EcosystemHistory, History, append_snapshot
from generator.http import Fetcher, HttpPolicy, MiB
from generator.models import Build, PackageResult, SourceInfo, Status
from generator.previous import read_previous
from generator.render import feed_xml, render, to_csv
from generator.render.links import build_links
from generator.snapshot import write_snapshot
from tests import builders
from tests.builders import whole
from tests.cli import run

HUGE = 2 * MiB
"""Size of each hostile string at test scale (the issue's attack used 25 MB)."""
PACKAGES = 12


def strings(value: Any) -> list[str]:
    """Every string inside a dumped model."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def huge_routes(ecosystem: str, name: str) -> dict[str, list[Reply]]:
    """npm: a huge declared ``repository`` (kept as declared); PyPI, which keeps only a
    repository it can normalize, a huge ``info.version``."""
    if ecosystem == "npm":
        repository = "https://github.com/o/" + "r" * HUGE
        doc = builders.packument(name, repository={"type": "git", "url": repository})
        return {builders.npm_path(name): [Reply(200, builders.encoded(doc))]}
    version = "1." + "0" * HUGE
    pypi = builders.pypi_json(name, version)
    return {
        builders.pypi_json_path(name): [Reply(200, builders.encoded(pypi))],
        builders.simple_path(name): [Reply(200, builders.encoded(builders.simple_index(name)))],
    }


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_huge_strings_are_capped_in_rows_memory_and_site(
    ecosystem: str, tmp_path: Path
) -> None:
    names = [f"big-{i}" for i in range(PACKAGES)]
    registry = Registry()
    for name in names:
        registry.routes.update(huge_routes(ecosystem, name))
    source = SourceInfo(kind="packages-file", location="t", requested=PACKAGES)
    with serve(registry) as url:
        async with Fetcher(url, HttpPolicy(attempts=1, max_bytes=8 * MiB)) as fetcher:
            tracemalloc.start()
            try:
                baseline, _ = tracemalloc.get_traced_memory()
                snapshot = whole(
                    await crawl(REGISTRY[ecosystem], fetcher, RankedList(names, source))
                )
                retained, _ = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
    # Uncapped, the rows held 2 copies of 2 MiB per package (48 MiB here, 1 GB at 25 MB).
    assert retained - baseline < 4 * MiB, f"{(retained - baseline) / MiB:.1f} MiB retained"
    assert [p.status for p in snapshot.packages] != [Status.ERROR] * PACKAGES
    for row in snapshot.packages:
        assert max(len(s) for s in strings(row.model_dump(mode="json"))) <= MAX_TEXT
        huge = row.repository_declared if ecosystem == "npm" else row.version
        assert huge is not None and huge.endswith(TRUNCATED), row
    write_snapshot(snapshot, tmp_path / "data")
    render([snapshot], tmp_path / "site", infos=INFOS)
    size = sum(p.stat().st_size for p in (tmp_path / "site").rglob("*") if p.is_file())
    assert size < 2 * MiB, f"site of {size / MiB:.1f} MiB"  # uncapped: over 50 MiB here
    # A snapshot file that holds a huge string is capped on reading too.
    doc = json.loads((tmp_path / "data" / f"{ecosystem}.json").read_text())
    doc["packages"][0]["reason"] = "x" * HUGE
    assert len(type(snapshot).model_validate(doc).packages[0].reason) == MAX_TEXT


# ---- a hostile previous site --------------------------------------------------------------


def hostile_previous(key: str) -> dict[str, bytes]:
    """The files of a previous site whose history names ecosystem ``key``."""
    entry = {"snapshot_date": "2031-01-01", "fresh": True, "days": 0, "changes": 0}
    index = {"schema_version": 1, "updated": "2031-01-01", "ecosystems": {key: entry}}
    part = {"schema_version": 1, "ecosystem": key}
    return {
        "/data/history/index.json": json.dumps(index).encode(),
        f"/data/history/{key}-daily.json": json.dumps(part | {"days": []}).encode(),
        f"/data/history/{key}-changes.json": json.dumps(part | {"changes": []}).encode(),
    }


@pytest.mark.parametrize("key", ["../../x", "..", "PyPI/../x", "cargo"])
def test_history_keys_from_a_previous_site_must_be_known(
    key: str, tmp_path: Path, guarded_env: dict[str, str]
) -> None:
    data = tmp_path / "deep" / "data"
    write_snapshot(builders.snapshot("pypi", [builders.package(1)]), data)
    registry = Registry()
    for path, body in hostile_previous(key).items():
        registry.add(path, Reply(200, body))
    before = sorted(p for p in tmp_path.rglob("*"))
    with serve(registry) as url:
        proc = run(
            ["history", "update", "--data", str(data), "--previous", url, "--ecosystem", "pypi"],
            guarded_env,
            tmp_path,
        )
    assert proc.returncode == 1, proc.stderr
    assert "not valid history" in proc.stderr, proc.stderr
    assert sorted(p for p in tmp_path.rglob("*")) == before  # nothing written anywhere
    assert registry.hits["/data/history/index.json"] == 1
    assert not [p for p in registry.hits if p.endswith("-daily.json")]  # not even asked for


def test_history_file_must_hold_its_own_ecosystem(tmp_path: Path) -> None:
    site = tmp_path / "site" / "data"
    history = site / "history"
    history.mkdir(parents=True)
    for path, body in hostile_previous("pypi").items():
        (site.parent / path.lstrip("/")).write_bytes(
            body.replace(b'"ecosystem": "pypi"', b'"ecosystem": "npm"')
        )
    with pytest.raises(Exception, match="pypi-daily.json is not valid history: it holds 'npm'"):
        read_previous(str(site.parent), ["pypi"])


def test_previous_snapshot_of_another_ecosystem_is_not_used(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for path, body in hostile_previous("pypi").items():
        target = tmp_path / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    write_snapshot(builders.snapshot("npm", [builders.package(1)]), data)
    (data / "npm.json").rename(data / "pypi.json")  # pypi.json saying "ecosystem": "npm"
    previous = read_previous(str(tmp_path), ["pypi"])
    assert previous.snapshots == {}


# ---- CSV, feed and links ------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("https://evil.test")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def test_csv_cells_that_start_a_formula_are_neutralized() -> None:
    rows = [
        builders.package(i + 1, name=f"p{i}", version=value, reason=value)
        for i, value in enumerate(FORMULAS)
    ]
    read = list(csv.DictReader(io.StringIO(to_csv(builders.snapshot("npm", rows)).decode())))
    assert [r["version"] for r in read] == [f"'{v}" for v in FORMULAS]
    assert [r["reason"] for r in read] == [f"'{v}" for v in FORMULAS]
    assert read[0]["name"] == "p0" and read[0]["rank"] == "1"  # plain cells untouched


BAD_XML = ["\x00", "\x01", "\x08", "\x0b", "\x1f", "\ufffe", "\uffff", "\ud800"]


@pytest.mark.parametrize("site_url", ["", "https://x.test/site"])
def test_feed_stays_well_formed_and_valid_atom(site_url: str) -> None:
    name = "pkg" + "".join(BAD_XML) + "<&>\"'"
    old = builders.snapshot("pypi", [builders.package(1, name, status=Status.ATTESTED)])
    new = builders.snapshot(
        "pypi",
        [builders.package(1, name, status=Status.MISSING, version="2\x07\ufffe")],
        generated_at=old.generated_at.replace(day=2),
    )
    h = append_snapshot(append_snapshot(EcosystemHistory("pypi"), old), new)
    xml = feed_xml(History({"pypi": h}, date(2026, 11, 2)), site_url)
    root = ET.fromstring(xml.encode("utf-8"))  # well-formed XML 1.0
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert entries
    ids = [root.findtext(f"{atom}id") or ""] + [e.findtext(f"{atom}id") or "" for e in entries]
    prefix = "https://x.test/site/" if site_url else "tag:attested-yet,2025:"
    assert all(i.startswith(prefix) and i.isascii() and " " not in i for i in ids), ids
    for entry in entries:  # RFC 4287 4.1.2: an alternate link or content
        has_link = entry.find(f"{atom}link[@rel='alternate']") is not None
        assert has_link or entry.find(f"{atom}content") is not None
        assert entry.findtext(f"{atom}updated") and entry.findtext(f"{atom}title")
        assert "pkg\ufffd" in (entry.findtext(f"{atom}title") or "")


GITHUB = "https://github.com/o/r"


@pytest.mark.parametrize(
    "ref",
    [
        "refs/tags/../../../evil/repo/blob/main",
        "refs/heads/..",
        "refs/tags/./x",
        "refs/tags//x",
        "refs/tags/a\\..\\..\\b",
        "refs/tags/a\x00b",
    ],
)
def test_a_ref_with_path_tricks_gets_no_link(ref: str) -> None:
    build = Build(source_repository=GITHUB, ref=ref, workflow=".github/workflows/r.yml")
    assert "workflow" not in build_links(build)
    good = build.model_copy(update={"ref": "refs/tags/v1.2.0"})
    assert build_links(good)["workflow"] == f"{GITHUB}/blob/v1.2.0/.github/workflows/r.yml"


def test_caps_hold_for_every_model_row() -> None:
    row = builders.package(1, error="e" * 10_000, status=Status.ERROR, version="v" * 3000)
    assert isinstance(row, PackageResult)
    assert len(row.error or "") == MAX_TEXT and (row.error or "").endswith(TRUNCATED)
    assert len(row.version or "") == MAX_TEXT
