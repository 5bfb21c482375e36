"""The verification stage: ``check(observation, options)`` → the row's verification fields."""

from __future__ import annotations

from pathlib import Path

from generator.models import (
    Evidence,
    NpmSubject,
    Observation,
    Provenance,
    PyPISubject,
    Verification,
    VerificationFields,
)
from generator.verify import VerifyOptions, check
from tests.unit.verify.samples import PLAYWRIGHT, load, npm_integrity, pypi_provenance, pypi_sha256

DECLARED = "https://github.com/pypa/sampleproject"


def evidence(attested: bool = True, **kw: object) -> Evidence:
    base: dict[str, object] = {
        "name": "p",
        "version": "1.0",
        "published_at": None,
        "repository": DECLARED,
        "attested": attested,
        "trusted_publishing": None,
        "registry_url": "https://pypi.org/project/p/",
    }
    return Evidence.model_validate(base | kw)


def test_not_attested_is_not_checked_without_reason() -> None:
    publisher = Provenance(kind="GitHub", repository="fork/sampleproject")
    fields = check(Observation(evidence(attested=False, provenance=publisher)))
    assert fields == VerificationFields(repository_mismatch=True)
    assert fields.verification_reason is None and fields.build is None


def test_unreadable_provenance_is_not_checked_with_the_ecosystems_reason() -> None:
    observation = Observation(
        evidence(), subject=PyPISubject("p-1.0.tar.gz", "0" * 64), unreadable="gone (404)"
    )
    fields = check(observation)
    assert fields.verification is Verification.NOT_CHECKED
    assert fields.verification_reason == "gone (404)"
    assert fields.repository_mismatch is None


def test_pypi_subject_is_verified_and_compared_with_the_declared_repository(
    samples: Path,
) -> None:
    filename = "sampleproject-4.0.0.tar.gz"
    raw = pypi_provenance(samples, filename)
    observation = Observation(evidence(), raw, PyPISubject(filename, pypi_sha256(raw)))
    fields = check(observation)
    assert fields.verification is Verification.VERIFIED, fields.verification_reason
    assert fields.files_verified == 1
    assert fields.build is not None and fields.build.source_repository == DECLARED
    assert fields.repository_mismatch is False
    elsewhere = Observation(
        evidence(repository="https://github.com/someone/else"), raw, observation.subject
    )
    assert check(elsewhere).repository_mismatch is True


def test_npm_subject_is_verified(samples: Path) -> None:
    raw = load(samples, PLAYWRIGHT)
    subject = NpmSubject("@playwright/cli", "0.1.1", npm_integrity(raw))
    fields = check(Observation(evidence(repository=None), raw, subject))
    assert fields.verification is Verification.VERIFIED, fields.verification_reason
    assert fields.repository_mismatch is None


def test_skip_keeps_where_it_was_built(samples: Path) -> None:
    raw = load(samples, PLAYWRIGHT)
    subject = NpmSubject("@playwright/cli", "0.1.1", npm_integrity(raw))
    fields = check(Observation(evidence(), raw, subject), VerifyOptions(skip="--no-verify"))
    assert fields.verification is Verification.NOT_CHECKED
    assert fields.verification_reason == "--no-verify"
    assert fields.build is not None
    assert fields.build.source_repository == "https://github.com/microsoft/playwright-cli"
    assert fields.repository_mismatch is True


def test_attested_without_a_document_is_not_checked() -> None:
    fields = check(Observation(evidence()))
    assert fields.verification is Verification.NOT_CHECKED
    assert fields.verification_reason == "no provenance document was fetched to verify"
