"""npm verification against the real SLSA provenance from ../shared/registry-samples.

The certificates in these samples are short-lived Fulcio certificates that expired long ago:
they verify only because sigstore checks them at the transparency log's integrated time. The
network guard (tests/conftest.py) proves the trust root is not fetched.
"""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime
from pathlib import Path

from generator.models import Verification
from generator.verify.npm import unverified_npm, verify_npm
from tests.unit.verify.samples import (
    LEGACY,
    PLAYWRIGHT,
    load,
    npm_integrity,
    npm_statement,
    pypi_provenance,
)


def test_real_npm_provenance_verifies(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    outcome = verify_npm(document, "@playwright/cli", "0.1.1", npm_integrity(document))
    assert outcome.verification is Verification.VERIFIED, outcome.reason
    build = outcome.build
    assert build is not None
    assert build.source_repository == "https://github.com/microsoft/playwright-cli"
    assert build.commit == "d1c6d1113932ddcee243e8b111b6d4aea553df20"
    assert build.ref == "refs/tags/v0.1.1"
    assert build.workflow == ".github/workflows/publish.yml"
    assert build.trigger == "release"
    assert build.runner_environment == "github-hosted"
    assert build.repository_visibility == "public"
    assert build.issuer == "https://token.actions.githubusercontent.com"
    assert build.log_index == 953297574
    assert build.integrated_time == datetime.fromtimestamp(1771111723, UTC)


def test_npm_integrity_mismatch_fails(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    other = "sha512-" + base64.b64encode(bytes(64)).decode()
    outcome = verify_npm(document, "@playwright/cli", "0.1.1", other)
    assert outcome.verification is Verification.FAILED
    assert "differs from the packument's dist.integrity" in outcome.reason


def test_npm_other_package_or_version_fails(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    for name, version in (("@playwright/cli", "0.1.2"), ("playwright-cli", "0.1.1")):
        outcome = verify_npm(document, name, version, npm_integrity(document))
        assert outcome.verification is Verification.FAILED
        assert f"subject is not pkg:npm/{name}@{version}" in outcome.reason


def test_npm_swapped_certificate_fails(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    pypi = pypi_provenance(samples, "sampleproject-4.0.0.tar.gz")
    swapped = copy.deepcopy(document)
    swapped["attestations"][1]["bundle"]["verificationMaterial"]["certificate"]["rawBytes"] = pypi[
        "attestation_bundles"
    ][0]["attestations"][0]["verification_material"]["certificate"]
    outcome = verify_npm(swapped, "@playwright/cli", "0.1.1", npm_integrity(document))
    assert outcome.verification is Verification.FAILED
    assert "not valid at validation time" in outcome.reason


def test_npm_altered_statement_fails(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    statement = npm_statement(document)
    statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"]["repository"] = (
        "https://github.com/someone/fork"
    )
    altered = copy.deepcopy(document)
    altered["attestations"][1]["bundle"]["dsseEnvelope"]["payload"] = base64.b64encode(
        json.dumps(statement).encode()
    ).decode()
    outcome = verify_npm(altered, "@playwright/cli", "0.1.1", npm_integrity(document))
    assert outcome.verification is Verification.FAILED
    assert "invalid signature" in outcome.reason


def test_npm_without_slsa_bundle_fails_and_legacy_is_not_checked(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    publish_only = {"attestations": document["attestations"][:1]}
    outcome = verify_npm(publish_only, "@playwright/cli", "0.1.1", npm_integrity(document))
    assert outcome.verification is Verification.FAILED
    assert "no SLSA provenance" in outcome.reason
    legacy = load(samples, LEGACY)
    outcome = verify_npm(legacy, "sigstore", "1.0.0", npm_integrity(document))
    assert outcome.verification is Verification.NOT_CHECKED
    assert "v0.1" in outcome.reason
    assert outcome.build is not None and outcome.build.source_repository is not None
    assert "sigstore/sigstore-js" in outcome.build.source_repository


def test_npm_unverified_still_says_where_built(samples: Path) -> None:
    outcome = unverified_npm(load(samples, PLAYWRIGHT), "demo data is not signed")
    assert outcome.verification is Verification.NOT_CHECKED
    assert outcome.build is not None
    assert outcome.build.source_repository == "https://github.com/microsoft/playwright-cli"
    assert outcome.build.log_index == 953297574
