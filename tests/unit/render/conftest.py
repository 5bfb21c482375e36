from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.render.samples import hostile_snapshots, render_site


@pytest.fixture
def site(tmp_path: Path) -> Path:
    render_site(hostile_snapshots(demo=True), tmp_path / "site")
    return tmp_path / "site"
