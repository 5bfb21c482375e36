"""A self-made Sigstore instance for the demo: our own Fulcio CA, CT log key and Rekor log key.

The demo's fictional packages get real signatures under this instance, so a demo crawl can show
``verified`` and ``failed`` releases. Its trust root (``trusted_root.json``) is written beside
the recordings and used only by ``--demo``; it is not, and cannot pass for, Sigstore's.

Everything the sigstore verifier checks is produced here: a Fulcio-style leaf certificate with
the Fulcio extensions and an embedded SCT, a DSSE envelope, a Rekor ``dsse`` 0.0.1 entry with
its signed entry timestamp, and a one-leaf Merkle inclusion proof with a signed checkpoint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

PAYLOAD_TYPE = "application/vnd.in-toto+json"
FULCIO = "1.3.6.1.4.1.57264.1."
SCT_OID = x509.ObjectIdentifier("1.3.6.1.4.1.11129.2.4.2")
ORIGIN = "demo-rekor.invalid - 1"


def _key(rng: random.Random) -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(rng.randrange(1, 2**255), ec.SECP256R1())


def _spki(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _sign(key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    # RFC 6979 deterministic ECDSA: re-running make_demo reproduces the same recordings.
    return key.sign(data, ec.ECDSA(hashes.SHA256(), deterministic_signing=True))


def _der_utf8(value: str) -> bytes:
    body = value.encode()
    if len(body) < 0x80:
        return b"\x0c" + bytes([len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return b"\x0c" + bytes([0x80 | len(size)]) + size + body


def _pae(payload: bytes) -> bytes:
    t = PAYLOAD_TYPE.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


@dataclass
class Identity:
    """What the CI provider's token said, as Fulcio records it."""

    issuer: str
    san: str  # a URI, or an e-mail address (Google service accounts)
    repository: str = ""  # https://host/owner/name; empty for Google
    commit: str = ""
    ref: str = ""
    workflow: str = ""  # path within the repository (GitLab's starts with "/")
    trigger: str = ""
    runner: str = ""
    visibility: str = "public"
    run_url: str = ""


