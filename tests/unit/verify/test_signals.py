"""Declared repository vs. the repository the provenance names."""

from __future__ import annotations

import pytest

from generator.models import Build, Provenance
from generator.verify.signals import repository_mismatch, same_repository


@pytest.mark.parametrize(
    ("declared", "named", "expected"),
    [
        ("https://github.com/Owner/Name", "https://github.com/owner/name", False),
        ("https://github.com/owner/name", "git+https://github.com/owner/name.git", False),
        ("https://github.com/owner/name", "https://github.com/fork/name", True),
        ("https://gitlab.com/group/sub/name", "https://gitlab.com/group/sub/name", False),
        ("https://github.com/owner/name", "https://gitlab.com/owner/name", True),
        (None, "https://github.com/owner/name", None),
        ("https://github.com/owner/name", None, None),
    ],
)
def test_repository_mismatch(
    declared: str | None, named: str | None, expected: bool | None
) -> None:
    build = Build(source_repository=named) if named else None
    assert repository_mismatch(declared, build, None) is expected


def test_repository_mismatch_falls_back_to_publisher() -> None:
    publisher = Provenance(kind="GitHub", repository="fork/name")
    assert repository_mismatch("https://github.com/owner/name", None, publisher) is True
    google = Provenance(kind="Google", email="x@example.com")
    assert repository_mismatch("https://github.com/owner/name", None, google) is None
    assert same_repository("github:Owner/Name", "https://github.com/owner/name")
