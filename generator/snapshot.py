"""Snapshot ↔ JSON files. Writes are atomic: a reader sees the old file or the new one."""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from generator.errors import SnapshotError
from generator.models import Snapshot
from generator.spool import indented

SCHEMA_FILE = "schema.json"


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` (bytes, or pieces of them in order) to ``path`` via a temporary file
    in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):  # mkstemp's 0600 would make published files unreadable
            os.fchmod(fd, 0o644)
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, bytes):
                handle.write(data)
            else:
                handle.writelines(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def schema() -> dict[str, Any]:
    """The JSON Schema of a snapshot, generated from the models."""
    document = Snapshot.model_json_schema(mode="serialization")
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["$id"] = "schema.json"
    return document


def write_snapshot(snapshot: Snapshot, data_dir: Path, rows: Iterable[bytes] | None = None) -> Path:
    """Write ``<data_dir>/<ecosystem>.json`` and ``schema.json`` atomically (with ``rows``,
    as :func:`snapshot_json` says)."""
    path = data_dir / f"{snapshot.ecosystem}.json"
    for stale in data_dir.glob(f".{path.name}.*.tmp"):  # left by a killed run; never read
        stale.unlink(missing_ok=True)
    atomic_write(path, snapshot_json(snapshot, rows))
    atomic_write(data_dir / SCHEMA_FILE, json.dumps(schema(), indent=1).encode() + b"\n")
    return path


def snapshot_json(snapshot: Snapshot, rows: Iterable[bytes] | None = None) -> Iterator[bytes]:
    """``snapshot.model_dump_json(indent=1)`` and a newline, as bytes, one row at a time.

    ``rows``, when given, are the packages instead of ``snapshot.packages``: each a row's
    compact JSON, in order (a crawl's rows are on disk: ``generator.spool``).

    The whole text of 10,000 rows held at once (as text, then as bytes, then with the
    newline) was the peak of a crawl's and of a render's memory (issue 13); this holds one
    row's. The rows are written where the snapshot without them has ``"packages": []``,
    each indented as it is inside the list (a string in JSON never holds a raw newline, so
    every newline of a row's text is one of its lines)."""
    if rows is None:
        models = snapshot.packages
        rows = (r.__pydantic_serializer__.to_json(r, indent=1) for r in models)
    else:
        rows = (indented(text) for text in rows)
    serializer = snapshot.__pydantic_serializer__
    empty = serializer.to_json(snapshot.model_copy(update={"packages": []}), indent=1)
    before, after = empty.split(_EMPTY_PACKAGES)  # a field name is written once
    texts = iter(rows)
    first = next(texts, None)
    if first is None:
        yield empty + b"\n"
        return
    yield before + b'\n "packages": ['
    yield b"\n  " + first.replace(b"\n", b"\n  ")
    for text in texts:
        yield b",\n  " + text.replace(b"\n", b"\n  ")
    yield b"\n ]" + after + b"\n"


_EMPTY_PACKAGES = b'\n "packages": []'


#: What an ecosystem's short name may look like: it names files and folders of the site.
_ECOSYSTEM_NAME = re.compile(r"[a-z][a-z0-9-]{0,31}")


def read_snapshot(path: Path) -> Snapshot:
    """Read and validate one snapshot file; its ``ecosystem`` must be the file's own name
    (``pypi.json`` holds ``"ecosystem": "pypi"``), since it later names files and folders."""
    try:
        snapshot = Snapshot.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise SnapshotError(f"cannot read {path}: {exc.strerror or exc}") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SnapshotError(f"{path} is not a valid snapshot: {where}: {first['msg']}") from None
    if not _ECOSYSTEM_NAME.fullmatch(snapshot.ecosystem) or snapshot.ecosystem != path.stem:
        shown = snapshot.ecosystem[:40].encode("unicode_escape").decode("ascii")
        raise SnapshotError(
            f"{path} is not a valid snapshot: ecosystem {shown!r} is not the file's name"
        )
    return snapshot


def read_snapshots(data_dir: Path) -> list[Snapshot]:
    """Every ``<ecosystem>.json`` snapshot in ``data_dir`` (sorted by ecosystem)."""
    paths = sorted(
        p for p in data_dir.glob("*.json") if p.name != SCHEMA_FILE and not p.name.startswith(".")
    )
    snapshots = [read_snapshot(p) for p in paths if _looks_like_snapshot(p)]
    if not snapshots:
        raise SnapshotError(f"no snapshots in {data_dir} (run `attested-yet crawl` first)")
    return snapshots


def _looks_like_snapshot(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return b'"schema_version"' in handle.read(256)
    except OSError:
        return False
