"""Crawl state: what the last crawl learnt per package, so the next one can skip the unchanged.

One file per ecosystem, ``<data>/state/<ecosystem>.json``, written atomically beside the
snapshots and published with the site under ``data/state/`` (``publish.yml`` reads it back
from the live site before the next crawl, as it does the history). It holds, per package
(by normalized name):

* the **validators** of the package's key document (the first document the ecosystem reads
  for it: npm's packument, PyPI's first request): ``ETag``, ``Last-Modified`` and PyPI's
  ``X-PyPI-Last-Serial``;
* the **row** derived from that document (a :class:`~generator.models.PackageResult`).

The next crawl sends ``If-None-Match``/``If-Modified-Since`` with the key document's request;
a 304 reuses the row without downloading or parsing anything else. Every other document a
row depends on is immutable once its key document is fixed (npm's attestations of
``name@version``; PyPI's provenance of one file), and a row whose secondary document could
not be read, or an ``error`` row, is never stored: it is re-fetched next time.

A **change feed** (PyPI's ``/simple/`` root, npm's replication feed) can name the packages
that did not change at all; those cost no request. Its position is kept in ``feed``.

The state is only valid for the rules that made its rows: a :func:`fingerprint` of the tool
version, the export schema, the classification rules and the verification options. A
different fingerprint, registry, a format change or an unreadable file: the state is
ignored (a full crawl), never the run's failure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Literal

import msgspec
from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import to_json

from generator import __version__
from generator.classify import RULES_VERSION
from generator.models import SCHEMA_VERSION, PackageResult
from generator.snapshot import atomic_write
from generator.spool import RowSpool

STATE_DIR = "state"
STATE_FORMAT: Literal[1] = 1


class Validators(BaseModel):
    """What identifies one version of a package's key document."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    etag: str | None = None
    """The response's ``ETag``, sent back as ``If-None-Match``."""
    last_modified: str | None = None
    """The response's ``Last-Modified``, sent back as ``If-Modified-Since``."""
    serial: int | None = None
    """PyPI's ``X-PyPI-Last-Serial`` (compared with the ``/simple/`` root's ``_last-serial``)."""

    def usable(self) -> bool:
        """Whether a conditional request can be made from these."""
        return bool(self.etag or self.last_modified)


class Entry(BaseModel):
    """One package: its key document's validators and the row derived from it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    validators: Validators
    """Of the key document the row was derived from."""
    row: PackageResult
    """The row as last written (its ``rank`` is replaced by the current one on reuse)."""


class FeedCursor(BaseModel):
    """Where a change feed was read up to (npm: the replication feed's sequence)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    """The feed it belongs to; another URL means another sequence: ignored."""
    position: int
    """The sequence (npm ``update_seq``; PyPI the root's ``_last-serial``) at the start of
    the crawl that stored it."""


class CrawlState(BaseModel):
    """``<data>/state/<ecosystem>.json``."""

    model_config = ConfigDict(extra="forbid")

    format: Literal[1] = STATE_FORMAT
    """Layout of this file; another value: ignored."""
    fingerprint: str
    """:func:`fingerprint` of the run that wrote it."""
    ecosystem: str
    """Short name (``pypi``, ``npm``)."""
    registry: str
    """Base URL of the registry the rows came from."""
    feed: FeedCursor | None = None
    """Where the change feed was read at the start of the crawl that wrote this, if it was."""
    packages: dict[str, Entry] = {}
    """Normalized package name → entry."""


def fingerprint(skip: str | None, trusted_root: Path | None) -> str:
    """What invalidates every stored row: tool version, export schema, classification rules,
    and how provenance was verified (``VerifyOptions``' skip reason and trust root file, the
    sigstore version). Takes the options' fields so no ecosystem imports the verifier."""
    parts = [__version__, str(SCHEMA_VERSION), str(RULES_VERSION), skip or ""]
    if trusted_root is not None:
        try:
            parts.append(hashlib.sha256(trusted_root.read_bytes()).hexdigest())
        except OSError:
            parts.append(f"unreadable:{trusted_root}")
    try:
        parts.append(metadata.version("sigstore"))
    except metadata.PackageNotFoundError:
        parts.append("no-sigstore")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32]


