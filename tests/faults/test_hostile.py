"""Hostile metadata, fuzzed with hypothesis: through the parsers and through the renderer.

Anyone who publishes a package controls its names, versions, URLs, descriptions and dates.
For any such document: no exception escapes the per-package boundary (and none is an
"internal error"), the result serializes, every rendered page is well-nested HTML, and no
attacker string becomes an element, an attribute, an event handler or a script URL.
"""

from __future__ import annotations

import asyncio
import base64
import json
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.crawl import RankedList, crawl, package_result
from generator.ecosystems import INFOS, REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import (
    Evidence,
    Observation,
    PackageResult,
    Provenance,
    Snapshot,
    SourceInfo,
    Status,
)
from generator.render import render
from tests import builders
from tests.faults.htmlcheck import check_page, safe_link

# Examples per test and health checks come from the Hypothesis profile (tests/conftest.py):
# a few on every push, many under `--hypothesis-profile=deep` (the weekly deep workflow).

# Strings that have broken HTML, attributes, URLs, templates or encodings somewhere.
FRAGMENTS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    '" onfocus="alert(1)" autofocus x="',
    "<x-evil>",
    "</td></tr></table></section></main>",
    "<!--",
    "-->",
    "<![CDATA[",
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "vbscript:msgbox(1)",
    "https://github.com/o/r",
    'https://github.com/o/r"><x-evil>',
    "https://x.test/ onerror=alert(1)",
    "git+https://github.com/o/r.git",
    "github:o/r",
    "git@github.com:o/r.git",
    "{{ 7*7 }}",
    "{% if 1 %}",
    "&lt;x-evil&gt;",
    "&#60;x-evil&#62;",
    "\u202e",
    "\ufeff",
    "\x00",
    "\ud800",
    "\udfff",
    "\n",
    "`",
    "\\",
    "2025-06-01T00:00:00Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
]
hostile = st.lists(
    st.one_of(
        st.sampled_from(FRAGMENTS),
        st.sampled_from(["\ud800", "\udfff", "<x-evil>", '"', "'"]),
        st.text(max_size=6),
    ),
    min_size=0,
    max_size=5,
).map("".join)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    hostile,
)
json_value = st.recursive(
    json_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile, inner, max_size=3)
    ),
    max_leaves=8,
)
valid_dates = st.one_of(
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-12))])).map(
        datetime.isoformat
    ),
    st.datetimes().map(datetime.isoformat),
)
dates = st.one_of(valid_dates, valid_dates, hostile, json_value)
repository = st.one_of(
    hostile,
    st.fixed_dictionaries({"type": st.just("git"), "url": hostile}),
    json_value,
)


