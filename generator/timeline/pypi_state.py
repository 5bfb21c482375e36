"""PyPI's per-release provenance states, with warehouse's own definitions.

Source: pypi/warehouse pull request #20326, "Add ``Release.provenance_status``" (merged
2026-07, closing issue #20303, https://github.com/pypi/warehouse/pull/20326). Its description
defines the states a release can have, several at once:

* ``no-provenance``: 0 files in the release have attestation bundles;
* ``full-provenance``: 100% of files in the release have attestation bundles;
* ``partial-provenance``: some, but not all, files have attestation bundles;
* ``inconsistent-provenance``: files within this single release originate from more than one
  distinct repository URL or more than one distinct workflow filename;
* ``lost-provenance``: the release has 0 files with provenance, but a preceding release
  published within the last 14 days had attested files;
* ``changed-provenance``: both the release and the preceding comparison release have
  provenance, but their sets of source repositories or workflows differ.

The implementing code (``warehouse/packaging/models.py`` after that PR) is not in the search
index (its stored versions predate it), so three points are read from the wording, not the
code, and are open questions:

1. "within the last 14 days" is read as: published at most 14 days before *this* release
   (a release's state then never changes with the day the page is viewed);
2. "the preceding comparison release" is read as: the release published most recently
   before this one;
3. yanked releases are not candidates for 1 and 2 (same choice as ``rules``), and
   pre-releases are (the wording does not set them apart).

With the facts we have, a file "has an attestation bundle" when the simple index lists
provenance for it; a file's repository and workflow come from its publisher when known.
On npm the tarball is the release's only file, so the same function gives full/none/lost/
changed there too (never partial or inconsistent).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from datetime import timedelta

from generator.timeline.model import FileFacts, ProvenanceState, ReleaseFacts
from generator.timeline.rules import normalize_repository, normalize_workflow

#: warehouse's look-back for ``lost-provenance``.
LOST_WINDOW = timedelta(days=14)

#: Most critical first: the order a page should mention them in.
PRECEDENCE: tuple[ProvenanceState, ...] = (
    ProvenanceState.LOST,
    ProvenanceState.CHANGED,
    ProvenanceState.INCONSISTENT,
    ProvenanceState.PARTIAL,
    ProvenanceState.FULL,
    ProvenanceState.NONE,
)


def signer_repositories(files: Sequence[FileFacts]) -> list[str]:
    """Distinct normalized repositories named by the release's attested files, sorted."""
    found = {normalize_repository(f.repository) for f in files if f.attested}
    return sorted(r for r in found if r is not None)


def signer_workflows(files: Sequence[FileFacts]) -> list[str]:
    """Distinct workflow file names named by the release's attested files, sorted."""
    found = {normalize_workflow(f.workflow) for f in files if f.attested}
    return sorted(w for w in found if w is not None)


def _attested(release: ReleaseFacts) -> bool:
    return any(f.attested for f in release.files)


def release_states(release: ReleaseFacts, history: Sequence[ReleaseFacts]) -> list[ProvenanceState]:
    """Every warehouse state that holds for ``release``, most critical first.

    ``history`` is the package's other releases (any order; ``release`` itself is skipped)."""
    return _states(release, _Earlier(history))


def all_release_states(
    releases: Sequence[ReleaseFacts], of: Sequence[ReleaseFacts] | None = None
) -> list[list[ProvenanceState]]:
    """``release_states(r, releases)`` for each ``r`` of ``of`` (default: ``releases``), with
    the history sorted once rather than once per release (issue 13: a packument of a few
    hundred versions made this quadratic, the largest CPU cost of an npm crawl)."""
    earlier = _Earlier(releases)
    return [_states(r, earlier) for r in (releases if of is None else of)]


class _Earlier:
    """The non-yanked releases of a history by publish date (equal instants keep their
    given order, as a stable sort does), with their dates and whether each is attested."""

    def __init__(self, history: Sequence[ReleaseFacts]) -> None:
        self.releases = sorted((r for r in history if not r.yanked), key=lambda r: r.published_at)
        self.times = [r.published_at for r in self.releases]
        self.attested = [_attested(r) for r in self.releases]


def _states(release: ReleaseFacts, index: _Earlier) -> list[ProvenanceState]:
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

    # The earlier releases: published strictly before this one, another version.
    end = bisect_left(index.times, release.published_at)
    others = index.releases
    if attested == 0:
        start = bisect_left(index.times, release.published_at - LOST_WINDOW, hi=end)
        if any(
            index.attested[i] and others[i].version != release.version for i in range(start, end)
        ):
            states.add(ProvenanceState.LOST)
    before = next((i for i in range(end - 1, -1, -1) if others[i].version != release.version), -1)
    if attested and before >= 0 and index.attested[before]:
        previous = others[before]
        before_signers = (signer_repositories(previous.files), signer_workflows(previous.files))
        if signers_differ(before_signers, (repositories, workflows)):
            states.add(ProvenanceState.CHANGED)
    return [s for s in PRECEDENCE if s in states]


def signers_differ(
    before: tuple[Sequence[str], Sequence[str]], after: tuple[Sequence[str], Sequence[str]]
) -> bool:
    """warehouse's ``changed``: the (repositories, workflows) of two attested releases differ
    in repositories or in workflows, each compared only when both sides know it."""
    return any(b and a and sorted(b) != sorted(a) for b, a in zip(before, after, strict=True))
