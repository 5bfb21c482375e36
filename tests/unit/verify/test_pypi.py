"""PyPI verification against real PEP 740 provenance from ../shared/registry-samples.

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

import pytest
from cryptography import x509

from generator.models import Verification
from generator.verify.npm import verify_npm
from generator.verify.pypi import unverified_pypi, verify_pypi
from tests.unit.verify.samples import (
    PLAYWRIGHT,
    load,
    npm_integrity,
    pypi_provenance,
    pypi_sha256,
    signed_statement,
)

PYPI_SAMPLES = {
    # file name → (publisher kind, source repository, workflow, visibility)
    "pypi_attestations-0.0.19.tar.gz": (
        "GitHub",
        "https://github.com/trailofbits/pypi-attestations",
        ".github/workflows/release.yml",
        "public",
    ),
    "sampleproject-4.0.0.tar.gz": (
        "GitHub",
        "https://github.com/pypa/sampleproject",
        ".github/workflows/release.yml",
        "public",
    ),
    "pep740_sampleproject-1.0.0.tar.gz": (
        "GitLab",
        "https://gitlab.com/pep740-example/sampleproject",
        ".gitlab-ci.yml",
        "private",
    ),
    "gcb_attestation_test-0.0.0.tar.gz": ("Google", None, None, None),
}


@pytest.mark.parametrize("filename", sorted(PYPI_SAMPLES))
def test_real_pypi_provenance_verifies(samples: Path, filename: str) -> None:
    provenance = pypi_provenance(samples, filename)
    outcome = verify_pypi(provenance, filename, pypi_sha256(provenance))
    kind, repository, workflow, visibility = PYPI_SAMPLES[filename]
    assert outcome.verification is Verification.VERIFIED, outcome.reason
    assert kind in outcome.reason and filename in outcome.reason
    assert outcome.files_verified == 1
    build = outcome.build
    assert build is not None
    assert build.source_repository == repository
    assert build.workflow == workflow
    assert build.repository_visibility == visibility
    assert build.log_index is not None and build.log_index > 100_000_000
    assert build.log_url == f"https://search.sigstore.dev/?logIndex={build.log_index}"
    assert build.integrated_time is not None
    if kind == "Google":
        assert build.issuer == "https://accounts.google.com"
        assert build.commit is None
    else:
        assert build.commit is not None and len(build.commit) == 40
        assert build.ref is not None and build.ref.startswith("refs/")
        assert build.trigger in ("push", "release")
        assert build.runner_environment in ("github-hosted", "gitlab-hosted")


def test_expired_certificate_verifies_at_log_time(samples: Path) -> None:
    filename = "pypi_attestations-0.0.19.tar.gz"
    provenance = pypi_provenance(samples, filename)
    attestation = provenance["attestation_bundles"][0]["attestations"][0]
    cert = x509.load_der_x509_certificate(
        base64.b64decode(attestation["verification_material"]["certificate"])
    )
    assert cert.not_valid_after_utc < datetime.now(UTC), "the sample certificate has expired"
    outcome = verify_pypi(provenance, filename, pypi_sha256(provenance))
    assert outcome.verification is Verification.VERIFIED
    build = outcome.build
    assert build is not None and build.integrated_time is not None
    assert cert.not_valid_before_utc <= build.integrated_time <= cert.not_valid_after_utc
    assert build.commit == "08802efe1f8e5fec4ad842d6b8ce97656092ee72"
    assert build.ref == "refs/tags/v0.0.19"
    assert build.trigger == "release"
    assert build.run_url == (
        "https://github.com/trailofbits/pypi-attestations/actions/runs/12169989787/attempts/1"
    )


def test_pypi_changed_digest_fails(samples: Path) -> None:
    filename = "sampleproject-4.0.0.tar.gz"
    provenance = pypi_provenance(samples, filename)
    outcome = verify_pypi(provenance, filename, "0" * 64)
    assert outcome.verification is Verification.FAILED
    assert "subject does not match distribution digest" in outcome.reason
    assert outcome.files_verified == 0
    assert outcome.build is not None, "where it claims to be built is kept for investigation"


def test_pypi_other_file_fails(samples: Path) -> None:
    provenance = pypi_provenance(samples, "sampleproject-4.0.0.tar.gz")
    outcome = verify_pypi(provenance, "sampleproject-4.0.1.tar.gz", pypi_sha256(provenance))
    assert outcome.verification is Verification.FAILED
    assert "subject does not match distribution name" in outcome.reason


def test_pypi_swapped_certificate_fails(samples: Path) -> None:
    filename = "pypi_attestations-0.0.19.tar.gz"
    provenance = pypi_provenance(samples, filename)
    other = pypi_provenance(samples, "sampleproject-4.0.0.tar.gz")
    swapped = copy.deepcopy(provenance)
    swapped["attestation_bundles"][0]["attestations"][0]["verification_material"]["certificate"] = (
        other["attestation_bundles"][0]["attestations"][0]["verification_material"]["certificate"]
    )
    outcome = verify_pypi(swapped, filename, pypi_sha256(provenance))
    assert outcome.verification is Verification.FAILED
    # The other certificate was valid for ten minutes in November, not at this entry's log time.
    assert "not valid at validation time" in outcome.reason


def test_pypi_altered_statement_fails(samples: Path) -> None:
    filename = "pep740_sampleproject-1.0.0.tar.gz"
    provenance = pypi_provenance(samples, filename)
    altered = copy.deepcopy(provenance)
    attestation = altered["attestation_bundles"][0]["attestations"][0]
    statement = signed_statement(attestation)
    statement["subject"][0]["digest"]["sha256"] = "f" * 64
    attestation["envelope"]["statement"] = base64.b64encode(json.dumps(statement).encode()).decode()
    outcome = verify_pypi(altered, filename, "f" * 64)
    assert outcome.verification is Verification.FAILED
    assert "invalid signature" in outcome.reason


def test_pypi_publisher_not_matching_certificate_fails(samples: Path) -> None:
    filename = "pypi_attestations-0.0.19.tar.gz"
    provenance = pypi_provenance(samples, filename)
    forged = copy.deepcopy(provenance)
    forged["attestation_bundles"][0]["publisher"]["repository"] = "someone/fork"
    outcome = verify_pypi(forged, filename, pypi_sha256(provenance))
    assert outcome.verification is Verification.FAILED
    assert "OIDCSourceRepositoryURI does not match" in outcome.reason


def test_pypi_malformed_and_missing_digest(samples: Path) -> None:
    filename = "sampleproject-4.0.0.tar.gz"
    malformed = verify_pypi({"attestation_bundles": "no"}, filename, "0" * 64)
    assert malformed.verification is Verification.FAILED and "malformed" in malformed.reason
    outcome = verify_pypi(pypi_provenance(samples, filename), filename, None)
    # Served but not checkable is a failure, never a quiet not-checked (issue 10).
    assert outcome.verification is Verification.FAILED
    assert "no sha256" in outcome.reason


def test_pypi_unverified_still_says_where_built(samples: Path) -> None:
    provenance = pypi_provenance(samples, "sampleproject-4.0.0.tar.gz")
    outcome = unverified_pypi(provenance, "verification was turned off (--no-verify)")
    assert outcome.verification is Verification.NOT_CHECKED
    assert outcome.reason == "verification was turned off (--no-verify)"
    assert outcome.build is not None
    assert outcome.build.source_repository == "https://github.com/pypa/sampleproject"


# --------------------------------------------------------------------------- other trust roots


def production_root() -> Path:
    """Sigstore's production trusted_root.json as shipped inside the sigstore package."""
    import sigstore

    path = Path(sigstore.__file__).parent / "_store" / "https%3A%2F%2Ftuf-repo-cdn.sigstore.dev"
    return path / "trusted_root.json"


