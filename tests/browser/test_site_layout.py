"""The site's second round (issue 12): right on a phone, one verdict per row, help, search
across ecosystems, sortable headers, report links. Each numbered defect of the issue has a
test here that would have caught it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import (
    REPORT_URL,
    Server,
    Watch,
    axe_problems,
    open_context,
    watch_page,
)

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}
LONG = "x" * 2500 + "\u202eevil\u202c" + "y" * 2500  # 5,000+ characters, an RTL override


@pytest.fixture
def phone(browser: Any, watch: Watch) -> Iterator[Any]:
    """A page at 375×740 that fails the test on console errors or outside requests."""
    context = open_context(browser, watch, viewport=PHONE)
    page = context.new_page()
    watch_page(page, watch)
    try:
        yield page
    finally:
        context.close()
    assert not watch.outside and not watch.errors, (watch.outside, watch.errors)


def snapshot(server: Server, eco: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (server.root / "sub" / "site" / "data" / f"{eco}.json").read_text()
    )
    return document


OVERLAPS = """() => {
  const hits = [];
  for (const row of document.querySelectorAll('#pkgs tbody tr')) {
    const boxes = [...row.cells].map(c => c.getBoundingClientRect())
      .filter(b => b.width && b.height);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5
          && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
        hits.push(row.cells[1].textContent.trim() + ': cells ' + i + ' and ' + j);
    }
  }
  return hits;
}"""

WIDER = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


# 1. Phone list overlap.
@pytest.mark.parametrize("eco", ["pypi", "npm"])
def test_no_two_cells_of_a_row_overlap_on_a_phone(phone: Any, demo_site: str, eco: str) -> None:
    phone.goto(demo_site + f"{eco}/index.html")
    assert phone.evaluate(OVERLAPS) == []
    assert phone.evaluate(WIDER) <= 0


# 2. Headline below the fold.
def test_overview_headline_is_in_the_first_phone_screen(phone: Any, demo_site: str) -> None:
    phone.goto(demo_site + "index.html")
    box = phone.locator(".card .big").first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box


# 3. Mixed verdicts.
def test_one_verdict_per_row_and_on_the_package_page(page: Any, demo_site: str) -> None:
    page.goto(demo_site + "pypi/index.html")
    row = page.locator("#pkgs tbody tr", has=page.get_by_role("link", name="fictional-dynamo"))
    cell = row.locator("td").nth(4)
    assert cell.inner_text() == "attested · failed verification"
    red = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--m')")
    rgb = page.evaluate(
        "c => { const e = document.createElement('i'); e.style.color = c;"
        " document.body.append(e); const v = getComputedStyle(e).color; e.remove(); return v; }",
        red.strip(),
    )
    assert cell.evaluate("c => getComputedStyle(c).color") == rgb
    ok = page.locator("#pkgs tbody tr", has=page.get_by_role("link", name="fictional-aurora"))
    assert ok.locator("td").nth(4).inner_text() == "attested · verified"
    page.goto(demo_site + "npm/fictional-kepler.html")
    assert page.inner_text(".verdict .st") == "attested · not verified"
    page.goto(demo_site + "pypi/fictional-dynamo.html")
    assert page.inner_text(".verdict .st") == "attested · failed verification"
    assert page.locator(".verdict .st.alarm").count() == 1


# 4. No help.
@pytest.mark.parametrize(
    ("rel", "docs"),
    [
        ("pypi/fictional-zebra.html", "https://docs.pypi.org/trusted-publishers/"),
        ("pypi/fictional-marmot.html", "https://docs.pypi.org/attestations/"),
        ("npm/fictional-basalt.html", "https://docs.npmjs.com/trusted-publishers"),
        ("npm/fictional-rapids.html", "https://docs.npmjs.com/generating-provenance"),
        ("pypi/fictional-dynamo.html", "https://docs.pypi.org/"),
    ],
)
def test_help_on_every_page_short_of_verified(
    page: Any, demo_site: str, rel: str, docs: str
) -> None:
    page.goto(demo_site + rel)
    help_box = page.locator("section.help")
    assert help_box.get_by_role("heading", name="What can I do?").is_visible()
    hrefs = help_box.locator("a").evaluate_all("as => as.map(a => a.href)")
    assert any(h.startswith(docs) for h in hrefs), hrefs


def test_no_help_where_nothing_is_to_be_done_and_short_help_on_the_overview(
    page: Any, demo_site: str
) -> None:
    page.goto(demo_site + "npm/fictional-arrow.html")
    assert page.locator("section.help").count() == 0
    page.goto(demo_site + "index.html")
    text = page.inner_text("section.help")
    assert "gh-action-pypi-publish" in text and "npm publish --provenance" in text


# 5. Long strings.
@pytest.fixture(scope="module")
def long_site(server: Server, demo_site: str) -> str:
    from generator.ecosystems import INFOS
    from generator.models import Snapshot
    from generator.render import render

    path = server.root / "sub" / "site" / "data" / "npm.json"
    snap = Snapshot.model_validate_json(path.read_text())
    packages = list(snap.packages)
    dropped = next(i for i, p in enumerate(packages) if p.provenance_dropped)
    packages[dropped] = packages[dropped].model_copy(update={"name": LONG})
    render(
        [snap.model_copy(update={"packages": packages})],
        server.root / "long" / "site",
        infos=INFOS,
    )
    return f"{server.base}/long/site/"


@pytest.mark.parametrize("size", [PHONE, {"width": 1280, "height": 900}])
def test_a_5000_character_name_does_not_widen_any_page(
    browser: Any, long_site: str, watch: Watch, size: dict[str, int]
) -> None:
    context = open_context(browser, watch, viewport=size)
    try:
        page = context.new_page()
        watch_page(page, watch)
        page.goto(long_site + "npm/index.html")
        assert page.evaluate(WIDER) <= 0
        href = page.get_by_role("link", name=LONG, exact=True).first.get_attribute("href")
        # Right-to-left overrides are isolated in the Signals list too.
        assert page.locator("#signal-dropped bdi", has_text="evil").count() == 1
        page.goto(long_site + "npm/" + href)
        assert page.locator(".alert.sig-dropped").is_visible()
        assert page.evaluate(WIDER) <= 0, "breadcrumb or alert does not wrap"
    finally:
        context.close()
    assert not watch.errors and not watch.outside


# 6. Counts disagree.
@pytest.mark.parametrize("eco", ["pypi", "npm"])
def test_trusted_publishing_counts_agree(
    page: Any, demo_site: str, server: Server, eco: str
) -> None:
    page.goto(demo_site + f"{eco}/index.html")
    options = page.eval_on_selector_all("#tp option", "os => os.map(o => o.textContent)")
    assert all(not o.endswith("(0)") for o in options), options
    summary = page.inner_text("#tp-summary")
    for text in ("yes", "no", "unknown"):
        option = page.locator(f"#tp option[value='{text}']")
        if not option.count():
            assert f"{text} for" not in summary
            continue
        n = int(option.inner_text().rsplit("(", 1)[1].rstrip(")"))
        assert f"{text} for {n}" in summary, (summary, text, n)
        page.select_option("#tp", text)
        assert page.locator("#pkgs tbody tr").count() == n
    if eco == "pypi":
        assert page.locator("#tp option[value='no']").count() == 0  # can never match on PyPI
    # The TP column is not cut at 1280 px.
    cut = page.eval_on_selector_all(
        "#pkgs tbody td:nth-child(6)", "cs => cs.filter(c => c.scrollWidth > c.clientWidth).length"
    )
    assert cut == 0


# 7. Error page.
def test_error_page_says_the_reason_once_and_claims_no_facts(page: Any, demo_site: str) -> None:
    for rel in ("pypi/fictional-garbled.html", "npm/fictional-mangled.html"):
        page.goto(demo_site + rel)
        text = page.inner_text("main")
        reason = page.inner_text(".reason")
        assert text.count(reason) == 1, text
        assert "Error:" not in text
        assert " at at " not in text
        assert "none declared" not in text
        assert page.locator("#h-release").count() == 0
        assert page.inner_text(".verdict .st") == "error"


# 10. Theme button label.
def test_theme_button_label_reflects_the_theme(browser: Any, demo_site: str, watch: Watch) -> None:
    for scheme, first in (("light", "Switch to dark theme"), ("dark", "Switch to light theme")):
        context = open_context(browser, watch, color_scheme=scheme)
        try:
            page = context.new_page()
            watch_page(page, watch)
            page.goto(demo_site + "index.html")
            toggle = page.locator("#theme-toggle")
            assert toggle.inner_text().strip("☾ ") == first
            toggle.click()
            assert toggle.inner_text() != first and toggle.inner_text().startswith("Switch to")
            toggle.click()
            assert toggle.inner_text() == first
        finally:
            context.close()
    assert not watch.errors and not watch.outside


def test_render_and_build_help_explain_data_and_out(capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    for command in ("render", "build"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--data DIR folder" in text and "--out DIR folder" in text, text
        assert "--report-url" in text


# Search across ecosystems.
def test_one_search_over_both_ecosystems_loads_names_on_first_use(
    page: Any, demo_site: str, watch: Watch
) -> None:
    page.goto(demo_site + "index.html")
    assert not [u for u in watch.requests if "names-" in u or u.endswith(".json")]
    page.fill("#find-q", "MIRAGE")
    results = page.locator("#find-results li")
    results.first.wait_for()
    texts = results.all_inner_texts()
    assert [t.split(" ")[1] for t in texts] == ["PyPI", "npm"], texts
    assert sum(1 for u in watch.requests if "names-" in u) == 2
    assert not [u for u in watch.requests if u.endswith(("/pypi.json", "/npm.json"))]
    page.fill("#find-q", "scope/me")
    page.locator("#find-results a", has_text="@fictional-scope/meteor").click()
    page.wait_for_url(demo_site + "npm/@fictional-scope/meteor.html")
    assert page.inner_text("h1") == "@fictional-scope/meteor"


# Sortable headers and the legend.
def test_column_headers_sort_both_ways(page: Any, demo_site: str, server: Server) -> None:
    names = [p["name"] for p in snapshot(server, "npm")["packages"]]
    page.goto(demo_site + "npm/index.html")
    header = page.locator("#pkgs thead th").nth(1)
    assert page.locator("#pkgs thead th").first.get_attribute("aria-sort") == "ascending"
    header.get_by_role("button", name="Package").click()
    assert header.get_attribute("aria-sort") == "ascending"
    assert page.locator("#pkgs thead th").first.get_attribute("aria-sort") is None
    visible = page.eval_on_selector_all(
        "#pkgs tbody tr", "rs => rs.map(r => r.cells[1].firstChild.textContent)"
    )
    assert visible == sorted(names, key=str.lower)
    header.get_by_role("button", name="Package").click()
    assert header.get_attribute("aria-sort") == "descending"
    visible = page.eval_on_selector_all(
        "#pkgs tbody tr", "rs => rs.map(r => r.cells[1].firstChild.textContent)"
    )
    assert visible == sorted(names, key=str.lower, reverse=True)
    assert page.url.endswith("?sort=-name")
    verdict = page.locator("#pkgs thead th").nth(4)
    verdict.get_by_role("button", name="Verdict").click()
    tones = page.eval_on_selector_all("#pkgs tbody tr", "rs => rs.map(r => r.className)")
    assert tones[0] == "good" and tones[-1] == "neutral"


@pytest.mark.parametrize("eco", ["pypi", "npm"])
def test_every_list_has_a_legend(page: Any, demo_site: str, eco: str) -> None:
    page.goto(demo_site + f"{eco}/index.html")
    legend = page.locator("#legend")
    assert not legend.evaluate("d => d.open")
    page.locator("a.legend-link").click()
    assert legend.evaluate("d => d.open")
    text = legend.inner_text()
    for phrase in ("attested · verified", "attested · failed verification", "missing"):
        assert phrase in text


# Report a problem, source repository, registry page.
def test_package_page_links_report_source_and_registry(
    page: Any, demo_site: str, server: Server
) -> None:
    page.goto(demo_site + "pypi/fictional-zebra.html")
    links = page.locator(".pkg-links")
    assert (
        links.get_by_role("link", name="Report an incorrect listing").get_attribute("href")
        == REPORT_URL
    )
    assert links.get_by_role("link", name="Source repository").get_attribute("href") == (
        "https://github.com/fictional-org/zebra"
    )
    assert (
        links.get_by_role("link", name="Registry page")
        .get_attribute("href")
        .startswith("https://pypi.org/")
    )


def test_no_report_link_without_a_report_url(page: Any, long_site: str) -> None:
    page.goto(long_site + "npm/fictional-arrow.html")
    assert page.get_by_role("link", name="Report an incorrect listing").count() == 0
    assert page.get_by_role("link", name="Registry page").count() == 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_on_search_results_and_open_legend(
    browser: Any, demo_site: str, watch: Watch, scheme: str
) -> None:
    context = open_context(browser, watch, color_scheme=scheme, bypass_csp=True)
    problems = []
    try:
        page = context.new_page()
        watch_page(page, watch)
        for width in (1280, 375):
            page.set_viewport_size({"width": width, "height": 900})
            for rel, act in (
                ("index.html", lambda p: p.fill("#find-q", "fictional-m")),
                ("pypi/index.html#legend", lambda p: None),
            ):
                page.goto(demo_site + rel)
                act(page)
                page.locator("#find-results li, #legend[open]").first.wait_for()
                problems += axe_problems(page, f"{rel} @{width}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
    assert not watch.errors and not watch.outside


# 8. The demo's story: the regressions on the Changes page are the packages whose snapshot
# says they dropped provenance, not a package that was never attested.
def test_demo_regressions_are_the_packages_that_dropped_provenance(
    page: Any, demo_site: str, server: Server
) -> None:
    dropped = sorted(
        p["name"]
        for eco in ("pypi", "npm")
        for p in snapshot(server, eco)["packages"]
        if p["provenance_dropped"]
    )
    page.goto(demo_site + "changes.html")
    items = page.locator("section.regressions li.regression")
    texts = items.all_inner_texts()
    assert len(texts) == len(dropped), texts
    for name in dropped:
        assert any(name in t for t in texts), (name, texts)
