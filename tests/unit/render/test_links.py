"""Links and paths (render.links): package page paths, safe URLs, the "Built from" links."""

from __future__ import annotations

import re

from generator.ecosystems import INFOS
from generator.render import build_links, package_paths, safe_url
from tests.unit.render.samples import GOOD_BUILD, HOSTILE, HOSTILE_BUILD


def test_package_paths() -> None:
    names = ["@scope/name", "JSONStream", "jsonstream", "index", "Index", "index.html", "_"]
    names += ["a/b", "..", "ok.", "@scope/index"]
    paths = package_paths(INFOS["npm"], [*names, *HOSTILE])
    assert paths["@scope/name"] == "@scope/name"
    assert paths["JSONStream"] == "JSONStream"
    assert paths["jsonstream"].startswith("_/"), "case-insensitive collision gets a hash"
    assert paths["@scope/index"] == "@scope/index", "no ecosystem page in a scope's folder"
    for name in ["index", "Index", "index.html", "_", "a/b", "..", "ok.", *HOSTILE]:
        assert re.fullmatch(r"_/[0-9a-f]{16}", paths[name]), name
    assert len(set(paths.values())) == len(paths)
    pypi = package_paths(INFOS["pypi"], ["Foo_Bar.baz", "foo-bar-baz"])
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
