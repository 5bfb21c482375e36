"""pnpm's trustPolicy: no-downgrade forecast (resolving/npm-resolver/src/trustChecks.ts)."""

from __future__ import annotations

from generator.timeline import Forecast, ReleaseFacts, forecast
from tests.unit.timeline.facts import facts, releases

TP = True


def predict(latest: str, *items: ReleaseFacts) -> Forecast:
    return forecast(releases(items, "npm"), latest)


def test_no_provenance_after_trusted_publishing_is_blocked() -> None:
    got = predict("1.14.1", facts("1.14.0", 0, tp=TP), facts("1.14.1", 1, attested=0, tp=False))
    assert got.blocked is True
    assert got.reason == "1.14.1 has no provenance; 1.14.0 had Trusted Publishing"
    assert got.bar_version == "1.14.0"
    assert got.version == "1.14.1"


def test_provenance_after_trusted_publishing_is_blocked() -> None:
    got = predict("2.1.0", facts("2.0.0", 0, tp=TP), facts("2.1.0", 1, tp=False))
    assert got.blocked is True
    assert got.reason == (
        "2.1.0 has provenance without Trusted Publishing; 2.0.0 had Trusted Publishing"
    )


def test_trusted_publishing_without_provenance_is_no_evidence() -> None:
    # pnpm ranks trustedPublisher only with a provenance attestation.
    got = predict("1.1.0", facts("1.0.0", 0, tp=False), facts("1.1.0", 1, attested=0, tp=TP))
    assert got.blocked is True
    assert got.reason == "1.1.0 has Trusted Publishing but no provenance; 1.0.0 had provenance"


def test_earlier_trusted_publishing_without_provenance_sets_no_bar() -> None:
    got = predict("1.1.0", facts("1.0.0", 0, attested=0, tp=TP), facts("1.1.0", 1, attested=0))
    assert got.blocked is False
    assert got.bar_version is None


def test_same_or_stronger_evidence_passes() -> None:
    got = predict("1.1.0", facts("1.0.0", 0, tp=False), facts("1.1.0", 1, tp=TP))
    assert got.blocked is False
    assert got.reason == "1.1.0 has Trusted Publishing, no less than 1.0.0"


def test_nothing_earlier_passes() -> None:
    got = predict("1.0.0", facts("1.0.0", 0, attested=0, tp=False))
    assert (got.blocked, got.reason) == (
        False,
        "no release published before 1.0.0 had trust evidence",
    )


def test_backport_after_a_newer_major_is_blocked_by_date() -> None:
    # The semver@6.3.1 false positive (pnpm/pnpm#10202), reproduced on purpose.
    items = (
        facts("6.3.0", 0, attested=0, tp=False),
        facts("7.5.1", 1, tp=False),
        facts("6.3.1", 2, attested=0, tp=False),
    )
    got = predict("6.3.1", *items)
    assert got.blocked is True
    assert got.reason == "6.3.1 has no provenance; 7.5.1 had provenance"


def test_later_release_does_not_set_the_bar() -> None:
    items = (facts("1.0.0", 0, attested=0, tp=False), facts("2.0.0", 1, tp=TP))
    assert predict("1.0.0", *items).blocked is False


def test_equal_publish_date_is_not_earlier() -> None:
    items = (facts("1.0.0", 0, tp=TP), facts("1.0.1", 0, attested=0, tp=False))
    assert predict("1.0.1", *items).blocked is False


def test_prerelease_sets_no_bar_for_a_final_release() -> None:
    # pnpm PR #10227 (10.24.0): prereleases are ignored for a non-prerelease install.
    items = (facts("2.0.0-rc.1", 0, tp=TP), facts("2.0.0", 1, attested=0, tp=False))
    assert predict("2.0.0", *items).blocked is False


def test_prerelease_is_compared_with_everything_earlier() -> None:
    items = (
        facts("1.0.0", 0, tp=TP),
        facts("2.0.0-rc.1", 1, tp=TP),
        facts("2.0.0-rc.2", 2, attested=0, tp=False),
    )
    got = predict("2.0.0-rc.2", *items)
    assert got.blocked is True
    assert got.bar_version == "2.0.0-rc.1"  # the most recent release with the strongest evidence


def test_strongest_evidence_wins_over_the_most_recent() -> None:
    items = (
        facts("1.0.0", 0, tp=TP),
        facts("1.1.0", 1, tp=False),
        facts("1.2.0", 2, tp=False),
    )
    got = predict("1.2.0", *items)
    assert (got.blocked, got.bar_version) == (True, "1.0.0")


def test_unknown_trusted_publishing_counts_as_absent_and_is_reported() -> None:
    items = (facts("1.0.0", 0, tp=None), facts("1.1.0", 1, attested=0, tp=False))
    got = predict("1.1.0", *items)
    assert got.blocked is True
    assert got.unknown_trusted_publishing == ["1.0.0"]


def test_unknown_latest() -> None:
    got = predict("9.9.9", facts("1.0.0", 0))
    assert (got.blocked, got.version, got.reason) == (
        False,
        "9.9.9",
        "the latest version is unknown",
    )
