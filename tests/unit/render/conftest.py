from __future__ import annotations

from pathlib import Path

import pytest

from tests.once import built_once
from tests.unit.render.samples import hostile_snapshots, render_site


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile demo snapshots rendered, once per run: the tests only read it."""

    def build(out: Path) -> None:
        render_site(hostile_snapshots(demo=True), out)

    return built_once(tmp_path_factory, "hostile-site", build)
