"""Parsing of registry documents through httpx.MockTransport (no sockets)."""

from __future__ import annotations

import ast
import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import generator.ecosystems as ecosystems_package
from generator.crawl import package_result
from generator.ecosystems import REGISTRY
from generator.ecosystems.npm import builder_identity, path_name, top_from_counts
from generator.errors import PackageError
from generator.http import Fetcher, HttpPolicy
from generator.models import (
    Evidence,
    NpmSubject,
    PackageResult,
    PyPIRelease,
    PyPISubject,
    Status,
)

FAST = HttpPolicy(attempts=1, deadline=5)


def fetcher_for(routes: dict[str, Any], base: str = "https://registry.test") -> Fetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.raw_path.decode()
        if path not in routes:
            return httpx.Response(404, json={"message": "Not Found"})
        body = routes[path]
        if isinstance(body, httpx.Response):
            return body
        return httpx.Response(200, content=body if isinstance(body, bytes) else json.dumps(body))

    return Fetcher(base, FAST, transport=httpx.MockTransport(handler))


def packument(latest: str = "2.0.0", **manifest: Any) -> dict[str, Any]:
    version = {"name": "pkg", "version": latest, "dist": {"integrity": "sha512-AA=="}}
    version.update(manifest)
    return {
        "name": "pkg",
        "dist-tags": {"latest": latest},
        "versions": {latest: version},
        "time": {latest: "2025-06-01T00:00:00.000Z"},
    }


async def npm_result(
    doc: Any, name: str = "pkg", extra: dict[str, Any] | None = None
) -> PackageResult:
    routes = {f"/{path_name(name)}": doc, **(extra or {})}
    async with fetcher_for(routes) as fetcher:
        return await package_result(REGISTRY["npm"], fetcher, 1, name)


async def test_npm_trusted_publishing_both_forms() -> None:
    tp = {"name": "GitHub Actions", "trustedPublisher": {"id": "github", "oidcConfigId": "oidc:x"}}
    result = await npm_result(packument(_npmUser=tp, repository="github:o/r"))
    assert result.trusted_publishing is True and result.status is Status.MISSING
    as_string = await npm_result(
        packument(_npmUser="GitHub Actions <npm-oidc-no-reply@github.com>")
    )
    assert as_string.trusted_publishing is False
    assert as_string.status is Status.UNSUPPORTED_CI  # no repository declared
    empties: tuple[Any, ...] = (None, False, "", {})
    for empty in empties:
        user = {"name": "someone", "trustedPublisher": empty}
        assert (await npm_result(packument(_npmUser=user))).trusted_publishing is False, empty


async def test_pypi_unreadable_provenance_keeps_the_verdict() -> None:
    """The simple index decides `attested`; an Integrity API outage costs only the details."""
    url = "https://pypi.org/integrity/sample-pkg/1.0/s-1.0.tar.gz/provenance"
    routes = pypi_routes(
        [pyfile("s-1.0.tar.gz")], [{"filename": "s-1.0.tar.gz", "provenance": url}]
    )
    routes["/integrity/sample-pkg/1.0/s-1.0.tar.gz/provenance"] = httpx.Response(503)
    result = await pypi_result(routes)
    assert result.status is Status.ATTESTED and result.error is None
    assert result.provenance is None
    assert result.verification.value == "not-checked"
    assert "could not be read: HTTP 503" in (result.verification_reason or "")
    routes["/integrity/sample-pkg/1.0/s-1.0.tar.gz/provenance"] = b"{not json"
    garbled = await pypi_result(routes)
    assert garbled.status is Status.ATTESTED
    assert "malformed JSON" in (garbled.verification_reason or "")


async def test_npm_version_repository_wins_over_packument() -> None:
    doc = packument(repository={"type": "git", "url": "git+https://gitlab.com/g/r.git"})
    doc["repository"] = "https://codeberg.org/o/r"
    result = await npm_result(doc)
    assert result.repository == "https://gitlab.com/g/r"
    doc["versions"]["2.0.0"].pop("repository")
    assert (await npm_result(doc)).repository == "https://codeberg.org/o/r"


def statement(predicate: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps({"predicate": predicate}).encode()).decode()


