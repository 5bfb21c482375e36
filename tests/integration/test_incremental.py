"""Incremental crawls against a loopback registry with ETags and change feeds: what the
second crawl asks for (server log), never how long it takes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bench.incremental import LiveRegistry, config_for, serve
from generator.cli import build_parser, crawl_config
from generator.demo.server import Registry, Reply
from generator.demo.server import serve as serve_site
from generator.models import Snapshot
from generator.pipeline import run_crawl, seed_state

N = 12


@pytest.fixture
def registry() -> LiveRegistry:
    reg = LiveRegistry(pad_npm=10, pad_pypi=0)
    for i in range(N):
        reg.add("npm", f"pkg-{i}", attested=i % 2 == 0)
        reg.add("pypi", f"proj-{i}", attested=i % 2 == 0)
    return reg


@pytest.fixture
def url(registry: LiveRegistry) -> Iterator[str]:
    with serve(registry) as base:
        yield base


def crawl(url: str, data: Path, eco: str, **changes: object) -> dict[str, tuple[str | None, str]]:
    config = replace(config_for(url, data, N, **changes), ecosystems=(eco,))
    assert run_crawl(config, log=lambda line: None) == 0
    snap = Snapshot.model_validate_json((data / f"{eco}.json").read_bytes())
    assert [p.rank for p in snap.packages] == list(range(1, N + 1))
    return {p.name: (p.version, p.status.value) for p in snap.packages}


def registry_hits(reg: LiveRegistry, since: int) -> list[tuple[str, int, bool]]:
    return [(h.path, h.status, h.conditional) for h in reg.log[since:] if "/top-" not in h.path]


def test_second_crawl_sends_if_none_match_and_reuses_rows_on_304(
    registry: LiveRegistry, url: str, tmp_path: Path
) -> None:
    first = crawl(url, tmp_path, "pypi")
    mark = len(registry.log)
    registry.release("pypi", "proj-3", attested=True)
    second = crawl(url, tmp_path, "pypi")
    hits = registry_hits(registry, mark)
    # PyPI's key document is its first request, the project's simple index page.
    key_docs = [h for h in hits if h[0].startswith("/simple/")]
    assert len(key_docs) == N and all(conditional for _, _, conditional in key_docs)
    assert sorted(status for _, status, _ in key_docs) == [200] + [304] * (N - 1)
    # Only the changed package reads its other documents (release JSON, provenance).
    others = {path.split("/")[2] for path, _, _ in hits if not path.startswith("/simple/")}
    assert others == {"proj-3"}
    # Only the key document (the package's first request) is ever conditional.
    assert not any(conditional for path, _, conditional in hits if not path.startswith("/simple/"))
    assert second == {**first, "proj-3": ("2.0", "attested")}


def test_npm_change_feed_makes_no_request_for_unchanged_packages(
    registry: LiveRegistry, url: str, tmp_path: Path
) -> None:
    first = crawl(url, tmp_path, "npm")
    registry.release("npm", "pkg-0", attested=False)  # flips attested -> missing
    registry.release("npm", "pkg-5", attested=True)
    mark = len(registry.log)
    second = crawl(url, tmp_path, "npm")
    hits = registry_hits(registry, mark)
    packages = sorted(path for path, _, _ in hits if not path.startswith("/feed"))
    assert packages == ["/-/npm/v1/attestations/pkg-5@2.0.0", "/pkg-0", "/pkg-5"]
    assert [path for path, _, _ in hits if path.startswith("/feed")] == [
        "/feed/",
        "/feed/registry/_changes",
    ]
    assert second == {**first, "pkg-0": ("2.0.0", "missing"), "pkg-5": ("2.0.0", "attested")}


@pytest.mark.parametrize("fault", ["reset", "gap", "fail"])
def test_a_faulty_feed_falls_back_to_conditional_requests_for_every_package(
    registry: LiveRegistry, url: str, tmp_path: Path, fault: str
) -> None:
    first = crawl(url, tmp_path, "npm")
    registry.release("npm", "pkg-1", attested=True)
    registry.feed_broken = fault
    mark = len(registry.log)
    second = crawl(url, tmp_path, "npm")
    packuments = [h for h in registry_hits(registry, mark) if h[0].startswith("/pkg-")]
    assert len(packuments) == N and all(conditional for _, _, conditional in packuments)
    assert sorted(status for _, status, _ in packuments) == [200] + [304] * (N - 1)
    assert second == {**first, "pkg-1": ("2.0.0", "attested")}


def test_pypi_simple_root_as_feed_skips_unchanged_projects(
    registry: LiveRegistry, url: str, tmp_path: Path
) -> None:
    first = crawl(url, tmp_path, "pypi", feed_min={"pypi": 0})
    registry.release("pypi", "proj-2", attested=False)
    mark = len(registry.log)
    second = crawl(url, tmp_path, "pypi", feed_min={"pypi": 0})
    paths = sorted(path for path, _, _ in registry_hits(registry, mark))
    assert paths == ["/pypi/proj-2/json", "/simple/", "/simple/proj-2/"]
    assert second == {**first, "proj-2": ("2.0", "missing")}


def test_full_ignores_the_state_and_a_rules_change_invalidates_it(
    registry: LiveRegistry, url: str, tmp_path: Path
) -> None:
    crawl(url, tmp_path, "npm", feed_urls={"npm": ""})
    mark = len(registry.log)
    crawl(url, tmp_path, "npm", feed_urls={"npm": ""}, full=True)
    assert not any(conditional for _, _, conditional in registry_hits(registry, mark))
    mark = len(registry.log)
    crawl(
        url,
        tmp_path,
        "npm",
        feed_urls={"npm": ""},
        verify=replace(config_for(url, tmp_path, N).verify, skip="other reason"),
    )
    assert not any(conditional for _, _, conditional in registry_hits(registry, mark))


def test_an_unreadable_state_costs_a_full_crawl_not_the_run(
    registry: LiveRegistry, url: str, tmp_path: Path
) -> None:
    crawl(url, tmp_path, "npm")
    (tmp_path / "state" / "npm.json").write_text("{not json")
    mark = len(registry.log)
    crawl(url, tmp_path, "npm")
    packuments = [h for h in registry_hits(registry, mark) if h[0].startswith("/pkg-")]
    assert len(packuments) == N and not any(conditional for _, _, conditional in packuments)


def test_state_from_the_live_site_makes_the_next_crawl_conditional(
    registry: LiveRegistry, url: str, tmp_path: Path
) -> None:
    first_data, fresh = tmp_path / "first", tmp_path / "fresh"
    crawl(url, first_data, "npm", feed_urls={"npm": ""})
    site = Registry()
    site.add("/data/state/npm.json", Reply(body=(first_data / "state" / "npm.json").read_bytes()))
    lines: list[str] = []
    with serve_site(site) as site_url:
        seed_state(
            replace(config_for(url, fresh, N), ecosystems=("npm", "pypi")), site_url, lines.append
        )
    assert [line.split(":")[0] for line in lines] == ["npm", "pypi"]
    assert "full crawl" in lines[1]
    mark = len(registry.log)
    crawl(url, fresh, "npm", feed_urls={"npm": ""})
    packuments = [h for h in registry_hits(registry, mark) if h[0].startswith("/pkg-")]
    assert len(packuments) == N and all(status == 304 for _, status, _ in packuments)


def test_cli_options_reach_the_config() -> None:
    args = build_parser().parse_args(
        ["crawl", "--full", "--npm-changes-url", "", "--pypi-root-min", "5"]
    )
    config = crawl_config(args)
    assert config.full and config.feed_url("npm") is None and config.feed_min == {"pypi": 5}
    default = crawl_config(build_parser().parse_args(["crawl"]))
    assert default.feed_url("npm") == "https://replicate.npmjs.com"
    assert default.feed_url("pypi") == "https://pypi.org"
    elsewhere = crawl_config(
        build_parser().parse_args(["crawl", "--npm-url", "http://127.0.0.1:1"])
    )
    assert elsewhere.feed_url("npm") is None
