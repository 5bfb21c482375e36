"""From the crawl's facts to a ``Timeline``: the one entry point the crawl needs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple, cast

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
    newest_first = sorted(facts, key=lambda f: f.published_at, reverse=True)[:window]
    states = all_release_states(facts, of=newest_first)
    shown = [to_release(f, facts, ecosystem, s) for f, s in zip(newest_first, states, strict=True)]
    lost = lost_transitions(shown)
    changed = changed_transitions(shown)
    # The whole-history rules read a few fields of every release: a ``Release`` model of
    # each version cost more CPU than all else of an npm package (issue 13).
    history = cast(list[Release], [_brief(f, ecosystem) for f in facts])
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


class _Brief(NamedTuple):
    """The fields of a ``Release`` that ``provenance_dropped`` and the pnpm forecast read."""

    version: str
    published_at: datetime
    attested: bool
    prerelease: bool
    """npm only (the forecast reads it); PyPI's whole-history rule does not, so False there."""
    trusted_publishing: bool | None


def _brief(facts: ReleaseFacts, ecosystem: Ecosystem) -> _Brief:
    return _Brief(
        version=facts.version,
        published_at=facts.published_at,
        attested=any(f.attested for f in facts.files),
        prerelease=ecosystem == "npm" and is_prerelease(facts.version, ecosystem),
        trusted_publishing=facts.trusted_publishing,
    )
