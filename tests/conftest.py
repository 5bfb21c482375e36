"""Shared fixtures. The network guard is installed before any test runs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

NETGUARD = Path(__file__).parent / "netguard"
sys.path.insert(0, str(NETGUARD))
from _attested_yet_netguard import install  # noqa: E402

install()


@pytest.fixture
def guarded_env() -> dict[str, str]:
    """Environment for subprocesses: the same network guard, loaded by sitecustomize."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(NETGUARD), env.get("PYTHONPATH")]))
    env.pop("ATTESTED_YET_DEBUG", None)
    return env


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
