"""The HTTP seam under hostile bodies: trailing bytes after gzip, numbers JSON cannot hold.

Bodies are streamed through ``httpx.MockTransport`` (no sockets), chunk by chunk as a server
would send them, and the tests count how many chunks the fetcher pulled before it stopped.
"""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator

import httpx
import pytest

from generator.errors import PackageError
from generator.http import Fetcher, HttpPolicy, MiB, decode_json

FAST = HttpPolicy(attempts=1, deadline=5.0)


class Chunks(httpx.AsyncByteStream):
    """A body sent in pieces; ``sent`` counts the pieces the client asked for."""

    def __init__(self, first: bytes, then: bytes = b"", repeat: int = 0) -> None:
        self.first, self.then, self.repeat, self.sent = first, then, repeat, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.sent += 1
        yield self.first
        for _ in range(self.repeat):
            self.sent += 1
            yield self.then


def fetcher(stream: Chunks, *, max_bytes: int = 1 * MiB) -> Fetcher:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Encoding": "gzip"}, stream=stream)

    policy = HttpPolicy(attempts=1, deadline=5.0, max_bytes=max_bytes)
    return Fetcher("https://registry.test", policy, transport=httpx.MockTransport(handler))


async def test_trailing_garbage_after_gzip_ends_the_request_at_once() -> None:
    # 1.8 GiB of garbage in 64 KiB chunks, after a complete gzip member
    stream = Chunks(gzip.compress(b'{"ok": true}'), b"\0" * 65536, repeat=29_000)
    async with fetcher(stream) as f:
        with pytest.raises(PackageError, match="bytes after the end of the gzip body"):
            await f.get_bytes("/x")
    assert stream.sent <= 2


async def test_trailing_bytes_in_the_same_chunk_are_refused() -> None:
    stream = Chunks(gzip.compress(b'{"ok": true}') + b"GARBAGE")
    async with fetcher(stream) as f:
        with pytest.raises(PackageError, match="after the end of the gzip body"):
            await f.get_bytes("/x")


async def test_wire_bytes_count_toward_the_cap() -> None:
    # a gzip header whose comment field (FCOMMENT) never ends: it decodes to nothing at all,
    # so only the bytes on the wire can stop it
    header = b"\x1f\x8b\x08\x10" + b"\0\0\0\0" + b"\0\xff"
    stream = Chunks(header, b"c" * 65536, repeat=29_000)
    async with fetcher(stream, max_bytes=1 * MiB) as f:
        with pytest.raises(PackageError, match="over the 1 MiB cap"):
            await f.get_bytes("/x")
    assert stream.sent == 1 + 16  # the header, then the 16th chunk of 64 KiB passes 1 MiB


async def test_a_whole_gzip_body_still_reads() -> None:
    stream = Chunks(gzip.compress(b'{"ok": true}'))
    async with fetcher(stream) as f:
        assert decode_json(await f.get_bytes("/x")) == {"ok": True}


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"info": {"size": NaN}}', 'NaN is not a JSON number in "size"'),
        (b'{"downloads": -Infinity}', '-Infinity is not a JSON number in "downloads"'),
        (b'{"n": ' + b"9" * 100_000 + b"}", 'a number of 100,000 digits in "n"'),
        (b'{"size": 1e999}', 'out of range (1e999…) in "size"'),
        (b"[Infinity]", "Infinity is not a JSON number)"),
    ],
)
def test_numbers_json_cannot_hold_name_their_field(body: bytes, reason: str) -> None:
    with pytest.raises(PackageError) as caught:
        decode_json(body)
    assert caught.value.reason.startswith("malformed JSON (")
    assert reason in caught.value.reason


def test_ordinary_numbers_decode() -> None:
    assert decode_json(b'{"a": -12, "b": 1.5e3, "c": ' + b"9" * 40 + b"}") == {
        "a": -12,
        "b": 1500.0,
        "c": int("9" * 40),
    }
