"""Issue 10's attacks, each through the real CLI (``generator.cli.main``, in-process) against a
registry served on 127.0.0.1. The signatures are the real ones from ../shared/registry-samples;
only the registry documents around them are built here (PyPI JSON API, simple index, npm
packument), in the registries' shapes.

Before issue 10: the replays read ``verified``; the relabelled, mangled, promise-less and
truncated documents read a quiet ``not-checked``; a signer from another, an undeclared or no
repository read a plain "verified"; a registry answering for another name gave a second row
under that name. Each test pins the outcome now.
"""

from __future__ import annotations

import base64
import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.demo.server import Registry, Reply, serve
from tests.faults.actions import trickle
from tests.unit.verify.samples import LEGACY, PLAYWRIGHT, load, npm_integrity

RECENT = "2024-12-04T23:14:30.000000Z"
KEYS = "npm/keys/registry-npmjs-org.keys.json"


def provenance_of(samples: Path, filename: str) -> Any:
    return load(samples, f"pypi/integrity/{filename}.provenance.json")


def signed_sha256(provenance: Any) -> str:
    attestation = provenance["attestation_bundles"][0]["attestations"][0]
    statement = json.loads(base64.b64decode(attestation["envelope"]["statement"]))
    return str(statement["subject"][0]["digest"]["sha256"])


def pypi_release(
    registry: Registry,
    name: str,
    version: str,
    filename: str,
    *,
    sha256: str,
    provenance: Any,
    source: str | None,
    answered: str | None = None,
) -> None:
    """One PyPI project whose latest release lists ``filename`` (with ``sha256``) and serves
    ``provenance`` for it (a document, or raw bytes to serve as they are)."""
    norm = name.lower()
    entry = {"filename": filename, "upload_time_iso_8601": RECENT, "digests": {"sha256": sha256}}
    info: dict[str, Any] = {"name": answered or name, "version": version}
    if source is not None:
        info["project_urls"] = {"Source": source}
    registry.add_json(
        f"/pypi/{norm}/json", {"info": info, "urls": [entry], "releases": {version: [entry]}}
    )
    registry.add_json(
        f"/simple/{norm}/",
        {
            "meta": {"api-version": "1.4"},
            "name": norm,
            "files": [{"filename": filename, "provenance": f"https://pypi.org/x/{filename}"}],
        },
    )
    path = f"/integrity/{norm}/{version}/{filename}/provenance"
    if isinstance(provenance, bytes):
        registry.add(path, Reply(200, provenance))
    else:
        registry.add_json(path, provenance)


def crawl(tmp_path: Path, ecosystem: str, registry: Registry, names: list[str], *extra: str) -> Any:
    """``attested-yet crawl`` over ``names``; the snapshot's rows by name, and the summary."""
    packages = tmp_path / f"{ecosystem}.txt"
    packages.write_text("\n".join(names) + "\n")
    with serve(registry) as url:
        code = main(
            [
                "crawl",
                "--ecosystem",
                ecosystem,
                "--packages",
                str(packages),
                f"--{ecosystem}-url",
                url,
                "--data",
                str(tmp_path / "data"),
                "--attempts",
                "1",
                *extra,
            ]
        )
    assert code == 0
    document = json.loads((tmp_path / "data" / f"{ecosystem}.json").read_text())
    return {p["name"]: p for p in document["packages"]}, document["summary"]


# ----------------------------------------------------------------------------------- PyPI


def test_replay_of_another_projects_file_fails(samples: Path, tmp_path: Path) -> None:
    real = provenance_of(samples, "sampleproject-4.0.0.tar.gz")
    registry = Registry()
    # "evil" lists sampleproject's file, its real sha256 and provenance, and its repository.
    pypi_release(
        registry,
        "evil",
        "4.0.0",
        "sampleproject-4.0.0.tar.gz",
        sha256=signed_sha256(real),
        provenance=real,
        source="https://github.com/pypa/sampleproject",
    )
    rows, summary = crawl(tmp_path, "pypi", registry, ["evil"])
    row = rows["evil"]
    assert row["status"] == "attested" and row["verification"] == "failed"
    assert "belongs to project sampleproject, not evil" in row["verification_reason"]
    assert summary["attested_unverified"] == 1


