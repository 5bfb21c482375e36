"""npm registry signatures, as ``npm audit signatures`` checks them (npm/pacote
``lib/registry.js``; see the samples' FACTS.md #8–#12).

* ``dist.signatures``: ECDSA P-256 / SHA-256 (base64 DER) over the UTF-8 string
  ``<name>@<version>:<dist.integrity>``, by a key of ``/-/npm/v1/keys`` whose ``keyid`` it names.
* The publish attestation (predicate ``https://github.com/npm/attestation/tree/main/specs/
  publish/v0.1``) in the attestations document: a DSSE envelope signed by the registry key
  named in ``verificationMaterial.publicKey.hint``, over the DSSE PAE, whose subject must be
  ``pkg:npm/<name>@<version>`` with the sha512 of ``dist.integrity``.

A key counts only if it has no ``expires`` or expires after the release's publish time (for the
publish attestation: after its transparency-log integrated time), as pacote does. Offline: the
keys were fetched by the npm ecosystem, once per run.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from generator.models import NpmKey, RegistrySignature, RegistrySigned

PUBLISH_PREDICATE = "https://github.com/npm/attestation/tree/main/specs/publish/v0.1"
_SIGNED = RegistrySignature.VERIFIED
_FAILED = RegistrySignature.FAILED


def registry_signature(signed: RegistrySigned, attestations: Any) -> RegistrySignature:
    """The registry-signature outcome of one release (see ``RegistrySignature``)."""
    if not signed.signatures:
        return RegistrySignature.ABSENT
    if signed.keys is None:
        return RegistrySignature.UNKNOWN_KEY
    message = f"{signed.name}@{signed.version}:{signed.integrity or ''}".encode()
    outcome = RegistrySignature.UNKNOWN_KEY
    for keyid, sig in signed.signatures:
        key = _valid_key(signed.keys, keyid, signed.published_at)
        if key is None:
            continue
        if not _verifies(key, sig, message):
            return _FAILED
        outcome = _SIGNED
    if outcome is _SIGNED and publish_attestation(signed, attestations) is _FAILED:
        return _FAILED
    return outcome


def publish_attestation(signed: RegistrySigned, attestations: Any) -> RegistrySignature | None:
    """The publish attestation's check: None when the document holds none."""
    entries = attestations.get("attestations") if isinstance(attestations, dict) else None
    entry = next(
        (
            e
            for e in entries or ()
            if isinstance(e, dict) and e.get("predicateType") == PUBLISH_PREDICATE
        ),
        None,
    )
    if entry is None:
        return None
    try:
        bundle = entry["bundle"]
        material = bundle["verificationMaterial"]
        keyid = material["publicKey"]["hint"]
        when = datetime.fromtimestamp(int(material["tlogEntries"][0]["integratedTime"]), UTC)
        envelope = bundle["dsseEnvelope"]
        payload_type = str(envelope["payloadType"])
        payload = base64.b64decode(envelope["payload"], validate=True)
        sig = envelope["signatures"][0]["sig"]
        statement = json.loads(payload)
        subjects = statement["subject"]
    except (KeyError, IndexError, TypeError, ValueError, binascii.Error, OverflowError):
        return _FAILED
    key = _valid_key(signed.keys or (), str(keyid), when)
    if key is None:
        return RegistrySignature.UNKNOWN_KEY
    if not _verifies(key, sig, _pae(payload_type, payload)):
        return _FAILED
    expected = f"pkg:npm/{signed.name}@{signed.version}"
    want = sha512_hex(signed.integrity)
    for subject in subjects if isinstance(subjects, list) else ():
        if isinstance(subject, dict) and unquote(str(subject.get("name"))) == expected:
            got = str((subject.get("digest") or {}).get("sha512", "")).lower()
            return _SIGNED if want is not None and got == want else _FAILED
    return _FAILED


def sha512_hex(integrity: str | None) -> str | None:
    """The hex sha512 of an SRI ``dist.integrity`` string (``sha512-<base64>``), or None."""
    for token in (integrity or "").split():
        algorithm, _, value = token.partition("-")
        if algorithm == "sha512":
            try:
                return base64.b64decode(value, validate=True).hex()
            except (binascii.Error, ValueError):
                return None
    return None


def _valid_key(keys: tuple[NpmKey, ...], keyid: str, when: datetime) -> NpmKey | None:
    """The key named ``keyid``, if it had not expired at ``when``."""
    for key in keys:
        if key.keyid == keyid and (key.expires is None or when < key.expires):
            return key
    return None


def _verifies(key: NpmKey, sig: Any, message: bytes) -> bool:
    """Whether ``sig`` (base64 DER ECDSA) verifies over ``message`` under ``key``."""
    try:
        public = load_der_public_key(base64.b64decode(key.key, validate=True))
        signature = base64.b64decode(str(sig), validate=True)
    except (ValueError, binascii.Error, TypeError):
        return False
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return False
    try:
        public.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE pre-authentication encoding."""
    kind = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
