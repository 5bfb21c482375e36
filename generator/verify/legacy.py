"""npm's legacy Sigstore bundles (v0.1, 2023): told apart from relabelled modern ones.

sigstore-python cannot verify a v0.1 bundle (it has no inclusion proof), so such a bundle is
``not-checked``, but only when what an attacker cannot edit for free says it is genuine:

* the transparency-log entry's signed entry timestamp (Rekor's signature over ``{body,
  integratedTime, logID, logIndex}``) verifies under a Rekor key of the trust root, and puts
  the entry before :data:`LEGACY_BUNDLE_END`;
* the logged body records the sha256 of this envelope's payload (so the statement is the one
  that was logged), the envelope's signature verifies over the DSSE PAE with the bundle's leaf
  certificate, and the statement's subject is ``pkg:npm/<name>@<version>``.

Anything else labelled v0.1 is ``failed``. The certificate chain to Fulcio is not checked.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from generator.models import Build, Verification
from generator.verify.options import Outcome
from generator.verify.trust import signed_entry_time

#: After this, a bundle labelled v0.1 is not a genuine npm bundle. sigstore-js switched its
#: default to v0.2 bundles in sigstore/sigstore-js#644 (merged 2023-07-26: "the only change
#: between 0.1 and 0.2 is that the TLog inclusion proof is a required field and we're already
#: including this value in all bundles"); npm CLI took that line with sigstore@2.0.0
#: (npm/cli#6722, 2023-08-18, npm 10). We take the later date: a v0.1 bundle logged after it
#: is relabelled. (An npm 9 pinned past that date could in principle still emit v0.1: such a
#: release would read ``failed``; none is known.)
LEGACY_BUNDLE_END = datetime(2023, 8, 18, tzinfo=UTC)


def legacy_bundle(
    document: dict[str, Any], name: str, version: str, trusted_root: Path | None, build: Build
) -> Outcome:
    """The outcome of a bundle labelled v0.1 (see the module's docstring)."""
    material = document.get("verificationMaterial") or {}
    entries = material.get("tlogEntries") or [None]
    when = signed_entry_time(entries[0], trusted_root)
    if when is None:
        return _failed(
            "a bundle labelled Sigstore v0.1 whose transparency-log entry timestamp does not "
            "verify against the log's key",
            build,
        )
    logged = datetime.fromtimestamp(when, UTC)
    if logged >= LEGACY_BUNDLE_END:
        return _failed(
            f"a bundle labelled Sigstore v0.1 but logged {logged:%Y-%m-%d}, after npm stopped "
            f"issuing v0.1 bundles ({LEGACY_BUNDLE_END:%Y-%m-%d}): relabelled",
            build,
        )
    why = _envelope_problem(document, entries[0])
    if why is None:
        why = _subject_problem(document, f"pkg:npm/{name}@{version}")
    if why is not None:
        return _failed(f"the legacy v0.1 bundle: {why}", build)
    return Outcome(
        Verification.NOT_CHECKED,
        f"Sigstore bundle v0.1, logged {logged:%Y-%m-%d} (before npm stopped issuing them, "
        f"{LEGACY_BUNDLE_END:%Y-%m-%d}): no inclusion proof, sigstore-python cannot verify "
        "this format",
        build,
    )


def _failed(reason: str, build: Build) -> Outcome:
    return Outcome(Verification.FAILED, reason, build)


def _envelope_problem(document: dict[str, Any], entry: Any) -> str | None:
    """Why the envelope is not the logged one signed by the leaf certificate, or None."""
    try:
        envelope = document["dsseEnvelope"]
        payload = base64.b64decode(envelope["payload"], validate=True)
        signature = base64.b64decode(envelope["signatures"][0]["sig"], validate=True)
        payload_type = str(envelope["payloadType"]).encode()
        body = json.loads(base64.b64decode(entry["canonicalizedBody"], validate=True))
        spec = body["spec"]
        content = spec.get("content", spec)  # intoto 0.0.2 nests it; dsse 0.0.1 does not
        recorded = str(content["payloadHash"]["value"])
        chain = document["verificationMaterial"]["x509CertificateChain"]["certificates"]
        cert = x509.load_der_x509_certificate(base64.b64decode(chain[0]["rawBytes"]))
    except (KeyError, IndexError, TypeError, ValueError, binascii.Error) as exc:
        return f"unreadable ({type(exc).__name__})"
    if recorded != hashlib.sha256(payload).hexdigest():
        return "its statement is not the one the transparency log recorded"
    public = cert.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return "its certificate's key is not an EC key"
    pae = b"DSSEv1 %d %s %d %s" % (len(payload_type), payload_type, len(payload), payload)
    try:
        public.verify(signature, pae, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return "its signature does not verify with its certificate"
    return None


def _subject_problem(document: dict[str, Any], expected: str) -> str | None:
    try:
        statement = json.loads(base64.b64decode(document["dsseEnvelope"]["payload"]))
        subjects = statement["subject"]
    except (KeyError, TypeError, ValueError, binascii.Error):
        return "its statement is not an in-toto statement"
    for subject in subjects if isinstance(subjects, list) else ():
        if isinstance(subject, dict) and unquote(str(subject.get("name"))) == expected:
            return None
    return f"its subject is not {expected}"
