"""build_timeline: window, order, flags, npm trust states, and the exported schema."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from generator.timeline import (
    DownloadRow,
    Downloads,
    Forecast,
    NpmTrust,
    ProvenanceState,
    Release,
    Timeline,
    Transition,
    build_timeline,
)
from tests.unit.timeline.facts import facts


def test_newest_first_by_publish_date_and_window() -> None:
    items = [facts(f"1.{i}", day=i) for i in range(15)]
    items.append(facts("0.9.1", day=20))  # a backport, published last
    timeline = build_timeline(list(reversed(items)), ecosystem="pypi", latest="1.14")
    assert [r.version for r in timeline.releases][:3] == ["0.9.1", "1.14", "1.13"]
    assert len(timeline.releases) == 10
    assert timeline.forecast is None  # PyPI has no pnpm


def test_window_can_grow_not_shrink() -> None:
    items = [facts(f"1.{i}", day=i) for i in range(15)]
    assert len(build_timeline(items, ecosystem="pypi", latest="1.14", window=12).releases) == 12
    with pytest.raises(ValueError, match="at least 10"):
        build_timeline(items, ecosystem="pypi", latest="1.14", window=5)


def test_lost_is_read_in_the_window_dropped_in_the_whole_history() -> None:
    items = [facts("0.1", 0)] + [facts(f"1.{i}", day=1 + i, attested=0) for i in range(12)]
    timeline = build_timeline(items, ecosystem="pypi", latest="1.11")
    assert timeline.provenance_dropped is True  # 0.1, outside the window, was attested
    assert timeline.provenance_lost is False
    assert timeline.lost == []


def test_flags_and_their_explanations() -> None:
    items = [
        facts("1.0", 0),
        facts("1.1", 1, repo="https://github.com/someone/else"),
        facts("1.2", 2, attested=0),
    ]
    timeline = build_timeline(items, ecosystem="pypi", latest="1.2")
    assert timeline.provenance_lost and timeline.provenance_changed and timeline.provenance_dropped
    assert timeline.lost == [
        Transition(before="1.1", after="1.2", reason="1.2 has no provenance; 1.1 had provenance")
    ]
    assert [(t.before, t.after) for t in timeline.changed] == [("1.0", "1.1")]
    by_version = {r.version: r for r in timeline.releases}
    assert by_version["1.2"].provenance_state is ProvenanceState.LOST
    assert by_version["1.2"].provenance_states == [ProvenanceState.LOST, ProvenanceState.NONE]
    assert by_version["1.1"].provenance_state is ProvenanceState.CHANGED
    assert by_version["1.1"].repositories == ["https://github.com/someone/else"]
    assert by_version["1.1"].workflows == ["release.yml"]
    assert by_version["1.0"].trust is None  # PyPI


def test_each_npm_trust_state_and_the_forecast() -> None:
    items = [
        facts("1.0.0", 0, attested=0, tp=False),
        facts("1.1.0", 1, attested=1, tp=False),
        facts("1.2.0", 2, attested=0, tp=True),
        facts("1.3.0", 3, attested=1, tp=True),
        facts("1.4.0", 4, attested=1, tp=None),
    ]
    timeline = build_timeline(items, ecosystem="npm", latest="1.4.0")
    trust = {r.version: r.trust for r in timeline.releases}
    assert trust == {
        "1.0.0": NpmTrust.NONE,
        "1.1.0": NpmTrust.PROVENANCE_ONLY,
        "1.2.0": NpmTrust.TRUSTED_PUBLISHING_ONLY,
        "1.3.0": NpmTrust.TRUSTED_PUBLISHING_AND_PROVENANCE,
        "1.4.0": None,
    }
    assert timeline.forecast is not None
    assert timeline.forecast.blocked is True  # unknown TP counts as absent
    assert timeline.forecast.unknown_trusted_publishing == ["1.4.0"]


def test_forecast_reads_the_whole_history_not_the_window() -> None:
    items = [facts("0.1.0", 0, tp=True)]
    items += [facts(f"1.{i}.0", day=1 + i, tp=False) for i in range(12)]
    timeline = build_timeline(items, ecosystem="npm", latest="1.11.0")
    assert "0.1.0" not in {r.version for r in timeline.releases}
    assert timeline.forecast is not None
    assert (timeline.forecast.blocked, timeline.forecast.bar_version) == (True, "0.1.0")


def _undocumented(model: type[BaseModel]) -> list[str]:
    schema: dict[str, Any] = model.model_json_schema()
    missing = []
    for name, definition in [(model.__name__, schema), *schema.get("$defs", {}).items()]:
        for field, spec in definition.get("properties", {}).items():
            if not spec.get("description"):
                missing.append(f"{name}.{field}")
    return missing


@pytest.mark.parametrize("model", [Timeline, Release, Forecast, Downloads, DownloadRow])
def test_every_exported_field_is_documented(model: type[BaseModel]) -> None:
    assert _undocumented(model) == []


def test_models_are_frozen() -> None:
    timeline = build_timeline([facts("1.0", 0)], ecosystem="pypi", latest="1.0")
    with pytest.raises(ValueError, match="frozen"):
        timeline.latest = "2.0"  # type: ignore[misc]
