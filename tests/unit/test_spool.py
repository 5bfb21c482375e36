"""``generator.spool``: a crawl's rows on disk, read back in rank order, byte for byte."""

from __future__ import annotations

import gc
import weakref

import httpx
import pytest

from generator.crawl import RankedList, crawl
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import PackageResult, SourceInfo, summarize
from generator.snapshot import snapshot_json
from generator.spool import RowSpool, indented
from generator.state import CrawlState, Entry, Validators, state_json
from generator.verify import VerifyOptions
from tests.builders import encoded, npm_path, package, packument, snapshot


def test_slots_come_back_in_slot_order_whatever_order_they_were_written() -> None:
    with RowSpool(5) as spool:
        for slot, text in [(3, b'{"d":4}'), (0, b'{"a":1}'), (4, b"{}"), (1, b'{"b":"\xc3\xa9"}')]:
            spool.put(slot, text)
        assert list(spool.texts()) == [b'{"a":1}', b'{"b":"\xc3\xa9"}', b'{"d":4}', b"{}"]
        assert list(spool.slots()) == [0, 1, 3, 4]
        assert spool.get(2) is None and spool.get(4) == b"{}"
        assert len(spool) == 4 and spool.size == 7 + 7 + 2 + len('{"b":"é"}'.encode())
        with pytest.raises(ValueError, match="slot 3 is already written"):
            spool.put(3, b"{}")


def test_the_file_is_gone_once_closed() -> None:
    spool = RowSpool(1)
    spool.put(0, b"{}")
    spool.close()
    with pytest.raises(ValueError):
        spool.get(0)


def rows() -> list[PackageResult]:
    """Rows with nesting, empty lists, escapes and non-ASCII text."""
    return [
        package(1, "plain"),
        package(2, "esc", reason='a "quoted" \\ back\tslash\nnewline é ☃ \U0001f600'),
        package(3, "repo", repository="https://github.com/o/r", trusted_publishing=True),
    ]


@pytest.mark.parametrize("row", rows(), ids=lambda r: r.name)
def test_the_indented_text_is_pydantics_own(row: PackageResult) -> None:
    compact = row.__pydantic_serializer__.to_json(row)
    assert indented(compact) == row.__pydantic_serializer__.to_json(row, indent=1)


def test_a_snapshot_from_spooled_rows_is_the_snapshot_from_models() -> None:
    whole = snapshot("pypi", rows())
    texts = [r.__pydantic_serializer__.to_json(r) for r in whole.packages]
    head = whole.model_copy(update={"packages": []})
    assert b"".join(snapshot_json(head, texts)) == b"".join(snapshot_json(whole))
    assert b"".join(snapshot_json(head, [])) == head.model_dump_json(indent=1).encode() + b"\n"


def test_state_entries_from_text_are_the_states_own_serialization() -> None:
    entries = {
        r.name: Entry(validators=Validators(etag=f'W/"{r.rank}"', serial=r.rank), row=r)
        for r in rows()
    }
    state = CrawlState(fingerprint="f", ecosystem="pypi", registry="https://r", packages=entries)
    texts = [(k, e.__pydantic_serializer__.to_json(e)) for k, e in entries.items()]
    empty = state.model_copy(update={"packages": {}})
    assert b"".join(state_json(empty, texts)) == state.model_dump_json().encode()


NAMES = ["alpha", "beta", "gamma"]


def registry(request: httpx.Request) -> httpx.Response:
    name = next((n for n in NAMES if npm_path(n) == request.url.path), None)
    if name is None:
        return httpx.Response(404)
    return httpx.Response(200, content=encoded(packument(name)), headers={"ETag": f'"{name}"'})


async def test_a_crawl_keeps_no_row_in_memory_and_its_rows_and_state_read_back() -> None:
    alive: list[weakref.ref[PackageResult]] = []
    held: list[int] = []

    def finished(row: PackageResult) -> None:  # one package at a time: the earlier are done
        gc.collect()
        held.append(sum(ref() is not None for ref in alive))
        alive.append(weakref.ref(row))

    ranked = RankedList(NAMES, SourceInfo(kind="packages-file", location="t", requested=3))
    policy, transport = HttpPolicy(attempts=1, concurrency=1), httpx.MockTransport(registry)
    async with Fetcher("https://r.test", policy, transport=transport) as f:
        crawled = await crawl(
            REGISTRY["npm"],
            f,
            ranked,
            verify=VerifyOptions(skip="test"),
            on_result=finished,
        )
    with crawled:
        assert held == [0, 0, 0], "no finished row is held while the crawl goes on"
        rows = list(crawled.packages())
        assert [(r.rank, r.name) for r in rows] == [(1, "alpha"), (2, "beta"), (3, "gamma")]
        assert crawled.head.packages == [] and crawled.head.summary.total == 3
        assert crawled.head.summary == summarize(rows)
        entries = {k: Entry.model_validate_json(t) for k, t in crawled.entries()}
        assert list(entries) == NAMES, "rank order"
        assert [e.validators.etag for e in entries.values()] == ['"alpha"', '"beta"', '"gamma"']
        assert [e.row for e in entries.values()] == rows
