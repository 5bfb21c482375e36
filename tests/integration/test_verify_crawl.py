"""Crawl → snapshot with real signatures served on 127.0.0.1: verified, failed, mismatched and
dropped releases end to end, and the request count (verification costs no extra request).

The registry documents around the real provenance are built here in the registries' shapes
(PyPI JSON API, PEP 691 simple index, npm packument); the provenance itself is the real,
signed sample from ../shared/registry-samples.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import jsonschema

from generator.crawl import RankedList, crawl
from generator.demo.server import Registry, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import Snapshot, SourceInfo, Status, Verification
from generator.snapshot import read_snapshot, schema, write_snapshot
from tests.builders import whole

POLICY = HttpPolicy(attempts=2, backoff=0.01)
RECENT = "2024-12-04T23:14:30.000000Z"


def pypi_project(
    registry: Registry,
    name: str,
    version: str,
    filename: str,
    *,
    sha256: str,
    provenance: Any | None,
    source: str,
    older: tuple[str, str, bool] | None = None,
) -> None:
    """JSON API, simple index and (if any) Integrity API documents for one release."""
    norm = name.lower()
    latest = {
        "filename": filename,
        "upload_time_iso_8601": RECENT,
        "digests": {"sha256": sha256},
        "yanked": False,
    }
    releases: dict[str, list[dict[str, Any]]] = {version: [latest]}
    simple_files = [
        {
            "filename": filename,
            "upload-time": RECENT,
            "provenance": (
                f"https://pypi.org/integrity/{norm}/{version}/{filename}/provenance"
                if provenance is not None
                else None
            ),
        }
    ]
    if older:
        old_version, when, attested = older
        old_file = filename.replace(version, old_version)
        releases[old_version] = [
            {
                "filename": old_file,
                "upload_time_iso_8601": when,
                "digests": {"sha256": "1" * 64},
                "yanked": False,
            }
        ]
        simple_files.append(
            {
                "filename": old_file,
                "upload-time": when,
                "provenance": f"https://pypi.org/integrity/{norm}/{old_version}/{old_file}/provenance"
                if attested
                else None,
            }
        )
    registry.add_json(
        f"/pypi/{norm}/json",
        {
            "info": {"name": name, "version": version, "project_urls": {"Source": source}},
            "urls": [latest],
            "releases": releases,
        },
    )
    registry.add_json(
        f"/simple/{norm}/",
        {"meta": {"api-version": "1.4"}, "name": norm, "files": simple_files},
    )
    if provenance is not None:
        registry.add_json(f"/integrity/{norm}/{version}/{filename}/provenance", provenance)


def signed_sha256(provenance: Any) -> str:
    attestation = provenance["attestation_bundles"][0]["attestations"][0]
    statement = json.loads(base64.b64decode(attestation["envelope"]["statement"]))
    return str(statement["subject"][0]["digest"]["sha256"])


async def crawl_names(ecosystem: str, registry: Registry, names: list[str]) -> tuple[Snapshot, int]:
    with serve(registry) as url:
        async with Fetcher(url, POLICY) as fetcher:
            ranked = RankedList(
                names, SourceInfo(kind="packages-file", location="t", requested=len(names))
            )
            snapshot = whole(await crawl(REGISTRY[ecosystem], fetcher, ranked))
            return snapshot, fetcher.stats.requests


def round_trip(snapshot: Snapshot, tmp_path: Path) -> dict[str, Any]:
    path = write_snapshot(snapshot, tmp_path)
    assert read_snapshot(path) == snapshot
    document: dict[str, Any] = json.loads(path.read_text())
    jsonschema.validate(document, schema())
    return document


async def test_pypi_verified_failed_mismatched_dropped(samples: Path, tmp_path: Path) -> None:
    integrity = samples / "pypi" / "integrity"

    def real(filename: str) -> Any:
        return json.loads((integrity / f"{filename}.provenance.json").read_text())

    registry = Registry()
    sample = real("sampleproject-4.0.0.tar.gz")
    pypi_project(
        registry,
        "sampleproject",
        "4.0.0",
        "sampleproject-4.0.0.tar.gz",
        sha256=signed_sha256(sample),
        provenance=sample,
        source="https://github.com/pypa/sampleproject",
    )
    # PyPI serves another sha256 than the one that was signed.
    tools = real("pypi_attestations-0.0.19.tar.gz")
    pypi_project(
        registry,
        "pypi-attestations",
        "0.0.19",
        "pypi_attestations-0.0.19.tar.gz",
        sha256="0" * 64,
        provenance=tools,
        source="https://github.com/trailofbits/pypi-attestations",
    )
    # Built on GitLab, declared on GitHub under another owner.
    gitlab = real("pep740_sampleproject-1.0.0.tar.gz")
    pypi_project(
        registry,
        "pep740-sampleproject",
        "1.0.0",
        "pep740_sampleproject-1.0.0.tar.gz",
        sha256=signed_sha256(gitlab),
        provenance=gitlab,
        source="https://github.com/someone/sampleproject",
    )
    # The latest release lost the provenance its predecessor had.
    pypi_project(
        registry,
        "fictional-dropped",
        "2.0.0",
        "fictional_dropped-2.0.0.tar.gz",
        sha256="2" * 64,
        provenance=None,
        source="https://github.com/fictional-org/dropped",
        older=("1.9.0", "2024-11-20T10:00:00Z", True),
    )
    names = ["sampleproject", "pypi-attestations", "pep740-sampleproject", "fictional-dropped"]
    snapshot, requests = await crawl_names("pypi", registry, names)
    rows = {p.name: p for p in snapshot.packages}

    ok = rows["sampleproject"]
    assert ok.status is Status.ATTESTED
    assert ok.verification is Verification.VERIFIED, ok.verification_reason
    assert ok.files_verified == 1 and ok.files_attested == 1
    assert ok.repository_mismatch is False
    assert ok.build is not None and ok.build.commit == "621e4974ca25ce531773def586ba3ed8e736b3fc"
    assert ok.build.trigger == "push" and ok.build.ref == "refs/heads/main"

    bad = rows["pypi-attestations"]
    assert bad.status is Status.ATTESTED and bad.verification is Verification.FAILED
    assert "subject does not match distribution digest" in (bad.verification_reason or "")

    moved = rows["pep740-sampleproject"]
    assert moved.verification is Verification.VERIFIED, moved.verification_reason
    assert moved.repository_mismatch is True
    assert moved.build is not None
    assert moved.build.source_repository == "https://gitlab.com/pep740-example/sampleproject"

    dropped = rows["fictional-dropped"]
    assert dropped.status is Status.MISSING
    assert dropped.previously_attested and dropped.provenance_dropped
    assert dropped.last_attested_version == "1.9.0"
    assert dropped.verification is Verification.NOT_CHECKED and dropped.build is None
    assert not ok.provenance_dropped and not ok.previously_attested

    summary = snapshot.summary
    assert summary.by_verification == {
        Verification.VERIFIED: 2,
        Verification.FAILED: 1,
        Verification.NOT_CHECKED: 0,
    }
    assert summary.repository_mismatch == 1 and summary.provenance_dropped == 1
    # 3 per attested package (JSON, simple, one provenance), 2 otherwise: as before verification.
    assert requests == 3 * 3 + 2

    document = round_trip(snapshot, tmp_path)
    row = next(p for p in document["packages"] if p["name"] == "sampleproject")
    assert row["verification"] == "verified"
    assert row["build"]["log_url"].startswith("https://search.sigstore.dev/?logIndex=")
    assert document["schema_version"] == 2


def npm_packument(name: str, integrity: str, repository: str, attested: bool) -> dict[str, Any]:
    ref = name.replace("/", "%2f") + "@0.1.1"
    dist: dict[str, Any] = {"integrity": integrity}
    if attested:
        dist["attestations"] = {
            "url": f"https://registry.npmjs.org/-/npm/v1/attestations/{ref}",
            "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
        }
    return {
        "name": name,
        "dist-tags": {"latest": "0.1.1"},
        "versions": {
            "0.1.0": {
                "name": name,
                "version": "0.1.0",
                "dist": {
                    "integrity": "sha512-AAAA",
                    "attestations": {"url": "x", "provenance": {"predicateType": "y"}},
                },
            },
            "0.1.1": {"name": name, "version": "0.1.1", "repository": repository, "dist": dist},
        },
        "time": {"0.1.0": "2026-02-01T00:00:00.000Z", "0.1.1": "2026-02-14T23:28:40.000Z"},
    }


async def test_npm_verified_failed_mismatched_dropped(samples: Path, tmp_path: Path) -> None:
    document = json.loads(
        (samples / "npm/attestations/playwright-cli-0.1.1.attestations.json").read_text()
    )
    payload = document["attestations"][1]["bundle"]["dsseEnvelope"]["payload"]
    digest = json.loads(base64.b64decode(payload))["subject"][0]["digest"]["sha512"]
    integrity = "sha512-" + base64.b64encode(bytes.fromhex(digest)).decode()
    path = "/-/npm/v1/attestations/@playwright%2fcli@0.1.1"

    outcomes = {}
    for case, served, declared, attested in (
        ("verified", integrity, "git+https://github.com/microsoft/playwright-cli.git", True),
        ("failed", "sha512-" + base64.b64encode(bytes(64)).decode(), "github:microsoft/x", True),
        ("dropped", integrity, "github:microsoft/playwright-cli", False),
    ):
        registry = Registry()
        registry.add_json(
            "/@playwright%2fcli", npm_packument("@playwright/cli", served, declared, attested)
        )
        registry.add_json(path, document)
        snapshot, requests = await crawl_names("npm", registry, ["@playwright/cli"])
        assert requests == (2 if attested else 1), "verification costs no extra request"
        outcomes[case] = snapshot.packages[0]
        round_trip(snapshot, tmp_path / case)

    ok = outcomes["verified"]
    assert ok.status is Status.ATTESTED
    assert ok.verification is Verification.VERIFIED, ok.verification_reason
    assert ok.repository_mismatch is False
    assert ok.build is not None and ok.build.workflow == ".github/workflows/publish.yml"
    assert ok.build.log_url == "https://search.sigstore.dev/?logIndex=953297574"
    assert ok.previously_attested and not ok.provenance_dropped

    bad = outcomes["failed"]
    assert bad.verification is Verification.FAILED
    assert "dist.integrity" in (bad.verification_reason or "")
    assert bad.repository_mismatch is True, "provenance names playwright-cli, package declares x"

    dropped = outcomes["dropped"]
    assert dropped.status is Status.MISSING
    assert dropped.provenance_dropped and dropped.last_attested_version == "0.1.0"
    assert dropped.verification is Verification.NOT_CHECKED
