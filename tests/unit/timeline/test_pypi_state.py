"""warehouse's per-release states (pypi/warehouse PR #20326), one test per state at least."""

from __future__ import annotations

from generator.timeline import ProvenanceState, ReleaseFacts, release_states
from tests.unit.timeline.facts import facts

S = ProvenanceState


def states(release: ReleaseFacts, *earlier: ReleaseFacts) -> list[ProvenanceState]:
    return release_states(release, [*earlier, release])


def test_full() -> None:
    assert states(facts("1.0", 0, files=3, attested=3)) == [S.FULL]


def test_partial() -> None:
    assert states(facts("1.0", 0, files=3, attested=2)) == [S.PARTIAL]


def test_none() -> None:
    assert states(facts("1.0", 0, attested=0)) == [S.NONE]


def test_none_without_files() -> None:
    assert states(facts("1.0", 0, files=0, attested=0)) == [S.NONE]


def test_inconsistent_repository_within_one_release() -> None:
    release = facts("1.0", 0, files=2, attested=2, signers=[("o/r", "a.yml"), ("x/y", "a.yml")])
    assert states(release) == [S.INCONSISTENT, S.FULL]


def test_inconsistent_workflow_within_one_release() -> None:
    release = facts("1.0", 0, files=2, attested=2, signers=[("o/r", "a.yml"), ("o/r", "b.yml")])
    assert states(release) == [S.INCONSISTENT, S.FULL]


def test_unknown_signer_of_one_file_is_not_inconsistent() -> None:
    release = facts("1.0", 0, files=2, attested=2, signers=[("o/r", "a.yml"), (None, None)])
    assert states(release) == [S.FULL]


def test_lost_within_14_days() -> None:
    assert states(facts("1.1", 14, attested=0), facts("1.0", 0)) == [S.LOST, S.NONE]


def test_not_lost_after_14_days() -> None:
    assert states(facts("1.1", 14.01, attested=0), facts("1.0", 0)) == [S.NONE]


def test_lost_looks_past_an_unattested_release_within_the_window() -> None:
    history = (facts("1.0", 0), facts("1.1", 1, attested=0))
    assert states(facts("1.2", 2, attested=0), *history) == [S.LOST, S.NONE]


def test_yanked_attested_release_does_not_make_a_loss() -> None:
    assert states(facts("1.1", 1, attested=0), facts("1.0", 0, yanked=True)) == [S.NONE]


def test_equal_publish_date_is_not_preceding() -> None:
    assert states(facts("1.1", 0, attested=0), facts("1.0", 0)) == [S.NONE]


def test_changed_against_the_preceding_release() -> None:
    release = facts("1.1", 30, repo="other/repo")
    assert states(release, facts("1.0", 0)) == [S.CHANGED, S.FULL]


def test_changed_workflow_and_partial() -> None:
    release = facts("1.1", 1, files=2, attested=1, workflow="new.yml")
    assert states(release, facts("1.0", 0)) == [S.CHANGED, S.PARTIAL]


def test_not_changed_when_the_preceding_release_has_no_provenance() -> None:
    history = (facts("1.0", 0, repo="other/repo"), facts("1.1", 1, attested=0))
    assert states(facts("1.2", 2), *history) == [S.FULL]


def test_not_changed_when_a_signer_is_unknown() -> None:
    assert states(facts("1.1", 1, repo=None, workflow=None), facts("1.0", 0)) == [S.FULL]


def test_backport_is_compared_by_publish_date() -> None:
    # 1.9.1 was published after 2.0, so 2.0 is its preceding release.
    history = (facts("1.9", 0), facts("2.0", 1, repo="o/r2"))
    assert states(facts("1.9.1", 2), *history) == [S.CHANGED, S.FULL]
