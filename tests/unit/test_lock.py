"""The publish workflow's hashed lock covers every runtime dependency, within its range.

``requirements/publish.txt`` is what the daily job installs with ``--require-hashes``; a
dependency added to ``pyproject.toml`` but not to the lock would fail that job on its next
run, and one pinned outside its declared range would deploy an untested combination.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "publish.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)


def pins() -> dict[str, Version]:
    return {canonicalize_name(n): Version(v) for n, v in PIN.findall(LOCK.read_text())}


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    build = [Requirement(r) for r in project["build-system"]["requires"]]
    return [Requirement(r) for r in project["project"]["dependencies"]] + build


def test_every_dependency_is_pinned_within_its_range() -> None:
    locked = pins()
    for req in declared():
        name = canonicalize_name(req.name)
        assert name in locked, f"{req.name} is missing from {LOCK.name}: run tools/lock.sh"
        assert req.specifier.contains(locked[name], prereleases=True), (req, locked[name])


def test_every_pin_carries_a_hash_and_no_index_of_this_machine() -> None:
    text = LOCK.read_text()
    body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
    blocks = re.split(r"\n(?=[A-Za-z0-9])", body.strip())
    assert len(blocks) == len(pins()) > 10
    for block in blocks:
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), block.splitlines()[0]
    # options that would point pip at a local mirror have no place in a committed lock
    assert "--index-url" not in text and "--find-links" not in text and "file://" not in text
