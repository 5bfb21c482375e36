"""Signers learnt after a timeline was built: those the crawl state remembers, and those the
crawl fetched for earlier releases (signer backfill). They are set on their releases and
everything that reads signers is read again: ``changed`` / ``provenance_changed`` and each
release's ``inconsistent`` and ``changed`` states (warehouse's, :mod:`pypi_state`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from generator.timeline.model import ProvenanceState, Release, Timeline
from generator.timeline.pypi_state import PRECEDENCE, signers_differ
from generator.timeline.rules import (
    by_date,
    changed_transitions,
    normalize_repository,
    normalize_workflow,
)

#: version → (repositories, workflows) as a signer named them (normalized here).
Signers = Mapping[str, tuple[Sequence[str | None], Sequence[str | None]]]


def unknown_signer(release: Release) -> bool:
    """An attested release whose signer names neither a repository nor a workflow yet."""
    return release.attested and not release.repositories and not release.workflows


def with_signers(timeline: Timeline, signers: Signers) -> Timeline:
    """``timeline`` with ``signers`` on the attested releases whose signer is unknown (a
    known signer is never replaced), and the flags that read signers recomputed. The same
    object when nothing was filled."""
    releases: list[Release] = []
    filled = False
    for release in timeline.releases:
        found = signers.get(release.version)
        if found is not None and unknown_signer(release):
            repositories = sorted({r for v in found[0] if (r := normalize_repository(v))})
            workflows = sorted({w for v in found[1] if (w := normalize_workflow(v))})
            if repositories or workflows:
                release = release.model_copy(
                    update={"repositories": repositories, "workflows": workflows}
                )
                filled = True
        releases.append(release)
    if not filled:
        return timeline
    releases = _restated(releases)
    changed = changed_transitions(releases)
    return timeline.model_copy(
        update={"releases": releases, "changed": changed, "provenance_changed": bool(changed)}
    )


def _restated(releases: list[Release]) -> list[Release]:
    """Each release's ``inconsistent`` and ``changed`` states read again over the window.

    ``changed`` compares a release with the most recent earlier non-yanked release (warehouse's
    "preceding comparison release"); for a release with none in the window (its predecessor is
    older than the window) the state computed over the whole history is kept."""
    ordered = by_date(releases)
    out: dict[int, Release] = {}
    for i, release in enumerate(ordered):
        states = set(release.provenance_states)
        if len(release.repositories) > 1 or len(release.workflows) > 1:
            states.add(ProvenanceState.INCONSISTENT)
        earlier = [r for r in ordered[:i] if not r.yanked and r.published_at < release.published_at]
        if earlier:
            before = earlier[-1]
            states.discard(ProvenanceState.CHANGED)
            if (
                release.attested
                and before.attested
                and signers_differ(
                    (before.repositories, before.workflows),
                    (release.repositories, release.workflows),
                )
            ):
                states.add(ProvenanceState.CHANGED)
        ranked = [s for s in PRECEDENCE if s in states]
        out[id(release)] = release.model_copy(
            update={"provenance_states": ranked, "provenance_state": ranked[0]}
        )
    return [out[id(r)] for r in releases]