async def test_npm_attested_reads_builder_identity_from_attestations() -> None:
    v1 = {
        "buildDefinition": {
            "externalParameters": {
                "workflow": {
                    "repository": "https://github.com/o/r",
                    "path": ".github/workflows/pub.yml",
                }
            }
        }
    }
    response = {
        "attestations": [
            {
                "predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
                "bundle": {"dsseEnvelope": {"payload": statement({"name": "x"})}},
            },
            {
                "predicateType": "https://slsa.dev/provenance/v1",
                "bundle": {"dsseEnvelope": {"payload": statement(v1)}},
            },
        ]
    }
    doc = packument(repository="o/r")
    doc["name"] = "@s/pkg"  # an answer for another name is an error row (issue 10)
    doc["versions"]["2.0.0"]["dist"]["attestations"] = {
        "url": "https://registry.npmjs.org/-/npm/v1/attestations/@s%2fpkg@2.0.0",
        "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
    }
    result = await npm_result(doc, "@s/pkg", {"/-/npm/v1/attestations/@s%2fpkg@2.0.0": response})
    assert result.status is Status.ATTESTED
    assert result.provenance is not None
    assert (result.provenance.kind, result.provenance.repository, result.provenance.workflow) == (
        "GitHub",
        "o/r",
        ".github/workflows/pub.yml",
    )
    assert (
        result.provenance_url == "https://registry.npmjs.org/-/npm/v1/attestations/@s%2fpkg@2.0.0"
    )
    # If the attestations endpoint fails, the verdict still stands on dist.attestations.
    failing = await npm_result(doc, "@s/pkg")
    assert failing.status is Status.ATTESTED and failing.provenance is None


def test_npm_legacy_slsa_v02_identity() -> None:
    v02 = {
        "invocation": {
            "configSource": {
                "uri": "git+https://github.com/sigstore/sigstore-js@refs/tags/v1.0.0",
                "entryPoint": "sigstore/sigstore-js/.github/workflows/publish.yml@refs/tags/v1.0.0",
            }
        }
    }
    identity = builder_identity(
        {
            "attestations": [
                {
                    "predicateType": "https://slsa.dev/provenance/v0.2",
                    "bundle": {"dsseEnvelope": {"payload": statement(v02)}},
                }
            ]
        }
    )
    assert identity is not None
    assert identity.repository == "sigstore/sigstore-js"
    assert identity.workflow == ".github/workflows/publish.yml"
    assert builder_identity({"attestations": "nope"}) is None
    assert builder_identity([]) is None


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda d: d.pop("dist-tags"), "dist-tags is missing"),
        (lambda d: d["dist-tags"].update(latest="9.9.9"), "not in versions"),
        (lambda d: d.update(versions={}), "not in versions"),
        (lambda d: d["time"].update({"2.0.0": "yesterday"}), "not a date"),
        (lambda d: d["time"].update({"2.0.0": 17}), "not a date"),
        (lambda d: d.update(versions=[]), "versions is an array"),
        (lambda d: d["versions"].update({"2.0.0": "x"}), "not an object"),
    ],
)
async def test_npm_bad_shapes_become_errors(
    mutate: Callable[[dict[str, Any]], Any], reason: str
) -> None:
    doc = packument()
    mutate(doc)
    result = await npm_result(doc)
    assert result.status is Status.ERROR
    assert result.error is not None and reason in result.error


async def test_npm_json_array_instead_of_object() -> None:
    result = await npm_result([1, 2])
    assert result.status is Status.ERROR and "not an object" in (result.error or "")


def pypi_routes(
    files: list[dict[str, Any]], simple: list[dict[str, Any]], **info: Any
) -> dict[str, Any]:
    base_info = {
        "name": "Sample_Pkg",
        "version": "1.0",
        "project_urls": {"Source": "https://github.com/o/r"},
    }
    base_info.update(info)
    return {
        "/pypi/sample-pkg/json": {"info": base_info, "urls": files},
        "/simple/sample-pkg/": {"meta": {"api-version": "1.4"}, "files": simple},
    }


