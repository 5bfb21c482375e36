"""PyPI: verify a PEP 740 provenance object (Integrity API) for one distribution file.

The object is parsed with ``pypi-attestations`` and every attestation in it is checked with
``Attestation.verify(publisher, Distribution(file, sha256))``: the publisher identity in the
bundle is the policy, and the sha256 is the one PyPI's JSON API serves for the file, so no
artifact is downloaded. Offline, against the trust root shipped in ``sigstore``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from cryptography import x509

from generator.models import Build, PyPIRelease, Verification
from generator.verify.fulcio import build_from, log_id
from generator.verify.options import Outcome, first_line
from generator.verify.trust import quiet_sigstore, verifier

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"


def verify_pypi(
    raw: Any,
    filename: str,
    sha256: str | None,
    trusted_root: Path | None = None,
    release: PyPIRelease | None = None,
) -> Outcome:
    """Verify every attestation of a PEP 740 provenance object for ``filename``, after binding
    ``filename`` to ``release`` (when given). Whatever cannot be parsed or checked is
    ``failed`` with the parser's reason; never a silent ``not-checked``."""
    if release is not None and (mismatch := unbound(filename, sha256, release)):
        return Outcome(Verification.FAILED, mismatch, files_verified=0)
    try:
        return _verify_pypi(raw, filename, sha256, trusted_root)
    except Exception as exc:  # noqa: BLE001 - a served document we cannot check is a failure
        return Outcome(
            Verification.FAILED,
            f"the provenance of {filename} could not be checked ({type(exc).__name__}: "
            f"{first_line(exc)})",
            files_verified=0,
        )


def unbound(filename: str, sha256: str | None, release: PyPIRelease) -> str | None:
    """Why ``filename`` (with ``sha256``) is not a file of ``release``, or None when it is: its
    name must parse (wheel or sdist) to the project's normalized name and the release's
    version, and the release must list it with that sha256. Replays of another project's or
    another version's attested file stop here."""
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        canonicalize_name,
        parse_sdist_filename,
        parse_wheel_filename,
    )
    from packaging.version import InvalidVersion, Version

    try:
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion) as exc:
        return f"the attested file {filename} is not a wheel or sdist name ({first_line(exc)})"
    project = canonicalize_name(release.project)
    if name != project:
        return f"the attested file {filename} belongs to project {name}, not {project}"
    try:
        same = version == Version(release.version)
    except InvalidVersion:
        same = False
    if not same:
        return f"the attested file {filename} is of version {version}, not {release.version}"
    listed = dict(release.files)
    if filename not in listed:
        return f"the attested file {filename} is not one of {release.version}'s files"
    if not sha256 or (listed[filename] or "").lower() != sha256.lower():
        return f"the attested file {filename} is not listed with that sha256 in the release"
    return None


def _verify_pypi(raw: Any, filename: str, sha256: str | None, trusted_root: Path | None) -> Outcome:
    from pydantic import ValidationError
    from pypi_attestations import AttestationError, Distribution
    from pypi_attestations import Provenance as Pep740Provenance

    try:
        provenance = Pep740Provenance.model_validate(raw)
    except ValidationError as exc:
        return Outcome(
            Verification.FAILED,
            f"the provenance object of {filename} is malformed "
            f"({exc.error_count()} validation errors)",
            files_verified=0,
        )
    if not sha256:
        return Outcome(
            Verification.FAILED,
            f"PyPI lists no sha256 for {filename} to bind the attestation to",
            files_verified=0,
        )
    try:
        dist = Distribution(name=filename, digest=sha256.lower())
    except ValidationError as exc:
        return Outcome(
            Verification.FAILED,
            f"{filename} with that sha256 is not a distribution the verifier accepts "
            f"({exc.error_count()} validation errors)",
            files_verified=0,
        )

    quiet_sigstore()
    build: Build | None = None
    checked = 0
    kinds: list[str] = []
    for bundle in provenance.attestation_bundles:
        for attestation in bundle.attestations:
            if build is None:
                build = _pypi_build(attestation)
            try:
                if trusted_root is None:
                    attestation.verify(bundle.publisher, dist, offline=True)
                else:
                    verify_attestation(attestation, bundle.publisher, dist, trusted_root)
            except AttestationError as exc:
                why = str(exc).removeprefix("Verification failed: ")
                return Outcome(Verification.FAILED, f"{filename}: {why}", build, files_verified=0)
            checked += 1
            kinds.append(bundle.publisher.kind)
    if not checked:
        return Outcome(
            Verification.FAILED, f"the provenance of {filename} holds no attestation", build, 0
        )
    return Outcome(
        Verification.VERIFIED,
        f"{checked} attestation{'s' if checked > 1 else ''} of {filename} verified against its "
        f"sha256 and the {', '.join(sorted(set(kinds)))} publisher identity",
        build,
        files_verified=1,
    )


def verify_attestation(attestation: Any, publisher: Any, dist: Any, trusted_root: Path) -> None:
    """``Attestation.verify`` against another trust root (pypi-attestations only knows
    Sigstore's production and staging): the same checks, in the same order and words.
    Raises ``pypi_attestations.VerificationError``."""
    import sigstore.errors
    from pypi_attestations import AttestationType, VerificationError

    try:
        payload_type, payload = verifier(trusted_root).verify_dsse(
            attestation.to_bundle(), publisher._as_policy()
        )
    except sigstore.errors.VerificationError as err:
        raise VerificationError(str(err)) from err
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        raise VerificationError(f"expected JSON envelope, got {payload_type}")
    try:
        statement = json.loads(payload)
        subjects = statement["subject"]
        predicate_type = statement["predicateType"]
    except (ValueError, KeyError, TypeError) as err:
        raise VerificationError(f"invalid statement: {err}") from err
    if not isinstance(subjects, list) or len(subjects) != 1:
        raise VerificationError("too many subjects in statement (must be exactly one)")
    subject = subjects[0]
    if subject.get("name") != dist.name:
        raise VerificationError(
            f"subject does not match distribution name: {subject.get('name')} != {dist.name}"
        )
    if (subject.get("digest") or {}).get("sha256") != dist.digest:
        raise VerificationError("subject does not match distribution digest")
    try:
        AttestationType(predicate_type)
    except ValueError:
        raise VerificationError(f"unknown attestation type: {predicate_type}") from None


def _pypi_build(attestation: Any) -> Build | None:
    try:
        cert = x509.load_der_x509_certificate(attestation.verification_material.certificate)
    except ValueError:
        return None
    entry = attestation.verification_material.transparency_entries[0]
    return build_from(cert, entry.get("logIndex"), entry.get("integratedTime"), None, log_id(entry))


def unverified_pypi(raw: Any, reason: str) -> Outcome:
    """``not-checked`` with ``reason``, and where it was built as the (unverified) certificate
    says, when it can be read."""
    from pypi_attestations import Provenance as Pep740Provenance

    try:
        provenance = Pep740Provenance.model_validate(raw)
        build = _pypi_build(provenance.attestation_bundles[0].attestations[0])
    except Exception:  # noqa: BLE001 - unverified details are best effort
        build = None
    return Outcome(Verification.NOT_CHECKED, reason, build)