# Sometimes a whole subtree is replaced by anything at all.
def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``strategy`` most of the time, else any JSON value (a wrong type, null, ...)."""
    return st.one_of(*[strategy] * 7, json_value)


def encode(document: Any) -> bytes:
    """JSON as a registry could send it: lone surrogates become ``\\udXXX`` escapes."""
    return json.dumps(document, ensure_ascii=True).encode()


def slsa(repo: str, path: str) -> dict[str, Any]:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "predicateType": "https://slsa.dev/provenance/v1",
        "predicate": {
            "buildDefinition": {
                "externalParameters": {"workflow": {"repository": repo, "path": path}}
            }
        },
    }
    payload = base64.b64encode(encode(statement)).decode()
    return {
        "attestations": [
            {
                "predicateType": "https://slsa.dev/provenance/v1",
                "bundle": {"dsseEnvelope": {"payload": payload}},
            }
        ]
    }


@st.composite
def npm_registry(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    name = draw(st.sampled_from(["pkg", "@scope/pkg", "a.b-c_d~e"]))
    latest = draw(hostile)
    manifest = {
        "name": draw(maybe(hostile)),
        "version": latest,
        "description": draw(hostile),
        "dist": draw(
            maybe(st.just({"attestations": {"url": "https://registry.test/x", "provenance": {}}}))
        ),
        "repository": draw(repository),
        "_npmUser": draw(maybe(st.just({"name": "x", "trustedPublisher": {"id": "github"}}))),
    }
    document = {
        "name": draw(hostile),
        "description": draw(hostile),
        "dist-tags": draw(maybe(st.just({"latest": latest}))),
        "versions": draw(maybe(st.just({latest: manifest}))),
        "time": draw(maybe(st.fixed_dictionaries({latest: dates}))),
        "repository": draw(repository),
    }
    attestations = draw(maybe(st.builds(slsa, hostile, hostile)))
    routes = {
        "/" + name.replace("/", "%2f"): encode(draw(maybe(st.just(document)))),
        "attestations": encode(attestations),
    }
    return name, routes


@st.composite
def pypi_registry(draw: st.DrawFn) -> tuple[str, dict[str, bytes]]:
    filename = draw(hostile)
    info = {
        "name": draw(maybe(hostile)),
        "version": draw(maybe(hostile)),
        "summary": draw(hostile),
        "home_page": draw(maybe(hostile)),
        "project_urls": draw(maybe(st.dictionaries(hostile, hostile, max_size=4))),
    }
    files = [
        {
            "filename": filename,
            "upload_time_iso_8601": draw(dates),
            "yanked": draw(maybe(st.booleans())),
        }
    ]
    document = {"info": draw(maybe(st.just(info))), "urls": draw(maybe(st.just(files)))}
    simple = {"files": [{"filename": filename, "provenance": draw(maybe(hostile))}]}
    publisher = {
        key: draw(maybe(hostile))
        for key in ("kind", "repository", "workflow", "environment", "email")
    }
    integrity = {"attestation_bundles": [{"publisher": publisher, "attestations": []}]}
    routes = {
        "/pypi/pkg/json": encode(draw(maybe(st.just(document)))),
        "/simple/pkg/": encode(draw(maybe(st.just(simple)))),
        "integrity": encode(draw(maybe(st.just(integrity)))),
    }
    return "pkg", routes


def fetcher(routes: dict[str, bytes]) -> Fetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        if path.startswith("/-/npm/v1/attestations/"):
            path = "attestations"
        elif path.startswith("/integrity/"):
            path = "integrity"
        if path not in routes:
            return httpx.Response(404, content=b'{"message": "Not Found"}')
        return httpx.Response(200, content=routes[path])

    policy = HttpPolicy(attempts=1, deadline=5)
    return Fetcher("https://registry.test", policy, transport=httpx.MockTransport(handler))


async def parse(ecosystem: str, name: str, routes: dict[str, bytes]) -> PackageResult:
    async with fetcher(routes) as f:
        return await package_result(REGISTRY[ecosystem], f, 1, name)


def snapshot_of(ecosystem: str, packages: list[PackageResult], **extra: Any) -> Snapshot:
    return builders.snapshot(
        ecosystem, packages, generated_at=datetime(2026, 1, 1, tzinfo=UTC), **extra
    )


def render_and_check(snapshots: list[Snapshot]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "site"
        render(snapshots, out, infos=INFOS)
        pages = sorted(out.rglob("*.html"))
        assert pages
        for page in pages:
            check_page(page.read_text(encoding="utf-8"))
        for data in (out / "data").glob("*.json"):
            json.loads(data.read_bytes())


def assert_contained(result: PackageResult) -> None:
    assert isinstance(result, PackageResult)
    if result.status is Status.ERROR:
        assert result.error and "internal error" not in result.error, result.error
    result.model_dump_json()  # serializable: no lone surrogate, nothing unencodable
    for url in (result.registry_url, result.provenance_url):
        assert url is None or url.startswith("https://"), url


@pytest.mark.long
@pytest.mark.parametrize(
    ("ecosystem", "strategy"), [("npm", npm_registry()), ("pypi", pypi_registry())]
)
@pytest.mark.hypothesis  # its @given is inside, where the plugin's auto-marking cannot see it
def test_hostile_documents_stay_inside_the_package(ecosystem: str, strategy: Any) -> None:
    @given(strategy)
    def check(drawn: tuple[str, dict[str, bytes]]) -> None:
        name, routes = drawn
        result = asyncio.run(parse(ecosystem, name, routes))
        assert_contained(result)
        render_and_check([snapshot_of(ecosystem, [result])])

    check()


def test_regressions_found_by_fuzzing() -> None:
    """Each of these once escaped as an internal error or broke the snapshot's JSON."""
    from tests.builders import packument, pypi_json, simple_index

    npm = packument("pkg")
    npm["dist-tags"]["latest"] = "1.0\ud800"  # a lone surrogate, sent as a JSON escape
    npm["versions"] = {"1.0\ud800": npm["versions"]["1.0.0"]}
    npm["time"] = {"1.0\ud800": "0001-01-01T00:00:00+01:00"}  # out of range in UTC
    result = asyncio.run(parse("npm", "pkg", {"/pkg": encode(npm)}))
    assert result.error is not None and "out of range" in result.error
    npm["time"] = {"1.0\ud800": "2025-01-01T00:00:00Z"}
    result = asyncio.run(parse("npm", "pkg", {"/pkg": encode(npm)}))
    assert result.version == "1.0\ufffd"
    pypi = pypi_json("pkg")
    pypi["info"]["name"] = "\udc00<x-evil>"
    routes = {"/pypi/pkg/json": encode(pypi), "/simple/pkg/": encode(simple_index("pkg"))}
    result = asyncio.run(parse("pypi", "pkg", routes))
    # An answer for another name is an error row under the name asked for (issue 10); the
    # surrogate reaches the reason only as U+FFFD.
    assert result.name == "pkg" and result.status is Status.ERROR
    assert result.error == "registry answered for \ufffd<x-evil>"
    assert_contained(result)
    render_and_check([snapshot_of("pypi", [result])])
    # The SLSA statement inside an npm attestation is JSON too, decoded separately.
    npm["time"] = {"1.0\ud800": "2025-01-01T00:00:00Z"}
    npm["versions"]["1.0\ud800"]["dist"] = {"attestations": {"url": "https://x.test/a"}}
    routes = {"/pkg": encode(npm), "attestations": encode(slsa("github.com/o/r", "\ud800"))}
    result = asyncio.run(parse("npm", "pkg", routes))
    assert result.status is Status.ATTESTED and result.provenance is not None
    assert result.provenance.workflow == "\ufffd"
    assert_contained(result)


