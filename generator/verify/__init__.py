"""The verification stage: cryptographic checks of the provenance an ecosystem fetched.

An ecosystem returns an :class:`~generator.models.Observation` (evidence, the raw provenance
document, and the subject its signature must cover); :func:`check` turns it into the
:class:`~generator.models.VerificationFields` of the row. No request is made here: it runs
offline against the trust root shipped in the ``sigstore`` package (or the demo's own).
Certificates are short-lived; sigstore checks them at the transparency log's integrated time,
so old, expired certificates still verify. Any outcome is data; nothing here raises for a bad
attestation.

Modules: ``options`` (what to do, what came out), ``trust`` (trust roots), ``pypi`` and ``npm``
(one verifier per provenance format), ``fulcio`` (certificate claims → ``Build``), ``signals``
(declared vs. provenance repository). The SLSA predicate is read by :mod:`generator.slsa`,
which the npm ecosystem shares.
"""

from __future__ import annotations

from generator.models import (
    NpmSubject,
    Observation,
    PyPISubject,
    Verification,
    VerificationFields,
)
from generator.verify.npm import unverified_npm, verify_npm
from generator.verify.options import VERIFY, Outcome, VerifyOptions, not_checked
from generator.verify.pypi import unverified_pypi, verify_pypi
from generator.verify.registry import registry_signature
from generator.verify.signals import identity, repository_mismatch

__all__ = ["VERIFY", "Outcome", "VerifyOptions", "check", "outcome"]


def check(observation: Observation, options: VerifyOptions = VERIFY) -> VerificationFields:
    """The verification fields of one release: the check's outcome (``not-checked`` with no
    reason when not attested), where it was built, who signed it against the declared
    repository, and (npm) the registry's signatures."""
    result = outcome(observation, options)
    evidence = observation.evidence
    build = result.build if result else None
    signed = observation.registry_signed
    return VerificationFields(
        verification=result.verification if result else Verification.NOT_CHECKED,
        verification_reason=result.reason if result else None,
        files_verified=result.files_verified if result else None,
        build=build,
        repository_mismatch=repository_mismatch(evidence.repository, build, evidence.provenance),
        identity=(
            identity(evidence.repository, build, evidence.provenance) if evidence.attested else None
        ),
        registry_signature=(
            registry_signature(signed, observation.provenance)
            if signed is not None and not options.skip
            else None
        ),
    )


def outcome(observation: Observation, options: VerifyOptions = VERIFY) -> Outcome | None:
    """Check an observation's provenance as ``options`` say; None when not attested."""
    if not observation.evidence.attested:
        return None
    raw, subject, skip = observation.provenance, observation.subject, options.skip
    if skip and observation.broken is None and observation.unreadable is None:
        match subject:
            case PyPISubject():
                return unverified_pypi(raw, skip)
            case NpmSubject():
                return unverified_npm(raw, skip)
    if skip:
        return not_checked(skip)
    if observation.unreadable is not None:
        return not_checked(observation.unreadable)
    if observation.broken is not None:
        return Outcome(Verification.FAILED, observation.broken)
    match subject:
        case PyPISubject(filename=filename, sha256=sha256, release=release):
            return verify_pypi(raw, filename, sha256, options.trusted_root, release)
        case NpmSubject(name=name, version=version, integrity=integrity):
            return verify_npm(raw, name, version, integrity, options.trusted_root)
        case None:
            # Not reachable from an ecosystem (each hands over a subject when attested).
            return not_checked("no provenance document was fetched to verify")
