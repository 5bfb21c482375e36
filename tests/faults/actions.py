"""Connection-level faults for the test registry: ``Reply(action=...)`` takes over the
connection (see ``generator.demo.server``). Used by the tests and ``bench/faults.py``."""

from __future__ import annotations

import socket
import struct
import time
import zlib
from collections.abc import Iterable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler

from generator.demo.server import Action


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
