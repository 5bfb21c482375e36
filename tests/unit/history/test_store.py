"""History files (history.store): invalid and missing files."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import history as hist


def test_invalid_history_file_is_unavailable(tmp_path: Path) -> None:
    (tmp_path / "history").mkdir()
    (tmp_path / "history/index.json").write_text('{"schema_version": 2}')
    with pytest.raises(hist.HistoryUnavailable, match="index.json is not valid history"):
        hist.read_history_dir(tmp_path)
    with pytest.raises(hist.HistoryUnavailable, match="cannot read"):
        hist.read_history_dir(tmp_path / "missing")
