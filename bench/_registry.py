"""A loopback registry that emulates PyPI and npm for the benchmarks (not for tests).

Serves, for any package name, documents of realistic size (bench/_docs.py) after a fixed
latency per request, over HTTP/1.1 keep-alive, from its own process, so that its CPU is not
counted as the crawler's. One package in three is attested. Counts requests and bytes.

Run on its own: python bench/_registry.py [latency_ms]  (prints its port)
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import multiprocessing
import sys
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _docs import packument, pypi_documents  # noqa: E402

NAME = "zzqqname"
"""Placeholder name in the template documents, replaced per request (same length class)."""


def attested(name: str) -> bool:
    return zlib.crc32(name.encode()) % 3 == 0


class Documents:
    """Template documents (one attested, one not), with the package name substituted."""

    def __init__(self) -> None:
        self.pypi = {flag: pypi_documents(NAME, attested=flag) for flag in (False, True)}
        self.npm = {flag: packument(NAME, attested=flag) for flag in (False, True)}
        self.npm_attestations = json.dumps(
            {
                "attestations": [
                    {"predicateType": "https://slsa.dev/provenance/v1", "bundle": {"x": "y" * 8000}}
                ]
            }
        ).encode()

    def get(self, path: str) -> bytes | None:
        parts = path.split("/")
        if parts[1] in ("pypi", "simple", "integrity"):
            name = parts[2]
            docs = self.pypi[attested(name) or parts[1] == "integrity"]
            kind = {
                ("pypi", 4): "/pypi/{n}/json",
                ("pypi", 5): "/pypi/{n}/{v}/json",
                ("simple", 4): "/simple/{n}/",
            }.get((parts[1], len(parts)), "/integrity/")
            for template_path, body in docs.items():
                shape = template_path.split("/")
                if (kind == "/pypi/{n}/{v}/json" and len(shape) == 5 and shape[1] == "pypi") or (
                    template_path.startswith(kind.replace("{n}", NAME))
                ):
                    return body.replace(NAME.encode(), name.encode())
            return None
        if path.startswith("/-/npm/v1/attestations/"):
            return self.npm_attestations
        name = unquote(path.lstrip("/"))
        return self.npm[attested(name)].replace(NAME.encode(), name.encode())


async def _serve(latency: float, ready: Any, counters: Any) -> None:
    docs = Documents()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                await asyncio.sleep(latency)
                body = docs.get(path.split("?")[0])
                etag = hashlib.md5(body or b"").hexdigest()[:16]
                if body is None:
                    status, body = b"404 Not Found", b'{"message": "Not Found"}'
                elif b'\r\nif-none-match: "' + etag.encode() + b'"' in head.lower():
                    status, body = b"304 Not Modified", b""  # a warm crawl's conditional request
                else:
                    status = b"200 OK"
                writer.write(
                    b"HTTP/1.1 " + status + b"\r\nContent-Type: application/json\r\n"
                    b'ETag: "' + etag.encode() + b'"\r\n'
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
                )
                with counters.get_lock():
                    counters[0] += 1
                    counters[1] += len(body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, backlog=1024)
    ready.put(server.sockets[0].getsockname()[1])
    async with server:
        await server.serve_forever()


def _main(latency: float, ready: Any, counters: Any) -> None:
    asyncio.run(_serve(latency, ready, counters))


class Emulator:
    """The registry in a child process: ``with Emulator(0.05) as url: ...``."""

    def __init__(self, latency: float = 0.05) -> None:
        self.latency = latency
        self.counters = multiprocessing.Array("q", 2)

    def __enter__(self) -> str:
        ready: Any = multiprocessing.Queue()
        self.process = multiprocessing.Process(
            target=_main, args=(self.latency, ready, self.counters), daemon=True
        )
        self.process.start()
        return f"http://127.0.0.1:{ready.get(timeout=60)}"

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.join()

    def reset(self) -> tuple[int, int]:
        """(requests, bytes) served since the last reset."""
        with self.counters.get_lock():
            seen = (self.counters[0], self.counters[1])
            self.counters[0] = self.counters[1] = 0
        return seen


if __name__ == "__main__":
    with Emulator(float(sys.argv[1]) / 1000 if len(sys.argv) > 1 else 0.05) as url:
        print(url, flush=True)
        multiprocessing.Event().wait()
