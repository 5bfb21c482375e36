"""A crawl's finished rows, kept on disk until the snapshot and the crawl state are written.

Issue 13: holding every finished row as a pydantic model until the end made a crawl's memory
grow by ~12 kB per package (316 MB at 10,000 PyPI packages). Each row is now serialized
once, as it finishes, into an anonymous temporary file (removed by the system when closed,
also when the process is killed); the crawl keeps its offset, the summary is counted as rows
arrive (:class:`~generator.models.Tally`), and the snapshot and the state are written by
reading the rows back one at a time. Memory no longer grows with the number of packages.
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import msgspec

from generator.models import PackageResult, Snapshot


class _Closed(ABC):
    """``with x:`` closes ``x`` on the way out."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @abstractmethod
    def close(self) -> None:
        """Release what is held (the temporary file)."""


class RowSpool(_Closed):
    """Compact JSON texts in numbered slots, in a temporary file; read back in slot order."""

    def __init__(self, slots: int) -> None:
        self._file = tempfile.TemporaryFile(prefix="attested-yet-rows-")
        self._offset = array("q", [-1]) * slots
        self._length = array("q", [0]) * slots
        self._end = 0

    def put(self, slot: int, text: bytes) -> None:
        """Keep ``text`` as slot ``slot``'s (a slot is written once)."""
        if self._offset[slot] != -1:
            raise ValueError(f"slot {slot} is already written")
        self._file.seek(self._end)
        self._file.write(text)
        self._offset[slot], self._length[slot] = self._end, len(text)
        self._end += len(text)

    def get(self, slot: int) -> bytes | None:
        """Slot ``slot``'s text, or None when it was never written."""
        offset = self._offset[slot]
        if offset == -1:
            return None
        self._file.seek(offset)
        return self._file.read(self._length[slot])

    def slots(self) -> Iterator[int]:
        """The written slots, in order."""
        return (i for i, offset in enumerate(self._offset) if offset != -1)

    def texts(self) -> Iterator[bytes]:
        """Every written slot's text, in slot order (one held at a time)."""
        for slot in self.slots():
            text = self.get(slot)
            assert text is not None
            yield text

    def __len__(self) -> int:
        return sum(1 for _ in self.slots())

    @property
    def size(self) -> int:
        """Bytes written to the file."""
        return self._end

    def close(self) -> None:
        self._file.close()


def indented(text: bytes) -> bytes:
    """A row's compact JSON as ``model_dump_json(indent=1)`` writes it (only whitespace
    outside strings differs; a test holds the two byte-identical)."""
    return msgspec.json.format(text, indent=1)


@dataclass
class Crawled(_Closed):
    """One ecosystem's crawl: the snapshot without its rows (``head``: every field, the
    summary counting every row, ``packages`` empty), and the rows, by rank order, on disk.

    ``kept`` names the rows the next crawl may reuse: slot → (normalized name, the key
    document's validators as compact JSON)."""

    head: Snapshot
    rows: RowSpool
    kept: dict[int, tuple[str, bytes]] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    """Names of attested rows whose provenance FAILED verification (in finishing order)."""

    def packages(self) -> Iterator[PackageResult]:
        """The rows as models, one at a time, in rank order."""
        for text in self.rows.texts():
            yield PackageResult.model_validate_json(text)

    def snapshot(self) -> Snapshot:
        """The whole snapshot in memory (tests, and callers of small crawls)."""
        return self.head.model_copy(update={"packages": list(self.packages())})

    def entries(self) -> Iterator[tuple[str, bytes]]:
        """The crawl state's entries, in rank order: normalized name → the entry's compact
        JSON (``Entry``'s own serialization: ``{"validators": …, "row": …}``)."""
        for slot in sorted(self.kept):
            key, validators = self.kept[slot]
            row = self.rows.get(slot)
            assert row is not None
            yield key, b'{"validators":' + validators + b',"row":' + row + b"}"

    def close(self) -> None:
        self.rows.close()


def failed_line(ecosystem: str, names: list[str]) -> str | None:
    """A loud line naming the attested releases whose provenance failed verification."""
    if not names:
        return None
    shown = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    return f"{ecosystem}: {len(names)} attested release(s) FAILED verification: {shown}"
