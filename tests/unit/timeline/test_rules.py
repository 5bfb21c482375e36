"""provenance_lost, provenance_changed, provenance_dropped and their helpers."""

from __future__ import annotations

import pytest

from generator.timeline import (
    NpmTrust,
    ReleaseFacts,
    changed_transitions,
    is_prerelease,
    lost_transitions,
    normalize_repository,
    npm_trust,
    provenance_dropped,
)
from generator.timeline.model import Ecosystem
from tests.unit.timeline.facts import facts, releases


def lost(*items: ReleaseFacts) -> list[tuple[str, str]]:
    found = lost_transitions(releases(items))
    return [(t.before, t.after) for t in found]


def changed(*items: ReleaseFacts) -> list[tuple[str, str]]:
    found = changed_transitions(releases(items))
    return [(t.before, t.after) for t in found]


def test_lost_when_a_later_release_is_not_attested() -> None:
    assert lost(facts("1.0", 0), facts("1.1", 1, attested=0)) == [("1.0", "1.1")]


def test_not_lost_when_provenance_comes_later() -> None:
    assert lost(facts("1.0", 0, attested=0), facts("1.1", 1)) == []


def test_lost_in_the_middle_of_the_window_still_counts() -> None:
    assert lost(facts("1.0", 0), facts("1.1", 1, attested=0), facts("1.2", 2)) == [("1.0", "1.1")]


def test_lost_compares_with_the_most_recent_attested_release() -> None:
    items = (facts("1.0", 0), facts("1.1", 1), facts("1.2", 2, attested=0))
    assert lost(*items) == [("1.1", "1.2")]
    found = lost_transitions(releases(items))
    assert found[0].reason == "1.2 has no provenance; 1.1 had provenance"


def test_unattested_prerelease_between_two_attested_releases_is_lost() -> None:
    # A pre-release is compared with every earlier release (pnpm's rule).
    items = (facts("1.0", 0), facts("1.1rc1", 1, attested=0), facts("1.1", 2))
    assert lost(*items) == [("1.0", "1.1rc1")]


def test_attested_prerelease_sets_no_bar_for_a_final_release() -> None:
    assert lost(facts("1.0", 0, attested=0), facts("1.1b1", 1), facts("1.1", 2, attested=0)) == []


def test_attested_prerelease_sets_the_bar_for_a_later_prerelease() -> None:
    assert lost(facts("2.0a1", 0), facts("2.0a2", 1, attested=0)) == [("2.0a1", "2.0a2")]


def test_equal_publish_dates_are_not_earlier() -> None:
    assert lost(facts("1.0", 0), facts("1.0.post1", 0, attested=0)) == []


def test_yanked_attested_release_sets_no_bar() -> None:
    assert lost(facts("1.0", 0, yanked=True), facts("1.1", 1, attested=0)) == []


def test_yanked_unattested_release_is_no_loss() -> None:
    assert lost(facts("1.0", 0), facts("1.1", 1, attested=0, yanked=True)) == []


def test_order_is_publish_date_not_semver() -> None:
    # A 1.x backport published after 2.0: 2.0 came first, so 1.9.1 lost provenance ...
    assert lost(facts("2.0", 0), facts("1.9.1", 1, attested=0)) == [("2.0", "1.9.1")]
    # ... while 2.0 published after an unattested 1.9.1 lost nothing.
    assert lost(facts("1.9.1", 0, attested=0), facts("2.0", 1)) == []


def test_changed_repository() -> None:
    items = (facts("1.0", 0), facts("1.1", 1, repo="https://github.com/evil/r"))
    assert changed(*items) == [("1.0", "1.1")]
    reason = changed_transitions(releases(items))[0].reason
    assert "repository https://github.com/o/r became https://github.com/evil/r" in reason


def test_changed_workflow() -> None:
    assert changed(facts("1.0", 0), facts("1.1", 1, workflow="other.yml")) == [("1.0", "1.1")]


def test_same_signer_spelled_differently_is_no_change() -> None:
    items = (
        facts("1.0", 0, repo="O/R", workflow=".github/workflows/release.yml"),
        facts("1.1", 1, repo="git+https://github.com/o/r.git", workflow="release.yml"),
        facts("1.2", 2, repo="https://www.GitHub.com/O/R/", workflow="release.yml@refs/tags/v1"),
    )
    assert changed(*items) == []


def test_unknown_signer_is_no_change() -> None:
    items = (facts("1.0", 0), facts("1.1", 1, repo=None, workflow=None), facts("1.2", 2))
    assert changed(*items) == []


def test_unknown_repository_still_compares_the_workflow() -> None:
    assert changed(facts("1.0", 0), facts("1.1", 1, repo=None, workflow="x.yml")) == [
        ("1.0", "1.1")
    ]


def test_changed_skips_unattested_releases_between() -> None:
    items = (facts("1.0", 0), facts("1.1", 1, attested=0), facts("1.2", 2, repo="a/b"))
    assert changed(*items) == [("1.0", "1.2")]


def test_changed_ignores_yanked_releases() -> None:
    items = (facts("1.0", 0), facts("1.1", 1, repo="a/b", yanked=True), facts("1.2", 2))
    assert changed(*items) == []


def test_prerelease_signed_elsewhere_sets_no_bar_for_a_final_release() -> None:
    items = (facts("1.0", 0), facts("1.1rc1", 1, workflow="nightly.yml"), facts("1.1", 2))
    assert changed(*items) == [("1.0", "1.1rc1")]


def test_provenance_dropped_keeps_todays_latest_only_meaning() -> None:
    history = releases((facts("1.0", 0), facts("1.1", 1, attested=0), facts("1.2", 2)))
    assert provenance_dropped(history, "1.2") is False  # latest attested: not dropped
    assert provenance_dropped(history, "1.1") is True
    assert provenance_dropped(history, "9.9") is False  # unknown latest
    # Unlike provenance_lost, it counts a yanked attested release before the latest.
    yanked = releases((facts("1.0", 0, yanked=True), facts("1.1", 1, attested=0)))
    assert provenance_dropped(yanked, "1.1") is True
    assert lost_transitions(yanked) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("o/r", "https://github.com/o/r"),
        ("https://GitLab.com/Group/Sub/Proj.git", "https://gitlab.com/group/sub/proj"),
        ("https://git.example.org/Team/Repo", "https://git.example.org/Team/Repo"),
        ("", None),
        (None, None),
        ("https://github.com/", None),
    ],
)
def test_normalize_repository(value: str | None, expected: str | None) -> None:
    assert normalize_repository(value) == expected


@pytest.mark.parametrize(
    ("version", "ecosystem", "expected"),
    [
        ("1.0rc1", "pypi", True),
        ("1.0.dev3", "pypi", True),
        ("1.0.post1", "pypi", False),
        ("not a version", "pypi", False),
        ("1.0.0-beta.1", "npm", True),
        ("1.0.0", "npm", False),
        ("1.0.0+build.5", "npm", False),
    ],
)
def test_is_prerelease(version: str, ecosystem: Ecosystem, expected: bool) -> None:
    assert is_prerelease(version, ecosystem) is expected


@pytest.mark.parametrize(
    ("tp", "provenance", "expected"),
    [
        (True, True, NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE),
        (True, False, NpmTrust.TRUSTED_PUBLISHING_ONLY),
        (False, True, NpmTrust.PROVENANCE_ONLY),
        (False, False, NpmTrust.NONE),
        (None, True, None),
    ],
)
def test_npm_trust(tp: bool | None, provenance: bool, expected: NpmTrust | None) -> None:
    assert npm_trust(tp, provenance) is expected
