"""The Sigstore trust roots verification runs against, loaded once and offline."""

from __future__ import annotations

import base64
import binascii
import json
import logging
from functools import cache
from pathlib import Path
from typing import Any


@cache
def verifier(trusted_root: Path | None) -> Any:
    """A sigstore Verifier, loaded once per trust root: the production root shipped with the
    package (``offline=True``: no TUF refresh, no network), or a ``trusted_root.json``."""
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    quiet_sigstore()
    if trusted_root is None:
        return Verifier.production(offline=True)
    return Verifier(trusted_root=TrustedRoot.from_file(str(trusted_root)))


@cache
def public_log_ids() -> frozenset[str]:
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


def quiet_sigstore() -> None:
    """Silence sigstore's offline warning: ``offline=True`` logs one on every load ("updates
    will not be performed"); without handlers Python would print it once per attestation."""
    logging.getLogger("sigstore._internal.tuf").setLevel(logging.ERROR)


def _trusted_root_json(trusted_root: Path | None) -> Any:
    """The trust root document: the production one shipped with sigstore, or ``trusted_root``."""
    from importlib import resources

    if trusted_root is not None:
        return json.loads(trusted_root.read_bytes())
    raw = (
        resources.files("sigstore._store")
        .joinpath("https%3A%2F%2Ftuf-repo-cdn.sigstore.dev", "trusted_root.json")
        .read_bytes()
    )
    return json.loads(raw)


@cache
def rekor_keys(trusted_root: Path | None) -> dict[str, bytes]:
    """Rekor log keys of a trust root: base64 log id → SPKI DER public key."""
    try:
        tlogs = _trusted_root_json(trusted_root)["tlogs"]
        return {
            str(t["logId"]["keyId"]): base64.b64decode(t["publicKey"]["rawBytes"]) for t in tlogs
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def signed_entry_time(entry: Any, trusted_root: Path | None) -> int | None:
    """The integrated time of a transparency-log entry, if its signed entry timestamp (the
    log's signature over ``{body, integratedTime, logID, logIndex}``, canonical JSON) verifies
    under a Rekor key of the trust root; None otherwise. The time cannot be edited without
    the log's key."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_der_public_key

    try:
        key_id = str(entry["logId"]["keyId"])
        integrated = int(entry["integratedTime"])
        signed = {
            "body": str(entry["canonicalizedBody"]),
            "integratedTime": integrated,
            "logID": base64.b64decode(key_id, validate=True).hex(),
            "logIndex": int(entry["logIndex"]),
        }
        promise = base64.b64decode(entry["inclusionPromise"]["signedEntryTimestamp"], validate=True)
        public = load_der_public_key(rekor_keys(trusted_root)[key_id])
    except (KeyError, TypeError, ValueError, binascii.Error):
        return None
    if not isinstance(public, ec.EllipticCurvePublicKey):
        return None
    message = json.dumps(signed, sort_keys=True, separators=(",", ":")).encode()
    try:
        public.verify(promise, message, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return None
    return integrated
