"""Issue 11 through the demo registry: each package shows the timeline, trust, lifecycle and
forecast facts expected.json says it is meant to show (a changed signer in one crawl, through
the signer backfill), the download counts come from the ranking, and a crawl that remembers
a signer does not fetch it again."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from generator.crawl import crawl, ranked_list
from generator.crawl_depth import DEFAULT_SIGNER_BACKFILL
from generator.demo import RECORDINGS
from generator.demo.server import Registry, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import PackageResult, Snapshot
from generator.state import Entry, StateRun, Validators
from tests.builders import whole

#: Per ecosystem: a package whose latest and previous release are both attested (same signer).
TWO_ATTESTED = {"pypi": "fictional-aurora", "npm": "fictional-relay"}


async def demo_crawl(
    ecosystem: str, state: StateRun | None = None, backfill: int = DEFAULT_SIGNER_BACKFILL
) -> tuple[Snapshot, Counter[str]]:
    eco = REGISTRY[ecosystem]
    registry = Registry.from_directory(RECORDINGS / ecosystem)
    with serve(registry) as url:
        top = f"{url}/top-pypi-packages-30-days.min.json" if ecosystem == "pypi" else None
        async with Fetcher(url, HttpPolicy(attempts=2, backoff=0.01)) as fetcher:
            ranked = await ranked_list(eco, fetcher, n=1000, top_source=top)
            snapshot = whole(
                await crawl(eco, fetcher, ranked, demo=True, state=state, signer_backfill=backfill)
            )
    return snapshot, Counter(path for path, _ in registry.log)


def facts(row: PackageResult) -> set[str]:
    out = set()
    t = row.timeline
    if t is not None:
        out |= {flag for flag in ("provenance_lost", "provenance_changed") if getattr(t, flag)}
        if t.forecast is not None and t.forecast.blocked:
            out.add("forecast_blocked")
        if t.releases and t.releases[0].version == row.version:
            out.add(f"state:{t.releases[0].provenance_state.value}")
    if row.lifecycle.value != "active":
        out.add(f"lifecycle:{row.lifecycle.value}")
    if row.trust is not None:
        out.add(f"trust:{row.trust.value}")
    return out


LOUD = ("provenance_lost", "provenance_changed", "forecast_blocked", "lifecycle:")


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_demo_shows_each_depth_fact_as_intended(ecosystem: str) -> None:
    expected = json.loads((RECORDINGS / "expected.json").read_text())["depth"][ecosystem]
    snapshot, _ = await demo_crawl(ecosystem)
    rows = {p.name: p for p in snapshot.packages}
    for name, meant in expected.items():
        assert set(meant) <= facts(rows[name]), name
    for name, row in rows.items():
        loud = {f for f in facts(row) if f.startswith(LOUD)}
        assert loud <= set(expected.get(name, ())), f"{name} shows {loud} unexpectedly"
    # every new state at least once per ecosystem
    shown = set().union(*(facts(r) for r in rows.values()))
    assert "provenance_lost" in shown
    assert "provenance_changed" in shown
    assert "state:changed" in shown
    assert shown & {"lifecycle:deprecated", "lifecycle:archived"}
    if ecosystem == "npm":
        assert {f"trust:{t}" for t in snapshot.summary.by_trust} <= shown
        assert all(snapshot.summary.by_trust.values()), "each npm trust state at least once"
        assert "forecast_blocked" in shown
        assert rows["fictional-sunset"].lifecycle_reason
    # downloads come from the ranking, every readable row has them, shares are computed
    assert all(r.downloads is not None for r in rows.values())
    assert snapshot.summary.downloads_window in ("last-30-days", "last-month")
    assert snapshot.summary.attested_download_share is not None
    assert all(len(r.timeline.releases) >= 1 for r in rows.values() if r.timeline)


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_a_remembered_signer_is_not_fetched_again_and_counts(ecosystem: str) -> None:
    name = TWO_ATTESTED[ecosystem]
    cold, cold_requests = await demo_crawl(ecosystem)
    _, without = await demo_crawl(ecosystem, backfill=0)
    row = next(p for p in cold.packages if p.name == name)
    assert row.timeline is not None and not row.timeline.provenance_changed
    latest, previous = row.timeline.releases[0], row.timeline.releases[1]
    assert latest.attested and latest.repositories, "the latest's signer is read as always"
    assert previous.attested and previous.repositories, "the one it is compared with: backfilled"
    extra = cold_requests - without
    assert sum(extra.values()) > 0 and all(n == 1 for n in extra.values()), "each once"
    # What an earlier crawl stored for `previous`: its signer, here another repository. A
    # crawl that remembers it fetches no document for it, and sees the change.
    remembered = previous.model_copy(
        update={"repositories": ["https://github.com/elsewhere/fork"], "workflows": ["x.yml"]}
    )
    earlier = row.timeline.model_copy(update={"releases": [remembered]})
    key = REGISTRY[ecosystem].normalize(name) or name
    seeded = Entry(validators=Validators(), row=row.model_copy(update={"timeline": earlier}))
    warm, warm_requests = await demo_crawl(ecosystem, StateRun(previous={key: seeded}))
    again = next(p for p in warm.packages if p.name == name)
    assert again.timeline is not None and again.timeline.provenance_changed
    change = again.timeline.changed[0]
    assert (change.before, change.after) == (previous.version, latest.version)
    assert warm.summary.provenance_changed == cold.summary.provenance_changed + 1
    (fetched,) = list(cold_requests - warm_requests)
    assert "attestations" in fetched or "integrity" in fetched, "only that signer is saved"
    assert warm_requests + Counter({fetched: 1}) == cold_requests
