"""The extraction of release facts from documents the crawl already reads (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.crawl_depth import with_depth
from generator.ecosystems.timeline_facts import (
    Signer,
    npm_depth,
    npm_release_facts,
    pypi_depth,
    pypi_file_version,
    pypi_lifecycle,
    pypi_release_facts,
    remember_signers,
)
from generator.models_depth import Lifecycle
from generator.timeline import Downloads, NpmTrust, ProvenanceState
from tests.builders import package, packument, simple_index

TP = {"name": "GitHub Actions", "trustedPublisher": {"id": "github", "oidcConfigId": "x"}}
ATT = {"url": "https://registry.npmjs.org/-/npm/v1/attestations/p@1", "provenance": {}}


def npm_doc(*versions: tuple[str, str, bool, bool], deprecated: str | None = None) -> Any:
    """A packument with (version, time, attested, trusted publishing) releases, the last
    one ``latest``."""
    doc = packument("p", versions[-1][0])
    for version, when, attested, tp in versions:
        manifest: dict[str, Any] = {"name": "p", "version": version, "dist": {}}
        if attested:
            manifest["dist"]["attestations"] = ATT
        if tp:
            manifest["_npmUser"] = TP
        doc["versions"][version] = manifest
        doc["time"][version] = when
    if deprecated is not None:
        doc["versions"][versions[-1][0]]["deprecated"] = deprecated
    return doc


def day(n: int) -> str:
    return f"2025-03-{n:02d}T00:00:00Z"


def test_npm_facts_one_tarball_per_version_with_trust() -> None:
    doc = npm_doc(("1.0.0", day(1), True, True), ("1.1.0", day(2), True, False))
    facts = {f.version: f for f in npm_release_facts(doc)}
    assert facts["1.0.0"].trusted_publishing is True
    assert facts["1.0.0"].files[0].filename == "p-1.0.0.tgz"
    assert facts["1.1.0"].files[0].attested is True


def test_npm_depth_states_lost_forecast_and_deprecated() -> None:
    doc = npm_doc(
        ("1.0.0", day(1), True, True),
        ("1.1.0", day(2), False, False),
        deprecated="use q instead",
    )
    depth = npm_depth(doc, "1.1.0")
    timeline = depth["timeline"]
    assert [r.version for r in timeline.releases] == ["1.1.0", "1.0.0"]
    assert timeline.releases[1].trust is NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE
    assert depth["trust"] is NpmTrust.NONE
    assert timeline.provenance_lost and timeline.forecast is not None
    assert timeline.forecast.blocked
    assert depth["lifecycle"] is Lifecycle.DEPRECATED
    assert depth["lifecycle_reason"] == "use q instead"


def test_npm_version_without_time_is_left_out() -> None:
    doc = npm_doc(("1.0.0", day(1), True, False), ("1.1.0", day(2), True, False))
    del doc["time"]["1.0.0"]
    assert [f.version for f in npm_release_facts(doc)] == ["1.1.0"]


def simple(*files: tuple[str, str, bool, object], **meta: str) -> Any:
    doc = simple_index("p", files=[])
    for filename, when, attested, yanked in files:
        doc["files"].append(
            {
                "filename": filename,
                "upload-time": when,
                "provenance": f"https://pypi.org/integrity/{filename}" if attested else None,
                "yanked": yanked,
            }
        )
    doc["meta"].update(meta)
    return doc


def test_pypi_file_versions() -> None:
    assert pypi_file_version("p-1.0-py3-none-any.whl") == "1.0"
    assert pypi_file_version("p-2.0rc1.tar.gz") == "2.0rc1"
    assert pypi_file_version("not-a-distribution.exe") is None


def test_pypi_facts_group_files_partial_and_yanked() -> None:
    doc = simple(
        ("p-1.0.tar.gz", day(1), True, False),
        ("p-1.0-py3-none-any.whl", day(2), False, False),
        ("p-1.1.tar.gz", day(3), True, "broken"),
        ("p-1.2.tar.gz", day(4), False, False),
    )
    facts = {f.version: f for f in pypi_release_facts(doc)}
    assert len(facts["1.0"].files) == 2
    assert facts["1.0"].published_at.day == 1  # the first file's upload
    assert facts["1.1"].yanked and facts["1.1"].files[0].attested
    timeline = pypi_depth(doc, "1.2")["timeline"]
    states = {r.version: r.provenance_state for r in timeline.releases}
    assert states["1.0"] is ProvenanceState.PARTIAL
    assert timeline.provenance_lost  # 1.2 after the attested 1.0 (the yanked 1.1 sets no bar)


def test_pypi_file_without_upload_time_is_left_out() -> None:
    doc = simple(("p-1.0.tar.gz", day(1), True, False))
    doc["files"].append({"filename": "p-0.9.tar.gz", "provenance": None})
    assert [f.version for f in pypi_release_facts(doc)] == ["1.0"]


def test_pypi_project_status_marker() -> None:
    assert pypi_lifecycle(simple()) == (Lifecycle.ACTIVE, None)
    archived = simple(**{"project-status": "archived", "project-status-reason": "moved"})
    assert pypi_lifecycle(archived) == (Lifecycle.ARCHIVED, "moved")
    assert pypi_lifecycle(simple(**{"project-status": "haunted"}))[0] is Lifecycle.ACTIVE
    pypi_form = simple()
    pypi_form["project-status"] = {"status": "deprecated", "reason": "use q"}
    assert pypi_lifecycle(pypi_form) == (Lifecycle.DEPRECATED, "use q")


def test_signer_fills_only_its_file_and_earlier_rows_remember() -> None:
    doc = simple(("p-1.0.tar.gz", day(1), True, False), ("p-1.1.tar.gz", day(2), True, False))
    old = pypi_depth(doc, "1.0", Signer("p-1.0.tar.gz", "https://github.com/o/r", "a.yml"))
    new = pypi_depth(doc, "1.1", Signer("p-1.1.tar.gz", "https://github.com/x/r", "a.yml"))
    assert not new["timeline"].provenance_changed  # 1.0's signer is unknown today
    merged = remember_signers(new["timeline"], old["timeline"])
    assert merged is not None and merged.provenance_changed
    assert merged.changed[0].before == "1.0" and merged.changed[0].after == "1.1"


def test_with_depth_sets_downloads() -> None:
    # Earlier signers reach a fresh row in backfill_signers (tests/integration/test_depth.py:
    # test_a_remembered_signer_is_not_fetched_again_and_counts); a reused row holds them.
    doc = simple(("p-1.0.tar.gz", day(1), True, False), ("p-1.1.tar.gz", day(2), True, False))
    new = pypi_depth(doc, "1.1", Signer("p-1.1.tar.gz", "https://github.com/o/r", "b.yml"))
    before = package(timeline=new["timeline"])
    row = with_depth(before, Downloads(count=5, window="last-30-days"))
    assert row.downloads is not None and row.downloads.count == 5
    assert row.timeline == before.timeline


# ---- real samples ------------------------------------------------------------------------


def load(samples: Path, name: str) -> Any:
    return json.loads((samples / "npm" / "packuments" / f"{name}.trimmed.json").read_text())


def test_real_packuments(samples: Path) -> None:
    vite = npm_depth(load(samples, "vite"), "7.3.1")
    trust = {r.version: r.trust for r in vite["timeline"].releases}
    assert trust["7.3.1"] is NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE
    assert trust["5.4.21"] is NpmTrust.PROVENANCE_ONLY
    assert vite["timeline"].forecast is not None and not vite["timeline"].forecast.blocked
    nxt = npm_depth(load(samples, "next"), "16.1.6")["timeline"]
    # 12.3.7 (a backport, 2025-03) was published after the attested 14.1.1 without provenance.
    assert [(t.before, t.after) for t in nxt.lost] == [("14.1.1", "12.3.7")]
    ufo = npm_depth(load(samples, "ufo"), "1.6.3")
    assert ufo["trust"] is NpmTrust.NONE and not ufo["timeline"].provenance_lost


def test_real_simple_index_spec_example(samples: Path) -> None:
    doc = json.loads(
        (samples / "pypi" / "simple-json" / "spec-example.holygrail.simple.json").read_text()
    )
    # PEP 792's example: an explicit ``active`` with a reason; no file has an upload time.
    assert pypi_lifecycle(doc) == (Lifecycle.ACTIVE, "this project is not yet haunted")
    assert pypi_release_facts(doc) == []


# ---- downloads through the ranking and into the summary ------------------------------------


def test_ranked_downloads_follow_the_kept_names() -> None:
    from generator.crawl_depth import ranked_downloads
    from generator.ecosystems.base import TopList
    from generator.ecosystems.pypi import PyPI

    top = TopList(["A_b", "a-b", "c"], "x", [30, 20, 10], "last-30-days")
    got = ranked_downloads(PyPI(), top, ["A_b", "c"])
    assert got is not None and [d.count if d else None for d in got] == [30, 10]
    assert ranked_downloads(PyPI(), TopList(["c"], "file"), ["c"]) is None


def test_summary_download_shares_and_active_toggle() -> None:
    from generator.models import Status, summarize

    month = "last-30-days"
    rows = [
        package(1, status=Status.ATTESTED, downloads=Downloads(count=60, window=month)),
        package(2, downloads=Downloads(count=40, window=month), lifecycle=Lifecycle.ARCHIVED),
        package(3, status=Status.MISSING, downloads=Downloads(count=0, window=month)),
    ]
    summary = summarize(rows)
    assert summary.attested_download_share == 0.6
    assert summary.downloads_window == month
    assert summary.inactive == 1
    assert summary.attested_percent == 33.3 and summary.attested_percent_active == 50.0
    assert summarize([package(1)]).attested_download_share is None  # no counts: none made up