def pyfile(
    name: str, when: str = "2025-01-02T03:04:05.000000Z", yanked: bool = False
) -> dict[str, Any]:
    return {"filename": name, "upload_time_iso_8601": when, "yanked": yanked}


async def pypi_result(routes: dict[str, Any], name: str = "Sample_Pkg") -> PackageResult:
    async with fetcher_for(routes) as fetcher:
        return await package_result(REGISTRY["pypi"], fetcher, 1, name)


async def test_pypi_counts_attested_files_and_reads_publisher() -> None:
    url = "https://pypi.org/integrity/sample-pkg/1.0/s-1.0.tar.gz/provenance"
    routes = pypi_routes(
        [pyfile("s-1.0.tar.gz"), pyfile("s-1.0-py3-none-any.whl", "2025-01-03T00:00:00Z")],
        [
            {"filename": "s-1.0.tar.gz", "provenance": url},
            {"filename": "s-1.0-py3-none-any.whl", "provenance": None},
        ],
    )
    routes["/integrity/sample-pkg/1.0/s-1.0.tar.gz/provenance"] = {
        "version": 1,
        "attestation_bundles": [
            {
                "publisher": {
                    "kind": "GitLab",
                    "repository": "g/r",
                    "workflow_filepath": ".gitlab-ci.yml",
                    "environment": "",
                },
                "attestations": [],
            }
        ],
    }
    result = await pypi_result(routes)
    assert result.status is Status.ATTESTED
    assert (result.files_attested, result.files_total) == (1, 2)
    assert result.trusted_publishing is True
    assert result.name == "Sample_Pkg"
    assert result.published_at is not None and result.published_at.day == 3
    assert result.provenance is not None
    assert (result.provenance.kind, result.provenance.workflow, result.provenance.environment) == (
        "GitLab",
        ".gitlab-ci.yml",
        None,
    )


async def test_pypi_yanked_files_and_missing_provenance_key() -> None:
    routes = pypi_routes(
        [
            pyfile("s-1.0.tar.gz", "2023-01-01T00:00:00Z"),
            pyfile("s-1.0-py3-none-any.whl", "2025-05-05T00:00:00Z", yanked=True),
        ],
        [
            {"filename": "s-1.0.tar.gz"},  # api-version 1.1: no provenance key at all
            {"filename": "s-1.0-py3-none-any.whl", "provenance": "https://pypi.org/x"},
        ],
    )
    result = await pypi_result(routes)
    assert result.status is Status.PRE_ATTESTATION, result.reason
    assert (result.files_attested, result.files_total) == (0, 1)
    assert result.trusted_publishing is None


async def test_pypi_release_without_files_is_an_error() -> None:
    result = await pypi_result(pypi_routes([], []))
    assert result.status is Status.ERROR and "no non-yanked files" in (result.error or "")


async def test_pypi_wrong_types() -> None:
    routes = pypi_routes([pyfile("a.tar.gz")], [])
    routes["/pypi/sample-pkg/json"]["info"]["version"] = 1.0
    result = await pypi_result(routes)
    assert result.status is Status.ERROR and "info.version" in (result.error or "")


def test_names() -> None:
    pypi, npm = REGISTRY["pypi"], REGISTRY["npm"]
    assert pypi.normalize("Foo.Bar__baz") == "foo-bar-baz"
    assert pypi.normalize("-bad") is None and pypi.normalize("a b") is None
    assert npm.normalize("@scope/name") == "@scope/name"
    assert npm.normalize("../etc/passwd") is None and npm.normalize("a" * 215) is None
    assert path_name("@scope/name") == "@scope%2fname"


def test_top_from_counts_orders_by_count_then_name() -> None:
    counts = b'{"b": 5, "a": 5, "c": 10, "d\\"q": 1, "@s/x": 7}'
    assert top_from_counts(counts, 3) == ["c", "@s/x", "a"]
    assert top_from_counts(counts, 10)[-1] == 'd"q'


async def test_invalid_names_never_reach_the_registry() -> None:
    async with fetcher_for({}) as fetcher:
        with pytest.raises(PackageError):
            await REGISTRY["npm"].evidence(fetcher, "Not Valid")
        assert fetcher.stats.requests == 0


# ---- the hand-over to verification: what an ecosystem returns, and what it must not import


