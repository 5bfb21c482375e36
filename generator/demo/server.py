"""A recorded registry served over real HTTP on 127.0.0.1.

Used by ``--demo`` (the bundled recorded PyPI and npm registries) and by the tests, which
also script responses per path (a sequence of responses, the last one repeating). Paths are
matched exactly as sent (``/@scope%2fname`` stays encoded). A :class:`Reply` may hand the
connection to a custom ``action`` instead; the tests' connection faults (stalls, resets,
trickles, ...) are such actions and live with the tests (``tests/faults/actions.py``).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

Action = Callable[[BaseHTTPRequestHandler], None]
"""A custom reply: given the request's handler, it writes (or withholds) the response."""


@dataclass
class Reply:
    """One scripted response."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json"
    gzip: bool = False
    """Send the body gzip-encoded (``Content-Encoding: gzip``)."""
    action: Action | None = None
    """Take over the connection instead of sending this reply (a custom response)."""


class Registry:
    """Routes (path → replies) and a count of requests per path."""

    def __init__(self, routes: dict[str, list[Reply]] | None = None) -> None:
        self.routes: dict[str, list[Reply]] = routes or {}
        self.hits: Counter[str] = Counter()
        self.log: list[tuple[str, float]] = []
        """Every request as (path, time.monotonic() on arrival), in arrival order."""
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
        routes.update(_release_routes(routes))
        return cls(routes)


def _release_routes(routes: dict[str, list[Reply]]) -> dict[str, list[Reply]]:
    """PyPI's ``/pypi/<name>/<version>/json`` for the latest release of every recorded
    ``/pypi/<name>/json``, as PyPI serves it: the same document without ``releases``."""
    derived = {}
    for path, replies in routes.items():
        parts = path.split("/")
        if len(parts) != 4 or parts[1] != "pypi" or parts[3] != "json" or len(replies) != 1:
            continue
        try:
            doc = json.loads(replies[0].body)
            version = doc["info"]["version"]
        except (ValueError, KeyError, TypeError):
            continue
        doc.pop("releases", None)
        derived[f"/pypi/{parts[2]}/{version}/json"] = [Reply(body=json.dumps(doc).encode())]
    return {p: r for p, r in derived.items() if p not in routes}


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
