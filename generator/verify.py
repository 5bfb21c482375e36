"""Cryptographic verification of attestations, and where each release was built.

PyPI: the Integrity API provenance object (PEP 740) is parsed with ``pypi-attestations`` and
every attestation in it is checked with ``Attestation.verify(publisher, Distribution(file,
sha256))``: the publisher identity in the bundle is the policy, and the sha256 is the one
PyPI's JSON API serves for the file, so no artifact is downloaded.

npm: the SLSA provenance bundle of ``/-/npm/v1/attestations/<name>@<version>`` is checked with
``sigstore`` (``Bundle.from_json``, ``Verifier.verify_dsse`` with an OIDC issuer policy of
GitHub Actions or GitLab CI/CD), then the in-toto subject must be ``pkg:npm/<name>@<version>``
with the sha512 of the packument's ``dist.integrity``, and the SLSA statement must name the
repository the certificate was issued to.

Both run offline against the trust root shipped in the ``sigstore`` package (``offline=True``:
no TUF refresh, no network). Certificates are short-lived; sigstore checks them at the
transparency log's integrated time, so old, expired certificates still verify.

Pure functions of their inputs (no I/O beyond reading the bundled trust root). Any outcome is
data (:class:`Outcome`); nothing here raises for a bad attestation.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cryptography import x509

from generator.models import Build, Provenance, Verification
from generator.repository import normalize_repository

SLSA_PREFIX = "https://slsa.dev/provenance/"
IN_TOTO_PAYLOAD_TYPE = "application/vnd.in-toto+json"
LOG_SEARCH = "https://search.sigstore.dev/?logIndex="
#: OIDC issuers whose certificates npm provenance may carry (GitHub Actions, GitLab CI/CD).
NPM_ISSUERS: tuple[str, ...] = ("https://token.actions.githubusercontent.com", "https://gitlab.com")

_FULCIO = "1.3.6.1.4.1.57264.1."
# Fulcio extensions, by their last OID arc (docs: sigstore/fulcio docs/oid-info.md).
# 1 to 6 are the deprecated GitHub-only ones, raw strings; 8 and later are DER UTF8Strings.
_ISSUER_V1, _TRIGGER_V1, _SHA_V1, _REPO_V1, _REF_V1 = 1, 2, 3, 5, 6
_ISSUER, _RUNNER, _SOURCE_URI, _SOURCE_DIGEST, _SOURCE_REF = 8, 11, 12, 13, 14
_BUILD_CONFIG_URI, _TRIGGER, _RUN_URI, _VISIBILITY = 18, 20, 21, 22


@dataclass(frozen=True, slots=True)
class Outcome:
    """The result of checking one release's provenance."""

    verification: Verification
    reason: str
    build: Build | None = None
    files_verified: int | None = None


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    """How a crawl verifies attestations."""

    skip: str | None = None
    """Why not to verify (recorded as ``not-checked``), or None to verify."""
    trusted_root: Path | None = None
    """A Sigstore ``trusted_root.json`` to verify against (the demo's self-made instance);
    None: the production trust root shipped in the ``sigstore`` package."""


#: Verify against the production trust root shipped with sigstore (the default).
VERIFY = VerifyOptions()


def not_checked(reason: str) -> Outcome:
    return Outcome(Verification.NOT_CHECKED, reason)


# --------------------------------------------------------------------------- trust root


@cache
def _verifier(trusted_root: Path | None) -> Any:
    """A sigstore Verifier, loaded once per trust root: the production root shipped with the
    package (``offline=True``: no TUF refresh, no network), or a ``trusted_root.json``."""
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    _quiet_sigstore()
    if trusted_root is None:
        return Verifier.production(offline=True)
    return Verifier(trusted_root=TrustedRoot.from_file(str(trusted_root)))


@cache
def _public_log_ids() -> frozenset[str]:
    """Log ids (base64 key ids) of Sigstore's public Rekor logs, from the trust root shipped
    in the sigstore package: only their entries can be linked on search.sigstore.dev."""
    from importlib import resources

    try:
        raw = (
            resources.files("sigstore._store")
            .joinpath("https%3A%2F%2Ftuf-repo-cdn.sigstore.dev", "trusted_root.json")
            .read_bytes()
        )
        return frozenset(str(t["logId"]["keyId"]) for t in json.loads(raw)["tlogs"])
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