async def test_an_unwritable_string_costs_its_package_only() -> None:
    """The per-package boundary's last guard: whatever a parser lets through, a row that
    cannot be written as UTF-8 becomes an error row instead of failing the snapshot."""

    class Sloppy:
        name = display_name = "sloppy"
        default_url = "https://registry.test"
        attestation_cutoff = datetime(2024, 1, 1, tzinfo=UTC)

        def normalize(self, name: str) -> str:
            return name

        async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
            return Observation(
                Evidence(
                    name=name,
                    version="1\udc00" if name == "pkg" else "1.0",
                    published_at=None,
                    repository=None,
                    attested=False,
                    trusted_publishing=None,
                    registry_url="https://registry.test/x",
                )
            )

    ranked = RankedList(["pkg", "ok"], SourceInfo(kind="packages-file", location="t", requested=2))
    async with fetcher({}) as f:
        crawled = await crawl(Sloppy(), f, ranked)  # type: ignore[arg-type]
    with crawled:
        bad, good = crawled.packages()
        assert crawled.kept == {}, "an error row is never stored for reuse"
    assert bad.status is Status.ERROR
    assert bad.error == "metadata that cannot be written as UTF-8"
    assert (good.name, good.version, good.error) == ("ok", "1.0", None)


@given(st.binary(max_size=300), st.sampled_from(["pypi", "npm"]))
def test_any_bytes_are_an_error_not_a_crash(body: bytes, ecosystem: str) -> None:
    path = "/pkg" if ecosystem == "npm" else "/pypi/pkg/json"
    result = asyncio.run(parse(ecosystem, "pkg", {path: body}))
    assert_contained(result)


# ---- the renderer alone, with every string field of the export hostile ----------------


def clean(value: str) -> str:
    """What the crawler hands over: no lone surrogates (``http.decode_json`` replaces them)."""
    return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


text = hostile.map(clean)
provenances = st.builds(
    Provenance,
    kind=text,
    repository=st.none() | text,
    workflow=st.none() | text,
    environment=st.none() | text,
    email=st.none() | text,
    predicate_type=st.none() | text,
)
aware = st.datetimes(
    min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.just(UTC)
)
results = st.builds(
    PackageResult,
    rank=st.integers(min_value=1, max_value=10**6),
    name=text,
    version=st.none() | text,
    published_at=st.none() | aware,
    status=st.sampled_from(Status),
    reason=text,
    trusted_publishing=st.sampled_from([True, False, None]),
    repository=st.none() | text,
    repository_declared=st.none() | text,
    files_total=st.none() | st.integers(min_value=0, max_value=10**6),
    files_attested=st.none() | st.integers(min_value=0, max_value=10**6),
    provenance=st.none() | provenances,
    registry_url=st.none() | text,
    provenance_url=st.none() | text,
    error=st.none() | text,
)


@pytest.mark.long
@given(
    st.lists(results, min_size=1, max_size=6),
    st.sampled_from(["pypi", "npm"]),
    text,
    st.lists(text, max_size=3),
)
def test_hostile_export_renders_as_inert_text(
    packages: list[PackageResult], ecosystem: str, registry: str, skipped: list[str]
) -> None:
    """Even fields the crawler would never fill this way (a ``javascript:`` registry_url,
    markup in a reason) render as text."""
    source = SourceInfo(kind="top-n", location=registry, requested=1, skipped=skipped)
    render_and_check([snapshot_of(ecosystem, packages, registry=registry, source=source)])


def test_the_checker_catches_what_it_must() -> None:
    """The page check is the oracle of this file: prove it fails on each injection."""
    good = "<!doctype html><html><body><a href='https://x.test/'>x</a></body></html>"
    check_page(good)
    for bad in (
        good.replace("<a ", "<x-evil></x-evil><a "),
        good.replace("href=", "onclick='alert(1)' href="),
        good.replace("https://x.test/", "javascript:alert(1)"),
        good.replace("https://x.test/", " java\tscript:alert(1)"),
        good.replace("</body>", "<script>alert(1)</script></body>"),
        good.replace("</a>", ""),
        good.replace("<a href='https://x.test/'>", '<a href="https://x.test/" x="" y="">'),
    ):
        if 'x="" y=""' in bad:
            check_page(bad)  # extra plain attributes are not an injection by themselves
            continue
        with pytest.raises(AssertionError):
            check_page(bad)
    assert safe_link("data/npm.json") and safe_link("#top") and not safe_link("data:x")
