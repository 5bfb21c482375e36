"""The site's pages (render.site): every page, hostile strings, relative links, CSP, banner,
signals, the ecosystems' facts taken from EcosystemInfo, and unknown ecosystems refused."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from generator.ecosystems import INFOS
from generator.errors import GeneratorError
from generator.models import PackageResult, Provenance, Snapshot
from generator.render import STATUS_CODE, package_paths, plan, render
from generator.render.verdict import verdict
from generator.snapshot import SCHEMA_FILE, write_snapshot
from tests.unit.render.samples import (
    GOOD_BUILD,
    HOSTILE,
    RTL,
    hostile_snapshots,
    package,
    pages_of,
    parse,
    render_site,
    signal_snapshots,
    snapshot,
    text_of,
)


def test_every_page_is_written(site: Path) -> None:
    rel = {p.relative_to(site).as_posix() for p in pages_of(site)}
    assert {"index.html", "about/index.html", "npm/index.html", "pypi/index.html"} <= rel
    assert "npm/@scope/pkg.html" in rel
    assert "npm/plain-name.html" in rel
    assert "pypi/foo-bar-baz.html" in rel, "PyPI pages use the PEP 503 name"
    packages = sum(len(s.packages) for s in hostile_snapshots())
    assert len(rel) == 5 + packages  # overview, methodology, forecast, 2 ecosystem pages
    assert "forecast.html" in rel
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
    hostile_page = site / "npm" / f"{package_paths(INFOS['npm'], HOSTILE)[HOSTILE[2]]}.html"
    text = hostile_page.read_text()
    assert "&lt;/script&gt;&lt;script&gt;alert(5)&lt;/script&gt;" in text
    assert "javascript:alert(&#39;declared&#39;)" in text, "shown as text, not as a link"
    meteor = (site / "npm/@scope/pkg.html").read_text()
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
    render_site(hostile_snapshots(demo=False), tmp_path / "real")
    for path in pages_of(tmp_path / "real"):
        html = path.read_text()
        assert 'class="banner"' not in html and "(demo" not in html, path


def test_footer_links_downloads_from_every_page(site: Path) -> None:
    for path in pages_of(site):
        hrefs = [a.get("href") or "" for t, a in parse(path.read_text()).tags if t == "a"]
        for name in ("npm.json", "npm.csv", "pypi.json", "pypi.csv", "schema.json"):
            assert any(h.endswith(f"data/{name}") for h in hrefs), (path, name)


def test_methodology_lists_every_field_from_the_models(site: Path) -> None:
    html = (site / "about/index.html").read_text()
    for model in (Snapshot, PackageResult, Provenance):
        for name in model.model_fields:
            assert f"<td><code>{name}</code></td>" in html, name
    assert "``" not in html
    assert "<code>pypi</code> or <code>npm</code>" in html


def test_signals_are_shown_on_package_pages(tmp_path: Path) -> None:
    render_site(signal_snapshots(), tmp_path)
    good = (tmp_path / "pypi/good.html").read_text()
    assert "Built from" in good and "Unverified claims" not in good
    assert 'href="https://search.sigstore.dev/?logIndex=700008187"' in good
    assert f'href="https://github.com/Org/Repo/tree/{GOOD_BUILD.commit}"' in good
    assert "1 verified of 2 attested, of 3 files" in text_of(good)
    assert 'class="alert' not in good, "no warning on a verified, consistent package"
    forged = (tmp_path / "pypi/forged.html").read_text()
    assert "Verification failed." in forged and "Unverified claims." in forged
    assert "subject does not match distribution digest" in forged
    assert 'class="facts unverified"' in forged
    dropped = text_of((tmp_path / "pypi/dropped.html").read_text())
    assert "Provenance dropped. The previous release 1.9.0 was attested; this one (2.0.0)" in (
        dropped
    )
    forked = text_of((tmp_path / "pypi/forked.html").read_text())
    assert "Repository mismatch." in forked and "https://github.com/someone/fork" in forked
    for cause in ("a fork publishing", "renamed", "starjacking"):
        assert cause in forked
    calm = (tmp_path / "npm/calm.html").read_text()
    assert "Not attested: no provenance states where this release was built." in calm


def test_hostile_build_fields_stay_text(site: Path) -> None:
    html = (site / "npm/@scope/pkg.html").read_text()
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
    render_site(signal_snapshots(), tmp_path)
    html = (tmp_path / "pypi/index.html").read_text()
    row = r'<tr class="\w+"(?: data-s="([^"]*)")?><td>\d+<td><a href="([^"/]+)\.html"'
    marked = {name: sig for sig, name in re.findall(row, html)}
    assert marked == {"good": "", "forged": "failed", "dropped": "dropped", "forked": "mismatch"}
    assert '<span class="sig failed">verification failed</span>' in html
    for key, count in (("failed", 1), ("dropped", 1), ("mismatch", 1)):
        assert re.search(rf'<option value="{key}">[^<]* \({count}\)</option>', html), key
        assert f'id="signal-{key}"' in html, "listed server-side, so also without JavaScript"
    npm = (tmp_path / "npm/index.html").read_text()
    assert "data-s=" not in npm and 'id="h-signals"' not in npm


def test_overview_warns_about_failed_and_dropped_only_when_there_are_any(tmp_path: Path) -> None:
    render_site(signal_snapshots(), tmp_path / "a")
    html = (tmp_path / "a/index.html").read_text()
    alert = re.search(r'<div class="alert overview-alert".*?</div>', html, re.S)
    assert alert, "a line at the top"
    assert 'href="pypi/index.html?signal=failed"' in alert.group(0)
    assert 'href="pypi/index.html?signal=dropped"' in alert.group(0)
    assert "1 release failed verification" in text_of(alert.group(0))
    assert "npm" not in text_of(alert.group(0)), "only ecosystems with a warning"
    assert html.index("overview-alert") < html.index('class="ecosystems"')
    render_site([signal_snapshots()[1]], tmp_path / "b")
    assert "overview-alert" not in (tmp_path / "b/index.html").read_text()


def test_plan_holds_every_page_with_its_way_back_to_the_top() -> None:
    site = plan(hostile_snapshots(), INFOS)
    assert site.pages[0].path == "index.html" and site.pages[0].root == ""
    scoped = next(p for p in site.pages if p.path == "npm/@scope/pkg.html")
    assert scoped.root == "../../"
    assert [s.ecosystem for s in site.snapshots] == ["pypi", "npm"], "in EcosystemInfo.order"
    snapshot_files = {f"data/{s.ecosystem}.json" for s in site.snapshots} | {"data/schema.json"}
    assert not snapshot_files & set(site.files), "snapshots and schema have their own writer"


def test_snapshot_copies_are_written_by_the_snapshot_writer(tmp_path: Path, site: Path) -> None:
    for snap in hostile_snapshots(demo=True):
        write_snapshot(snap, tmp_path / "data")
        name = f"{snap.ecosystem}.json"
        assert (site / "data" / name).read_bytes() == (tmp_path / "data" / name).read_bytes()
    schema = (tmp_path / "data" / SCHEMA_FILE).read_bytes()
    assert (site / "data" / SCHEMA_FILE).read_bytes() == schema
    assert not list((site / "data").glob(".*.tmp")), "no temporary file left behind"


@pytest.mark.parametrize("name", ["../../evil", "PyPI", "cargo", ""])
def test_a_snapshot_of_an_unknown_ecosystem_is_refused(tmp_path: Path, name: str) -> None:
    evil = snapshot("npm", [package(1, "x")]).model_copy(update={"ecosystem": name})
    with pytest.raises(GeneratorError, match="unknown ecosystem"):
        render_site([evil], tmp_path / "out" / "site")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil").exists()


def test_ecosystem_facts_come_from_its_info(tmp_path: Path) -> None:
    renamed = {
        "npm": dataclasses.replace(
            INFOS["npm"],
            display_name="Npm-Registry",
            order=0,
            provenance_label="the npm endpoint",
            cutoff_basis="its <code>publish time</code>",
            name_separators=r"[_]+",
        ),
        "pypi": dataclasses.replace(
            INFOS["pypi"], order=1, trusted_publishing_unknown=None, name_separators=None
        ),
    }
    npm = snapshot(
        "npm",
        [package(1, "a_b", provenance_url="https://registry.npmjs.org/-/x")],
    )
    pypi = snapshot("pypi", [package(1, "Foo_Bar.baz", trusted_publishing=None)])
    site = plan([pypi, npm], renamed)
    assert [s.ecosystem for s in site.snapshots] == ["npm", "pypi"]
    render([pypi, npm], tmp_path, infos=renamed)
    assert (tmp_path / "npm/a-b.html").is_file(), "npm names normalized as its info says"
    assert (tmp_path / "pypi/Foo_Bar.baz.html").is_file(), "pypi names kept as they are"
    page = text_of((tmp_path / "npm/a-b.html").read_text())
    assert "a_b on Npm-Registry" in page and "(the npm endpoint)" in page
    about = (tmp_path / "about/index.html").read_text()
    assert "(its <code>publish time</code>)" in about
    release = (tmp_path / "pypi/Foo_Bar.baz.html").read_text()
    assert "<dt>Trusted Publishing</dt><dd>unknown</dd>" in release, "no reason, none shown"
    index = (tmp_path / "index.html").read_text()
    assert index.index("Npm-Registry") < index.index("PyPI")


def test_statuses_come_from_one_table_in_python(site: Path) -> None:
    html = (site / "npm/index.html").read_text()
    # a row carries its verdict's tone and says its status in words: no code, no table
    tones = re.findall(r'<tr class="(\w+)"', html)
    snap = hostile_snapshots()[0]
    assert tones == [verdict(p).tone for p in snap.packages]
    about = (site / "about/index.html").read_text()
    codes = dict(re.findall(r'<dt id="([\w-]+)"><span class="st" data-st="(\w)">', about))
    assert codes == {s.value: code for s, code in STATUS_CODE.items()}
    pages = "".join(p.read_text() for p in pages_of(site))
    assert not re.search(r'class="(st|bar) [aupme]"', pages), "no status code in a class"
    css = (site / "static/site.css").read_text()
    js = (site / "static/site.js").read_text()
    assert not re.search(r"[\"']unsupported-ci[\"']|[\"']pre-attestation[\"']", js), (
        "site.js keeps no table of statuses"
    )
    for code in STATUS_CODE.values():
        assert f'[data-st="{code}"]' in css
