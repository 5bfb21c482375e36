"""Where a release was built: the signing certificate's Fulcio claims, then the SLSA predicate.

Fulcio extensions are OIDs ``1.3.6.1.4.1.57264.1.N`` (sigstore/fulcio ``docs/oid-info.md``):
1 to 6 are the deprecated GitHub-only ones, raw strings; 8 and later are DER UTF8Strings.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography import x509

from generator.models import Build
from generator.slsa import SlsaFacts
from generator.verify.trust import public_log_ids

LOG_SEARCH = "https://search.sigstore.dev/?logIndex="

_FULCIO = "1.3.6.1.4.1.57264.1."
# By the OID's last arc.
_ISSUER_V1, _TRIGGER_V1, _SHA_V1, _REPO_V1, _REF_V1 = 1, 2, 3, 5, 6
_ISSUER, _RUNNER, _SOURCE_URI, _SOURCE_DIGEST, _SOURCE_REF = 8, 11, 12, 13, 14
_BUILD_CONFIG_URI, _TRIGGER, _RUN_URI, _VISIBILITY = 18, 20, 21, 22


def fulcio_claims(cert: x509.Certificate) -> dict[int, str]:
    """Fulcio extensions of a certificate, keyed by the last OID arc, decoded to text."""
    claims: dict[int, str] = {}
    for extension in cert.extensions:
        oid = extension.oid.dotted_string
        if not oid.startswith(_FULCIO) or not oid[len(_FULCIO) :].isdigit():
            continue
        arc = int(oid[len(_FULCIO) :])
        raw = getattr(extension.value, "value", b"")
        value = der_utf8(raw) if arc >= 8 else raw.decode("utf-8", "replace")
        if value:
            claims[arc] = value
    return claims


def der_utf8(der: bytes) -> str | None:
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
    predicate: SlsaFacts | None,
    log_id: Any = None,
) -> Build:
    """Where it was built: the certificate's Fulcio claims first, the SLSA predicate second."""
    c = fulcio_claims(cert) if cert is not None else {}
    p = predicate or SlsaFacts()
    source = c.get(_SOURCE_URI) or p.source_repository
    if source is None and c.get(_REPO_V1):
        source = f"https://github.com/{c[_REPO_V1]}"
    index = _int(log_index)
    when = _int(integrated_time)
    return Build(
        source_repository=source,
        commit=c.get(_SOURCE_DIGEST) or c.get(_SHA_V1) or p.commit,
        ref=c.get(_SOURCE_REF) or c.get(_REF_V1) or p.ref,
        workflow=_workflow_path(c.get(_BUILD_CONFIG_URI), source) or p.workflow,
        trigger=c.get(_TRIGGER) or c.get(_TRIGGER_V1) or p.trigger,
        runner_environment=c.get(_RUNNER) or p.runner_environment,
        repository_visibility=c.get(_VISIBILITY),
        issuer=c.get(_ISSUER) or c.get(_ISSUER_V1),
        run_url=c.get(_RUN_URI) or p.run_url,
        log_index=index,
        integrated_time=datetime.fromtimestamp(when, UTC) if when is not None else None,
        log_url=(
            f"{LOG_SEARCH}{index}" if index is not None and log_id in public_log_ids() else None
        ),
    )


def log_id(entry: Any) -> str | None:
    """The ``logId.keyId`` of a transparency-log entry, or None."""
    value = entry.get("logId") if isinstance(entry, dict) else None
    key_id = value.get("keyId") if isinstance(value, dict) else None
    return key_id if isinstance(key_id, str) else None


def _workflow_path(build_config_uri: str | None, source: str | None) -> str | None:
    """``https://github.com/o/r/.github/workflows/x.yml@refs/…`` → ``.github/workflows/x.yml``."""
    if not build_config_uri:
        return None
    path = build_config_uri.rsplit("@", 1)[0]
    if source and path.startswith(source.rstrip("/") + "/"):
        path = path[len(source.rstrip("/")) + 1 :]
    return path.lstrip("/") or None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
