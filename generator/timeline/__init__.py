"""Release timelines (issue 11): pure rules over facts the crawl already has.

README
======

No I/O here: no HTTP, no files, no anyio or jinja2. Only pydantic (with :mod:`generator.caps`,
which caps strings), the standard library and ``packaging``. Everything is a function of its
arguments.

Wiring (for the crawl)
----------------------
Build one ``ReleaseFacts`` per known release from documents already read (PyPI simple index:
per file, provenance listed or not, plus upload time and yank; npm packument: ``time``,
``dist.attestations``, ``_npmUser.trustedPublisher``), with the signer's repository and
workflow on each ``FileFacts`` when known without an extra request, then::

    timeline = build_timeline(facts, ecosystem="npm", latest=dist_tags["latest"])

``timeline.releases`` (newest first, at least 10), ``timeline.provenance_lost`` /
``provenance_changed`` (with ``lost`` / ``changed`` saying why), ``provenance_dropped``
(today's latest-only signal, kept) and ``timeline.forecast`` (npm: pnpm ``no-downgrade``)
are ready for the export. Signers learnt later (the crawl state, the crawl's signer backfill)
go in with ``with_signers(timeline, {version: (repositories, workflows)})``. For the
summary, ``attested_download_share(rows)`` and ``trusted_publishing_download_share(rows)``
take one ``DownloadRow`` per package and return None when no row has a count.

Modules
-------
``model``       the input facts and the exported models (the JSON schema);
``rules``       which releases count, ``provenance_lost``, ``provenance_changed``,
                ``provenance_dropped``, npm trust states;
``pypi_state``  warehouse's per-release states (full, partial, inconsistent, lost, changed,
                none), with the source cited;
``pnpm``        pnpm's ``trustPolicy: no-downgrade`` and the forecast, with the source cited;
``downloads``   download-weighted shares;
``build``       ``build_timeline``: facts in, ``Timeline`` out;
``signers``     ``with_signers``: signers learnt later (crawl state, signer backfill) set on
                their releases, and the flags that read them recomputed.
"""

from generator.timeline.build import DEFAULT_WINDOW, build_timeline, to_release
from generator.timeline.downloads import (
    attested_download_share,
    trusted_publishing_download_share,
)
from generator.timeline.model import (
    DownloadRow,
    Downloads,
    FileFacts,
    Forecast,
    NpmTrust,
    ProvenanceState,
    Release,
    ReleaseFacts,
    Timeline,
    Transition,
)
from generator.timeline.pnpm import forecast
from generator.timeline.pypi_state import release_states
from generator.timeline.rules import (
    changed_transitions,
    is_prerelease,
    lost_transitions,
    normalize_repository,
    npm_trust,
    provenance_dropped,
)
from generator.timeline.signers import Signers, unknown_signer, with_signers

__all__ = [
    "DEFAULT_WINDOW",
    "DownloadRow",
    "Downloads",
    "FileFacts",
    "Forecast",
    "NpmTrust",
    "ProvenanceState",
    "Release",
    "ReleaseFacts",
    "Signers",
    "Timeline",
    "Transition",
    "attested_download_share",
    "build_timeline",
    "changed_transitions",
    "forecast",
    "is_prerelease",
    "lost_transitions",
    "normalize_repository",
    "npm_trust",
    "provenance_dropped",
    "release_states",
    "to_release",
    "trusted_publishing_download_share",
    "unknown_signer",
    "with_signers",
]
