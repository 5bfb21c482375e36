"""From the crawl's facts to a ``Timeline``: the one entry point the crawl needs."""

from __future__ import annotations

from collections.abc import Sequence

from generator.timeline.model import Ecosystem, ProvenanceState, Release, ReleaseFacts, Timeline
from generator.timeline.pnpm import forecast
from generator.timeline.pypi_state import (
    all_release_states,
    release_states,
    signer_repositories,
    signer_workflows,
)
from generator.timeline.rules import (
    changed_transitions,
    is_prerelease,
    lost_transitions,
    npm_trust,
    provenance_dropped,
)

#: The fewest releases a timeline shows (issue 11: "at least the last 10").
DEFAULT_WINDOW = 10


def to_release(
    facts: ReleaseFacts,
    history: Sequence[ReleaseFacts],
    ecosystem: Ecosystem,
    states: list[ProvenanceState] | None = None,
) -> Release:
    """One ``Release`` from its facts; ``history`` (the package's releases) gives the
    states that compare with earlier releases (lost, changed), unless ``states`` (those
    states, already computed: :func:`all_release_states`) is given."""
    if states is None:
        states = release_states(facts, history)
    attested = sum(1 for f in facts.files if f.attested)
    return Release(
        version=facts.version,
        published_at=facts.published_at,
        yanked=facts.yanked,
        prerelease=is_prerelease(facts.version, ecosystem),
        files_total=len(facts.files),
        files_attested=attested,
        attested=attested > 0,
        provenance_state=states[0],
        provenance_states=states,
        trusted_publishing=facts.trusted_publishing,
        repositories=signer_repositories(facts.files),
        workflows=signer_workflows(facts.files),
        trust=npm_trust(facts.trusted_publishing, attested > 0) if ecosystem == "npm" else None,
    )


def build_timeline(
    facts: Sequence[ReleaseFacts],
    *,
    ecosystem: Ecosystem,
    latest: str | None,
    window: int = DEFAULT_WINDOW,
) -> Timeline:
    """The package's timeline from every release the crawl knows (any order).

    ``releases`` keeps the ``window`` most recently published, newest first; the lost and
    changed flags read that window; ``provenance_dropped`` and the pnpm forecast (npm only)
    read the whole history, as their rules do."""
    if window < DEFAULT_WINDOW:
        raise ValueError(f"a timeline keeps at least {DEFAULT_WINDOW} releases, not {window}")
    states = all_release_states(facts)
    history = [to_release(f, facts, ecosystem, s) for f, s in zip(facts, states, strict=True)]
    newest_first = sorted(history, key=lambda r: r.published_at, reverse=True)
    shown = newest_first[:window]
    lost = lost_transitions(shown)
    changed = changed_transitions(shown)
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
