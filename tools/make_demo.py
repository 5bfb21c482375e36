"""Write the demo recordings (generator/demo/recordings/) from a table of fictional packages.

Every package is fictional (names start with ``fictional``), so the demo makes no claim about a
real package. Field names and shapes follow real registry responses (see ../shared/registry-
samples/SOURCES.md: PyPI JSON API, PEP 691 + PEP 740 simple index, Integrity API provenance;
npm full packuments, ``dist.attestations``, ``_npmUser.trustedPublisher``, attestations
bundles). Provenance is signed under a self-made Sigstore instance (tools/demo_sigstore.py:
our own CA and log keys; its trust root is written as trusted_root.json and used only by
``--demo``). The npm publish attestations and ``dist.signatures`` keep placeholders (the demo
registry serves no ``/-/npm/v1/keys``: ``registry_signature`` reads ``unknown-key``); the legacy
2023 bundle is signed, in the v0.1 layout.

Each spec records the status the fixture is meant to produce (``expect``); the test suite
checks that the crawler agrees, package by package.

Run: python tools/make_demo.py
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import random
import shutil
import tarfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from demo_sigstore import DemoSigstore, Identity

OUT = Path(__file__).resolve().parent.parent / "generator" / "demo" / "recordings"
rng = random.Random(740)
# Our own Fulcio CA, CT log and Rekor log: the demo's provenance is really signed under it
# (trusted_root.json, used by --demo only), so a demo crawl shows verified and failed releases.
SIGSTORE = DemoSigstore(740)
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def fake_sig() -> str:
    return b64(rng.randbytes(71))


def hexdigest(n: int) -> str:
    return rng.randbytes(n).hex()


# --------------------------------------------------------------------------- PyPI


@dataclass
class PyFile:
    filename: str
    uploaded: str  # ISO 8601 with Z
    attested: bool = False
    yanked: bool = False


@dataclass
class PyPkg:
    name: str
    version: str
    files: list[PyFile]
    expect: str
    project_urls: dict[str, str] | None = None
    home_page: str | None = None
    publisher: dict[str, object] | None = None
    older: list[tuple[str, str, bool]] = field(default_factory=list)  # (version, time, attested)
    fault: str | None = None  # "404", "500", "malformed"
    tamper: bool = False  # provenance signed for another sha256 than PyPI serves: failed
    signals: tuple[str, ...] = ()  # expected flags: repository_mismatch, provenance_dropped
    status: tuple[str, str] | None = None  # PEP 792 project status and reason (issue 11)
    depth: tuple[str, ...] = ()  # expected issue-11 facts (see DEPTH in main)
    older_publisher: dict[str, object] | None = None  # who signed the older releases, if not
    # the latest's publisher (issue 11: provenance_changed)


def gh(
    owner: str, repo: str, workflow: str = "release.yml", env: object = None
) -> dict[str, object]:
    return {
        "environment": env,
        "kind": "GitHub",
        "repository": f"{owner}/{repo}",
        "workflow": workflow,
    }


def gl(path: str, env: object = None) -> dict[str, object]:
    return {
        "environment": env,
        "kind": "GitLab",
        "repository": path,
        "workflow_filepath": ".gitlab-ci.yml",
    }


GOOGLE = {"email": "1234567890-compute@developer.gserviceaccount.com", "kind": "Google"}


def sdist_wheel(name: str, version: str, when: str, attested: bool = False) -> list[PyFile]:
    stem = name.replace("-", "_")
    return [
        PyFile(f"{stem}-{version}.tar.gz", when, attested),
        PyFile(f"{stem}-{version}-py3-none-any.whl", when, attested),
    ]


def pypi_specs() -> list[PyPkg]:
    s: list[PyPkg] = []
    recent = "2026-09-14T10:21:07.512345Z"
    # attested, GitHub publishers (environment null, "" and named)
    for i, (word, env) in enumerate(
        [
            ("aurora", None),
            ("borealis", ""),
            ("cirrus", "pypi"),
            ("dynamo", "release"),
            ("ember", None),
            ("fjord", None),
            ("glacier", "pypi"),
            ("harbor", None),
        ]
    ):
        name = f"fictional-{word}"
        s.append(
            PyPkg(
                name,
                f"{i + 1}.{i}.0",
                sdist_wheel(name, f"{i + 1}.{i}.0", recent, True),
                "attested",
                {
                    "Source": f"https://github.com/fictional-org/{word}",
                    "Documentation": f"https://{word}.readthedocs.io",
                },
                publisher=gh("fictional-org", word, env=env),
                older=[(f"{i + 1}.{i - 1 if i else 0}.9", "2025-06-01T08:00:00Z", True)],
                # Signed for another sha256 than PyPI serves: verification fails.
                tamper=word == "dynamo",
                # issue 11: the release before the latest came from another workflow, so a
                # single crawl (signer backfill) shows provenance_changed
                older_publisher=gh("fictional-org", word, "publish.yml")
                if word == "harbor"
                else None,
                depth=("provenance_changed", "state:changed") if word == "harbor" else (),
            )
        )
    # attested, GitLab publisher
    for word in ("ibis", "jackal"):
        name = f"fictional-{word}"
        s.append(
            PyPkg(
                name,
                "0.4.2",
                sdist_wheel(name, "0.4.2", "2025-11-03T12:00:00Z", True),
                "attested",
                {"Repository": f"https://gitlab.com/fictional-group/{word}"},
                publisher=gl(f"fictional-group/{word}"),
            )
        )
    # attested, Google Cloud publisher (repository still declared on GitHub)
    s.append(
        PyPkg(
            "fictional-kestrel",
            "2.0.0",
            sdist_wheel("fictional-kestrel", "2.0.0", "2025-07-19T09:30:00Z", True),
            "attested",
            {"Homepage": "https://github.com/fictional-org/kestrel"},
            publisher=GOOGLE,
        )
    )
    # attested on one file of two (partial coverage)
    files = sdist_wheel("fictional-lynx", "3.1.0", recent)
    files[1].attested = True
    s.append(
        PyPkg(
            "fictional-lynx",
            "3.1.0",
            files,
            "attested",
            {"Source Code": "https://github.com/fictional-org/lynx"},
            publisher=gh("fictional-org", "lynx"),
        )
    )
    # attested, but the publisher's repository is not the declared one: repository_mismatch
    s.append(
        PyPkg(
            "fictional-mirage",
            "0.3.0",
            sdist_wheel("fictional-mirage", "0.3.0", recent, True),
            "attested",
            {"Source": "https://github.com/fictional-org/mirage"},
            publisher=gh("someone-else", "mirage-fork"),
            signals=("repository_mismatch",),
        )
    )
    # unsupported-ci: no repository, other hosts, only docs links
    s.append(
        PyPkg(
            "fictional-marmot",
            "1.0.0",
            sdist_wheel("fictional-marmot", "1.0.0", recent),
            "unsupported-ci",
            None,
        )
    )
    s.append(
        PyPkg(
            "fictional-narwhal",
            "0.9.1",
            sdist_wheel("fictional-narwhal", "0.9.1", recent),
            "unsupported-ci",
            {"Source": "https://codeberg.org/fictional/narwhal"},
        )
    )
    s.append(
        PyPkg(
            "fictional-ocelot",
            "5.2",
            sdist_wheel("fictional-ocelot", "5.2", "2022-03-01T00:00:00Z"),
            "unsupported-ci",
            {"Repository": "https://bitbucket.org/fictional/ocelot"},
        )
    )
    s.append(
        PyPkg(
            "fictional-pelican",
            "2024.1",
            sdist_wheel("fictional-pelican", "2024.1", recent),
            "unsupported-ci",
            {"Documentation": "https://pelican.example.org/docs"},
            home_page="https://pelican.example.org",
        )
    )
    s.append(
        PyPkg(
            "fictional-quokka",
            "1.3.0",
            sdist_wheel("fictional-quokka", "1.3.0", recent),
            "unsupported-ci",
            {"Funding": "https://github.com/sponsors/fictional-quokka"},
        )
    )
    s.append(
        PyPkg(
            "fictional-raven",
            "0.1.0",
            sdist_wheel("fictional-raven", "0.1.0", recent),
            "unsupported-ci",
            {"Source": "https://git.sr.ht/~fictional/raven"},
        )
    )
    # pre-attestation: supported host, published before 2024-10-29 (one a second before)
    for word, when in [
        ("salmon", "2023-02-11T14:00:00Z"),
        ("tapir", "2021-08-30T06:00:00Z"),
        ("urchin", "2024-10-28T23:59:59Z"),
        ("vulture", "2024-06-01T00:00:00Z"),
        ("walrus", "2019-12-24T18:00:00Z"),
        ("xerus", "2024-10-03T10:00:00Z"),
    ]:
        name = f"fictional-{word}"
        s.append(
            PyPkg(
                name,
                "1.0",
                sdist_wheel(name, "1.0", when),
                "pre-attestation",
                {"Source": f"https://github.com/fictional-org/{word}"},
            )
        )
    s.append(
        PyPkg(
            "fictional-yak",
            "4.4.4",
            sdist_wheel("fictional-yak", "4.4.4", "2023-05-05T05:05:05Z"),
            "pre-attestation",
            None,
            home_page="https://gitlab.com/fictional-group/yak",
        )
    )
    # missing: supported host, published on or after the cutoff, no provenance
    for word, when in [
        ("zebra", "2024-10-29T00:00:00Z"),
        ("albatross", recent),
        ("bison", "2025-03-03T03:03:03Z"),
        ("condor", "2026-01-15T15:00:00Z"),
        ("dingo", "2025-12-01T12:00:00Z"),
    ]:
        name = f"fictional-{word}"
        s.append(
            PyPkg(
                name,
                "2.3.4",
                sdist_wheel(name, "2.3.4", when),
                "missing",
                {"Homepage": f"https://github.com/fictional-org/{word}/tree/main/python"},
            )
        )
    # missing, and a previous release was attested (dropped provenance)
    s.append(
        PyPkg(
            "fictional-egret",
            "6.0.0",
            sdist_wheel("fictional-egret", "6.0.0", recent),
            "missing",
            {"Source": "https://github.com/fictional-org/egret"},
            older=[("5.9.0", "2025-08-08T08:00:00Z", True)],
            signals=("provenance_dropped",),
            depth=("provenance_lost", "state:none"),
        )
    )
    s.append(
        PyPkg(
            "fictional-ferret",
            "1.1.0",
            sdist_wheel("fictional-ferret", "1.1.0", recent),
            "missing",
            {"Repository": "https://gitlab.com/fictional-group/sub/ferret"},
        )
    )
    # the only provenance is on a yanked file: does not count
    files = sdist_wheel("fictional-gecko", "0.8.0", recent)
    files[1].attested = True
    files[1].yanked = True
    s.append(
        PyPkg(
            "fictional-gecko",
            "0.8.0",
            files,
            "missing",
            {"Source": "https://github.com/fictional-org/gecko"},
        )
    )
    # more of each, to reach a realistic spread
    for word in ("heron", "iguana", "jaguar", "koala"):
        name = f"fictional-{word}"
        s.append(
            PyPkg(
                name,
                "1.2.0",
                sdist_wheel(name, "1.2.0", "2025-05-05T10:00:00Z", True),
                "attested",
                {"Source": f"https://github.com/fictional-org/{word}"},
                publisher=gh("fictional-org", word, "publish.yml", "pypi"),
            )
        )
    for word in ("lemur", "mole", "newt"):
        name = f"fictional-{word}"
        s.append(
            PyPkg(
                name,
                "0.0.3",
                sdist_wheel(name, "0.0.3", "2025-02-02T02:00:00Z"),
                "missing",
                {"Source": f"https://github.com/fictional-org/{word}"},
            )
        )
    # issue 11: a long timeline whose latest lost provenance within 14 days (warehouse's
    # "lost" state), a pre-release and a yanked release among the earlier ones
    comet = [(f"3.{k}.0", f"2026-0{1 + k // 2}-1{k}T09:00:00Z", True) for k in range(9)]
    comet.insert(4, ("3.4.0rc1", "2026-03-01T09:00:00Z", True))
    s.append(
        PyPkg(
            "fictional-comet",
            "3.9.0",
            sdist_wheel("fictional-comet", "3.9.0", "2026-09-20T09:00:00Z"),
            "missing",
            {"Source": "https://github.com/fictional-org/comet"},
            older=[*comet, ("3.8.1", "2026-09-10T09:00:00Z", True)],
            signals=("provenance_dropped",),
            depth=("provenance_lost", "state:lost"),
        )
    )
    # issue 11 lifecycle: PEP 792 project status markers (archived; deprecated, attested)
    s.append(
        PyPkg(
            "fictional-relic",
            "0.9.0",
            sdist_wheel("fictional-relic", "0.9.0", "2025-02-02T02:00:00Z"),
            "missing",
            {"Source": "https://github.com/fictional-org/relic"},
            status=("archived", "Moved to fictional-heron"),
            depth=("lifecycle:archived",),
        )
    )
    s.append(
        PyPkg(
            "fictional-fossil",
            "2.0.0",
            sdist_wheel("fictional-fossil", "2.0.0", "2025-05-05T10:00:00Z", True),
            "attested",
            {"Source": "https://github.com/fictional-org/fossil"},
            publisher=gh("fictional-org", "fossil", "publish.yml"),
            status=("deprecated", "Use fictional-heron instead"),
            depth=("lifecycle:deprecated",),
        )
    )
    # errors: unknown project, persistent 5xx, malformed JSON
    s.append(PyPkg("fictional-ghost", "1.0", [], "error", fault="404"))
    s.append(PyPkg("fictional-outage", "1.0", [], "error", fault="500"))
    s.append(PyPkg("fictional-garbled", "1.0", [], "error", fault="malformed"))
    return s


def pypi_documents(p: PyPkg) -> dict[str, object]:
    norm = p.name.lower()
    docs: dict[str, object] = {}
    releases: dict[str, list[dict[str, object]]] = {}
    simple_files = []

    def file_entry(f: PyFile, version: str) -> dict[str, object]:
        sha = hashlib.sha256(f"{f.filename}".encode()).hexdigest()
        return {
            "comment_text": None,
            "digests": {"blake2b_256": hexdigest(32), "md5": hexdigest(16), "sha256": sha},
            "downloads": -1,
            "filename": f.filename,
            "has_sig": False,
            "md5_digest": hexdigest(16),
            "packagetype": "sdist" if f.filename.endswith(".tar.gz") else "bdist_wheel",
            "python_version": "source" if f.filename.endswith(".tar.gz") else "py3",
            "requires_python": ">=3.9",
            "size": rng.randint(10_000, 900_000),
            "upload_time": f.uploaded[:19],
            "upload_time_iso_8601": f.uploaded,
            "url": f"https://files.pythonhosted.org/packages/{sha[:2]}/{sha[2:4]}/{sha[4:]}/{f.filename}",
            "yanked": f.yanked,
            "yanked_reason": "broken build" if f.yanked else None,
        }

    all_releases = [(v, sdist_wheel(p.name, v, when, att)) for v, when, att in p.older]
    all_releases.append((p.version, p.files))
    for version, files in all_releases:
        releases[version] = [file_entry(f, version) for f in files]
        for f, entry in zip(files, releases[version], strict=True):
            simple_files.append(
                {
                    "core-metadata": False,
                    "data-dist-info-metadata": False,
                    "filename": f.filename,
                    "hashes": {"sha256": entry["digests"]["sha256"]},  # type: ignore[index]
                    "provenance": (
                        f"https://pypi.org/integrity/{norm}/{version}/{f.filename}/provenance"
                        if f.attested
                        else None
                    ),
                    "requires-python": ">=3.9",
                    "size": entry["size"],
                    "upload-time": f.uploaded,
                    "url": entry["url"],
                    "yanked": "broken build" if f.yanked else False,
                }
            )
            if f.attested:
                docs[f"/integrity/{norm}/{version}/{f.filename}/provenance"] = provenance_object(
                    p,
                    f,
                    entry["digests"]["sha256"],  # type: ignore[index]
                    version,
                )
    docs[f"/pypi/{norm}/json"] = {
        "info": {
            "author": None,
            "author_email": "Fictional Maintainers <maintainers@example.org>",
            "classifiers": ["Programming Language :: Python :: 3"],
            "description": f"{p.name}: a fictional package of the Are we attested yet? demo.",
            "description_content_type": "text/markdown",
            "home_page": p.home_page,
            "license_expression": "MIT",
            "name": p.name,
            "package_url": f"https://pypi.org/project/{p.name}/",
            "project_url": f"https://pypi.org/project/{p.name}/",
            "project_urls": p.project_urls,
            "release_url": f"https://pypi.org/project/{p.name}/{p.version}/",
            "requires_python": ">=3.9",
            "summary": "A fictional package for the demo",
            "version": p.version,
            "yanked": False,
            "yanked_reason": None,
        },
        "last_serial": rng.randint(10_000_000, 30_000_000),
        "ownership": {
            "organization": None,
            "roles": [{"role": "Owner", "user": "fictional-maintainer"}],
        },
        "releases": releases,
        "urls": releases[p.version],
        "vulnerabilities": [],
    }
    docs[f"/simple/{norm}/"] = {
        "files": simple_files,
        "meta": {"_last-serial": rng.randint(10_000_000, 30_000_000), "api-version": "1.4"},
        "name": norm,
        "project-status": (
            {"status": p.status[0], "reason": p.status[1]} if p.status else {"status": "active"}
        ),
        "versions": list(releases),
    }
    return docs


def signing_time(iso: str) -> datetime:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")) - timedelta(seconds=40)


def pypi_identity(publisher: dict[str, object], version: str) -> Identity:
    """What the CI provider would have told Fulcio for this Trusted Publisher."""
    if publisher["kind"] == "Google":
        return Identity("https://accounts.google.com", str(publisher["email"]))
    ref, commit = f"refs/tags/v{version}", hashlib.sha1(f"{publisher}{version}".encode())
    if publisher["kind"] == "GitLab":
        repo = f"https://gitlab.com/{publisher['repository']}"
        path = f"/{publisher['workflow_filepath']}"
        return Identity(
            "https://gitlab.com",
            f"{repo}//{publisher['workflow_filepath']}@{ref}",
            repo,
            commit.hexdigest(),
            ref,
            path,
            "push",
            "gitlab-hosted",
            "public",
            f"{repo}/-/jobs/{int(commit.hexdigest()[:8], 16)}",
        )
    repo = f"https://github.com/{publisher['repository']}"
    path = f".github/workflows/{publisher['workflow']}"
    return Identity(
        GITHUB_ISSUER,
        f"{repo}/{path}@{ref}",
        repo,
        commit.hexdigest(),
        ref,
        path,
        "release",
        "github-hosted",
        "public",
        f"{repo}/actions/runs/{int(commit.hexdigest()[:8], 16)}/attempts/1",
    )


def provenance_object(p: PyPkg, f: PyFile, sha256: str, version: str) -> dict[str, object]:
    signed_for = hashlib.sha256(b"another build").hexdigest() if p.tamper else sha256
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f.filename, "digest": {"sha256": signed_for}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": None,
    }
    # Older releases of packages whose latest is not attested were published from their repo.
    publisher = p.publisher or gh("fictional-org", p.name.removeprefix("fictional-"))
    if version != p.version and p.older_publisher is not None:
        publisher = p.older_publisher
    return {
        "attestation_bundles": [
            {
                "attestations": [
                    SIGSTORE.pep740(
                        statement, pypi_identity(publisher, version), signing_time(f.uploaded)
                    )
                ],
                "publisher": publisher,
            }
        ],
        "version": 1,
    }


def placeholder_provenance_object(p: PyPkg, f: PyFile, sha256: str) -> dict[str, object]:
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": f.filename, "digest": {"sha256": sha256}}],
        "predicateType": "https://docs.pypi.org/attestations/publish/v1",
        "predicate": None,
    }
    return {
        "attestation_bundles": [
            {
                "attestations": [
                    {
                        "envelope": {
                            "signature": fake_sig(),
                            "statement": b64(json.dumps(statement).encode()),
                        },
                        "verification_material": {
                            "certificate": b64(
                                b"demo placeholder, not a certificate " + rng.randbytes(24)
                            ),
                            "transparency_entries": [
                                {
                                    "canonicalizedBody": b64(b"{}"),
                                    "inclusionPromise": {"signedEntryTimestamp": fake_sig()},
                                    "inclusionProof": {
                                        "checkpoint": {"envelope": "demo - 0\n1\nAAAA\n"},
                                        "hashes": [b64(rng.randbytes(32))],
                                        "logIndex": str(rng.randint(1, 10**8)),
                                        "rootHash": b64(rng.randbytes(32)),
                                        "treeSize": str(10**8),
                                    },
                                    "integratedTime": "1757845267",
                                    "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                                    "logId": {"keyId": b64(rng.randbytes(32))},
                                    "logIndex": str(rng.randint(1, 10**9)),
                                }
                            ],
                        },
                        "version": 1,
                    }
                ],
                "publisher": p.publisher,
            }
        ],
        "version": 1,
    }


# --------------------------------------------------------------------------- npm


@dataclass
class NpmPkg:
    name: str
    latest: str
    published: str
    expect: str
    repository: object = None  # as declared: string, {type,url,directory}, or None
    attested: bool = False
    trusted: bool = False
    builder_repo: str | None = None  # "https://github.com/o/r"
    workflow: str = ".github/workflows/release.yml"
    older: list[tuple[str, str, bool]] = field(default_factory=list)
    fault: str | None = None  # "404", "malformed", "bad-latest", "500"
    legacy: bool = False  # SLSA v0.2 provenance
    tamper: bool = False  # statement altered after signing: failed (invalid signature)
    signals: tuple[str, ...] = ()  # expected flags: repository_mismatch, provenance_dropped
    deprecated: str | None = None  # the latest version's deprecation message (issue 11)
    older_trusted: tuple[str, ...] = ()  # earlier versions published with Trusted Publishing
    older_builder: str | None = None  # repository that built the older versions, if not
    # builder_repo (issue 11: provenance_changed)
    depth: tuple[str, ...] = ()  # expected issue-11 facts (see DEPTH in main)


def npm_specs() -> list[NpmPkg]:
    s: list[NpmPkg] = []
    recent = "2026-10-02T17:45:12.345Z"
    forms = [
        {"type": "git", "url": "git+https://github.com/fictional-org/{w}.git"},
        "git+ssh://git@github.com/fictional-org/{w}.git",
        "git://github.com/fictional-org/{w}.git",
        "github:fictional-org/{w}",
        "fictional-org/{w}",
        "https://github.com/fictional-org/{w}",
        {
            "type": "git",
            "url": "git+https://github.com/fictional-org/monorepo.git",
            "directory": "packages/{w}",
        },
    ]

    def repo(i: int, w: str) -> object:
        form = forms[i % len(forms)]
        if isinstance(form, dict):
            return {k: v.format(w=w) for k, v in form.items()}
        return form.format(w=w)

    # attested with Trusted Publishing (GitHub)
    for i, w in enumerate(["arrow", "beacon", "compass", "delta", "echo", "falcon", "granite"]):
        s.append(
            NpmPkg(
                f"fictional-{w}",
                f"{i + 2}.0.1",
                recent,
                "attested",
                repo(i, w),
                True,
                True,
                # The monorepo form declares fictional-org/monorepo; its provenance says so too.
                "https://github.com/fictional-org/"
                + ("monorepo" if "directory" in str(repo(i, w)) else w),
                older=[(f"{i + 2}.0.0", "2025-09-01T00:00:00.000Z", True)],
                # issue 11: the version before the latest was built in another repository,
                # so a single crawl (signer backfill) shows provenance_changed
                older_builder="https://github.com/fictional-legacy/falcon"
                if w == "falcon"
                else None,
                depth=("provenance_changed", "state:changed") if w == "falcon" else (),
            )
        )
    # attested, but the provenance names another repository than the declared one
    # (a fork publishing, a renamed repository, or starjacking): repository_mismatch
    s.append(
        NpmPkg(
            "fictional-mirage",
            "1.4.0",
            recent,
            "attested",
            "github:fictional-org/mirage",
            True,
            True,
            "https://github.com/someone-else/mirage-fork",
            signals=("repository_mismatch",),
        )
    )
    # attested, token-published (no Trusted Publishing)
    for i, w in enumerate(["helix", "indigo", "juniper"]):
        s.append(
            NpmPkg(
                f"fictional-{w}",
                "14.2.0",
                "2025-04-04T04:04:04.000Z",
                "attested",
                repo(i + 3, w),
                True,
                False,
                f"https://github.com/fictional-org/{w}",
                # The statement was edited after signing: verification fails.
                tamper=w == "juniper",
            )
        )
    # attested, legacy SLSA v0.2 (2023)
    s.append(
        NpmPkg(
            "fictional-kepler",
            "1.0.0",
            "2023-05-20T10:00:00.000Z",
            "attested",
            repo(0, "kepler"),
            True,
            False,
            "https://github.com/fictional-org/kepler",
            legacy=True,
        )
    )
    # attested from GitLab
    s.append(
        NpmPkg(
            "fictional-lagoon",
            "3.3.3",
            recent,
            "attested",
            {"type": "git", "url": "git+https://gitlab.com/fictional-group/lagoon.git"},
            True,
            True,
            "https://gitlab.com/fictional-group/lagoon",
            ".gitlab-ci.yml",
        )
    )
    # scoped packages
    s.append(
        NpmPkg(
            "@fictional-scope/meteor",
            "0.5.0",
            recent,
            "attested",
            repo(0, "meteor"),
            True,
            True,
            "https://github.com/fictional-org/meteor",
        )
    )
    s.append(
        NpmPkg(
            "@fictional-scope/nebula",
            "2.1.0",
            "2025-10-10T10:10:10.000Z",
            "missing",
            repo(1, "nebula"),
        )
    )
    s.append(
        NpmPkg(
            "@fictional-scope/orbit",
            "1.0.0",
            "2022-10-10T10:10:10.000Z",
            "pre-attestation",
            repo(2, "orbit"),
        )
    )
    # Trusted Publishing without provenance (private repo, or provenance=false): missing
    s.append(
        NpmPkg(
            "fictional-prism",
            "7.0.0",
            recent,
            "missing",
            repo(3, "prism"),
            False,
            True,
            depth=("trust:trusted-publishing-only",),
        )
    )
    s.append(
        NpmPkg(
            "fictional-quasar",
            "1.4.0",
            recent,
            "missing",
            {"type": "git", "url": "git+https://gitlab.com/fictional-group/quasar.git"},
            False,
            True,
        )
    )
    # unsupported-ci
    s.append(NpmPkg("fictional-rapids", "1.0.0", recent, "unsupported-ci", None))
    s.append(
        NpmPkg("fictional-sierra", "2.0.0", recent, "unsupported-ci", "bitbucket:fictional/sierra")
    )
    s.append(
        NpmPkg(
            "fictional-tundra",
            "0.3.0",
            recent,
            "unsupported-ci",
            {"type": "git", "url": "https://codeberg.org/fictional/tundra.git"},
        )
    )
    s.append(
        NpmPkg(
            "fictional-umbra",
            "5.5.5",
            "2019-01-01T00:00:00.000Z",
            "unsupported-ci",
            "git+https://git.example.org/fictional/umbra.git",
        )
    )
    s.append(NpmPkg("fictional-vortex", "1.0.0", recent, "unsupported-ci", "gist:11081aaa281"))
    # pre-attestation: before 2023-04-19 (one a millisecond before)
    for i, (w, when) in enumerate(
        [
            ("willow", "2022-06-06T06:06:06.000Z"),
            ("xenon", "2020-02-02T02:02:02.000Z"),
            ("yarrow", "2023-04-18T23:59:59.999Z"),
            ("zephyr", "2017-07-07T07:07:07.000Z"),
            ("amber", "2021-11-11T11:11:11.000Z"),
        ]
    ):
        s.append(NpmPkg(f"fictional-{w}", "1.0.0", when, "pre-attestation", repo(i, w)))
    # missing: on or after the cutoff, supported host, no attestations
    for i, (w, when) in enumerate(
        [
            ("basalt", "2023-04-19T00:00:00.000Z"),
            ("cobalt", recent),
            ("dune", "2024-12-12T12:12:12.000Z"),
            ("fennel", "2025-08-18T08:18:00.000Z"),
            ("garnet", "2026-02-20T20:20:20.000Z"),
            ("hazel", "2025-01-01T01:01:01.000Z"),
        ]
    ):
        s.append(NpmPkg(f"fictional-{w}", "3.0.0", when, "missing", repo(i + 1, w)))
    # missing after earlier releases were attested: dropped provenance (Nx-style)
    s.append(
        NpmPkg(
            "fictional-ivy",
            "21.5.0",
            recent,
            "missing",
            repo(0, "ivy"),
            older=[
                ("21.4.0", "2026-08-01T00:00:00.000Z", True),
                ("21.3.0", "2026-07-01T00:00:00.000Z", True),
            ],
            signals=("provenance_dropped",),
            depth=("provenance_lost", "forecast_blocked", "trust:none"),
        )
    )
    # issue 11: provenance kept but Trusted Publishing dropped: pnpm's no-downgrade refuses
    # the latest (its bar is the earlier Trusted Publishing + provenance release)
    s.append(
        NpmPkg(
            "fictional-relay",
            "2.1.0",
            recent,
            "attested",
            repo(0, "relay"),
            True,
            False,
            "https://github.com/fictional-org/relay",
            older=[("2.0.0", "2026-08-01T00:00:00.000Z", True)],
            older_trusted=("2.0.0",),
            depth=("forecast_blocked", "trust:provenance-only"),
        )
    )
    # issue 11: deprecated on its latest version (message kept), never attested
    s.append(
        NpmPkg(
            "fictional-sunset",
            "1.0.1",
            "2025-04-04T04:04:04.000Z",
            "missing",
            repo(1, "sunset"),
            deprecated="No longer maintained; use fictional-lumen",
            depth=("lifecycle:deprecated", "trust:none"),
        )
    )
    # more repository forms: scp-like, ssh://, bare https with .git
    s.append(
        NpmPkg(
            "fictional-kiwi",
            "0.2.0",
            "2025-03-03T03:03:03.000Z",
            "missing",
            "git@github.com:fictional-org/kiwi.git",
        )
    )
    s.append(
        NpmPkg(
            "fictional-lumen",
            "4.0.0",
            recent,
            "attested",
            "ssh://git@github.com/fictional-org/lumen.git",
            True,
            True,
            "https://github.com/fictional-org/lumen",
            depth=("trust:trusted-publishing+provenance",),
        )
    )
    s.append(
        NpmPkg(
            "fictional-mosaic",
            "1.9.0",
            "2022-12-12T12:12:12.000Z",
            "pre-attestation",
            {"type": "git", "url": "https://gitlab.com/fictional-group/mosaic.git"},
        )
    )
    # errors
    s.append(NpmPkg("fictional-phantom", "1.0.0", recent, "error", fault="404"))
    s.append(NpmPkg("fictional-mangled", "1.0.0", recent, "error", fault="malformed"))
    s.append(
        NpmPkg(
            "fictional-dangling", "9.9.9", recent, "error", repo(0, "dangling"), fault="bad-latest"
        )
    )
    s.append(NpmPkg("@fictional-scope/storm", "1.0.0", recent, "error", fault="500"))
    return s


def npm_attestations(
    p: NpmPkg, version: str, integrity_hex: str, published: str
) -> dict[str, object]:
    purl = "pkg:npm/" + p.name.replace("@", "%40", 1) + f"@{version}"
    subject = [{"name": purl, "digest": {"sha512": integrity_hex}}]
    repo_url = builder_of(p, version)
    if p.legacy:
        owner_repo = "/".join(repo_url.split("/")[3:5])
        predicate_type = "https://slsa.dev/provenance/v0.2"
        statement = {
            "_type": "https://in-toto.io/Statement/v0.1",
            "subject": subject,
            "predicateType": predicate_type,
            "predicate": {
                "buildType": "https://github.com/npm/cli/gha@v0",
                "builder": {"id": "https://github.com/npm/cli@9.5.1"},
                "invocation": {
                    "configSource": {
                        "uri": f"git+{repo_url}@refs/tags/v{version}",
                        "digest": {"sha1": hexdigest(20)},
                        "entryPoint": f"{owner_repo}/{p.workflow}@refs/tags/v{version}",
                    },
                    "parameters": {},
                    "environment": {},
                },
                "metadata": {},
                "materials": [],
            },
        }
    else:
        predicate_type = "https://slsa.dev/provenance/v1"
        statement = {
            "_type": "https://in-toto.io/Statement/v1",
            "subject": subject,
            "predicateType": predicate_type,
            "predicate": {
                "buildDefinition": {
                    "buildType": "https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                    "externalParameters": {
                        "workflow": {
                            "ref": f"refs/tags/v{version}",
                            "repository": repo_url,
                            "path": p.workflow,
                        }
                    },
                    "internalParameters": {"github": {"event_name": "release"}},
                    "resolvedDependencies": [
                        {
                            "uri": f"git+{repo_url}@refs/tags/v{version}",
                            "digest": {"gitCommit": git_commit(p.name, version)},
                        }
                    ],
                },
                "runDetails": {
                    "builder": {"id": "https://github.com/actions/runner/github-hosted"},
                    "metadata": {"invocationId": f"{repo_url}/actions/runs/1/attempts/1"},
                },
            },
        }
    publish = {
        "_type": "https://in-toto.io/Statement/v0.1",
        "subject": subject,
        "predicateType": "https://github.com/npm/attestation/tree/main/specs/publish/v0.1",
        "predicate": {"name": p.name, "version": version, "registry": "https://registry.npmjs.org"},
    }

    def bundle(stmt: dict[str, object], media: str) -> dict[str, object]:
        return {
            "mediaType": media,
            "verificationMaterial": {
                "certificate": {"rawBytes": b64(b"demo placeholder " + rng.randbytes(16))},
                "tlogEntries": [
                    {
                        "logIndex": str(rng.randint(1, 10**9)),
                        "logId": {"keyId": b64(rng.randbytes(32))},
                        "kindVersion": {"kind": "dsse", "version": "0.0.1"},
                        "integratedTime": "1759427112",
                        "inclusionPromise": {"signedEntryTimestamp": fake_sig()},
                        "canonicalizedBody": b64(b"{}"),
                    }
                ],
            },
            "dsseEnvelope": {
                "payload": b64(json.dumps(stmt).encode()),
                "payloadType": "application/vnd.in-toto+json",
                "signatures": [{"sig": fake_sig(), "keyid": ""}],
            },
        }

    if p.legacy:
        # A genuine 2023 bundle v0.1: signed, with the log's signed entry timestamp at the
        # (2023) publish time, in the v0.1 layout (certificate chain, no inclusion proof).
        # The crawler tells it from a relabelled one by that timestamp (not-checked).
        bundle(statement, "application/vnd.dev.sigstore.bundle+json;version=0.1")  # rng order
        slsa = legacy_v01(
            SIGSTORE.sign(statement, npm_identity(p, version), signing_time(published))
        )
    else:
        slsa = SIGSTORE.sign(statement, npm_identity(p, version), signing_time(published))
        if p.tamper:  # the statement is edited after signing: the signature no longer holds
            statement["predicate"]["buildDefinition"]["externalParameters"]["workflow"][  # type: ignore[index]
                "ref"
            ] = "refs/heads/tampered"
            slsa["dsseEnvelope"]["payload"] = b64(  # type: ignore[index]
                json.dumps(statement, separators=(",", ":")).encode()
            )
    return {
        "attestations": [
            {
                "predicateType": publish["predicateType"],
                "bundle": bundle(publish, "application/vnd.dev.sigstore.bundle+json;version=0.2"),
            },
            {"predicateType": predicate_type, "bundle": slsa},
        ]
    }


def legacy_v01(signed: dict[str, Any]) -> dict[str, Any]:
    """A signed v0.3 bundle rewritten in the Sigstore bundle v0.1 layout npm served in 2023."""
    material = signed["verificationMaterial"]
    entry = {k: v for k, v in material["tlogEntries"][0].items() if k != "inclusionProof"}
    return {
        "mediaType": "application/vnd.dev.sigstore.bundle+json;version=0.1",
        "verificationMaterial": {
            "x509CertificateChain": {"certificates": [material["certificate"]]},
            "tlogEntries": [entry],
        },
        "dsseEnvelope": signed["dsseEnvelope"],
    }


def git_commit(name: str, version: str) -> str:
    return hashlib.sha1(f"{name}@{version}".encode()).hexdigest()


def builder_of(p: NpmPkg, version: str) -> str:
    """The repository that built ``version`` (an older one may differ: ``older_builder``)."""
    if version != p.latest and p.older_builder is not None:
        return p.older_builder
    return p.builder_repo or ""


def npm_identity(p: NpmPkg, version: str) -> Identity:
    repo = builder_of(p, version)
    ref = f"refs/tags/v{version}"
    commit = git_commit(p.name, version)
    if repo.startswith("https://gitlab.com/"):
        return Identity(
            "https://gitlab.com",
            f"{repo}//.gitlab-ci.yml@{ref}",
            repo,
            commit,
            ref,
            "/.gitlab-ci.yml",
            "push",
            "gitlab-hosted",
            "public",
            f"{repo}/-/jobs/{int(commit[:8], 16)}",
        )
    return Identity(
        GITHUB_ISSUER,
        f"{repo}/{p.workflow}@{ref}",
        repo,
        commit,
        ref,
        p.workflow,
        "release",
        "github-hosted",
        "public",
        f"{repo}/actions/runs/{int(commit[:8], 16)}/attempts/1",
    )


def npm_documents(p: NpmPkg) -> tuple[dict[str, object], dict[str, object]]:
    path = "/" + p.name.replace("/", "%2f")
    docs: dict[str, object] = {}
    versions: dict[str, object] = {}
    times: dict[str, str] = {"created": (p.older[-1][1] if p.older else p.published)}
    every = [*reversed(p.older), (p.latest, p.published, p.attested)]
    for version, when, attested in every:
        integrity_raw = hashlib.sha512(f"{p.name}@{version}".encode()).digest()
        dist: dict[str, object] = {
            "shasum": hashlib.sha1(integrity_raw).hexdigest(),
            "tarball": f"https://registry.npmjs.org/{p.name}/-/{p.name.split('/')[-1]}-{version}.tgz",
            "fileCount": rng.randint(3, 80),
            "integrity": "sha512-" + b64(integrity_raw),
            "signatures": [
                {"sig": fake_sig(), "keyid": "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U"}
            ],
            "unpackedSize": rng.randint(5_000, 2_000_000),
        }
        ref = p.name.replace("/", "%2f") + f"@{version}"
        if attested:
            dist["attestations"] = {
                "url": f"https://registry.npmjs.org/-/npm/v1/attestations/{ref}",
                "provenance": {
                    "predicateType": "https://slsa.dev/provenance/v0.2"
                    if p.legacy
                    else "https://slsa.dev/provenance/v1"
                },
            }
            docs[f"/-/npm/v1/attestations/{ref}"] = npm_attestations(
                p, version, integrity_raw.hex(), when
            )
        trusted = (p.trusted and version == p.latest) or version in p.older_trusted
        user = (
            {
                "name": "GitHub Actions",
                "email": "npm-oidc-no-reply@github.com",
                "trustedPublisher": {
                    "id": "gitlab" if "gitlab" in (p.builder_repo or "") else "github",
                    "oidcConfigId": f"oidc:{rng.randbytes(16).hex()}",
                },
            }
            if trusted
            else {"name": "fictional-maintainer", "email": "maintainer@example.org"}
        )
        manifest: dict[str, object] = {
            "name": p.name,
            "version": version,
            "description": "A fictional package for the demo",
            "license": "MIT",
            "main": "index.js",
            "_id": f"{p.name}@{version}",
            "dist": dist,
            "_npmUser": user,
            "_npmVersion": "11.5.1",
            "_nodeVersion": "22.14.0",
            "maintainers": [{"name": "fictional-maintainer", "email": "maintainer@example.org"}],
        }
        if p.repository is not None:
            manifest["repository"] = p.repository
        if p.deprecated and version == p.latest:
            manifest["deprecated"] = p.deprecated
        versions[version] = manifest
        times[version] = when
    times["modified"] = p.published
    latest = p.latest if p.fault != "bad-latest" else "10.0.0"
    packument: dict[str, object] = {
        "_id": p.name,
        "_rev": f"3-{rng.randbytes(16).hex()}",
        "name": p.name,
        "description": "A fictional package for the demo",
        "dist-tags": {"latest": latest},
        "versions": versions,
        "time": times,
        "maintainers": [{"name": "fictional-maintainer", "email": "maintainer@example.org"}],
        "license": "MIT",
        "readme": f"# {p.name}\n\nFictional.",
        "readmeFilename": "README.md",
    }
    if p.repository is not None:
        packument["repository"] = p.repository
    return {path: packument}, docs


# --------------------------------------------------------------------------- writing


def write(
    root: Path,
    routes: dict[str, dict[str, object]],
    path: str,
    body: bytes,
    status: int = 200,
    content_type: str = "application/json",
) -> None:
    name = f"{len(routes):04d}.json" if content_type.endswith("json") else f"{len(routes):04d}.bin"
    (root / "files").mkdir(parents=True, exist_ok=True)
    (root / "files" / name).write_bytes(body)
    routes[path] = {"status": status, "file": f"files/{name}", "content_type": content_type}


def dump(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":"), sort_keys=False).encode()


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    expected: dict[str, dict[str, object]] = {"pypi": {}, "npm": {}}
    # Packages that must carry a consistency flag (repository_mismatch, provenance_dropped);
    # every other package must carry none. Verification is not listed: the demo is not signed,
    # so a demo crawl records every attested release as not-checked.
    signals: dict[str, dict[str, list[str]]] = {"pypi": {}, "npm": {}}
    # The verification each attested package must get under the demo's trust root.
    verification: dict[str, dict[str, str]] = {"pypi": {}, "npm": {}}
    # Issue 11 (DEPTH): the facts a package is meant to show: "provenance_lost",
    # "provenance_changed", "forecast_blocked", "lifecycle:<state>", "trust:<npm state>",
    # "state:<latest release's provenance state>". A package not listed must show none of
    # lost, changed, blocked or a lifecycle other than active. "provenance_changed" is seen in
    # one crawl through the signer backfill (the release the latest is compared with).
    depth: dict[str, dict[str, list[str]]] = {"pypi": {}, "npm": {}}

    root, routes = OUT / "pypi", {}
    specs = pypi_specs()
    rows = []
    for i, p in enumerate(specs):
        rows.append({"download_count": 900_000_000 // (i + 1), "project": p.name})
        expected["pypi"][p.name] = p.expect
        if p.signals:
            signals["pypi"][p.name] = list(p.signals)
        if p.depth:
            depth["pypi"][p.name] = list(p.depth)
        if p.expect == "attested":
            verification["pypi"][p.name] = "failed" if p.tamper else "verified"
        norm = p.name.lower()
        if p.fault == "404":
            continue
        if p.fault == "500":
            write(root, routes, f"/pypi/{norm}/json", b'{"message":"Internal Server Error"}', 500)
            continue
        if p.fault == "malformed":
            write(root, routes, f"/pypi/{norm}/json", b'{"info": {"version": "1.0", "name": ')
            continue
        for path, doc in pypi_documents(p).items():
            write(root, routes, path, dump(doc))
    # A case-variant duplicate and an invalid name, as real rankings can carry.
    rows.insert(5, {"download_count": 180_000_000, "project": "Fictional_Aurora"})
    rows.insert(9, {"download_count": 90_000_000, "project": "not a valid name!"})
    write(
        root,
        routes,
        "/top-pypi-packages-30-days.min.json",
        dump({"last_update": "2026-11-01 06:34:06", "query": {"bytes_billed": 0}, "rows": rows}),
    )
    (root / "routes.json").write_text(json.dumps(routes, indent=1, sort_keys=True) + "\n")

    root, routes = OUT / "npm", {}
    counts = {}
    for i, p in enumerate(npm_specs()):
        counts[p.name] = 2_000_000_000 // (i + 1)
        expected["npm"][p.name] = p.expect
        if p.signals:
            signals["npm"][p.name] = list(p.signals)
        if p.depth:
            depth["npm"][p.name] = list(p.depth)
        if p.expect == "attested":
            verification["npm"][p.name] = (
                "not-checked" if p.legacy else "failed" if p.tamper else "verified"
            )
        packument, extra = npm_documents(p)
        ((path, doc),) = packument.items()
        if p.fault == "404":
            continue
        if p.fault == "malformed":
            write(root, routes, path, dump(doc)[:200])
            continue
        if p.fault == "500":
            write(root, routes, path, b"Service Unavailable", 503, "text/plain")
            continue
        write(root, routes, path, dump(doc))
        for path, doc in extra.items():
            write(root, routes, path, dump(doc))
    version = "2.20261101.0"
    tarball_path = f"/download-counts/-/download-counts-{version}.tgz"
    buffer = io.BytesIO()
    # A fixed gzip header time, so that regenerating writes the same bytes.
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb", mtime=499162500) as zipped,
        tarfile.open(fileobj=zipped, mode="w", format=tarfile.USTAR_FORMAT) as archive,
    ):
        for member, data in (
            ("package/package.json", dump({"name": "download-counts", "version": version})),
            ("package/counts.json", dump(counts)),
        ):
            info = tarfile.TarInfo(member)
            info.size, info.mtime = len(data), 499162500
            archive.addfile(info, io.BytesIO(data))
    write(root, routes, tarball_path, buffer.getvalue(), content_type="application/octet-stream")
    write(
        root,
        routes,
        "/download-counts",
        dump(
            {
                "_id": "download-counts",
                "name": "download-counts",
                "dist-tags": {"latest": version},
                "versions": {
                    version: {
                        "name": "download-counts",
                        "version": version,
                        "dist": {
                            "tarball": f"https://registry.npmjs.org{tarball_path}",
                            "integrity": "sha512-"
                            + b64(hashlib.sha512(buffer.getvalue()).digest()),
                        },
                    }
                },
                "time": {version: "2026-11-01T00:00:00.000Z"},
            }
        ),
    )
    (root / "routes.json").write_text(json.dumps(routes, indent=1, sort_keys=True) + "\n")
    expected["signals"] = signals
    expected["verification"] = verification
    expected["depth"] = depth
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    (OUT / "trusted_root.json").write_text(json.dumps(SIGSTORE.trusted_root(), indent=1) + "\n")
    print(
        f"wrote {OUT}: pypi {len(expected['pypi'])} packages, npm {len(expected['npm'])} packages"
    )


if __name__ == "__main__":
    main()