def test_replay_of_another_versions_file_fails(samples: Path, tmp_path: Path) -> None:
    real = provenance_of(samples, "pypi_attestations-0.0.19.tar.gz")
    registry = Registry()
    pypi_release(
        registry,
        "pypi-attestations",
        "0.0.20",
        "pypi_attestations-0.0.19.tar.gz",
        sha256=signed_sha256(real),
        provenance=real,
        source="https://github.com/trailofbits/pypi-attestations",
    )
    rows, _ = crawl(tmp_path, "pypi", registry, ["pypi-attestations"])
    row = rows["pypi-attestations"]
    assert row["verification"] == "failed"
    assert "is of version 0.0.19, not 0.0.20" in row["verification_reason"]


def test_missing_inclusion_promise_fails_with_the_parsers_reason(
    samples: Path, tmp_path: Path
) -> None:
    real = provenance_of(samples, "sampleproject-4.0.0.tar.gz")
    forged = copy.deepcopy(real)
    entry = forged["attestation_bundles"][0]["attestations"][0]["verification_material"]
    del entry["transparency_entries"][0]["inclusionPromise"]
    registry = Registry()
    pypi_release(
        registry,
        "sampleproject",
        "4.0.0",
        "sampleproject-4.0.0.tar.gz",
        sha256=signed_sha256(real),
        provenance=forged,
        source="https://github.com/pypa/sampleproject",
    )
    rows, summary = crawl(tmp_path, "pypi", registry, ["sampleproject"])
    row = rows["sampleproject"]
    assert row["verification"] == "failed", row["verification_reason"]
    assert "internal error" not in row["verification_reason"]
    assert "could not be checked" in row["verification_reason"]
    assert summary["by_verification"]["failed"] == 1