@pytest.mark.parametrize("tamper", ["none", "digest", "name", "statement", "publisher"])
def test_explicit_trust_root_path_agrees_with_attestation_verify(
    samples: Path, tamper: str
) -> None:
    """verify_attestation (used for a trust root other than the shipped one, i.e. the demo's)
    reaches the same verdict and reason as pypi-attestations' Attestation.verify."""
    filename = "pypi_attestations-0.0.19.tar.gz"
    provenance = copy.deepcopy(pypi_provenance(samples, filename))
    sha256, name = pypi_sha256(provenance), filename
    attestation = provenance["attestation_bundles"][0]["attestations"][0]
    if tamper == "digest":
        sha256 = "0" * 64
    elif tamper == "name":
        name = "pypi_attestations-0.0.20.tar.gz"
    elif tamper == "statement":
        statement = signed_statement(attestation)
        statement["predicate"] = {"altered": True}
        attestation["envelope"]["statement"] = base64.b64encode(
            json.dumps(statement).encode()
        ).decode()
    elif tamper == "publisher":
        provenance["attestation_bundles"][0]["publisher"]["workflow"] = "other.yml"
    library = verify_pypi(provenance, name, sha256)
    ours = verify_pypi(provenance, name, sha256, production_root())
    assert ours.verification is library.verification
    assert (library.verification is Verification.VERIFIED) is (tamper == "none")
    if tamper == "name":
        assert "subject does not match distribution name" in ours.reason
        assert "subject does not match distribution name" in library.reason
    else:
        assert ours.reason == library.reason


def test_demo_trust_root_does_not_accept_real_signatures(samples: Path) -> None:
    from generator.demo import RECORDINGS

    demo_root = RECORDINGS / "trusted_root.json"
    filename = "sampleproject-4.0.0.tar.gz"
    provenance = pypi_provenance(samples, filename)
    outcome = verify_pypi(provenance, filename, pypi_sha256(provenance), demo_root)
    assert outcome.verification is Verification.FAILED
    document = load(samples, PLAYWRIGHT)
    npm = verify_npm(document, "@playwright/cli", "0.1.1", npm_integrity(document), demo_root)
    assert npm.verification is Verification.FAILED
