"""render.py without a browser: every page, hostile strings, relative links, CSV, banner."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest

from generator.models import (
    Build,
    PackageResult,
    Provenance,
    Snapshot,
    SourceInfo,
    Status,
    Verification,
    summarize,
)
from generator.render import (
    CSV_FIELDS,
    build_links,
    package_paths,
    plan,
    render,
    safe_url,
    script_json,
    to_csv,
)

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
    base: dict[str, object] = {
        "rank": rank,
        "name": name,
        "version": "1.0.0",
        "published_at": WHEN,
        "status": Status.MISSING,
        "reason": f"1.0.0 was published 2026-11-01 from https://github.com/o/{rank}",
        "trusted_publishing": False,
        "repository": f"https://github.com/o/{rank}",
        "registry_url": f"https://www.npmjs.com/package/p{rank}",
    }
    base.update(fields)
    return PackageResult.model_validate(base)


def snapshot(ecosystem: str, packages: list[PackageResult], demo: bool = False) -> Snapshot:
    return Snapshot(
        ecosystem=ecosystem,
        generated_at=WHEN,
        demo=demo,
        registry="https://registry.example",
        attestation_cutoff=datetime(2023, 4, 19, tzinfo=UTC),
        source=SourceInfo(kind="top-n", location="test", requested=len(packages)),
        summary=summarize(packages),
        packages=packages,
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


@pytest.fixture
def site(tmp_path: Path) -> Path:
    render(hostile_snapshots(demo=True), tmp_path / "site")
    return tmp_path / "site"


def pages_of(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def test_every_page_is_written(site: Path) -> None:
    rel = {p.relative_to(site).as_posix() for p in pages_of(site)}
    assert {"index.html", "about/index.html", "npm/index.html", "pypi/index.html"} <= rel
    assert "npm/@scope/pkg/index.html" in rel
    assert "npm/plain-name/index.html" in rel
    assert "pypi/foo-bar-baz/index.html" in rel, "PyPI pages use the PEP 503 name"
    packages = sum(len(s.packages) for s in hostile_snapshots())
    assert len(rel) == 4 + packages
    for name in ("npm.json", "npm.csv", "pypi.json", "pypi.csv", "schema.json"):
        assert (site / "data" / name).is_file()
    for name in ("site.css", "site.js", "theme.js", "favicon.svg"):
        assert (site / "static" / name).is_file()


def test_hostile_strings_are_escaped_and_never_become_markup(site: Path) -> None:
    for path in pages_of(site):
        html = path.read_text()
        tags = parse(html)
        for tag, attrs in tags.tags:
            assert tag not in ("img", "svg") or "onerror" not in attrs, path
            assert not any(a.startswith("on") for a in attrs), (path, tag, attrs)
            assert "style" not in attrs, f"inline style breaks the CSP: {path}"
            if tag == "script":
                assert set(attrs) == {"src"}, (path, attrs)
                assert re.fullmatch(r"(\.\./)*static/(theme|site)\.js", attrs["src"] or "")
        assert not tags.script_text, f"inline script in {path}"
        assert "alert(" not in "".join(
            v or "" for _, attrs in tags.tags for k, v in attrs.items() if k in ("href", "src")
        ), path
    npm = (site / "npm/index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in npm
    assert "1.0.0&lt;script&gt;3" in npm
    hostile_page = site / "npm" / package_paths("npm", HOSTILE)[HOSTILE[2]] / "index.html"
    text = hostile_page.read_text()
    assert "&lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;" in text
    assert "javascript:alert(&#39;declared&#39;)" in text, "shown as text, not as a link"
    meteor = (site / "npm/@scope/pkg/index.html").read_text()
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in meteor
    assert f"<bdi>{RTL}</bdi>" in meteor, "right-to-left marks stay isolated"


def test_only_http_links_and_all_site_links_relative(site: Path) -> None:
    for path in pages_of(site):
        for tag, attrs in parse(path.read_text()).tags:
            for key in ("href", "src", "action"):
                value = attrs.get(key)
                if value is None:
                    continue
                parts = urlsplit(value)
                if parts.scheme:
                    assert parts.scheme in ("http", "https"), (path, tag, value)
                    continue
                assert not value.startswith("/"), f"absolute path {value} in {path}"
                if value.startswith("#"):
                    continue
                target = (path.parent / unquote(parts.path)).resolve()
                assert target.is_relative_to(site.resolve()), (path, value)
                assert target.is_file(), f"{path.relative_to(site)} links to missing {value}"


def test_csp_meta_on_every_page(site: Path) -> None:
    for path in pages_of(site):
        metas = [a for t, a in parse(path.read_text()).tags if t == "meta"]
        csp = [m["content"] for m in metas if m.get("http-equiv") == "Content-Security-Policy"]
        assert len(csp) == 1, path
        assert "script-src 'self'" in (csp[0] or "") and "style-src 'self'" in (csp[0] or "")
        assert "unsafe-inline" not in (csp[0] or "")


def test_demo_banner_on_every_page_only_when_demo(tmp_path: Path, site: Path) -> None:
    for path in pages_of(site):
        assert 'class="banner"' in path.read_text(), path
    render(hostile_snapshots(demo=False), tmp_path / "real")
    for path in pages_of(tmp_path / "real"):
        html = path.read_text()
        assert 'class="banner"' not in html and "(demo" not in html, path


def test_csv_has_the_package_fields_flattened(site: Path) -> None:
    snap = hostile_snapshots()[0]
    rows = list(csv.DictReader(io.StringIO((site / "data/npm.csv").read_bytes().decode())))
    assert list(rows[0]) == CSV_FIELDS
    assert len(rows) == len(snap.packages)
    json_fields = set(PackageResult.model_fields) - {"provenance", "build"}
    assert json_fields <= set(CSV_FIELDS)
    assert set(CSV_FIELDS) - json_fields == {
        *(f"provenance_{f}" for f in Provenance.model_fields),
        *(f"build_{f}" for f in Build.model_fields),
    }
    assert len(set(CSV_FIELDS)) == len(CSV_FIELDS)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {p.name for p in snap.packages}, "names survive quotes and newlines"
    scoped = by_name["@scope/pkg"]
    assert scoped["provenance_workflow"] == '"><svg onload=alert(1)>'
    assert scoped["trusted_publishing"] == "true" and scoped["status"] == "attested"
    broken = by_name["broken"]
    assert broken["trusted_publishing"] == "" and broken["version"] == ""
    assert broken["published_at"] == "" and broken["error"] == "<b>HTTP 404</b>"
    assert by_name["plain-name"]["published_at"] == "2026-11-01T12:00:00Z"
    assert to_csv(snap) == (site / "data/npm.csv").read_bytes()


def test_json_downloads_validate_against_the_schema(site: Path) -> None:
    schema = json.loads((site / "data/schema.json").read_text())
    for eco in ("npm", "pypi"):
        jsonschema.validate(json.loads((site / f"data/{eco}.json").read_text()), schema)


def test_footer_links_downloads_from_every_page(site: Path) -> None:
    for path in pages_of(site):
        hrefs = [a.get("href") or "" for t, a in parse(path.read_text()).tags if t == "a"]
        for name in ("npm.json", "npm.csv", "pypi.json", "pypi.csv", "schema.json"):
            assert any(h.endswith(f"data/{name}") for h in hrefs), (path, name)


def test_package_paths() -> None:
    names = ["@scope/name", "JSONStream", "jsonstream", "index.html", "_", "a/b", "..", "ok."]
    paths = package_paths("npm", [*names, *HOSTILE])
    assert paths["@scope/name"] == "@scope/name"
    assert paths["JSONStream"] == "JSONStream"
    assert paths["jsonstream"].startswith("_/"), "case-insensitive collision gets a hash"
    for name in ["index.html", "_", "a/b", "..", "ok.", *HOSTILE]:
        assert re.fullmatch(r"_/[0-9a-f]{16}", paths[name]), name
    assert len(set(paths.values())) == len(paths)
    pypi = package_paths("pypi", ["Foo_Bar.baz", "foo-bar-baz"])
    assert pypi["Foo_Bar.baz"] == "foo-bar-baz"
    assert pypi["foo-bar-baz"].startswith("_/"), "same PEP 503 name: the second is hashed"


def test_safe_url_allows_only_http_and_https() -> None:
    assert safe_url("https://example.org/x") == "https://example.org/x"
    assert safe_url(" http://example.org ") == "http://example.org"
    for bad in (
        "javascript:alert(1)",
        " JavaScript:x",
        "data:text/html,x",
        "//evil.example",
        "ftp://x",
        "/abs",
        None,
        3,
    ):
        assert safe_url(bad) is None, bad


def test_script_json_cannot_close_its_element() -> None:
    value = {"name": "</script><script>alert(1)</script>", "amp": "&", "ls": "\u2028"}
    text = str(script_json(value))
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value


def test_chart_is_inline_svg_with_bars_in_proportion(site: Path) -> None:
    snap = hostile_snapshots()[0]
    html = (site / "index.html").read_text()
    bars = re.findall(r'<rect class="bar bar-(\w)" [^>]*width="([\d.]+)"', html)
    assert len(bars) == 8
    widths = {code: float(w) for code, w in bars[4:]}  # PyPI first, then npm
    counts = snap.summary.by_status
    assert widths["m"] > widths["a"] > 0
    assert widths["m"] / widths["a"] == pytest.approx(
        counts[Status.MISSING] / counts[Status.ATTESTED], rel=0.02
    )


def test_plan_writes_nothing(tmp_path: Path) -> None:
    site = plan(hostile_snapshots())
    assert not list(tmp_path.iterdir())
    assert site.pages[0].path == "index.html" and site.pages[0].root == ""
    scoped = next(p for p in site.pages if p.path == "npm/@scope/pkg/index.html")
    assert scoped.root == "../../../"


def test_methodology_lists_every_field_from_the_models(site: Path) -> None:
    html = (site / "about/index.html").read_text()
    for model in (Snapshot, PackageResult, Provenance):
        for name in model.model_fields:
            assert f"<td><code>{name}</code></td>" in html, name
    assert "``" not in html
    assert "<code>pypi</code> or <code>npm</code>" in html


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


def test_build_links_point_at_the_commit_the_workflow_at_the_ref_the_run_and_the_log() -> None:
    assert build_links(GOOD_BUILD) == {
        "repository": "https://github.com/Org/Repo",
        "commit": "https://github.com/Org/Repo/tree/25df30e6cec6d50e7d96bd80564c27804f488666",
        "workflow": "https://github.com/Org/Repo/blob/v1.0.0/.github/workflows/release.yml",
        "run": "https://github.com/Org/Repo/actions/runs/1/attempts/1",
        "log": "https://search.sigstore.dev/?logIndex=700008187",
    }
    gitlab = GOOD_BUILD.model_copy(
        update={"source_repository": "https://gitlab.com/group/sub/proj", "ref": "refs/heads/a b#c"}
    )
    links = build_links(gitlab)
    assert links["commit"] == f"https://gitlab.com/group/sub/proj/-/tree/{GOOD_BUILD.commit}"
    assert links["workflow"] == (
        "https://gitlab.com/group/sub/proj/-/blob/a%20b%23c/.github/workflows/release.yml"
    )
    # A ref that is neither a branch nor a tag: the workflow file at the commit.
    pull = build_links(GOOD_BUILD.model_copy(update={"ref": "refs/pull/7/merge"}))
    assert pull["workflow"].endswith(f"/blob/{GOOD_BUILD.commit}/.github/workflows/release.yml")
    assert build_links(None) == {}


def test_build_links_never_made_up_and_only_http() -> None:
    # No log_url: no link, even with a log_index (a link is never built from the index).
    assert "log" not in build_links(GOOD_BUILD.model_copy(update={"log_url": None}))
    assert build_links(HOSTILE_BUILD) == {}, "javascript:, data: and the like are never links"
    odd = GOOD_BUILD.model_copy(
        update={"commit": "HEAD; rm -rf", "workflow": "../../evil.yml", "ref": None}
    )
    links = build_links(odd)
    assert "commit" not in links and "workflow" not in links
    # A host this site does not know the URL layout of: the repository only.
    other = build_links(
        GOOD_BUILD.model_copy(update={"source_repository": "https://git.example/o/r"})
    )
    assert set(other) == {"repository", "run", "log"}
    assert build_links(GOOD_BUILD.model_copy(update={"log_url": "ftp://x/1"})).get("log") is None


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


def test_signals_are_shown_on_package_pages(tmp_path: Path) -> None:
    render(signal_snapshots(), tmp_path)
    good = (tmp_path / "pypi/good/index.html").read_text()
    assert "Built from" in good and "Unverified claims" not in good
    assert 'href="https://search.sigstore.dev/?logIndex=700008187"' in good
    assert f'href="https://github.com/Org/Repo/tree/{GOOD_BUILD.commit}"' in good
    assert "1 verified of 2 attested, of 3 files" in text_of(good)
    assert 'class="alert' not in good, "no warning on a verified, consistent package"
    forged = (tmp_path / "pypi/forged/index.html").read_text()
    assert "Verification failed." in forged and "Unverified claims." in forged
    assert "subject does not match distribution digest" in forged
    assert 'class="facts unverified"' in forged
    dropped = text_of((tmp_path / "pypi/dropped/index.html").read_text())
    assert "Provenance dropped. The previous release 1.9.0 was attested; this one (2.0.0)" in (
        dropped
    )
    forked = text_of((tmp_path / "pypi/forked/index.html").read_text())
    assert "Repository mismatch." in forked and "https://github.com/someone/fork" in forked
    for cause in ("a fork publishing", "renamed", "starjacking"):
        assert cause in forked
    calm = (tmp_path / "npm/calm/index.html").read_text()
    assert "Not attested: no provenance states where this release was built." in calm


def test_hostile_build_fields_stay_text(site: Path) -> None:
    html = (site / "npm/@scope/pkg/index.html").read_text()
    for raw in ("<script>alert('commit')", "<svg onload", "<b>push</b>", "<img src=x"):
        assert raw not in html
    assert "&lt;script&gt;alert(&#39;commit&#39;)&lt;/script&gt;" in html
    assert "Unverified claims." in html and "Repository mismatch." in html
    hrefs = [a.get("href") or "" for tag, a in parse(html).tags if tag == "a"]
    assert not any(
        "alert" in h or h.lower().strip().startswith(("javascript", "data")) for h in hrefs
    )
    assert "not in Sigstore's public log, so not linked" in html


def test_ecosystem_page_marks_and_filters_signals(tmp_path: Path) -> None:
    render(signal_snapshots(), tmp_path)
    html = (tmp_path / "pypi/index.html").read_text()
    row = r'<tr class="\w+"(?: data-s="([^"]*)")?><td>\d+<td><a href="([^"/]+)/'
    marked = {name: sig for sig, name in re.findall(row, html)}
    assert marked == {"good": "", "forged": "failed", "dropped": "dropped", "forked": "mismatch"}
    assert '<span class="sig failed">verification failed</span>' in html
    for key, count in (("failed", 1), ("dropped", 1), ("mismatch", 1)):
        assert re.search(rf'<option value="{key}">[^<]* \({count}\)</option>', html), key
        assert f'id="signal-{key}"' in html, "listed server-side, so also without JavaScript"
    npm = (tmp_path / "npm/index.html").read_text()
    assert "data-s=" not in npm and 'id="h-signals"' not in npm


def test_overview_warns_about_failed_and_dropped_only_when_there_are_any(tmp_path: Path) -> None:
    render(signal_snapshots(), tmp_path / "a")
    html = (tmp_path / "a/index.html").read_text()
    alert = re.search(r'<div class="alert overview-alert".*?</div>', html, re.S)
    assert alert, "a line at the top"
    assert 'href="pypi/index.html?signal=failed"' in alert.group(0)
    assert 'href="pypi/index.html?signal=dropped"' in alert.group(0)
    assert "1 release failed verification" in text_of(alert.group(0))
    assert "npm" not in text_of(alert.group(0)), "only ecosystems with a warning"
    assert html.index("overview-alert") < html.index('class="ecosystems"')
    render([signal_snapshots()[1]], tmp_path / "b")
    assert "overview-alert" not in (tmp_path / "b/index.html").read_text()


def test_csv_flattens_build(tmp_path: Path) -> None:
    snap = signal_snapshots()[0]
    rows = list(csv.DictReader(io.StringIO(to_csv(snap).decode())))
    good = rows[0]
    assert good["build_commit"] == GOOD_BUILD.commit
    assert good["build_log_index"] == "700008187"
    assert good["build_integrated_time"] == "2026-11-01T12:00:00Z"
    assert good["verification"] == "verified" and good["files_verified"] == "1"
    assert rows[1]["verification"] == "failed" and rows[2]["provenance_dropped"] == "true"
    assert rows[2]["build_commit"] == "" and rows[3]["repository_mismatch"] == "true"
