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

from generator.models import PackageResult, Provenance, Snapshot, SourceInfo, Status, summarize
from generator.render import (
    CSV_FIELDS,
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
    json_fields = set(PackageResult.model_fields) - {"provenance"}
    assert json_fields <= set(CSV_FIELDS)
    assert set(CSV_FIELDS) - json_fields == {f"provenance_{f}" for f in Provenance.model_fields}
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