async def test_pypi_observation_carries_the_raw_provenance_and_its_subject() -> None:
    """The ecosystem fetches the provenance and says what it must cover; it does not verify
    (no verification field is part of ``Evidence``)."""
    raw = {"version": 1, "attestation_bundles": []}
    file = pyfile("s-1.0.tar.gz") | {"digests": {"sha256": "ab" * 32}}
    routes = pypi_routes(
        [file, pyfile("s-1.0-py3-none-any.whl")],
        [{"filename": "s-1.0.tar.gz", "provenance": "https://x.test/p"}],
    )
    routes["/integrity/sample-pkg/1.0/s-1.0.tar.gz/provenance"] = raw
    async with fetcher_for(routes) as fetcher:
        observation = await REGISTRY["pypi"].evidence(fetcher, "Sample_Pkg")
    assert observation.provenance == raw
    assert observation.subject == PyPISubject(
        "s-1.0.tar.gz",
        "ab" * 32,
        PyPIRelease(
            "sample-pkg", "1.0", (("s-1.0.tar.gz", "ab" * 32), ("s-1.0-py3-none-any.whl", None))
        ),
    )
    assert observation.unreadable is None
    assert "verification" not in Evidence.model_fields


async def test_pypi_observation_of_a_missing_document_says_why() -> None:
    routes = pypi_routes(
        [pyfile("s-1.0.tar.gz")], [{"filename": "s-1.0.tar.gz", "provenance": "https://x.test/p"}]
    )
    async with fetcher_for(routes) as fetcher:
        observation = await REGISTRY["pypi"].evidence(fetcher, "Sample_Pkg")
    assert observation.evidence.attested and observation.provenance is None
    assert observation.unreadable == (
        "the simple index lists provenance for s-1.0.tar.gz, but the Integrity API has none (404)"
    )


async def test_npm_observation_binds_name_version_and_integrity() -> None:
    doc = packument(dist={"integrity": "sha512-AA==", "attestations": {"url": "x"}})
    raw: dict[str, Any] = {"attestations": []}
    routes = {"/pkg": doc, "/-/npm/v1/attestations/pkg@2.0.0": raw}
    async with fetcher_for(routes) as fetcher:
        observation = await REGISTRY["npm"].evidence(fetcher, "pkg")
    assert observation.provenance == raw
    assert observation.subject == NpmSubject("pkg", "2.0.0", "sha512-AA==")
    async with fetcher_for({"/pkg": packument()}) as fetcher:
        plain = await REGISTRY["npm"].evidence(fetcher, "pkg")
    assert (plain.provenance, plain.subject, plain.unreadable) == (None, None, None)


def test_ecosystems_do_not_import_verification() -> None:
    """Stages never reach back: every import (also function-level) under generator/ecosystems."""
    folder = Path(ecosystems_package.__file__).parent
    imported: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert "generator.slsa" in imported
    assert not {m for m in imported if m == "generator.verify" or m.startswith("generator.verify.")}
    assert not {m for m in imported if m.split(".")[0] in ("sigstore", "pypi_attestations")}


async def test_npm_feed_position_comes_from_the_replication_root() -> None:
    routes = {"/": {"doc_count": 3, "update_seq": 42}}
    async with fetcher_for(routes, "https://replicate.test") as feed:
        read = await REGISTRY["npm"].change_feed(feed, None, 10)  # type: ignore[attr-defined]
    assert read.position == 42 and read.changed is None


async def test_npm_feed_without_update_seq_at_the_root_reads_couchdb_database_info() -> None:
    routes: dict[str, Any] = {
        "/": {"couchdb": "Welcome", "version": "3.3.3"},
        "/registry/": {"db_name": "registry", "update_seq": 7},
        "/registry/_changes?since=5&limit=10000": {
            "results": [{"seq": 7, "id": "left-pad", "changes": [{"rev": "2-a"}]}],
            "last_seq": 7,
        },
    }
    async with fetcher_for(routes, "https://couch.test") as feed:
        read = await REGISTRY["npm"].change_feed(feed, 5, 10)  # type: ignore[attr-defined]
    assert read.position == 7 and read.changed == frozenset({"left-pad"})
