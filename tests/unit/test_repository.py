from __future__ import annotations

import pytest

from generator.ecosystems.pypi import declared_repository
from generator.repository import normalize_repository


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("git+https://github.com/o/r.git", "https://github.com/o/r"),
        ("git+ssh://git@github.com/o/r.git", "https://github.com/o/r"),
        ("git://github.com/o/r.git", "https://github.com/o/r"),
        ("ssh://git@gitlab.com/g/r.git", "https://gitlab.com/g/r"),
        ("git@github.com:o/r.git", "https://github.com/o/r"),
        ("github:o/r", "https://github.com/o/r"),
        ("gitlab:g/sub/r", "https://gitlab.com/g/sub/r"),
        ("bitbucket:o/r", "https://bitbucket.org/o/r"),
        ("o/r", "https://github.com/o/r"),
        ("https://github.com/o/r", "https://github.com/o/r"),
        ("https://www.github.com/o/r/", "https://github.com/o/r"),
        ("https://GitHub.com/o/r.git", "https://github.com/o/r"),
        ("https://github.com/o/r/tree/main/pkg", "https://github.com/o/r"),
        ("https://github.com/o/r#readme", "https://github.com/o/r"),
        ("https://gitlab.com/g/sub/r/-/tree/main", "https://gitlab.com/g/sub/r"),
        ("https://codeberg.org/o/r", "https://codeberg.org/o/r"),
        ("https://github.com/sponsors/someone", None),
        ("https://github.com/o", None),
        ("https://pypi.org", None),
        ("javascript:alert(1)", None),
        ("ftp://github.com/o/r", None),
        ("", None),
        (None, None),
        (42, None),
        ("https://github.com/o/<script>", None),
    ],
)
def test_normalize_repository(declared: object, expected: str | None) -> None:
    assert normalize_repository(declared) == expected


def test_pypi_prefers_a_supported_host_then_source_keys() -> None:
    info = {
        "project_urls": {
            "Documentation": "https://docs.example.org",
            "Mirror": "https://codeberg.org/o/r",
            "Homepage": "https://github.com/o/r/tree/main/python",
        },
        "home_page": None,
    }
    assert declared_repository(info)[0] == "https://github.com/o/r"
    other = {"project_urls": {"Source": "https://codeberg.org/o/r", "Docs": "https://x.org/a/b"}}
    assert declared_repository(other) == ("https://codeberg.org/o/r", "https://codeberg.org/o/r")
    assert declared_repository({"project_urls": {"Docs": "https://x.org/a/b"}}) == (None, None)
    assert (
        declared_repository({"home_page": "https://gitlab.com/g/r"})[0] == "https://gitlab.com/g/r"
    )
    assert declared_repository({"project_urls": None, "home_page": 3}) == (None, None)
