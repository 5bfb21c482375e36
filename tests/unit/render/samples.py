"""Snapshots for the render tests: hostile strings everywhere, and the three signals."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from generator.ecosystems import INFOS
from generator.history import History
from generator.models import (
    Build,
    PackageResult,
    Provenance,
    Snapshot,
    SourceInfo,
    Status,
    Verification,
)
from generator.render import render
from tests import builders


def render_site(
    snapshots: list[Snapshot], out: Path, *, history: History | None = None, **kw: Any
) -> Sequence[Path]:
    """``render`` with the real ecosystems' facts."""
    return render(snapshots, out, infos=INFOS, history=history, **kw)


WHEN = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
RTL = "\u202eevil\u202c"
LONG = "x" * 5000
HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</script><script>alert(2)</script>",
    "javascript:alert(3)",
    f"name{RTL}",
    LONG,
    "../../../etc/passwd",
    'it\'s "quoted", with, commas\nand a newline',
]


HOSTILE_BUILD = Build(
    source_repository="javascript:alert('repo')",
    commit="<script>alert('commit')</script>",
    ref=f"refs/tags/{RTL}",
    workflow='"><svg onload=alert(1)>',
    trigger="<b>push</b>",
    runner_environment="self-hosted<script>",
    repository_visibility="<i>public</i>",
    issuer="javascript:alert('issuer')",
    run_url=" JAVASCRIPT:alert('run')",
    log_index=12,
    log_url="data:text/html,<script>alert('log')</script>",
)


def package(rank: int, name: str, **fields: object) -> PackageResult:
    """A row for the render tests: :func:`tests.builders.package` with a dated reason and an
    npm registry page."""
    base: dict[str, object] = {
        "published_at": WHEN,
        "reason": f"1.0.0 was published 2026-11-01 from https://github.com/o/{rank}",
        "repository": f"https://github.com/o/{rank}",
        "registry_url": f"https://www.npmjs.com/package/p{rank}",
    }
    base.update(fields)
    return builders.package(rank, name, **base)


def snapshot(ecosystem: str, packages: list[PackageResult], demo: bool = False) -> Snapshot:
    return builders.snapshot(
        ecosystem,
        packages,
        generated_at=WHEN,
        demo=demo,
        registry="https://registry.example",
        attestation_cutoff=datetime(2023, 4, 19, tzinfo=UTC),
        source=SourceInfo(kind="top-n", location="test", requested=len(packages)),
    )


def hostile_snapshots(demo: bool = False) -> list[Snapshot]:
    npm = [
        package(
            1,
            "@scope/pkg",
            status=Status.ATTESTED,
            trusted_publishing=True,
            provenance=Provenance(
                kind="GitHub<script>",
                repository="o/</script>",
                workflow='"><svg onload=alert(1)>',
                environment=RTL,
            ),
            verification=Verification.FAILED,
            verification_reason='<img src=x onerror=alert("reason")>',
            build=HOSTILE_BUILD,
            repository_mismatch=True,
            provenance_url="https://registry.npmjs.org/-/npm/v1/attestations/@scope%2fpkg@1.0.0",
        ),
        package(2, "plain-name"),
    ]
    for i, name in enumerate(HOSTILE, start=3):
        npm.append(
            package(
                i,
                name,
                version=f"1.0.0<script>{i}",
                reason=f"</script><script>alert({i})</script>{RTL}",
                repository="javascript:alert(1)",
                repository_declared="javascript:alert('declared')",
                registry_url=" JavaScript:alert(1)",
                provenance_url="data:text/html,<script>alert(1)</script>",
            )
        )
    npm.append(
        package(
            99,
            "broken",
            version=None,
            published_at=None,
            status=Status.ERROR,
            reason="could not be read: <b>HTTP 404</b>",
            trusted_publishing=None,
            repository=None,
            registry_url=None,
            error="<b>HTTP 404</b>",
        )
    )
    pypi = [
        package(
            1,
            "Foo_Bar.baz",
            trusted_publishing=None,
            files_total=2,
            files_attested=0,
            registry_url="https://pypi.org/project/Foo_Bar.baz/1.0.0/",
        ),
        package(2, "<script>x</script>", trusted_publishing=None),
    ]
    return [snapshot("npm", npm, demo), snapshot("pypi", pypi, demo)]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_text.append(data)


def parse(html: str) -> Tags:
    parser = Tags()
    parser.feed(html)
    parser.close()
    return parser


def pages_of(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


GOOD_BUILD = Build(
    source_repository="https://github.com/Org/Repo",
    commit="25df30e6cec6d50e7d96bd80564c27804f488666",
    ref="refs/tags/v1.0.0",
    workflow=".github/workflows/release.yml",
    trigger="release",
    runner_environment="github-hosted",
    repository_visibility="public",
    issuer="https://token.actions.githubusercontent.com",
    run_url="https://github.com/Org/Repo/actions/runs/1/attempts/1",
    log_index=700008187,
    integrated_time=WHEN,
    log_url="https://search.sigstore.dev/?logIndex=700008187",
)


def signal_snapshots() -> list[Snapshot]:
    pypi = [
        package(
            1,
            "good",
            status=Status.ATTESTED,
            verification=Verification.VERIFIED,
            verification_reason="1 attestation verified",
            build=GOOD_BUILD,
            repository_mismatch=False,
            files_total=3,
            files_attested=2,
            files_verified=1,
        ),
        package(
            2,
            "forged",
            status=Status.ATTESTED,
            verification=Verification.FAILED,
            verification_reason="subject does not match distribution digest",
            build=GOOD_BUILD,
        ),
        package(
            3,
            "dropped",
            version="2.0.0",
            previously_attested=True,
            last_attested_version="1.9.0",
            provenance_dropped=True,
        ),
        package(
            4,
            "forked",
            status=Status.ATTESTED,
            verification=Verification.VERIFIED,
            build=GOOD_BUILD.model_copy(
                update={"source_repository": "https://github.com/someone/fork"}
            ),
            repository="https://github.com/Org/Repo",
            repository_mismatch=True,
        ),
    ]
    return [snapshot("pypi", pypi), snapshot("npm", [package(1, "calm")])]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
