"""Registry documents of realistic size, for the benchmarks (not for tests).

Sizes follow issue 13's measurements on the public registries: a popular PyPI project's JSON
API document plus its PEP 691 simple index weigh ~800 kB together (≈ 60 releases of ≈ 12
files), an npm packument of the top 500 ~110 kB. Field shapes are those of pypi.org and
registry.npmjs.org (see ``../shared/registry-samples``), the values are synthetic.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

PYPI_RELEASES = 45
PYPI_FILES = 12
NPM_VERSIONS = 105
DESCRIPTION = ("A long project description with *Markdown*, as PyPI serves it. " * 160).strip()


def _digest(*parts: object) -> str:
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def _pypi_filename(name: str, version: str, i: int) -> str:
    if i == 0:
        return f"{name}-{version}.tar.gz"
    tags = ("cp311-cp311", "cp312-cp312", "cp313-cp313")[i % 3]
    plat = ("manylinux_2_17_x86_64", "macosx_11_0_arm64", "win_amd64", "musllinux_1_1_x86_64")
    return f"{name.replace('-', '_')}-{version}-{tags}-{plat[i % 4]}.whl"


def _uploaded(r: int, releases: int) -> str:
    # one release a fortnight, the newest (r = releases - 1) on 2025-06-01
    when = datetime(2025, 6, 1, 12, tzinfo=UTC) - timedelta(days=14 * (releases - 1 - r))
    return when.strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def pypi_documents(
    name: str, *, attested: bool, releases: int = PYPI_RELEASES, files: int = PYPI_FILES
) -> dict[str, bytes]:
    """Path → body: ``/pypi/<name>/json``, ``/pypi/<name>/<version>/json``,
    ``/simple/<name>/``, and an Integrity API provenance document when ``attested``."""
    versions = [f"1.{r}.0" for r in range(releases)]
    latest = versions[-1]
    by_version: dict[str, list[dict[str, Any]]] = {}
    simple_files = []
    for r, version in enumerate(versions):
        entries = []
        for i in range(files):
            filename = _pypi_filename(name, version, i)
            sha = _digest(name, filename)
            when = _uploaded(r, releases)
            url = (
                f"https://files.pythonhosted.org/packages/{sha[:2]}/{sha[2:4]}/{sha[4:]}/{filename}"
            )
            entries.append(
                {
                    "comment_text": None,
                    "digests": {"blake2b_256": sha, "md5": sha[:32], "sha256": sha},
                    "downloads": -1,
                    "filename": filename,
                    "has_sig": False,
                    "md5_digest": sha[:32],
                    "packagetype": "sdist" if i == 0 else "bdist_wheel",
                    "python_version": "source" if i == 0 else "cp312",
                    "requires_python": ">=3.9",
                    "size": 123456 + i,
                    "upload_time": when[:19],
                    "upload_time_iso_8601": when,
                    "url": url,
                    "yanked": False,
                    "yanked_reason": None,
                }
            )
            provenance = None
            if attested and version == latest:
                provenance = f"https://pypi.org/integrity/{name}/{version}/{filename}/provenance"
            simple_files.append(
                {
                    "core-metadata": {"sha256": sha},
                    "data-dist-info-metadata": {"sha256": sha},
                    "filename": filename,
                    "hashes": {"sha256": sha},
                    "provenance": provenance,
                    "requires-python": ">=3.9",
                    "size": 123456 + i,
                    "upload-time": when,
                    "url": url,
                    "yanked": False,
                }
            )
        by_version[version] = entries
    info = {
        "author": "A. Author",
        "author_email": "author@example.org",
        "classifiers": ["Programming Language :: Python :: 3"] * 20,
        "description": DESCRIPTION,
        "description_content_type": "text/markdown",
        "home_page": None,
        "keywords": "bench",
        "license": "MIT",
        "name": name,
        "project_urls": {"Source": f"https://github.com/o/{name}", "Docs": "https://x.org"},
        "requires_dist": [f"dep{i}>=1" for i in range(12)],
        "requires_python": ">=3.9",
        "summary": "A project",
        "version": latest,
        "yanked": False,
        "yanked_reason": None,
    }
    project = {
        "info": info,
        "last_serial": 1,
        "releases": by_version,
        "urls": by_version[latest],
        "vulnerabilities": [],
    }
    release = {k: v for k, v in project.items() if k != "releases"}
    simple = {
        "meta": {"api-version": "1.3", "_last-serial": 1},
        "name": name,
        "files": simple_files,
        "versions": versions,
    }
    docs = {
        f"/pypi/{name}/json": json.dumps(project).encode(),
        f"/pypi/{name}/{latest}/json": json.dumps(release).encode(),
        f"/simple/{name}/": json.dumps(simple).encode(),
    }
    if attested:
        first = _pypi_filename(name, latest, 0)
        docs[f"/integrity/{name}/{latest}/{first}/provenance"] = PROVENANCE.replace(
            "{name}", name
        ).encode()
    return docs


PROVENANCE = json.dumps(
    {
        "version": 1,
        "attestation_bundles": [
            {
                "publisher": {
                    "kind": "GitHub",
                    "repository": "o/{name}",
                    "workflow": "release.yml",
                    "environment": "pypi",
                },
                "attestations": [{"version": 1, "envelope": {"statement": "x" * 6000}}],
            }
        ],
    }
)


def packument(name: str, *, attested: bool, versions: int = NPM_VERSIONS) -> bytes:
    """An npm packument of ``versions`` releases, the newest ``dist-tags.latest``."""
    vs = [f"2.{v}.0" for v in range(versions)]
    latest = vs[-1]
    docs: dict[str, Any] = {}
    for v in vs:
        sha = _digest(name, v)
        dist: dict[str, Any] = {
            "integrity": f"sha512-{sha}{sha[:22]}==",
            "shasum": sha[:40],
            "tarball": f"https://registry.npmjs.org/{name}/-/{name}-{v}.tgz",
            "fileCount": 12,
            "unpackedSize": 45678,
            "signatures": [
                {
                    "keyid": "SHA256:DhQ8wR5APBvFHLF/+Tc+AYvPOdTpcIDqOhxsBHRwC7U",
                    "sig": "MEUCIQ" + sha,
                }
            ],
        }
        if attested and v == latest:
            dist["attestations"] = {
                "url": f"https://registry.npmjs.org/-/npm/v1/attestations/{name}@{v}",
                "provenance": {"predicateType": "https://slsa.dev/provenance/v1"},
            }
        docs[v] = {
            "name": name,
            "version": v,
            "description": "A package",
            "main": "index.js",
            "license": "MIT",
            "repository": {"type": "git", "url": f"git+https://github.com/o/{name}.git"},
            "dependencies": {f"dep{i}": "^1.0.0" for i in range(4)},
            "_id": f"{name}@{v}",
            "_npmUser": {"name": "someone", "email": "someone@example.org"},
            "maintainers": [{"name": "someone", "email": "someone@example.org"}],
            "dist": dist,
            "_npmVersion": "10.2.0",
            "_nodeVersion": "20.10.0",
            "directories": {},
            "_hasShrinkwrap": False,
        }
    time = {"created": "2020-01-01T00:00:00.000Z", "modified": "2025-06-01T00:00:00.000Z"}
    time.update({v: f"2025-{1 + i % 12:02d}-01T00:00:00.000Z" for i, v in enumerate(vs)})
    time[latest] = "2025-06-01T00:00:00.000Z"
    doc = {
        "_id": name,
        "_rev": "1-abc",
        "name": name,
        "dist-tags": {"latest": latest},
        "versions": docs,
        "time": time,
        "maintainers": [{"name": "someone", "email": "someone@example.org"}],
        "description": "A package",
        "repository": {"type": "git", "url": f"git+https://github.com/o/{name}.git"},
        "readme": "",
        "license": "MIT",
    }
    return json.dumps(doc).encode()