def test_truncated_document_fails(samples: Path, tmp_path: Path) -> None:
    real = provenance_of(samples, "sampleproject-4.0.0.tar.gz")
    body = json.dumps(real).encode()
    registry = Registry()
    pypi_release(
        registry,
        "sampleproject",
        "4.0.0",
        "sampleproject-4.0.0.tar.gz",
        sha256=signed_sha256(real),
        provenance=body[: len(body) // 2],
        source="https://github.com/pypa/sampleproject",
    )
    rows, _ = crawl(tmp_path, "pypi", registry, ["sampleproject"])
    row = rows["sampleproject"]
    assert row["verification"] == "failed"
    assert "could not be read: malformed JSON" in row["verification_reason"]


@pytest.mark.parametrize(
    ("filename", "name", "source", "identity"),
    [
        # No declared repository: verified, but not "by the declared repository".
        ("sampleproject-4.0.0.tar.gz", "sampleproject", None, "undeclared"),
        # A Google Cloud service account signed: no repository at all.
        (
            "gcb_attestation_test-0.0.0.tar.gz",
            "gcb-attestation-test",
            "https://github.com/di/gcb-attestation-test",
            "non-repository",
        ),
        # Built on GitLab, declared on GitHub under another owner.
        (
            "pep740_sampleproject-1.0.0.tar.gz",
            "pep740-sampleproject",
            "https://github.com/someone/sampleproject",
            "other-repository",
        ),
        (
            "sampleproject-4.0.0.tar.gz",
            "sampleproject",
            "https://github.com/pypa/sampleproject",
            "declared-repository",
        ),
    ],
)
def test_identity_says_who_signed(
    samples: Path, tmp_path: Path, filename: str, name: str, source: str | None, identity: str
) -> None:
    real = provenance_of(samples, filename)
    version = filename.removesuffix(".tar.gz").rsplit("-", 1)[1]
    registry = Registry()
    pypi_release(
        registry,
        name,
        version,
        filename,
        sha256=signed_sha256(real),
        provenance=real,
        source=source,
    )
    rows, summary = crawl(tmp_path, "pypi", registry, [name])
    row = rows[name]
    assert row["verification"] == "verified", row["verification_reason"]
    assert row["identity"] == identity
    assert summary["by_identity"][identity] == 1
    assert sum(summary["by_identity"].values()) == 1
    assert row["repository_mismatch"] is (True if identity == "other-repository" else None) or (
        identity == "declared-repository" and row["repository_mismatch"] is False
    )


def test_name_collision_is_an_error_row_for_the_name_asked(samples: Path, tmp_path: Path) -> None:
    real = provenance_of(samples, "sampleproject-4.0.0.tar.gz")
    registry = Registry()
    pypi_release(
        registry,
        "evil",
        "4.0.0",
        "sampleproject-4.0.0.tar.gz",
        sha256=signed_sha256(real),
        provenance=real,
        source="https://github.com/pypa/sampleproject",
        answered="requests",
    )
    rows, _ = crawl(tmp_path, "pypi", registry, ["evil"])
    assert list(rows) == ["evil"]
    assert rows["evil"]["status"] == "error"
    assert rows["evil"]["error"] == "registry answered for requests"


# ----------------------------------------------------------------------------------- npm


def npm_packument(
    name: str,
    version: str,
    integrity: str,
    published: str,
    *,
    answered: str | None = None,
    signatures: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    dist: dict[str, Any] = {
        "integrity": integrity,
        "attestations": {
            "url": "https://registry.npmjs.org/-/npm/v1/attestations/x",
            "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
        },
    }
    if signatures is not None:
        dist["signatures"] = signatures
    return {
        "name": answered or name,
        "dist-tags": {"latest": version},
        "versions": {
            version: {
                "name": name,
                "version": version,
                "repository": "git+https://github.com/microsoft/playwright-cli.git",
                "dist": dist,
            }
        },
        "time": {version: published},
    }


PLAYWRIGHT_PATH = "/-/npm/v1/attestations/@playwright%2fcli@0.1.1"
PLAYWRIGHT_TIME = "2026-02-14T23:28:40.000Z"


def playwright_registry(document: Any, *, answered: str | None = None) -> Registry:
    registry = Registry()
    integrity = npm_integrity(load_playwright_original())
    registry.add_json(
        "/@playwright%2fcli",
        npm_packument("@playwright/cli", "0.1.1", integrity, PLAYWRIGHT_TIME, answered=answered),
    )
    registry.add_json(PLAYWRIGHT_PATH, document)
    return registry


_ORIGINAL: dict[str, Any] = {}


def load_playwright_original() -> Any:
    return _ORIGINAL["playwright"]


@pytest.fixture(autouse=True)
def _playwright(samples: Path) -> None:
    _ORIGINAL["playwright"] = load(samples, PLAYWRIGHT)


def test_npm_untampered_verifies(samples: Path, tmp_path: Path) -> None:
    rows, summary = crawl(
        tmp_path, "npm", playwright_registry(load(samples, PLAYWRIGHT)), ["@playwright/cli"]
    )
    row = rows["@playwright/cli"]
    assert row["verification"] == "verified", row["verification_reason"]
    assert row["identity"] == "declared-repository"
    assert row["registry_signature"] == "absent"
    assert summary["attested_unverified"] == 0


def test_relabel_to_v01_fails(samples: Path, tmp_path: Path) -> None:
    forged = load(samples, PLAYWRIGHT)
    forged["attestations"][1]["bundle"]["mediaType"] = (
        "application/vnd.dev.sigstore.bundle+json;version=0.1"
    )
    rows, summary = crawl(tmp_path, "npm", playwright_registry(forged), ["@playwright/cli"])
    row = rows["@playwright/cli"]
    assert row["verification"] == "failed"
    assert "logged 2026-02-14, after npm stopped issuing v0.1" in row["verification_reason"]
    assert summary["attested_unverified"] == 1


def test_relabel_with_an_edited_log_time_fails(samples: Path, tmp_path: Path) -> None:
    forged = load(samples, PLAYWRIGHT)
    bundle = forged["attestations"][1]["bundle"]
    bundle["mediaType"] = "application/vnd.dev.sigstore.bundle+json;version=0.1"
    bundle["verificationMaterial"]["tlogEntries"][0]["integratedTime"] = "1675965360"
    rows, _ = crawl(tmp_path, "npm", playwright_registry(forged), ["@playwright/cli"])
    row = rows["@playwright/cli"]
    assert row["verification"] == "failed"
    assert "does not verify against the log's key" in row["verification_reason"]


def test_genuine_legacy_v01_bundle_stays_not_checked(samples: Path, tmp_path: Path) -> None:
    legacy = load(samples, LEGACY)
    payload = legacy["attestations"][0]["bundle"]["dsseEnvelope"]["payload"]
    digest = json.loads(base64.b64decode(payload))["subject"][0]["digest"]["sha512"]
    integrity = "sha512-" + base64.b64encode(bytes.fromhex(digest)).decode()
    registry = Registry()
    registry.add_json(
        "/sigstore", npm_packument("sigstore", "1.0.0", integrity, "2023-02-09T17:56:00.000Z")
    )
    registry.add_json("/-/npm/v1/attestations/sigstore@1.0.0", legacy)
    rows, summary = crawl(tmp_path, "npm", registry, ["sigstore"])
    row = rows["sigstore"]
    assert row["verification"] == "not-checked"
    assert "Sigstore bundle v0.1, logged 2023-02-09" in row["verification_reason"]
    assert summary["attested_unverified"] == 1


@pytest.mark.parametrize("edit", ["signature", "statement"])
def test_edited_legacy_bundle_fails(samples: Path, tmp_path: Path, edit: str) -> None:
    legacy = load(samples, LEGACY)
    envelope = legacy["attestations"][0]["bundle"]["dsseEnvelope"]
    statement = json.loads(base64.b64decode(envelope["payload"]))
    digest = statement["subject"][0]["digest"]["sha512"]
    integrity = "sha512-" + base64.b64encode(bytes.fromhex(digest)).decode()
    if edit == "signature":  # still base64, still DER-shaped: another signature
        other = legacy["attestations"][1]["bundle"]["dsseEnvelope"]["signatures"][0]["sig"]
        envelope["signatures"][0]["sig"] = other
    else:
        statement["predicate"]["invocation"]["configSource"]["uri"] = "git+https://evil/x"
        envelope["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    registry = Registry()
    registry.add_json(
        "/sigstore", npm_packument("sigstore", "1.0.0", integrity, "2023-02-09T17:56:00.000Z")
    )
    registry.add_json("/-/npm/v1/attestations/sigstore@1.0.0", legacy)
    rows, _ = crawl(tmp_path, "npm", registry, ["sigstore"])
    row = rows["sigstore"]
    assert row["verification"] == "failed"
    expected = {
        "signature": "its signature does not verify with its certificate",
        "statement": "its statement is not the one the transparency log recorded",
    }[edit]
    assert expected in row["verification_reason"]


def test_mangled_signature_fails(samples: Path, tmp_path: Path) -> None:
    forged = load(samples, PLAYWRIGHT)
    forged["attestations"][1]["bundle"]["dsseEnvelope"]["signatures"][0]["sig"] = "%%not base64%%"
    rows, _ = crawl(tmp_path, "npm", playwright_registry(forged), ["@playwright/cli"])
    row = rows["@playwright/cli"]
    assert row["verification"] == "failed"
    assert "internal error" not in row["verification_reason"]


def test_sha1_only_integrity_fails(samples: Path, tmp_path: Path) -> None:
    registry = Registry()
    registry.add_json(
        "/@playwright%2fcli",
        npm_packument("@playwright/cli", "0.1.1", "sha1-" + "A" * 28, PLAYWRIGHT_TIME),
    )
    registry.add_json(PLAYWRIGHT_PATH, load(samples, PLAYWRIGHT))
    rows, _ = crawl(tmp_path, "npm", registry, ["@playwright/cli"])
    row = rows["@playwright/cli"]
    assert row["verification"] == "failed"
    assert "no sha512 dist.integrity" in row["verification_reason"]


def test_npm_name_collision_is_an_error_row(samples: Path, tmp_path: Path) -> None:
    registry = playwright_registry(load(samples, PLAYWRIGHT), answered="react")
    rows, _ = crawl(tmp_path, "npm", registry, ["@playwright/cli"])
    assert rows["@playwright/cli"]["status"] == "error"
    assert rows["@playwright/cli"]["error"] == "registry answered for react"


# --------------------------------------------------------------------- registry signatures


def vite_registry(samples: Path, keys: Any | None) -> Registry:
    """vite's real packument (its latest carries a real ``dist.signatures``), the keys document
    (None: 404), and no attestations document (404: not served)."""
    registry = Registry()
    registry.add_json("/vite", load(samples, "npm/packuments/vite.trimmed.json"))
    if keys is not None:
        registry.add_json("/-/npm/v1/keys", keys)
    return registry


def test_registry_signature_verifies_once_per_run(samples: Path, tmp_path: Path) -> None:
    registry = vite_registry(samples, load(samples, KEYS))
    registry.add_json("/ufo", load(samples, "npm/packuments/ufo.trimmed.json"))
    registry.add_json("/next", load(samples, "npm/packuments/next.trimmed.json"))
    rows, summary = crawl(tmp_path, "npm", registry, ["vite", "ufo", "next"])
    assert {name: row["registry_signature"] for name, row in rows.items()} == {
        "vite": "verified",
        "ufo": "verified",
        "next": "verified",
    }
    assert summary["by_registry_signature"]["verified"] == 3
    assert registry.hits["/-/npm/v1/keys"] == 1


def test_registry_signature_tampered_fails(samples: Path, tmp_path: Path) -> None:
    packument = load(samples, "npm/packuments/vite.trimmed.json")
    latest = packument["dist-tags"]["latest"]
    dist = packument["versions"][latest]["dist"]
    dist["integrity"] = "sha512-" + base64.b64encode(bytes(64)).decode()
    registry = vite_registry(samples, load(samples, KEYS))
    registry.add_json("/vite", packument)
    rows, _ = crawl(tmp_path, "npm", registry, ["vite"])
    assert rows["vite"]["registry_signature"] == "failed"


def test_key_expired_before_publish_does_not_count(samples: Path, tmp_path: Path) -> None:
    keys = load(samples, KEYS)
    for key in keys["keys"]:
        key["expires"] = "2020-01-01T00:00:00.000Z"
    rows, _ = crawl(tmp_path, "npm", vite_registry(samples, keys), ["vite"])
    assert rows["vite"]["registry_signature"] == "unknown-key"


def test_unreadable_keys_cost_only_the_field(
    samples: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    registry = vite_registry(samples, None)
    registry.add_json("/ufo", load(samples, "npm/packuments/ufo.trimmed.json"))
    with caplog.at_level(logging.WARNING, logger="generator.ecosystems.npm"):
        rows, _ = crawl(tmp_path, "npm", registry, ["vite", "ufo"])
    assert [row["registry_signature"] for row in rows.values()] == ["unknown-key"] * 2
    assert all(row["status"] != "error" for row in rows.values())
    keys_lines = [r for r in caplog.records if "registry keys unreadable" in r.getMessage()]
    assert len(keys_lines) == 1


def test_a_trickling_keys_endpoint_costs_one_bounded_request(samples: Path, tmp_path: Path) -> None:
    registry = vite_registry(samples, None)
    registry.add_json("/ufo", load(samples, "npm/packuments/ufo.trimmed.json"))
    registry.add("/-/npm/v1/keys", Reply(action=trickle(0.05, 30)))
    extra = ("--timeout", "1", "--attempts", "3", "--package-timeout", "2.5")
    rows, _ = crawl(tmp_path, "npm", registry, ["vite", "ufo"], *extra)
    assert [row["registry_signature"] for row in rows.values()] == ["unknown-key"] * 2
    assert all(row["status"] != "error" for row in rows.values())
    assert registry.hits["/-/npm/v1/keys"] == 1, "given up after one request's deadline"
