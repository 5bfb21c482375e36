"""A third registry, added the way the README says: one module and one entry in ``REGISTRY``.

The module is :class:`Crates` below, a small crates.io client; the entry is made with
``monkeypatch``. Nothing else changes. The command line, crawl, snapshot, history and site
must all take it up: the options, the snapshot file, the site's pages, its JSON export and
the history.

It reads crates.io's version document, ``GET /api/v1/crates/<crate>/<version>``. The
documents are crates.io's own test snapshots (``crates/versions`` in the shared samples).
insta redacted their times as ``"[datetime]"``, so a time is put back before they are
served. Trusted Publishing is read from ``trustpub_data``. crates.io stores no attestation
(FACTS.md, question 13).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest

from generator import cli
from generator.demo.server import Registry, Reply, serve
from generator.ecosystems import INFOS, REGISTRY
from generator.ecosystems._shape import obj, opt_text, text, timestamp
from generator.ecosystems.base import TopList
from generator.ecosystems.info import EcosystemInfo
from generator.errors import PackageError, SourceError
from generator.http import Fetcher
from generator.models import Evidence, Observation
from generator.repository import normalize_repository

INFO = EcosystemInfo(
    name="crates",
    display_name="crates.io",
    order=3,
    website="https://crates.io",
    default_url="https://crates.io",
    package_url="https://crates.io/crates/{name}",
    attestation_cutoff=datetime(2025, 7, 8, tzinfo=UTC),
    cutoff_basis="the version's publish date",
    provenance_label="crates.io's trustpub_data",
)

_HOSTS = {"github": ("github.com", "repository"), "gitlab": ("gitlab.com", "project_path")}


@dataclass
class Crates:
    """The new module's client. ``versions`` names the version each crate is read at: the
    crate document that names the newest has no sample, and this test invents no field."""

    versions: dict[str, str] = field(default_factory=dict)
    info: EcosystemInfo = INFO
    name: str = INFO.name
    display_name: str = INFO.display_name
    default_url: str = INFO.default_url
    attestation_cutoff: datetime = INFO.attestation_cutoff

    def normalize(self, name: str) -> str | None:
        return name if re.fullmatch(r"[A-Za-z][A-Za-z0-9_-]{0,63}", name) else None

    async def evidence(self, fetcher: Fetcher, name: str) -> Observation:
        version = self.versions.get(name)
        if version is None:
            raise PackageError("no version to read")
        doc = obj(await fetcher.get_json(f"/api/v1/crates/{name}/{version}"), "document")
        found = obj(doc.get("version"), "version")
        publisher = found.get("trustpub_data")
        declared = None
        if isinstance(publisher, dict) and publisher.get("provider") in _HOSTS:
            host, key = _HOSTS[publisher["provider"]]
            declared = f"https://{host}/{text(publisher.get(key), key)}"
        declared = declared or opt_text(found.get("repository"))
        number = text(found.get("num"), "num")
        return Observation(
            Evidence(
                name=name,
                version=number,
                published_at=timestamp(found.get("created_at"), "created_at"),
                attested=False,
                trusted_publishing=isinstance(publisher, dict),
                repository=normalize_repository(declared) if declared else None,
                repository_declared=declared,
                registry_url=f"https://crates.io/crates/{name}/{number}",
            )
        )

    async def top(self, fetcher: Fetcher, source: str | None, n: int) -> TopList:
        raise SourceError("this test ranks with --packages")


#: served name → (sample file, version)
SERVED = {
    "foo": ("foo-1.1.0.trustpub-github.test-snapshot.json", "1.1.0"),
    "foo_gitlab": ("foo-1.1.0.trustpub-gitlab.test-snapshot.json", "1.1.0"),
    "foo_vers_show": ("foo_vers_show-2.0.0.no-trustpub.test-snapshot.json", "2.0.0"),
}


@pytest.fixture
def crates_registry(samples: Path) -> Registry:
    registry = Registry()
    for name, (sample, version) in SERVED.items():
        body = (samples / "crates" / "versions" / sample).read_text(encoding="utf-8")
        body = body.replace('"[datetime]"', '"2025-11-12T10:00:00.000000Z"')
        registry.add(f"/api/v1/crates/{name}/{version}", Reply(body=body.encode()))
    return registry


def test_a_third_registry_needs_one_module_and_one_entry(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    crates_registry: Registry,
    capsys: pytest.CaptureFixture[str],
) -> None:
    crates = Crates(versions={name: version for name, (_, version) in SERVED.items()})
    monkeypatch.setitem(REGISTRY, "crates", crates)  # the one line of the README
    monkeypatch.setitem(INFOS, "crates", crates.info)
    listing = tmp_path / "crates.txt"
    listing.write_text("foo\nfoo_gitlab\nfoo_vers_show\nnot-served\n")
    data, site = tmp_path / "data", tmp_path / "site"

    with serve(crates_registry) as url:
        status = cli.main(
            ["crawl", "--ecosystem", "crates", "--packages", str(listing)]
            + ["--crates-url", url, "--data", str(data)]
        )
    assert status == 0, capsys.readouterr().err
    rows = {p["name"]: p for p in json.loads((data / "crates.json").read_text())["packages"]}
    assert {name: (row["status"], row["trusted_publishing"]) for name, row in rows.items()} == {
        "foo": ("missing", True),
        "foo_gitlab": ("missing", True),
        "foo_vers_show": ("unsupported-ci", False),
        "not-served": ("error", None),
    }
    assert rows["foo"]["repository"] == "https://github.com/rust-lang/foo-rs"
    assert rows["foo_gitlab"]["repository"] == "https://gitlab.com/rust-lang/foo-rs"
    assert not (data / "pypi.json").exists()

    # History: a first run of a site that has none yet.
    empty = tmp_path / "no-site-yet"
    empty.mkdir()
    assert (
        cli.main(
            ["history", "update", "--data", str(data), "--previous", str(empty)]
            + ["--ecosystem", "crates", "--force", "--max-error-rate", "0.5"]
        )
        == 0
    ), capsys.readouterr().err
    assert cli.main(["render", "--data", str(data), "--out", str(site)]) == 0
    assert cli.main(["history", "show", str(site)]) == 0
    shown = capsys.readouterr().out
    assert "crates" in shown

    export = json.loads((site / "data" / "crates.json").read_text())
    schema = json.loads((site / "data" / "schema.json").read_text())
    jsonschema.validate(export, schema)
    assert [p["name"] for p in export["packages"]] == list(rows)
    index = (site / "index.html").read_text()
    assert "crates.io" in index
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    crates_pages = {p for p in pages if p.startswith("crates/")}
    assert crates_pages, sorted(pages)
    assert crates_pages == {"crates/index.html"} | {f"crates/{name}.html" for name in rows}
    listed = (site / "crates" / "index.html").read_text()
    assert all(name in listed for name in rows)
    for kept in ("data/crates.csv", "data/names-crates.json", "data/history/crates-daily.json"):
        assert (site / kept).is_file(), kept
