"""generator.atomic.replace_dir: all or nothing, on every path through it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator import atomic
from generator.atomic import MARKER, replace_dir
from generator.errors import GeneratorError


def site(folder: Path, text: str) -> None:
    (folder / "index.html").write_text(text)
    (folder / "data").mkdir()
    (folder / "data" / "x.json").write_text(text)


def contents(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_replaces_whole_and_leaves_no_debris(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "site"
    replace_dir(out, lambda d: site(d, "one"))
    replace_dir(out, lambda d: site(d, "two"))
    assert contents(out) == {MARKER: "", "index.html": "two", "data/x.json": "two"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert oct(out.stat().st_mode & 0o777) == oct(0o755)


def test_a_failing_build_keeps_the_old_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    replace_dir(out, lambda d: site(d, "one"))

    def broken(folder: Path) -> None:
        (folder / "index.html").write_text("half")
        raise RuntimeError("template error")

    with pytest.raises(RuntimeError):
        replace_dir(out, broken)
    assert contents(out)["index.html"] == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_kill_between_the_two_renames_is_repaired(tmp_path: Path) -> None:
    """The fallback moves the old site into .site.old-*/ first; if the process dies before
    the second rename, the next run puts it back before anything else."""
    out = tmp_path / "site"
    replace_dir(out, lambda d: site(d, "one"))
    aside = tmp_path / ".site.old-abc"
    aside.mkdir()
    os.rename(out, aside / "site")
    (tmp_path / ".site.new-def").mkdir()  # an unfinished build, also left behind

    def look(folder: Path) -> None:
        assert contents(out)["index.html"] == "one"  # restored before the build
        site(folder, "two")

    replace_dir(out, look)
    assert contents(out)["index.html"] == "two"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path: Path) -> None:
    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(GeneratorError, match="not a site made by attested-yet"):
        replace_dir(tmp_path, lambda d: site(d, "x"))
    assert (tmp_path / "precious.txt").read_text() == "keep me"
    empty = tmp_path / "empty"
    empty.mkdir()
    replace_dir(empty, lambda d: site(d, "x"))
    assert (empty / MARKER).is_file()


def test_a_half_written_snapshot_is_never_read_and_is_swept(tmp_path: Path) -> None:
    """A kill during atomic_write leaves ``.npm.json.<random>.tmp``: never read as a
    snapshot, removed by the next write of that snapshot."""
    from datetime import UTC, datetime

    from generator.ecosystems import REGISTRY
    from generator.models import Snapshot, SourceInfo, summarize
    from generator.snapshot import read_snapshots, write_snapshot

    snapshot = Snapshot(
        ecosystem="npm",
        generated_at=datetime(2026, 1, 1, tzinfo=UTC),
        registry="https://registry.test",
        attestation_cutoff=REGISTRY["npm"].attestation_cutoff,
        source=SourceInfo(kind="top-n", location="x", requested=0),
        summary=summarize([]),
        packages=[],
    )
    write_snapshot(snapshot, tmp_path)
    half = tmp_path / ".npm.json.k1ll3d.tmp"
    half.write_bytes(b'{"schema_version": 1, "ecosystem": "npm", "packa')
    assert [s.ecosystem for s in read_snapshots(tmp_path)] == ["npm"]
    write_snapshot(snapshot, tmp_path)
    assert not half.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["npm.json", "schema.json"]
