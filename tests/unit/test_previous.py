"""Reading the previous site (previous): the default site URL."""

from __future__ import annotations

import pytest

from generator.previous import default_site_url


@pytest.mark.parametrize(
    ("env", "url"),
    [
        ({"GITHUB_REPOSITORY": "Octo/attested-yet"}, "https://octo.github.io/attested-yet/"),
        ({"GITHUB_REPOSITORY": "octo/octo.github.io"}, "https://octo.github.io/"),
        (
            {"GITHUB_REPOSITORY": "octo/x", "ATTESTED_YET_SITE_URL": "https://dash.example/"},
            "https://dash.example/",
        ),
        ({}, None),
        ({"GITHUB_REPOSITORY": "nonsense"}, None),
    ],
)
def test_default_site_url(env: dict[str, str], url: str | None) -> None:
    assert default_site_url(env) == url
