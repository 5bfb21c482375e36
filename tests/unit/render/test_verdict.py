"""One verdict per package: status and verification as one phrase, the weaker tone."""

from __future__ import annotations

import json

import pytest

from generator.models import Status, Verification
from generator.render.search_index import names_index
from generator.render.verdict import LEGEND, TONES, panels_for, verdict, weaker
from tests.synthetic import synthetic_snapshot


def result(status: Status, check: Verification = Verification.NOT_CHECKED):  # type: ignore[no-untyped-def]
    row = synthetic_snapshot("npm", 1).packages[0]
    return row.model_copy(update={"status": status, "verification": check})


@pytest.mark.parametrize(
    ("status", "check", "phrase", "tone"),
    [
        (Status.ATTESTED, Verification.VERIFIED, "attested · verified", "good"),
        (Status.ATTESTED, Verification.NOT_CHECKED, "attested · not verified", "caution"),
        (Status.ATTESTED, Verification.FAILED, "attested · failed verification", "alarm"),
        (Status.UNSUPPORTED_CI, Verification.NOT_CHECKED, "unsupported-ci", "other"),
        (Status.PRE_ATTESTATION, Verification.NOT_CHECKED, "pre-attestation", "caution"),
        (Status.MISSING, Verification.NOT_CHECKED, "missing", "bad"),
        (Status.ERROR, Verification.NOT_CHECKED, "error", "neutral"),
    ],
)
def test_one_phrase_coloured_by_the_weaker_part(
    status: Status, check: Verification, phrase: str, tone: str
) -> None:
    v = verdict(result(status, check))
    assert (v.phrase, v.tone) == (phrase, tone)
    assert v.needs_help is (tone != "good")


def test_weaker_is_the_later_tone_and_the_legend_lists_every_verdict() -> None:
    assert weaker("good", "alarm") == "alarm" == weaker("alarm", "good")
    assert all(weaker(t, "good") == t for t in TONES)
    phrases = {p for p, _, _ in LEGEND}
    assert len(phrases) == len(LEGEND) == 3 + len(Status) - 1


def test_unreadable_packages_skip_the_release_panels() -> None:
    panels = ["panels/verdict.html", "panels/release.html", "panels/links.html"]
    assert panels_for(result(Status.ERROR), panels) == ["panels/verdict.html", "panels/links.html"]
    assert panels_for(result(Status.MISSING), panels) == panels


def test_names_index_is_small_and_in_rank_order() -> None:
    class View:
        def __init__(self, row) -> None:  # type: ignore[no-untyped-def]
            self.result, self.href = row, f"{row.name}.html"

    snap = synthetic_snapshot("npm", 50)
    data = json.loads(names_index("npm", "npm", [View(p) for p in snap.packages]))
    assert data["display"] == "npm"
    assert [r[0] for r in data["rows"]] == [p.name for p in snap.packages]
    assert data["rows"][0][1] == f"npm/{snap.packages[0].name}.html"
