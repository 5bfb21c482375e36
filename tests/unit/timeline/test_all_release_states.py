"""``all_release_states`` (one sort per package), ``release_states`` and ``build_timeline``
(a ``Release`` model for the shown window only) give exactly what their first versions gave
(issue 13: those sorted the history once per release and built a model of every version)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.timeline import (
    DEFAULT_WINDOW,
    ProvenanceState,
    ReleaseFacts,
    Timeline,
    build_timeline,
    changed_transitions,
    provenance_dropped,
    to_release,
)
from generator.timeline.model import Ecosystem
from generator.timeline.pnpm import forecast
from generator.timeline.pypi_state import (
    LOST_WINDOW,
    PRECEDENCE,
    all_release_states,
    release_states,
    signer_repositories,
    signer_workflows,
)
from generator.timeline.rules import lost_transitions

from .facts import facts


def reference(release: ReleaseFacts, history: list[ReleaseFacts]) -> list[ProvenanceState]:
    """``release_states`` as first written (before issue 13), kept as the oracle."""
    total = len(release.files)
    attested = sum(1 for f in release.files if f.attested)
    states: set[ProvenanceState] = set()
    if attested == 0:
        states.add(ProvenanceState.NONE)
    elif attested == total:
        states.add(ProvenanceState.FULL)
    else:
        states.add(ProvenanceState.PARTIAL)
    repositories = signer_repositories(release.files)
    workflows = signer_workflows(release.files)
    if len(repositories) > 1 or len(workflows) > 1:
        states.add(ProvenanceState.INCONSISTENT)
    earlier = sorted(
        (
            r
            for r in history
            if r.version != release.version
            and not r.yanked
            and r.published_at < release.published_at
        ),
        key=lambda r: r.published_at,
    )

    def signed(r: ReleaseFacts) -> bool:
        return any(f.attested for f in r.files)

    if attested == 0 and any(
        signed(r) and release.published_at - r.published_at <= LOST_WINDOW for r in earlier
    ):
        states.add(ProvenanceState.LOST)
    if attested and earlier and signed(previous := earlier[-1]):
        before_r, before_w = signer_repositories(previous.files), signer_workflows(previous.files)
        if (before_r and repositories and before_r != repositories) or (
            before_w and workflows and before_w != workflows
        ):
            states.add(ProvenanceState.CHANGED)
    return [s for s in PRECEDENCE if s in states]


REPOS = st.sampled_from([None, "https://github.com/o/r", "https://github.com/o/other"])
WORKFLOWS = st.sampled_from([None, "release.yml", "publish.yml"])

release = st.builds(
    lambda version, day, attested, files, repo, workflow, yanked: facts(
        version,
        day,
        attested=min(attested, files),
        files=files,
        repo=repo,
        workflow=workflow,
        yanked=yanked,
    ),
    st.sampled_from(["1.0", "1.1", "2.0", "2.0rc1", "3.0"]),  # repeats: same version twice
    st.sampled_from([0, 1, 5, 14, 15, 20, 30]),  # repeats: equal instants, the 14-day edge
    st.integers(0, 3),
    st.integers(0, 3),
    REPOS,
    WORKFLOWS,
    st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(release, max_size=12))
def test_same_states_as_the_first_version(history: list[ReleaseFacts]) -> None:
    expected = [reference(r, history) for r in history]
    assert all_release_states(history) == expected
    assert [release_states(r, history) for r in history] == expected


def test_lost_within_the_window_and_changed_against_the_latest_earlier() -> None:
    history = [
        facts("1.0", 0),
        facts("1.1", 10, attested=0),
        facts("2.0", 30, attested=0),
        facts("2.1", 31, repo="https://github.com/o/other"),
        facts("2.2", 32, yanked=True),
    ]
    states = [[s.value for s in row] for row in all_release_states(history)]
    assert states == [
        ["full"],
        ["lost", "none"],
        ["none"],
        ["full"],
        ["changed", "full"],
    ]


def reference_timeline(items: list[ReleaseFacts], ecosystem: Ecosystem, latest: str | None) -> Any:
    """``build_timeline`` as first written (a ``Release`` of every version), the oracle."""
    history = [to_release(f, items, ecosystem) for f in items]
    shown = sorted(history, key=lambda r: r.published_at, reverse=True)[:DEFAULT_WINDOW]
    lost, changed = lost_transitions(shown), changed_transitions(shown)
    return Timeline(
        releases=shown,
        latest=latest,
        provenance_dropped=provenance_dropped(history, latest),
        provenance_lost=bool(lost),
        lost=lost,
        provenance_changed=bool(changed),
        changed=changed,
        forecast=forecast(history, latest) if ecosystem == "npm" else None,
    )


npm_release = st.builds(
    lambda version, day, attested, tp: facts(version, day, attested=attested, tp=tp),
    st.sampled_from(["1.0.0", "1.1.0", "2.0.0-rc.1", "2.0.0", "3.0.0", "0.9.0-beta"]),
    st.sampled_from([0, 1, 5, 14, 15, 20, 30]),
    st.integers(0, 1),
    st.sampled_from([None, True, False]),
)


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(
        st.tuples(st.just("pypi"), st.lists(release, max_size=14)),
        st.tuples(st.just("npm"), st.lists(npm_release, max_size=14)),
    ),
    st.sampled_from([None, "1.0", "2.0", "1.1.0", "2.0.0", "3.0.0"]),
)
def test_timeline_same_as_the_first_version(
    case: tuple[Ecosystem, list[ReleaseFacts]], latest: str | None
) -> None:
    ecosystem, items = case
    built = build_timeline(items, ecosystem=ecosystem, latest=latest)
    assert built == reference_timeline(items, ecosystem, latest)