def _quiet_sigstore() -> None:
    # offline=True logs a warning on every load ("updates will not be performed"); without
    # handlers Python would print it to stderr once per attestation.
    logging.getLogger("sigstore._internal.tuf").setLevel(logging.ERROR)


# --------------------------------------------------------------------------- PyPI


def verify_pypi(
    raw: Any, filename: str, sha256: str | None, trusted_root: Path | None = None
) -> Outcome:
    """Verify every attestation of a PEP 740 provenance object for ``filename``."""
    try:
        return _verify_pypi(raw, filename, sha256, trusted_root)
    except Exception as exc:  # noqa: BLE001 - a verifier bug must not cost the package its row
        return not_checked(f"internal error while verifying ({type(exc).__name__})")


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
        return not_checked(f"PyPI lists no sha256 for {filename} to verify against")
    try:
        dist = Distribution(name=filename, digest=sha256.lower())
    except ValidationError:
        return not_checked(f"{filename} is not a distribution file name the verifier accepts")

    _quiet_sigstore()
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
        payload_type, payload = _verifier(trusted_root).verify_dsse(
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
    return build_from(
        cert, entry.get("logIndex"), entry.get("integratedTime"), None, _log_id(entry)
    )


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


# --------------------------------------------------------------------------- npm


def verify_npm(
    raw: Any, name: str, version: str, integrity: str | None, trusted_root: Path | None = None
) -> Outcome:
    """Verify the SLSA provenance bundle of an npm attestations document."""
    try:
        return _verify_npm(raw, name, version, integrity, trusted_root)
    except Exception as exc:  # noqa: BLE001 - a verifier bug must not cost the package its row
        return not_checked(f"internal error while verifying ({type(exc).__name__})")


def slsa_entry(raw: Any) -> dict[str, Any] | None:
    """The SLSA provenance entry of an npm attestations document, or None."""
    entries = raw.get("attestations") if isinstance(raw, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and str(entry.get("predicateType", "")).startswith(SLSA_PREFIX):
            return entry
    return None


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


def _npm_build(document: dict[str, Any], predicate: dict[str, Any] | None) -> Build:
    """Build facts from a bundle's certificate (if it parses) and its statement's predicate."""
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
    if predicate is None:
        predicate = _statement_predicate(document)
    return build_from(
        cert, tlog[0].get("logIndex"), tlog[0].get("integratedTime"), predicate, _log_id(tlog[0])
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
    try:
        bundle = Bundle.from_json(json.dumps(document))
    except (InvalidBundle, ValueError) as exc:
        media = str(document.get("mediaType", ""))
        if media.endswith("version=0.1"):
            return Outcome(
                Verification.NOT_CHECKED,
                "Sigstore bundle v0.1 (early 2023, no inclusion proof): sigstore-python cannot "
                "verify this format",
                _npm_build(document, None),
            )
        return Outcome(failed, f"the provenance bundle is malformed ({_first_line(exc)})")

    build = _npm_build(document, None)
    issuers = policy.AnyOf([policy.OIDCIssuer(issuer) for issuer in NPM_ISSUERS])
    try:
        payload_type, payload = _verifier(trusted_root).verify_dsse(bundle, issuers)
    except (SigstoreError, ValueError) as exc:
        return Outcome(failed, f"signature check failed: {_first_line(exc)}", build)
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
    want = _sha512_hex(integrity)
    if want is None:
        return Outcome(
            Verification.NOT_CHECKED,
            "the signature holds, but the packument has no sha512 dist.integrity to bind it to",
            build,
        )
    got = str((matching[0].get("digest") or {}).get("sha512", "")).lower()
    if got != want:
        return Outcome(
            failed, "the signed sha512 differs from the packument's dist.integrity", build
        )
    predicate = statement.get("predicate") if isinstance(statement, dict) else None
    build = _npm_build(document, predicate if isinstance(predicate, dict) else {})
    claimed = _predicate_repository(predicate)
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


def _sha512_hex(integrity: str | None) -> str | None:
    """The hex sha512 of an SRI ``dist.integrity`` string (``sha512-<base64>``), or None."""
    for token in (integrity or "").split():
        algorithm, _, value = token.partition("-")
        if algorithm == "sha512":
            try:
                return base64.b64decode(value, validate=True).hex()
            except (binascii.Error, ValueError):
                return None
    return None


def _statement_predicate(bundle: dict[str, Any]) -> dict[str, Any] | None:
    try:
        payload = bundle["dsseEnvelope"]["payload"]
        predicate = json.loads(base64.b64decode(payload, validate=True)).get("predicate")
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error):
        return None
    return predicate if isinstance(predicate, dict) else None


def _predicate_repository(predicate: Any) -> str | None:
    if not isinstance(predicate, dict):
        return None
    workflow = ((predicate.get("buildDefinition") or {}).get("externalParameters") or {}).get(
        "workflow"
    )
    if isinstance(workflow, dict) and isinstance(workflow.get("repository"), str):
        return str(workflow["repository"])
    source = (predicate.get("invocation") or {}).get("configSource")
    if isinstance(source, dict) and isinstance(source.get("uri"), str):
        return str(source["uri"]).removeprefix("git+").split("@", 1)[0]
    return None


# --------------------------------------------------------------------------- where it was built


def fulcio_claims(cert: x509.Certificate) -> dict[int, str]:
    """Fulcio extensions of a certificate, keyed by the last OID arc, decoded to text."""
    claims: dict[int, str] = {}
    for extension in cert.extensions:
        oid = extension.oid.dotted_string
        if not oid.startswith(_FULCIO) or not oid[len(_FULCIO) :].isdigit():
            continue
        arc = int(oid[len(_FULCIO) :])
        raw = getattr(extension.value, "value", b"")
        value = _der_utf8(raw) if arc >= 8 else raw.decode("utf-8", "replace")
        if value:
            claims[arc] = value
    return claims


def _der_utf8(der: bytes) -> str | None:
    """A DER UTF8String (tag 0x0C) to text; None if it is not one."""
    if len(der) < 2 or der[0] != 0x0C:
        return None
    length, offset = der[1], 2
    if length & 0x80:
        count = length & 0x7F
        length, offset = int.from_bytes(der[2 : 2 + count], "big"), 2 + count
    body = der[offset : offset + length]
    return body.decode("utf-8", "replace") if len(body) == length else None


def build_from(
    cert: x509.Certificate | None,
    log_index: Any,
    integrated_time: Any,
    predicate: dict[str, Any] | None,
    log_id: Any = None,
) -> Build:
    """Where it was built: the certificate's Fulcio claims first, the SLSA predicate second."""
    c = fulcio_claims(cert) if cert is not None else {}
    p = _from_predicate(predicate or {})
    source = c.get(_SOURCE_URI) or p.get("source_repository")
    if source is None and c.get(_REPO_V1):
        source = f"https://github.com/{c[_REPO_V1]}"
    index = _int(log_index)
    when = _int(integrated_time)
    return Build(
        source_repository=source,
        commit=c.get(_SOURCE_DIGEST) or c.get(_SHA_V1) or p.get("commit"),
        ref=c.get(_SOURCE_REF) or c.get(_REF_V1) or p.get("ref"),
        workflow=_workflow_path(c.get(_BUILD_CONFIG_URI), source) or p.get("workflow"),
        trigger=c.get(_TRIGGER) or c.get(_TRIGGER_V1) or p.get("trigger"),
        runner_environment=c.get(_RUNNER) or p.get("runner_environment"),
        repository_visibility=c.get(_VISIBILITY),
        issuer=c.get(_ISSUER) or c.get(_ISSUER_V1),
        run_url=c.get(_RUN_URI) or p.get("run_url"),
        log_index=index,
        integrated_time=datetime.fromtimestamp(when, UTC) if when is not None else None,
        log_url=(
            f"{LOG_SEARCH}{index}" if index is not None and log_id in _public_log_ids() else None
        ),
    )


def _workflow_path(build_config_uri: str | None, source: str | None) -> str | None:
    """``https://github.com/o/r/.github/workflows/x.yml@refs/…`` → ``.github/workflows/x.yml``."""
    if not build_config_uri:
        return None
    path = build_config_uri.rsplit("@", 1)[0]
    if source and path.startswith(source.rstrip("/") + "/"):
        path = path[len(source.rstrip("/")) + 1 :]
    return path.lstrip("/") or None


def _from_predicate(predicate: dict[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    definition = predicate.get("buildDefinition")
    if isinstance(definition, dict):  # SLSA v1
        workflow = (definition.get("externalParameters") or {}).get("workflow") or {}
        for key, field in (("repository", "source_repository"), ("path", "workflow")):
            if isinstance(workflow.get(key), str):
                out[field] = workflow[key]
        if isinstance(workflow.get("ref"), str):
            out["ref"] = workflow["ref"]
        github = (definition.get("internalParameters") or {}).get("github") or {}
        if isinstance(github, dict) and isinstance(github.get("event_name"), str):
            out["trigger"] = github["event_name"]
        for dependency in definition.get("resolvedDependencies") or []:
            commit = (dependency.get("digest") or {}).get("gitCommit")
            if isinstance(commit, str):
                out["commit"] = commit
                break
        details = predicate.get("runDetails") or {}
        builder = str((details.get("builder") or {}).get("id", ""))
        if builder.rstrip("/").rsplit("/", 1)[-1] in ("github-hosted", "self-hosted"):
            out["runner_environment"] = builder.rstrip("/").rsplit("/", 1)[-1]
        invocation = (details.get("metadata") or {}).get("invocationId")
        if isinstance(invocation, str):
            out["run_url"] = invocation
    invocation = predicate.get("invocation")
    if isinstance(invocation, dict):  # SLSA v0.2
        repository = _predicate_repository(predicate)
        if repository:
            out["source_repository"] = repository
        source = invocation.get("configSource") or {}
        entry_point = str(source.get("entryPoint", ""))
        if entry_point:
            out["workflow"] = entry_point.split("@", 1)[0]
        commit = (source.get("digest") or {}).get("sha1")
        if isinstance(commit, str):
            out["commit"] = commit
    return out


def _log_id(entry: Any) -> str | None:
    log_id = entry.get("logId") if isinstance(entry, dict) else None
    key_id = log_id.get("keyId") if isinstance(log_id, dict) else None
    return key_id if isinstance(key_id, str) else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


# --------------------------------------------------------------------------- consistency


def same_repository(a: str, b: str) -> bool:
    """Whether two repository references name the same host/owner/name (case-insensitive)."""
    na, nb = normalize_repository(a), normalize_repository(b)
    return na is not None and nb is not None and na.lower() == nb.lower()


def provenance_repository(build: Build | None, provenance: Provenance | None) -> str | None:
    """The repository the provenance names: the certificate's, else the publisher's."""
    if build is not None and build.source_repository:
        return build.source_repository
    if provenance is not None and provenance.repository:
        host = {"GitHub": "github.com", "GitLab": "gitlab.com"}.get(provenance.kind)
        if host:
            return f"https://{host}/{provenance.repository}"
    return None


def repository_mismatch(
    declared: str | None, build: Build | None, provenance: Provenance | None
) -> bool | None:
    """True when the provenance's repository differs from the declared one; None if unknown."""
    named = provenance_repository(build, provenance)
    if not declared or not named:
        return None
    na, nd = normalize_repository(named), normalize_repository(declared)
    if na is None or nd is None:
        return None
    return na.lower() != nd.lower()


def evidence_signals(
    outcome: Outcome | None,
    *,
    repository: str | None,
    provenance: Provenance | None,
    earlier_attested: str | None,
    attested: bool,
) -> dict[str, Any]:
    """The verification and consistency fields of an ``Evidence``, the same for every
    ecosystem: the check's outcome (none when not attested), the build facts, the repository
    mismatch, and dropped provenance (``earlier_attested``: the latest earlier attested
    release, or None)."""
    build = outcome.build if outcome else None
    return {
        "verification": outcome.verification if outcome else Verification.NOT_CHECKED,
        "verification_reason": outcome.reason if outcome else None,
        "files_verified": outcome.files_verified if outcome else None,
        "build": build,
        "repository_mismatch": repository_mismatch(repository, build, provenance),
        "previously_attested": earlier_attested is not None,
        "last_attested_version": earlier_attested,
        "provenance_dropped": earlier_attested is not None and not attested,
    }