def state_path(data: Path, ecosystem: str) -> Path:
    return data / STATE_DIR / f"{ecosystem}.json"


class StoredEntries(Mapping[str, Entry]):
    """A stored state's entries, kept on disk and decoded one at a time (issue 13: 10,000
    stored rows held as models were ~120 MB of a warm crawl). Only the validators are held,
    for the change feed. An entry whose row no longer reads as a row is absent: that one
    package is fetched afresh instead of the whole state being dropped."""

    def __init__(self, rows: RowSpool) -> None:
        self._slots: dict[str, int] = {}
        self._validators: list[Validators] = []
        self._rows = rows

    @classmethod
    def decode(cls, found: dict[str, _EntryText]) -> StoredEntries:
        """From a state's decoded ``packages``; ``ValueError`` if an entry's validators are
        not validators (its row is checked when it is used)."""
        stored = cls(RowSpool(len(found)))
        try:
            for slot, (key, entry) in enumerate(found.items()):
                stored._validators.append(Validators.model_validate_json(bytes(entry.validators)))
                stored._slots[key] = slot
                stored._rows.put(slot, bytes(entry.row))
        except BaseException:
            stored.close()
            raise
        return stored

    def __getitem__(self, key: str) -> Entry:
        slot = self._slots[key]
        text = self._rows.get(slot)
        assert text is not None
        try:
            row = PackageResult.model_validate_json(text)
        except ValidationError:
            raise KeyError(key) from None
        return Entry.model_construct(validators=self._validators[slot], row=row)

    def __iter__(self) -> Iterator[str]:
        return iter(self._slots)

    def __len__(self) -> int:
        return len(self._slots)

    def validators(self) -> Iterator[tuple[str, Validators]]:
        """Each entry's validators, without reading its row."""
        return ((key, self._validators[slot]) for key, slot in self._slots.items())

    def texts(self, keys: Iterable[str] | None = None) -> Iterator[tuple[str, bytes]]:
        """(name, the entry as JSON) of ``keys`` (default: all), without decoding the row:
        what :func:`state_json` writes. A row that no longer reads goes as it is, and is
        absent again when the state is read."""
        for key in self if keys is None else keys:
            slot = self._slots[key]
            validators = self._validators[slot]
            row = self._rows.get(slot)
            assert row is not None
            head = b'{"validators":' + validators.__pydantic_serializer__.to_json(validators)
            yield key, head + b',"row":' + row + b"}"

    def close(self) -> None:
        self._rows.close()


class _EntryText(msgspec.Struct, forbid_unknown_fields=True):
    validators: msgspec.Raw
    row: msgspec.Raw


class _Packages(msgspec.Struct):
    packages: dict[str, _EntryText] = {}


def load_state(body: bytes) -> tuple[CrawlState, StoredEntries]:
    """A state file's text as its head (every field, ``packages`` empty) and its entries;
    ``ValueError`` when it is not a state of this format."""
    fields = msgspec.json.decode(body, type=dict[str, msgspec.Raw])
    fields.pop("packages", None)
    head = CrawlState.model_validate_json(
        b"{" + b",".join(to_json(k) + b":" + bytes(v) for k, v in fields.items()) + b"}"
    )
    del fields
    # Decoded again, typed, from the text itself: a copy of the packages' text first (10,000
    # PyPI rows: 40 MB) was half of a warm crawl's peak.
    return head, StoredEntries.decode(msgspec.json.decode(body, type=_Packages).packages)


def read_state(
    data: Path, ecosystem: str, *, registry: str, expected: str
) -> tuple[tuple[CrawlState, StoredEntries] | None, str]:
    """The usable state of ``ecosystem`` (its head and its entries, which the caller
    closes) and a short word on it; None (with why) when there is none or it cannot be
    used: the crawl is then a full one."""
    path = state_path(data, ecosystem)
    try:
        body = path.read_bytes()
    except FileNotFoundError:
        return None, "no state yet: full crawl"
    except OSError as exc:
        return None, f"state unreadable ({type(exc).__name__}): full crawl"
    try:
        head, entries = load_state(body)
    except ValueError:
        return None, "state in an unknown format: full crawl"
    note = f"state of {len(entries)} packages"
    if head.ecosystem != ecosystem or head.registry != registry.rstrip("/"):
        note = "state from another registry: full crawl"
    elif head.fingerprint != expected:
        note = "rules, schema or tool version changed: full crawl"
    else:
        return (head, entries), note
    entries.close()
    return None, note


