"""Shared fixtures. The network guard is installed before any test runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.ci_skips import pytest_sessionfinish  # noqa: F401 (a hook: pytest finds it here)
from tests.netguard._attested_yet_netguard import install
from tests.order import long_first

# Hypothesis profiles. "default" (every push): a few examples, derandomized so a run is
# reproducible, and no deadline (a 2-core CI runner's hiccup is not a finding). "deep"
# (.github/workflows/deep.yml, `--hypothesis-profile=deep`): many random examples.
_FUZZ_CHECKS = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "default",
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=_FUZZ_CHECKS,
)
settings.register_profile(
    "deep",
    max_examples=120,
    deadline=None,
    suppress_health_check=_FUZZ_CHECKS,
)
settings.load_profile("default")  # `--hypothesis-profile=deep` replaces it at configure

#: On subprocesses' PYTHONPATH: its sitecustomize installs the same guard there.
NETGUARD = Path(__file__).parent / "netguard"

install()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Under pytest-xdist, every worker starts with its share of the ``long`` tests: see
    :func:`tests.order.long_first`. Every worker computes the same order, as xdist requires."""
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "0"))
    items[:] = long_first(items, lambda item: bool(item.get_closest_marker("long")), workers)


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
