"""Real signed samples from ../shared/registry-samples (never committed here), and helpers
that read what the registry would serve alongside them."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

PLAYWRIGHT = "npm/attestations/playwright-cli-0.1.1.attestations.json"
#: sigstore@1.0.0 (2023): an SLSA v0.2 predicate in a Sigstore bundle v0.1.
LEGACY = "npm/attestations/sigstore-1.0.0.attestations.legacy.json"


def load(samples: Path, rel: str) -> Any:
    return json.loads((samples / rel).read_text())


def pypi_provenance(samples: Path, filename: str) -> Any:
    return load(samples, f"pypi/integrity/{filename}.provenance.json")


def signed_statement(attestation: dict[str, Any]) -> dict[str, Any]:
    statement: dict[str, Any] = json.loads(base64.b64decode(attestation["envelope"]["statement"]))
    return statement


def pypi_sha256(provenance: Any) -> str:
    """The digest PyPI serves for the file (in the fixture: the one the file was signed for)."""
    attestation = provenance["attestation_bundles"][0]["attestations"][0]
    return str(signed_statement(attestation)["subject"][0]["digest"]["sha256"])


def npm_statement(document: Any) -> dict[str, Any]:
    payload = document["attestations"][1]["bundle"]["dsseEnvelope"]["payload"]
    statement: dict[str, Any] = json.loads(base64.b64decode(payload))
    return statement


def npm_integrity(document: Any) -> str:
    """dist.integrity as the registry serves it for the signed tarball."""
    digest = npm_statement(document)["subject"][0]["digest"]["sha512"]
    return "sha512-" + base64.b64encode(bytes.fromhex(digest)).decode()