def write_state(
    data: Path, state: CrawlState, entries: Iterable[tuple[str, bytes]] | None = None
) -> Path:
    """Write ``state`` atomically (with ``entries``, as :func:`state_json` says); returns
    its path."""
    path = state_path(data, state.ecosystem)
    atomic_write(path, state_json(state, entries))
    return path


def state_json(
    state: CrawlState, entries: Iterable[tuple[str, bytes]] | None = None
) -> Iterator[bytes]:
    """``state.model_dump_json().encode()``, one entry at a time: the whole text of 10,000
    rows at once, as text and then as bytes, was the peak of a crawl's memory (issue 13).
    ``entries`` (normalized name, an ``Entry``'s compact JSON), when given, are the
    packages instead of ``state.packages`` (a crawl's rows are on disk: ``Crawled``).
    The entries go where the state without them has ``"packages":{}`` (in compact JSON a
    string's quotes are escaped, so that text is the field itself)."""
    if entries is None:
        entries = ((k, e.__pydantic_serializer__.to_json(e)) for k, e in state.packages.items())
    empty = state.__pydantic_serializer__.to_json(state.model_copy(update={"packages": {}}))
    before, after = empty.split(b'"packages":{}')
    yield before + b'"packages":{'
    for i, (name, entry) in enumerate(entries):
        yield (b"," if i else b"") + to_json(name) + b":" + entry
    yield b"}" + after


@dataclass
class StateRun:
    """One crawl's use of the state: what it starts from (what it leaves behind is the
    crawl's ``Crawled.entries``)."""

    previous: Mapping[str, Entry] = field(default_factory=dict)
    """Stored entries, by normalized name (empty for a full crawl)."""
    unchanged: frozenset[str] = frozenset()
    """Normalized names a change feed proved unchanged: reused with no request."""
    skipped: int = 0
    """Rows reused on the change feed's word (no request)."""

    def known(self) -> Iterator[tuple[str, Validators]]:
        """Each stored entry's validators (without reading its row when it is on disk)."""
        if isinstance(self.previous, StoredEntries):
            return self.previous.validators()
        return ((key, entry.validators) for key, entry in self.previous.items())


@dataclass(frozen=True)
class FeedAnswer:
    """What a change feed says: the known packages that did not change, and the position to
    store for next time (None: keep none)."""

    unchanged: frozenset[str]
    cursor: FeedCursor | None
    note: str = ""


def merge_states(
    states: list[tuple[CrawlState, StoredEntries]],
) -> tuple[CrawlState, Iterator[tuple[str, bytes]], int] | None:
    """One state from the states of the shards of one crawl (each as :func:`load_state`
    reads it): the head, every package of each as :func:`write_state` takes them (a name in
    two shards: the later shard's), and how many. The feed position is the earliest (each
    shard read the feed when it started; the earliest is the one every row is at least as
    new as). None when the shards disagree on what made them (fingerprint, registry,
    ecosystem): the next crawl is then a full one."""
    if not states:
        return None
    first = states[0][0]
    if any(
        (s.fingerprint, s.registry, s.ecosystem)
        != (first.fingerprint, first.registry, first.ecosystem)
        for s, _ in states
    ):
        return None
    cursors = [s.feed for s, _ in states]
    feed = None
    if all(c is not None and c.url == cursors[0].url for c in cursors):  # type: ignore[union-attr]
        feed = min(cursors, key=lambda c: c.position)  # type: ignore[union-attr]
    owner = {key: i for i, (_, entries) in enumerate(states) for key in entries}
    head = CrawlState(
        fingerprint=first.fingerprint, ecosystem=first.ecosystem, registry=first.registry, feed=feed
    )

    def texts() -> Iterator[tuple[str, bytes]]:
        for i, (_, entries) in enumerate(states):
            yield from entries.texts([key for key in entries if owner[key] == i])

    return head, texts(), len(owner)
