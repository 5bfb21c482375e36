"""``identity`` (who signed, against the declared repository), ``registry_signature`` (npm's
own signatures, as ``npm audit signatures`` checks them) and how the site words them."""

from __future__ import annotations

import base64
import copy
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from generator.models import (
    Build,
    Identity,
    NpmKey,
    Provenance,
    RegistrySignature,
    RegistrySigned,
    Status,
    Verification,
)
from generator.verify.registry import publish_attestation, registry_signature
from generator.verify.signals import identity
from tests.builders import package, snapshot
from tests.unit.render.samples import render_site
from tests.unit.verify.samples import PLAYWRIGHT, load, npm_integrity

KEYS = "npm/keys/registry-npmjs-org.keys.json"
GITHUB = Build(source_repository="https://github.com/org/repo")


@pytest.mark.parametrize(
    ("declared", "build", "provenance", "expected"),
    [
        ("https://github.com/Org/Repo", GITHUB, None, Identity.DECLARED_REPOSITORY),
        ("https://github.com/org/other", GITHUB, None, Identity.OTHER_REPOSITORY),
        (None, GITHUB, None, Identity.UNDECLARED),
        (
            "https://github.com/org/repo",
            Build(issuer="https://accounts.google.com"),
            Provenance(kind="Google", email="x@p.iam.gserviceaccount.com"),
            Identity.NON_REPOSITORY,
        ),
        ("https://github.com/org/repo", None, None, None),
        (
            "https://github.com/org/repo",
            None,
            Provenance(kind="GitHub", repository="org/repo"),
            Identity.DECLARED_REPOSITORY,
        ),
    ],
)
def test_identity(
    declared: str | None,
    build: Build | None,
    provenance: Provenance | None,
    expected: Identity | None,
) -> None:
    assert identity(declared, build, provenance) is expected


def keys(samples: Path) -> tuple[NpmKey, ...]:
    return tuple(
        NpmKey(
            k["keyid"],
            k["key"],
            datetime.fromisoformat(k["expires"].replace("Z", "+00:00")) if k["expires"] else None,
        )
        for k in load(samples, KEYS)["keys"]
    )


def vite_signed(samples: Path, keyset: tuple[NpmKey, ...] | None) -> RegistrySigned:
    doc = load(samples, "npm/packuments/vite.trimmed.json")
    version = doc["dist-tags"]["latest"]
    dist = doc["versions"][version]["dist"]
    return RegistrySigned(
        "vite",
        version,
        dist["integrity"],
        datetime.fromisoformat(doc["time"][version].replace("Z", "+00:00")),
        tuple((s["keyid"], s["sig"]) for s in dist["signatures"]),
        keyset,
    )


def test_every_real_dist_signature_verifies(samples: Path) -> None:
    keyset = keys(samples)
    checked = 0
    for name in ("next", "ufo", "vite"):
        doc = load(samples, f"npm/packuments/{name}.trimmed.json")
        for version, manifest in doc["versions"].items():
            dist = manifest["dist"]
            if not dist.get("signatures"):
                continue
            signed = RegistrySigned(
                name,
                version,
                dist["integrity"],
                datetime.fromisoformat(doc["time"][version].replace("Z", "+00:00")),
                tuple((s["keyid"], s["sig"]) for s in dist["signatures"]),
                keyset,
            )
            assert registry_signature(signed, None) is RegistrySignature.VERIFIED, version
            other = RegistrySigned(
                name,
                version + "x",
                *(signed.integrity, signed.published_at),
                signed.signatures,
                keyset,
            )
            assert registry_signature(other, None) is RegistrySignature.FAILED
            checked += 1
    assert checked == 11


def test_registry_signature_outcomes(samples: Path) -> None:
    signed = vite_signed(samples, keys(samples))
    assert registry_signature(signed, None) is RegistrySignature.VERIFIED
    unknown = vite_signed(samples, None)
    assert registry_signature(unknown, None) is RegistrySignature.UNKNOWN_KEY
    absent = RegistrySigned("vite", "1", None, signed.published_at, (), keys(samples))
    assert registry_signature(absent, None) is RegistrySignature.ABSENT
    mangled = RegistrySigned(
        "vite",
        signed.version,
        signed.integrity,
        signed.published_at,
        ((signed.signatures[0][0], "%%%"),),
        keys(samples),
    )
    assert registry_signature(mangled, None) is RegistrySignature.FAILED


def test_publish_attestation_verifies_and_binds(samples: Path) -> None:
    document = load(samples, PLAYWRIGHT)
    signed = RegistrySigned(
        "@playwright/cli",
        "0.1.1",
        npm_integrity(document),
        datetime(2026, 2, 14, 23, 28, 40, tzinfo=UTC),
        (),
        keys(samples),
    )
    assert publish_attestation(signed, document) is RegistrySignature.VERIFIED
    other = RegistrySigned(
        "@playwright/cli", "0.1.2", signed.integrity, signed.published_at, (), signed.keys
    )
    assert publish_attestation(other, document) is RegistrySignature.FAILED
    forged = copy.deepcopy(document)
    envelope = forged["attestations"][0]["bundle"]["dsseEnvelope"]
    envelope["payload"] = base64.b64encode(base64.b64decode(envelope["payload"]) + b" ").decode()
    assert publish_attestation(signed, forged) is RegistrySignature.FAILED


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_site_says_declared_repository_only_for_the_first(tmp_path: Path) -> None:
    rows = [
        package(
            i + 1,
            name,
            status=Status.ATTESTED,
            reason="attested",
            verification=Verification.VERIFIED,
            verification_reason="checked",
            build=GITHUB,
            identity=who,
        )
        for i, (name, who) in enumerate(
            [
                ("ours", Identity.DECLARED_REPOSITORY),
                ("theirs", Identity.OTHER_REPOSITORY),
                ("nodecl", Identity.UNDECLARED),
                ("google", Identity.NON_REPOSITORY),
            ]
        )
    ]
    unchecked = package(
        5,
        "legacy",
        status=Status.ATTESTED,
        reason="attested",
        verification=Verification.NOT_CHECKED,
        verification_reason="Sigstore bundle v0.1",
    )
    render_site([snapshot("pypi", [*rows, unchecked])], tmp_path)
    pages = {
        name: _text((tmp_path / "pypi" / f"{name}.html").read_text())
        for name in ("ours", "theirs", "nodecl", "google", "legacy")
    }
    claim = "Verified: signed by the declared repository"
    assert claim in pages["ours"]
    assert all(claim not in pages[n] for n in ("theirs", "nodecl", "google", "legacy"))
    assert "signed by another repository than the declared one" in pages["theirs"]
    assert "does not declare (it declares none)" in pages["nodecl"]
    assert "signed by an identity that is not a repository" in pages["google"]
    assert "Attested, not verified." in pages["legacy"]
