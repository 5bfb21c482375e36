"""History ↔ files under ``data/history/``. Writes are atomic, the index last."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from generator.errors import HistoryUnavailable
from generator.history.model import (
    HISTORY_DIR,
    HISTORY_SCHEMA_VERSION,
    INDEX_FILE,
    ChangesFile,
    DailyFile,
    EcosystemHistory,
    EcosystemIndex,
    History,
    IndexFile,
    StateFile,
)
from generator.models import Snapshot
from generator.snapshot import atomic_write

_M = TypeVar("_M", bound=BaseModel)


def _lines(header: dict[str, Any], key: str, rows: Iterable[BaseModel]) -> bytes:
    """A JSON object whose list ``key`` holds one row per line (compact, diff-friendly)."""
    head = json.dumps(header, separators=(",", ":"))[:-1]
    body = ",\n".join(r.model_dump_json(by_alias=True) for r in rows)
    return f'{head},"{key}":[\n{body}\n]}}\n'.encode()


def history_files(history: History) -> dict[str, bytes]:
    """File name (under ``data/history/``) → content."""
    files: dict[str, bytes] = {}
    index: dict[str, EcosystemIndex] = {}
    for eco, h in sorted(history.ecosystems.items()):
        header = {"schema_version": HISTORY_SCHEMA_VERSION, "ecosystem": eco}
        files[f"{eco}-daily.json"] = _lines(header, "days", h.days)
        files[f"{eco}-changes.json"] = _lines(header, "changes", h.changes)
        if h.state is not None:
            state = StateFile(ecosystem=eco, state=h.state)
            files[f"{eco}-state.json"] = state.model_dump_json().encode() + b"\n"
        index[eco] = EcosystemIndex(
            snapshot_date=h.snapshot_date,
            fresh=h.fresh,
            note=h.note,
            days=len(h.days),
            changes=len(h.changes),
        )
    updated = history.updated or datetime.now(UTC).date()
    files[INDEX_FILE] = (
        IndexFile(updated=updated, ecosystems=index).model_dump_json(indent=1).encode() + b"\n"
    )
    return files


def write_history(history: History, data_dir: Path) -> list[Path]:
    """Write ``data_dir/history/*`` atomically (index last: it marks a complete history)."""
    files = history_files(history)
    written = []
    for name in sorted(files, key=lambda n: n == INDEX_FILE):
        target = data_dir / HISTORY_DIR / name
        atomic_write(target, files[name])
        written.append(target)
    return written


def parse_history(read: Callable[[str], bytes], known: Collection[str] | None = None) -> History:
    """Build a History from ``read(name) -> bytes`` over the files of ``data/history/``.

    Every ecosystem key must be a plain short name (it names files), one of ``known`` when
    given, and each file must hold the ecosystem its name says: anything else is
    :class:`HistoryUnavailable`, never a path outside the data folder.
    """
    index = parse_model(IndexFile, read(INDEX_FILE), INDEX_FILE)
    unknown = sorted(eco for eco in index.ecosystems if known is not None and eco not in known)
    if unknown:
        shown = unknown[0][:40]
        raise HistoryUnavailable(f"{INDEX_FILE} is not valid history: unknown ecosystem {shown!r}")
    history = History(updated=index.updated)
    for eco, entry in index.ecosystems.items():
        days = _part(DailyFile, read, f"{eco}-daily.json", eco)
        changes = _part(ChangesFile, read, f"{eco}-changes.json", eco)
        state = None
        if entry.days:
            state = _part(StateFile, read, f"{eco}-state.json", eco).state
        history.ecosystems[eco] = EcosystemHistory(
            ecosystem=eco,
            days=days.days,
            changes=changes.changes,
            state=state,
            snapshot_date=entry.snapshot_date,
            fresh=entry.fresh,
            note=entry.note,
        )
    return history


_F = TypeVar("_F", DailyFile, ChangesFile, StateFile)


def _part(model: type[_F], read: Callable[[str], bytes], name: str, eco: str) -> _F:
    """One ecosystem's file, which must say it is that ecosystem's."""
    part = parse_model(model, read(name), name)
    others: set[str] = set()
    if isinstance(part, ChangesFile):
        others = {c.ecosystem for c in part.changes} - {eco}
    if part.ecosystem != eco or others:
        held = part.ecosystem if part.ecosystem != eco else min(others)
        raise HistoryUnavailable(f"{name} is not valid history: it holds {held!r}, not {eco!r}")
    return part


def parse_model(model: type[_M], data: bytes, name: str) -> _M:
    try:
        return model.model_validate_json(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])[:80]
        where = where.encode("unicode_escape").decode("ascii")  # a hostile key, shown inert
        raise HistoryUnavailable(f"{name} is not valid history: {where}: {first['msg']}") from None


def read_history_dir(data_dir: Path, known: Collection[str] | None = None) -> History:
    """The history under ``data_dir/history/`` (``data_dir`` is a data folder); ``known``
    as in :func:`parse_history`."""

    def read(name: str) -> bytes:
        path = data_dir / HISTORY_DIR / name
        try:
            return path.read_bytes()
        except OSError as exc:
            raise HistoryUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None

    return parse_history(read, known)


def find_snapshots(folder: Path) -> list[Snapshot]:
    """Every valid snapshot under ``folder`` (recursively; other JSON files are ignored)."""
    found = []
    for path in sorted(folder.rglob("*.json")):
        try:
            with path.open("rb") as handle:
                if b'"schema_version"' not in handle.read(256):
                    continue
            found.append(Snapshot.model_validate_json(path.read_bytes()))
        except (OSError, ValidationError):
            continue
    return found
