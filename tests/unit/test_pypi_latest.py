"""PyPI's latest release from the simple index, and the request flow around it.

The rule is warehouse's (``latest_release_factory``): not yanked first, then final before
pre-release, then the highest PEP 440 version; a release without files is a candidate.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from generator.crawl import package_result
from generator.ecosystems import REGISTRY
from generator.ecosystems.pypi_latest import read_index
from generator.http import Fetcher, HttpPolicy
from generator.models import Status

RECENT = "2025-06-01T00:00:00.000000Z"


def sfile(
    filename: str, *, uploaded: str = RECENT, yanked: bool | str = False, prov: bool = False
) -> dict[str, Any]:
    return {
        "filename": filename,
        "upload-time": uploaded,
        "yanked": yanked,
        "provenance": f"https://pypi.org/integrity/{filename}/provenance" if prov else None,
    }


def simple(versions: list[str], files: list[dict[str, Any]]) -> dict[str, Any]:
    return {"meta": {"api-version": "1.4"}, "name": "pkg", "versions": versions, "files": files}


def files_for(*versions: str, **flags: Any) -> list[dict[str, Any]]:
    return [f for v in versions for f in (sfile(f"pkg-{v}.tar.gz", **flags),)]


@pytest.mark.parametrize(
    ("versions", "files", "latest"),
    [
        # the highest final release, not the last listed nor the last uploaded
        (["1.0", "1.10", "1.9"], files_for("1.0", "1.10", "1.9"), "1.10"),
        # a pre-release (and a dev release) newer than the final one is not latest
        (["1.0", "2.0rc1", "2.1.dev3"], files_for("1.0", "2.0rc1", "2.1.dev3"), "1.0"),
        # only pre-releases: the highest of them
        (["2.0a1", "2.0b2"], files_for("2.0a1", "2.0b2"), "2.0b2"),
        # a yanked final release loses to an older one, and to a pre-release
        (["1.0", "2.0"], files_for("1.0") + files_for("2.0", yanked="broken"), "1.0"),
        (["1.0rc1", "1.0"], files_for("1.0rc1") + files_for("1.0", yanked=True), "1.0rc1"),
        # everything yanked: the highest yanked final release
        (["1.0", "2.0"], files_for("1.0", "2.0", yanked=True), "2.0"),
        # a release without files is a candidate like any other
        (["1.0", "3.0"], files_for("1.0"), "3.0"),
        # post releases are final; wheels name the version too
        (
            ["1.0", "1.0.post1"],
            [sfile("pkg-1.0.tar.gz"), sfile("pkg-1.0.post1-py3-none-any.whl")],
            "1.0.post1",
        ),
        # a legacy sdist whose name holds dashes
        (["0.9"], [sfile("My-Pkg-0.9.tar.gz")], "0.9"),
    ],
)
def test_latest_follows_warehouse(
    versions: list[str], files: list[dict[str, Any]], latest: str
) -> None:
    project = "my-pkg" if files[0]["filename"].startswith("My-Pkg") else "pkg"
    index = read_index(simple(versions, files), project)
    assert index is not None
    assert index.latest() == latest


@pytest.mark.parametrize(
    "doc",
    [
        {"meta": {"api-version": "1.0"}, "files": files_for("1.0")},  # no versions (PEP 700)
        simple(["1.0", "not a version"], files_for("1.0")),
        simple(["1.0"], [sfile("pkg-1.0.tar.gz"), sfile("pkg-1.0.zip", yanked=True)]),
        # an attested file without upload-time (earlier_attested needs it)
        simple(["1.0"], [{"filename": "pkg-1.0.tar.gz", "yanked": False, "provenance": "u"}]),
        simple(["1.0"], [sfile("other-1.0.tar.gz", prov=True)]),  # provenance, no release
    ],
)
def test_doubt_gives_up(doc: dict[str, Any]) -> None:
    assert read_index(doc, "pkg") is None


def test_unattributed_file_without_provenance_is_ignored() -> None:
    index = read_index(simple(["1.0"], [*files_for("1.0"), sfile("pkg-1.0.win32.exe")]), "pkg")
    assert index is not None and index.latest() == "1.0"


# ---- the request flow -------------------------------------------------------------------


def release_doc(version: str, *, yanked: bool = False, files: int = 1) -> dict[str, Any]:
    urls = [
        {"filename": f"pkg-{version}.tar.gz", "upload_time_iso_8601": RECENT, "yanked": yanked}
    ][:files]
    return {
        "info": {
            "name": "pkg",
            "version": version,
            "yanked": yanked,
            "project_urls": {"Source": "https://github.com/o/pkg"},
        },
        "urls": urls,
    }


async def crawl_one(routes: dict[str, Any]) -> tuple[Any, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        seen.append(path)
        if path not in routes:
            return httpx.Response(404, json={"message": "Not Found"})
        return httpx.Response(200, content=json.dumps(routes[path]))

    policy = HttpPolicy(attempts=1, deadline=5)
    transport = httpx.MockTransport(handler)
    async with Fetcher("https://registry.test", policy, transport=transport) as fetcher:
        result = await package_result(REGISTRY["pypi"], fetcher, 1, "pkg")
    return result, seen


async def test_simple_index_first_then_the_latest_release_only() -> None:
    routes = {
        "/simple/pkg/": simple(["1.0", "2.0b1"], files_for("1.0", "2.0b1")),
        "/pypi/pkg/1.0/json": release_doc("1.0"),
    }
    result, seen = await crawl_one(routes)
    assert seen == ["/simple/pkg/", "/pypi/pkg/1.0/json"]
    assert (result.version, result.status) == ("1.0", Status.MISSING)


async def test_earlier_provenance_comes_from_the_simple_index() -> None:
    files = [
        sfile("pkg-0.9.tar.gz", uploaded="2025-01-01T00:00:00Z", prov=True),
        sfile("pkg-1.0.tar.gz"),
    ]
    routes = {
        "/simple/pkg/": simple(["0.9", "1.0"], files),
        "/pypi/pkg/1.0/json": release_doc("1.0"),
    }
    result, _ = await crawl_one(routes)
    assert result.last_attested_version == "0.9"
    assert result.provenance_dropped


async def test_a_release_without_files_is_an_error_as_before() -> None:
    routes = {
        "/simple/pkg/": simple(["1.0", "2.0"], files_for("1.0")),
        "/pypi/pkg/2.0/json": release_doc("2.0", files=0),
    }
    result, seen = await crawl_one(routes)
    assert seen == ["/simple/pkg/", "/pypi/pkg/2.0/json"]
    assert result.status == Status.ERROR
    assert "release 2.0 has no non-yanked files" in (result.error or "")


@pytest.mark.parametrize(
    ("routes", "why"),
    [
        # a file-less release PyPI says is yanked: not latest after all
        (
            {
                "/simple/pkg/": simple(["1.0", "2.0"], files_for("1.0")),
                "/pypi/pkg/2.0/json": release_doc("2.0", yanked=True, files=0),
            },
            "yanked",
        ),
        # an index without versions (api-version 1.0)
        ({"/simple/pkg/": {"meta": {"api-version": "1.0"}, "files": files_for("1.0")}}, "old"),
        # the release document is gone
        ({"/simple/pkg/": simple(["1.0"], files_for("1.0"))}, "404"),
    ],
)
async def test_doubt_reads_the_project_document(routes: dict[str, Any], why: str) -> None:
    project = {**release_doc("1.0"), "releases": {"1.0": release_doc("1.0")["urls"]}}
    routes = {**routes, "/pypi/pkg/json": project}
    result, seen = await crawl_one(routes)
    assert seen[0] == "/simple/pkg/" and seen[-1] == "/pypi/pkg/json", why
    assert (result.version, result.status) == ("1.0", Status.MISSING)
