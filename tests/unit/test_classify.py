"""The classification rules, one row per rule, boundary and repository case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from generator.classify import classify
from generator.ecosystems import REGISTRY
from generator.models import Evidence, Status

PYPI_CUTOFF = datetime(2024, 10, 29, tzinfo=UTC)
NPM_CUTOFF = datetime(2023, 4, 19, tzinfo=UTC)
GH = "https://github.com/o/r"


def ev(**kw: object) -> Evidence:
    base: dict[str, object] = {
        "name": "p",
        "version": "1.0",
        "published_at": datetime(2025, 1, 1, tzinfo=UTC),
        "repository": GH,
        "attested": False,
        "trusted_publishing": None,
        "registry_url": "https://pypi.org/project/p/",
    }
    base.update(kw)
    return Evidence.model_validate(base)


@pytest.mark.parametrize(
    ("evidence", "cutoff", "expected"),
    [
        # 1. attested wins over everything, even an old date and no repository
        (ev(attested=True, files_total=3, files_attested=1), PYPI_CUTOFF, Status.ATTESTED),
        (ev(attested=True, repository=None), PYPI_CUTOFF, Status.ATTESTED),
        (
            ev(attested=True, published_at=datetime(2020, 1, 1, tzinfo=UTC)),
            NPM_CUTOFF,
            Status.ATTESTED,
        ),
        # 2. unsupported-ci: no repository, or one on another host, beats an old date
        (ev(repository=None), PYPI_CUTOFF, Status.UNSUPPORTED_CI),
        (ev(repository="https://codeberg.org/o/r"), PYPI_CUTOFF, Status.UNSUPPORTED_CI),
        (
            ev(
                repository="https://bitbucket.org/o/r",
                published_at=datetime(2019, 1, 1, tzinfo=UTC),
            ),
            NPM_CUTOFF,
            Status.UNSUPPORTED_CI,
        ),
        (ev(repository="https://gitlab.example.org/o/r"), PYPI_CUTOFF, Status.UNSUPPORTED_CI),
        (ev(repository="https://github.com.evil.example/o/r"), PYPI_CUTOFF, Status.UNSUPPORTED_CI),
        # 3. pre-attestation: strictly before the cutoff
        (ev(published_at=PYPI_CUTOFF - timedelta(seconds=1)), PYPI_CUTOFF, Status.PRE_ATTESTATION),
        (
            ev(
                published_at=NPM_CUTOFF - timedelta(milliseconds=1),
                repository="https://gitlab.com/g/sub/r",
            ),
            NPM_CUTOFF,
            Status.PRE_ATTESTATION,
        ),
        # 4. missing: at or after the cutoff
        (ev(published_at=PYPI_CUTOFF), PYPI_CUTOFF, Status.MISSING),
        (ev(published_at=NPM_CUTOFF), NPM_CUTOFF, Status.MISSING),
        (
            ev(repository="https://gitlab.com/g/r", trusted_publishing=True),
            NPM_CUTOFF,
            Status.MISSING,
        ),
        (ev(published_at=None), PYPI_CUTOFF, Status.MISSING),
    ],
)
def test_rules(evidence: Evidence, cutoff: datetime, expected: Status) -> None:
    assert classify(evidence, cutoff, "PyPI").status is expected


def test_reasons_name_the_deciding_fact() -> None:
    assert (
        "1 of 3 files"
        in classify(ev(attested=True, files_total=3, files_attested=1), PYPI_CUTOFF, "PyPI").reason
    )
    assert (
        "codeberg.org"
        in classify(ev(repository="https://codeberg.org/o/r"), PYPI_CUTOFF, "PyPI").reason
    )
    assert "no source repository" in classify(ev(repository=None), PYPI_CUTOFF, "PyPI").reason
    pre = classify(ev(published_at=datetime(2023, 5, 1, tzinfo=UTC)), PYPI_CUTOFF, "PyPI")
    assert "2023-05-01" in pre.reason and "2024-10-29" in pre.reason


def test_cutoffs_are_pinned() -> None:
    assert REGISTRY["pypi"].attestation_cutoff == PYPI_CUTOFF
    assert REGISTRY["npm"].attestation_cutoff == NPM_CUTOFF
