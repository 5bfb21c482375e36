"""History's data: the models of the files under ``data/history/`` and the in-memory history.

Each run reads the live site's history files (or a local copy), appends the day's fresh
snapshots and writes them back beside the snapshots under ``data/history/``:

``<eco>-daily.json``
    one compact summary per day (counts per status, Trusted Publishing); one line per day.
``<eco>-changes.json``
    per-package transitions (package, from, to, version, date), one line per change.
``<eco>-state.json``
    the last known status and version of every package in the top N (replaced each run;
    the baseline for the next run's transitions, so a package that errors for a day, or a
    failed run in the middle, does not invent or lose a change).
``index.json``
    what the history holds, and for each ecosystem the date of the snapshot published
    (``fresh: false`` when a failed crawl kept the last good one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from generator.caps import CappedModel
from generator.models import Status

HISTORY_DIR = "history"
INDEX_FILE = "index.json"
HISTORY_SCHEMA_VERSION: Literal[1] = 1

#: An ecosystem's short name as history files may hold it: it names files under ``--data``
#: (``<eco>-daily.json``), so a previous site's ``../../x`` is refused on read.
EcosystemKey = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,31}$")]


class _Frozen(CappedModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True, populate_by_name=True
    )


class ChangeKind(StrEnum):
    """What a transition means, worst first."""

    REGRESSION = "regression"
    """The previous release was attested and the new one is not."""
    GAINED = "gained"
    """Not attested before, attested now."""
    CHANGED = "changed"
    """Another status change (e.g. ``pre-attestation`` → ``missing``)."""
    ENTERED = "entered"
    """The package entered the top N."""
    LEFT = "left"
    """The package left the top N."""


class DailySummary(_Frozen):
    """One ecosystem on one day: counts per status and Trusted Publishing."""

    date: date
    """Day of the crawl (UTC date of the snapshot's ``generated_at``)."""
    total: int
    """Packages in the snapshot, errors included."""
    counted: int
    """Packages with one of the four statuses (errors excluded): the percentage base."""
    by_status: dict[Status, int]
    """Count per status, every status present."""
    trusted_publishing: int
    """Packages known to be published through Trusted Publishing."""
    trusted_publishing_unknown: int
    """Packages whose Trusted Publishing is unknown (PyPI without provenance)."""
    attested_download_share: float | None = None
    """Share (0..1, 4 decimals) of the counted packages' downloads that went to attested
    releases; null when the day's ranking carried no download counts (and in days recorded
    before this field existed)."""


class Change(_Frozen):
    """One package's status change between two published snapshots."""

    date: date
    """Day of the snapshot where the new status was seen."""
    ecosystem: EcosystemKey
    """``pypi`` or ``npm``."""
    package: str
    """Package name in its display form."""
    kind: ChangeKind
    """``regression``, ``gained``, ``changed``, ``entered`` or ``left``."""
    from_status: Status | None = Field(alias="from")
    """Last known status before (null when the package entered the top N)."""
    to_status: Status | None = Field(alias="to")
    """New status (null when the package left the top N)."""
    from_version: str | None = None
    """Release the previous status was about."""
    version: str | None = None
    """Release the new status is about (null when the package left the top N)."""


class PackageState(_Frozen):
    """Last known status and version of each package in the top N (errors do not count)."""

    date: date
    """Day of the last snapshot folded in."""
    requested: int
    """The N of that snapshot's list (a changed N does not report packages entering/leaving)."""
    packages: dict[str, tuple[Status, str | None]]
    """Package name → [status, version]."""


class DailyFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    ecosystem: EcosystemKey
    days: list[DailySummary]


class ChangesFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    ecosystem: EcosystemKey
    changes: list[Change]


class StateFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    ecosystem: EcosystemKey
    state: PackageState


class EcosystemIndex(_Frozen):
    snapshot_date: date | None
    """Date of the snapshot published for this ecosystem."""
    fresh: bool
    """False when this run's crawl failed and the last good snapshot was kept."""
    note: str | None = None
    """Why the snapshot is not fresh."""
    days: int
    changes: int


class IndexFile(_Frozen):
    schema_version: Literal[1] = HISTORY_SCHEMA_VERSION
    updated: date
    """Day of the run that wrote this history."""
    ecosystems: dict[EcosystemKey, EcosystemIndex]


@dataclass
class EcosystemHistory:
    """Everything remembered about one ecosystem."""

    ecosystem: str
    days: list[DailySummary] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    state: PackageState | None = None
    snapshot_date: date | None = None
    fresh: bool = True
    note: str | None = None


@dataclass
class History:
    """History of every ecosystem, as published under ``data/history/``."""

    ecosystems: dict[str, EcosystemHistory] = field(default_factory=dict)
    updated: date | None = None

    def get(self, ecosystem: str) -> EcosystemHistory:
        return self.ecosystems.setdefault(ecosystem, EcosystemHistory(ecosystem))
