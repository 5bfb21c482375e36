"""``pypi_file_version`` reads a wheel's version in two cached halves (issue 13); it must
accept and refuse exactly what ``packaging.utils.parse_wheel_filename`` does."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from generator.ecosystems.timeline_facts import pypi_file_version


def expected(filename: str) -> str | None:
    try:
        return str(parse_wheel_filename(filename)[1])
    except (InvalidWheelFilename, ValueError):
        return None


PIECES = st.sampled_from(
    ["numpy", "my_pkg", "a__b", "", "1.0", "2.0rc1", "1.0.post1", "v1", "x y", "1", "1abc",
     "py3", "cp311", "3x", "py2.py3", "none", "abi3", "any", "manylinux_2_17_x86_64",
     "macosx_11_0_arm64.macosx_10_9_x86_64", "a.", ".b"]
)  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES, min_size=0, max_size=7))
def test_same_answer_as_packaging(pieces: list[str]) -> None:
    filename = "-".join(pieces) + ".whl"
    assert pypi_file_version(filename) == expected(filename)


def test_known_names() -> None:
    for filename, version in [
        ("numpy-2.1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", "2.1.0"),
        ("pkg-1.0-1-py3-none-any.whl", "1.0"),
        ("pkg-1.0-py2.py3-none-any.whl", "1.0"),
        ("pkg-1.0-3x-none-any.whl", None),  # interpreter not an identifier
        ("pkg-1.0-py3-none.whl", None),
        ("pkg-1.0-x-1-py3-none-any.whl", None),
        ("pkg-1.0.tar.gz", "1.0"),  # an sdist: parse_sdist_filename as before
    ]:
        if filename.endswith(".whl"):
            assert expected(filename) == version, filename
        assert pypi_file_version(filename) == version, filename


def test_long_names_are_read_alike_and_never_cached() -> None:
    from generator.ecosystems import timeline_facts

    tags = ".".join(f"cp3{i}" for i in range(10, 90))  # a compressed tag set, > 256 chars
    filename = f"numpy-2.1.0-{tags}-{tags}-manylinux_2_17_x86_64.whl"
    assert len(filename) > 256
    before = timeline_facts._wheel_tags_ok.cache_info().currsize
    assert pypi_file_version(filename) == expected(filename) == "2.1.0"
    assert pypi_file_version("x" * 300 + "-1.0-py3-none-any.whl") == "1.0"
    assert timeline_facts._wheel_tags_ok.cache_info().currsize == before
