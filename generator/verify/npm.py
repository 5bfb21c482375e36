"""npm: verify the SLSA provenance bundle of an attestations document.

The bundle of ``/-/npm/v1/attestations/<name>@<version>`` is checked with ``sigstore``
(``Bundle.from_json``, ``Verifier.verify_dsse`` with an OIDC issuer policy of GitHub Actions or
GitLab CI/CD), then the in-toto subject must be ``pkg:npm/<name>@<version>`` with the sha512 of
the packument's ``dist.integrity``, and the SLSA statement must name the repository the
certificate was issued to. The document itself is read by :mod:`generator.slsa`.
"""

from __future__ import annotations

import base64
import binascii
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cryptography import x509

from generator.models import Build, Verification
from generator.slsa import SlsaFacts, parse_predicate, slsa_entry, statement_predicate
from generator.verify.fulcio import build_from, log_id
from generator.verify.legacy import legacy_bundle
from generator.verify.options import Outcome, first_line, not_checked
from generator.verify.registry import sha512_hex
from generator.verify.signals import same_repository
from generator.verify.trust import verifier

IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"

#: OIDC issuers whose certificates npm provenance may carry (GitHub Actions, GitLab CI/CD).
NPM_ISSUERS: tuple[str, ...] = ("https://token.actions.githubusercontent.com", "https://gitlab.com")


def verify_npm(
    raw: Any, name: str, version: str, integrity: str | None, trusted_root: Path | None = None
) -> Outcome:
    """Verify the SLSA provenance bundle of an npm attestations document. Whatever cannot be
    parsed or checked is ``failed`` with the reason; never a silent ``not-checked``."""
    try:
        return _verify_npm(raw, name, version, integrity, trusted_root)
    except Exception as exc:  # noqa: BLE001 - a served document we cannot check is a failure
        return Outcome(
            Verification.FAILED,
            f"the provenance bundle could not be checked ({type(exc).__name__}: {first_line(exc)})",
        )


def unverified_npm(raw: Any, reason: str) -> Outcome:
    """``not-checked`` with ``reason``, and where it was built as the (unverified) certificate
    and SLSA statement say."""
    entry = slsa_entry(raw)
    document = entry.get("bundle") if entry else None
    if not isinstance(document, dict):
        return not_checked(reason)
    try:
        return Outcome(Verification.NOT_CHECKED, reason, _npm_build(document, None))
    except Exception:  # noqa: BLE001 - unverified details are best effort
        return not_checked(reason)


def _npm_build(document: dict[str, Any], facts: SlsaFacts | None) -> Build:
    """Build facts from a bundle's certificate (if it parses) and its statement's predicate
    (``facts``; None: read from the bundle's unverified statement)."""
    material = document.get("verificationMaterial") or {}
    tlog = material.get("tlogEntries") or [{}]
    cert = None
    raw_cert = (material.get("certificate") or {}).get("rawBytes")
    if raw_cert is None:  # bundle v0.1/v0.2: a chain, leaf first
        chain = (material.get("x509CertificateChain") or {}).get("certificates") or [{}]
        raw_cert = chain[0].get("rawBytes")
    if isinstance(raw_cert, str):
        try:
            cert = x509.load_der_x509_certificate(base64.b64decode(raw_cert))
        except (ValueError, binascii.Error):
            cert = None
    if facts is None:
        facts = parse_predicate(statement_predicate(document))
    return build_from(
        cert, tlog[0].get("logIndex"), tlog[0].get("integratedTime"), facts, log_id(tlog[0])
    )


def _verify_npm(
    raw: Any, name: str, version: str, integrity: str | None, trusted_root: Path | None
) -> Outcome:
    from sigstore.errors import Error as SigstoreError
    from sigstore.models import Bundle, InvalidBundle
    from sigstore.verify import policy

    failed = Verification.FAILED
    entry = slsa_entry(raw)
    if entry is None or not isinstance(entry.get("bundle"), dict):
        return Outcome(failed, "the attestations document holds no SLSA provenance bundle")
    document = entry["bundle"]
    if str(document.get("mediaType", "")).endswith("version=0.1"):
        return legacy_bundle(document, name, version, trusted_root, _npm_build(document, None))
    try:
        bundle = Bundle.from_json(json.dumps(document))
    except (InvalidBundle, ValueError) as exc:
        return Outcome(failed, f"the provenance bundle is malformed ({first_line(exc)})")

    build = _npm_build(document, None)
    issuers = policy.AnyOf([policy.OIDCIssuer(issuer) for issuer in NPM_ISSUERS])
    try:
        payload_type, payload = verifier(trusted_root).verify_dsse(bundle, issuers)
    except (SigstoreError, ValueError) as exc:
        return Outcome(failed, f"signature check failed: {first_line(exc)}", build)
    if payload_type != IN_TOTO_PAYLOAD_TYPE:
        return Outcome(failed, f"unexpected payload type {payload_type}", build)
    try:
        statement = json.loads(payload)
        subjects = statement["subject"]
    except (ValueError, KeyError, TypeError):
        return Outcome(failed, "the signed statement is not an in-toto statement", build)

    expected = f"pkg:npm/{name}@{version}"
    matching = [
        s for s in subjects if isinstance(s, dict) and unquote(str(s.get("name"))) == expected
    ]
    if len(matching) != 1:
        return Outcome(failed, f"the signed statement's subject is not {expected}", build)
    want = sha512_hex(integrity)
    if want is None:
        return Outcome(
            failed,
            "the signature holds, but the packument has no sha512 dist.integrity to bind it to",
            build,
        )
    got = str((matching[0].get("digest") or {}).get("sha512", "")).lower()
    if got != want:
        return Outcome(
            failed, "the signed sha512 differs from the packument's dist.integrity", build
        )
    # From here on the facts come from the signed statement, not the unverified copy.
    facts = parse_predicate(statement.get("predicate") if isinstance(statement, dict) else None)
    build = _npm_build(document, facts)
    claimed = facts.source_repository
    if (
        claimed
        and build.source_repository
        and not same_repository(claimed, build.source_repository)
    ):
        return Outcome(
            failed,
            f"the SLSA statement names {claimed}, but the certificate was issued to "
            f"{build.source_repository}",
            build,
        )
    return Outcome(
        Verification.VERIFIED,
        f"SLSA provenance signed by {build.issuer or 'a trusted issuer'} and bound to "
        f"{expected}'s dist.integrity (sha512)",
        build,
    )
