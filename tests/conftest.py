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


def _samples_dir() -> Path:
    """The shared real registry samples (never committed here): $ATTESTED_YET_SAMPLES, else
    ``../shared/registry-samples`` beside the repository root."""
    configured = os.environ.get("ATTESTED_YET_SAMPLES")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent.parent / "shared" / "registry-samples"


@pytest.fixture(scope="session")
def samples() -> Path:
    """Real registry samples with real signatures; skip without them, fail under CI."""
    root = _samples_dir()
    if not (root / "SOURCES.md").is_file():
        message = f"real registry samples not found at {root} (set ATTESTED_YET_SAMPLES)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return root