class DemoSigstore:
    """Keys and trust root of the demo instance; ``sign`` makes a Sigstore bundle."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.ca_key, self.ct_key, self.log_key = _key(rng), _key(rng), _key(rng)
        self.rng = rng
        self.log_index = 700_000_000
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "attested-yet demo"),
                x509.NameAttribute(NameOID.COMMON_NAME, "demo fulcio (not Sigstore)"),
            ]
        )
        start = datetime(2023, 1, 1, tzinfo=UTC)
        self.ca = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.ca_key.public_key())
            .serial_number(1)
            .not_valid_before(start)
            .not_valid_after(start + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(self.ca_key.public_key()), critical=False
            )
            .sign(self.ca_key, hashes.SHA384(), ecdsa_deterministic=True)
        )

    def trusted_root(self) -> dict[str, Any]:
        def key(k: ec.EllipticCurvePrivateKey) -> dict[str, Any]:
            return {
                "rawBytes": base64.b64encode(_spki(k)).decode(),
                "keyDetails": "PKIX_ECDSA_P256_SHA_256",
                "validFor": {"start": "2023-01-01T00:00:00Z"},
            }

        def log_id(k: ec.EllipticCurvePrivateKey) -> dict[str, str]:
            return {"keyId": base64.b64encode(hashlib.sha256(_spki(k)).digest()).decode()}

        ca_der = self.ca.public_bytes(serialization.Encoding.DER)
        return {
            "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
            "tlogs": [
                {
                    "baseUrl": "https://demo-rekor.invalid",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": key(self.log_key),
                    "logId": log_id(self.log_key),
                }
            ],
            "certificateAuthorities": [
                {
                    "subject": {"organization": "attested-yet demo", "commonName": "demo fulcio"},
                    "uri": "https://demo-fulcio.invalid",
                    "certChain": {
                        "certificates": [{"rawBytes": base64.b64encode(ca_der).decode()}]
                    },
                    "validFor": {"start": "2023-01-01T00:00:00Z"},
                }
            ],
            "ctlogs": [
                {
                    "baseUrl": "https://demo-ctfe.invalid",
                    "hashAlgorithm": "SHA2_256",
                    "publicKey": key(self.ct_key),
                    "logId": log_id(self.ct_key),
                }
            ],
            "timestampAuthorities": [],
        }

    def _leaf(
        self, key: ec.EllipticCurvePrivateKey, who: Identity, when: datetime
    ) -> x509.Certificate:
        claims = {8: who.issuer}
        if who.repository:
            config = f"{who.repository}/{who.workflow}@{who.ref}"
            claims |= {
                9: config,
                10: who.commit,
                11: who.runner,
                12: who.repository,
                13: who.commit,
                14: who.ref,
                18: config,
                19: who.commit,
                20: who.trigger,
                21: who.run_url,
                22: who.visibility,
            }
        san: x509.GeneralName = (
            x509.UniformResourceIdentifier(who.san)
            if "://" in who.san
            else x509.RFC822Name(who.san)
        )
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([]))
            .issuer_name(self.ca.subject)
            .public_key(key.public_key())
            .serial_number(self.rng.getrandbits(120))
            .not_valid_before(when - timedelta(seconds=30))
            .not_valid_after(when + timedelta(minutes=10))
            .add_extension(
                x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.ca_key.public_key()), False
            )
            .add_extension(x509.SubjectAlternativeName([san]), True)
            .add_extension(
                x509.UnrecognizedExtension(
                    x509.ObjectIdentifier(FULCIO + "1"), who.issuer.encode()
                ),
                False,
            )
        )
        for arc, value in claims.items():
            if value:
                oid = x509.ObjectIdentifier(f"{FULCIO}{arc}")
                builder = builder.add_extension(
                    x509.UnrecognizedExtension(oid, _der_utf8(value)), False
                )
        precert = builder.sign(self.ca_key, hashes.SHA256(), ecdsa_deterministic=True)
        sct = self._sct(precert.tbs_certificate_bytes, when)
        # SignedCertificateTimestampList (RFC 6962 3.3) inside an OCTET STRING.
        sct_list = struct.pack("!H", len(sct) + 2) + struct.pack("!H", len(sct)) + sct
        value = b"\x04" + _der_len(len(sct_list)) + sct_list
        leaf = builder.add_extension(x509.UnrecognizedExtension(SCT_OID, value), False).sign(
            self.ca_key, hashes.SHA256(), ecdsa_deterministic=True
        )
        assert leaf.tbs_precertificate_bytes == precert.tbs_certificate_bytes
        return leaf

    def _sct(self, tbs: bytes, when: datetime) -> bytes:
        issuer_key_hash = hashlib.sha256(_spki(self.ca_key)).digest()
        millis = int(when.timestamp() * 1000)
        signed = (
            struct.pack("!BBQH", 0, 0, millis, 1)
            + issuer_key_hash
            + len(tbs).to_bytes(3, "big")
            + tbs
            + struct.pack("!H", 0)
        )
        signature = _sign(self.ct_key, signed)
        log_id = hashlib.sha256(_spki(self.ct_key)).digest()
        return (
            struct.pack("!B", 0)
            + log_id
            + struct.pack("!Q", millis)
            + struct.pack("!H", 0)
            + struct.pack("!BBH", 4, 3, len(signature))  # sha256, ecdsa
            + signature
        )

    def pep740(self, statement: dict[str, Any], who: Identity, when: datetime) -> dict[str, Any]:
        """A PEP 740 attestation object (what PyPI's Integrity API serves) of ``statement``."""
        bundle = self.sign(statement, who, when)
        return {
            "envelope": {
                "signature": bundle["dsseEnvelope"]["signatures"][0]["sig"],
                "statement": bundle["dsseEnvelope"]["payload"],
            },
            "verification_material": {
                "certificate": bundle["verificationMaterial"]["certificate"]["rawBytes"],
                "transparency_entries": bundle["verificationMaterial"]["tlogEntries"],
            },
            "version": 1,
        }

    def sign(self, statement: dict[str, Any], who: Identity, when: datetime) -> dict[str, Any]:
        """A Sigstore bundle v0.3 (DSSE) of ``statement`` signed as ``who`` at ``when``."""
        key = _key(self.rng)
        leaf = self._leaf(key, who, when)
        payload = json.dumps(statement, separators=(",", ":")).encode()
        signature = _sign(key, _pae(payload))
        pem = leaf.public_bytes(serialization.Encoding.PEM)
        body = {
            "apiVersion": "0.0.1",
            "kind": "dsse",
            "spec": {
                "envelopeHash": {
                    "algorithm": "sha256",
                    "value": hashlib.sha256(payload).hexdigest(),
                },
                "payloadHash": {
                    "algorithm": "sha256",
                    "value": hashlib.sha256(payload).hexdigest(),
                },
                "signatures": [
                    {
                        "signature": base64.b64encode(signature).decode(),
                        "verifier": base64.b64encode(pem).decode(),
                    }
                ],
            },
        }
        canonical = json.dumps(body, separators=(",", ":"), sort_keys=True).encode()
        self.log_index += self.rng.randrange(1, 5000)
        integrated = int(when.timestamp())
        log_id = hashlib.sha256(_spki(self.log_key)).digest()
        promise = _sign(
            self.log_key,
            rfc8785.dumps(
                {
                    "body": base64.b64encode(canonical).decode(),
                    "integratedTime": integrated,
                    "logID": log_id.hex(),
                    "logIndex": self.log_index,
                }
            ),
        )
        root = hashlib.sha256(b"\x00" + canonical).digest()
        note = f"{ORIGIN}\n1\n{base64.b64encode(root).decode()}\n"
        note_sig = _sign(self.log_key, note.encode())
        checkpoint = (
            f"{note}\n\u2014 {ORIGIN.split()[0]} "
            f"{base64.b64encode(log_id[:4] + note_sig).decode()}\n"
        )
        return {
            "mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
            "verificationMaterial": {
                "certificate": {
                    "rawBytes": base64.b64encode(
                        leaf.public_bytes(serialization.Encoding.DER)
                    ).decode()
                },
                "tlogEntries": [
                    {
                        "logIndex": str(self.log_index),
                        "logId": {"keyId": base64.b64encode(log_id).decode()},
                        "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                        "integratedTime": str(integrated),
                        "inclusionPromise": {
                            "signedEntryTimestamp": base64.b64encode(promise).decode()
                        },
                        "inclusionProof": {
                            "logIndex": "0",
                            "rootHash": base64.b64encode(root).decode(),
                            "treeSize": "1",
                            "hashes": [],
                            "checkpoint": {"envelope": checkpoint},
                        },
                        "canonicalizedBody": base64.b64encode(canonical).decode(),
                    }
                ],
            },
            "dsseEnvelope": {
                "payload": base64.b64encode(payload).decode(),
                "payloadType": PAYLOAD_TYPE,
                "signatures": [{"sig": base64.b64encode(signature).decode(), "keyid": ""}],
            },
        }


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(size)]) + size
