"""``with_signers``: signers learnt after the timeline was built (crawl state, backfill)."""

from __future__ import annotations

from generator.timeline import (
    ProvenanceState,
    ReleaseFacts,
    Timeline,
    build_timeline,
    with_signers,
)

from .facts import facts

STATE = ProvenanceState


def timeline_of(*items: ReleaseFacts) -> Timeline:
    return build_timeline(list(items), ecosystem="pypi", latest=items[-1].version)


def test_a_filled_signer_sets_changed_and_the_states_that_read_signers() -> None:
    t = timeline_of(
        facts("1.0", 0, repo=None, workflow=None),
        facts("1.1", 1, repo=None, workflow=None),
        facts("1.2", 2, repo="o/new"),
    )
    assert not t.provenance_changed
    out = with_signers(t, {"1.1": (["o/old"], [".github/workflows/release.yml"])})
    assert out.provenance_changed
    assert [(c.before, c.after) for c in out.changed] == [("1.1", "1.2")]
    latest, middle, oldest = out.releases
    assert latest.provenance_state is STATE.CHANGED and STATE.FULL in latest.provenance_states
    assert middle.repositories == ["https://github.com/o/old"]
    assert middle.workflows == ["release.yml"], "normalized as the latest's are"
    assert middle.provenance_state is STATE.FULL, "its predecessor's signer is still unknown"
    assert oldest == t.releases[2]


def test_a_known_signer_is_never_replaced_and_nothing_new_is_the_same_object() -> None:
    t = timeline_of(facts("1.0", 0, repo="o/r"), facts("1.1", 1, repo="o/r"))
    assert with_signers(t, {"1.0": (["o/evil"], ["x.yml"])}) is t
    assert with_signers(t, {}) is t
    assert with_signers(t, {"9.9": (["o/x"], [])}) is t
    assert with_signers(t, {"1.0": ([None], [None])}) is t, "a signer naming nothing"


def test_a_yanked_release_between_is_skipped_and_inconsistency_is_read_again() -> None:
    t = timeline_of(
        facts("1.0", 0, repo=None, workflow=None),
        facts("1.1", 1, repo="o/r", yanked=True),
        facts("1.2", 2, repo="o/r"),
    )
    out = with_signers(t, {"1.0": (["o/a", "o/b"], ["release.yml"])})
    latest, _, oldest = out.releases
    assert STATE.INCONSISTENT in oldest.provenance_states
    assert latest.provenance_state is STATE.CHANGED  # compared with 1.0: 1.1 is yanked
    assert out.provenance_changed
