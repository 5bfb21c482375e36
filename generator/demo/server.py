"""A recorded registry served over real HTTP on 127.0.0.1.

Used by ``--demo`` (the bundled recorded PyPI and npm registries) and by the tests, which
also script responses per path (a sequence of responses, the last one repeating) to
inject faults. Paths are matched exactly as sent (``/@scope%2fname`` stays encoded).
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    gzip: bool = False
    """Send the body gzip-encoded (``Content-Encoding: gzip``)."""
    action: Callable[[BaseHTTPRequestHandler], None] | None = None
    """Take over the connection instead (stall, reset, trickle ...)."""


class Registry:
    """Routes (path → replies) and a count of requests per path."""

    def __init__(self, routes: dict[str, list[Reply]] | None = None) -> None:
        self.routes: dict[str, list[Reply]] = routes or {}
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, float]] = []
        """Every request as (path, time.monotonic()), in arrival order."""
        self._lock = threading.Lock()

    def add(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def add_json(self, path: str, document: object, status: int = 200) -> None:
        self.add(path, Reply(status, json.dumps(document).encode()))

    def reply_for(self, path: str) -> Reply:
        with self._lock:
            count = self.hits[path]
            self.hits[path] += 1
            self.log.append((path, time.monotonic()))
        replies = self.routes.get(path) or self.routes.get(path.lower())
        if not replies:
            return Reply(404, b'{"error":"Not found"}')
        return replies[min(count, len(replies) - 1)]

    @classmethod
    def from_directory(cls, root: Path) -> Registry:
        """Load ``routes.json`` (path → {status, file, content_type}) from a recording."""
        manifest = json.loads((root / "routes.json").read_text(encoding="utf-8"))
        routes = {}
        for path, entry in manifest.items():
            body = (root / entry["file"]).read_bytes() if entry.get("file") else b""
            routes[path] = [
                Reply(
                    status=entry.get("status", 200),
                    body=body,
                    content_type=entry.get("content_type", "application/json"),
                )
            ]
        return cls(routes)


# Connection-level faults, for ``Reply(action=...)``. Each takes over the connection.

Action = Callable[[BaseHTTPRequestHandler], None]


def stall(seconds: float) -> Action:
    """Read the request, then say nothing for ``seconds`` (past a read timeout)."""

    def action(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        handler.close_connection = True

    return action


def hang_up() -> Action:
    """Close the connection without a response."""

    def action(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True

    return action


def retry_after_date(status: int, seconds: int) -> Action:
    """``status`` with ``Retry-After`` as an HTTP-date ``seconds`` from the moment of the
    request (computed then, so the wait the client sees is real)."""

    def action(handler: BaseHTTPRequestHandler) -> None:
        from email.utils import formatdate

        handler.send_response(status)
        handler.send_header("Retry-After", formatdate(time.time() + seconds, usegmt=True))
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return action


def reset_mid_body(body: bytes, sent: int) -> Action:
    """Announce all of ``body``, send its first ``sent`` bytes, then reset (TCP RST)."""

    def action(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        try:
            handler.wfile.write(body[:sent])
            handler.wfile.flush()
            # SO_LINGER with a zero timeout: close() sends RST instead of FIN.
            handler.connection.setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        except OSError:
            pass
        handler.close_connection = True

    return action


def trickle(interval: float, seconds: float = 60.0) -> Action:
    """A 200 that sends one byte every ``interval`` seconds for ``seconds``: each read is
    quick, the body never completes (only an overall deadline ends it)."""

    def action(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        stop = time.monotonic() + seconds
        try:
            while time.monotonic() < stop:
                handler.wfile.write(b" ")
                handler.wfile.flush()
                time.sleep(interval)
        except OSError:
            pass
        handler.close_connection = True

    return action


def stream(chunks: Iterable[bytes], *, gzip_encoded: bool = False) -> Action:
    """A 200 whose body is ``chunks``, generated as sent (never held whole), without a
    Content-Length (delimited by closing the connection); ``gzip_encoded`` compresses it
    on the fly."""

    def action(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        if gzip_encoded:
            handler.send_header("Content-Encoding", "gzip")
        handler.end_headers()
        packer = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16) if gzip_encoded else None
        try:
            for chunk in chunks:
                handler.wfile.write(packer.compress(chunk) if packer else chunk)
            if packer:
                handler.wfile.write(packer.flush())
            handler.wfile.flush()
        except OSError:
            pass
        handler.close_connection = True

    return action


def _handler(registry: Registry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            reply = registry.reply_for(self.path)
            if reply.action is not None:
                reply.action(self)
                return
            body = gzip.compress(reply.body) if reply.gzip else reply.body
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(body)))
            if reply.gzip:
                self.send_header("Content-Encoding", "gzip")
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    # socketserver's default backlog of 5 drops SYNs when a crawl opens dozens of
    # connections at once; the client then waits 1 s for a retransmit (a connect timeout).
    request_queue_size = 128

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up mid-response is expected in fault tests


@contextmanager
def serve(registry: Registry) -> Iterator[str]:
    """Serve ``registry`` on 127.0.0.1 (a free port) in a thread; yield its base URL."""
    server = _Server(("127.0.0.1", 0), _handler(registry))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
