"""The one HTTP seam: a polite, bounded, retrying JSON fetcher confined to one registry.

Every registry request goes through :class:`Fetcher`:

* one fetcher per registry, connect/read timeouts, and an overall per-request deadline (a
  slow trickle that never ends is cut off);
* a bounded number of requests in flight (one ``anyio.CapacityLimiter``), spread over
  connection pools of at most :data:`POOL_SHARD` connections each: httpcore's pool does
  O(connections²) bookkeeping and one readability syscall per pooled connection on every
  request, so one pool of 50 was slower than one of 16 (issue 13); shards keep that cost
  flat in the concurrency. Requests go to httpx's transports directly (no client);
* tenacity retries with exponential backoff and jitter on connection errors, timeouts,
  429 and 5xx, honouring ``Retry-After`` (seconds or HTTP-date) up to a budget;
* a cap on the *decoded* size of every body, enforced while streaming (gzip bombs too);
* redirects followed by hand, only to http(s) URLs on the registry's own host;
* conditional requests for a package's *key document* (its first request, see
  :class:`KeyDocument`): ``If-None-Match``/``If-Modified-Since`` from the last crawl, a 304
  raising :class:`Unchanged`.

Failures become :class:`~generator.errors.PackageError` with a short reason that names
the fault, so one bad document costs one package, never the run.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections.abc import AsyncIterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import anyio
import httpx
import msgspec
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from generator import __version__
from generator.errors import NotFound, PackageError

USER_AGENT = f"attested-yet/{__version__} (+https://github.com/attested-yet/attested-yet)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MiB = 1024 * 1024
POOL_SHARD = 2
"""Connections per httpcore pool; a fetcher holds ⌈concurrency / POOL_SHARD⌉ of them.
Measured (16 in flight, loopback, 8 kB bodies): 0.91 ms of CPU per request with pools of
8, 0.60 ms with pools of 2 (the pool's bookkeeping walks its connections several times per
request, asking each idle one whether its socket is readable)."""


@dataclass(frozen=True)
class HttpPolicy:
    """Limits for one registry's requests. Defaults are polite for the public registries."""

    concurrency: int = 16
    """Requests in flight at once, per registry."""
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    deadline: float = 90.0
    """Overall seconds one attempt may take, body included."""
    max_bytes: int = 32 * MiB
    """Largest decoded body accepted."""
    attempts: int = 4
    """Attempts per request (1 = no retry)."""
    backoff: float = 0.5
    """Base of the exponential backoff, in seconds (jittered, capped at ``max_wait``)."""
    max_wait: float = 30.0
    """Longest wait between attempts; a longer ``Retry-After`` gives up at once."""
    max_redirects: int = 5
    package_deadline: float | None = None
    """Overall seconds for all of one package's requests and retries together (the crawl
    enforces it); None: only the per-request ``deadline`` holds."""


class Unchanged(Exception):  # noqa: N818 - a signal, not an error
    """The key document answered 304 Not Modified: the previous row still holds."""


@dataclass
class KeyDocument:
    """The validators of one package's key document: the first request made while it is set
    in :data:`KEY_DOCUMENT` (the crawl sets one per package). ``sent`` are the last crawl's
    (None: an unconditional request); ``seen`` is filled from the 200 response's headers."""

    sent: dict[str, str] | None = None
    """Conditional headers to send (``If-None-Match``, ``If-Modified-Since``)."""
    seen: dict[str, str] = field(default_factory=dict)
    """``etag``, ``last-modified`` and ``x-pypi-last-serial`` of the response, when present."""
    taken: bool = False
    """Whether the key document's request was made (only the first request is conditional)."""


#: The package being read (task-local): set by the crawl around one package's requests.
KEY_DOCUMENT: ContextVar[KeyDocument | None] = ContextVar("KEY_DOCUMENT", default=None)
VALIDATOR_HEADERS = ("etag", "last-modified", "x-pypi-last-serial")


class _Retryable(Exception):
    """A transient failure worth another attempt."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, delta)


@dataclass
class Stats:
    """What one fetcher cost: attempts made and bytes received on the wire."""

    requests: int = 0
    bytes: int = 0
    not_modified: int = 0
    """Answers 304 to a conditional request (no body)."""
    by_path_kind: dict[str, int] = field(default_factory=dict)


class Fetcher:
    """Fetches documents under one base URL. Use as an async context manager."""

    def __init__(
        self,
        base_url: str,
        policy: HttpPolicy | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        parts = httpx.URL(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.host:
            raise ValueError(f"not an http(s) URL: {base_url!r}")
        self.origin = (parts.scheme, parts.host, parts.port)
        self.policy = policy or HttpPolicy()
        self.stats = Stats()
        self._limiter = anyio.CapacityLimiter(self.policy.concurrency)
        # A given transport (tests) is one pool already; otherwise one per POOL_SHARD slots,
        # all sharing one TLS context (building one costs ~20 ms of CPU).
        shards = 1 if transport is not None else -(-self.policy.concurrency // POOL_SHARD)
        size = -(-self.policy.concurrency // shards)
        if transport is None:
            tls = httpx.create_ssl_context()
            proxy = _environment_proxy(self.base_url)
        self._transports = [
            transport
            or httpx.AsyncHTTPTransport(
                verify=tls,
                proxy=proxy,
                limits=httpx.Limits(max_connections=size, max_keepalive_connections=size),
            )
            for _ in range(shards)
        ]
        self._busy = [0] * shards
        """Requests in flight per shard (the limiter bounds their sum by the concurrency)."""
        self._timeout = httpx.Timeout(
            self.policy.read_timeout, connect=self.policy.connect_timeout
        ).as_dict()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for transport in self._transports:
            await transport.aclose()

    def url(self, path: str) -> str:
        """The absolute URL of ``path`` under the base URL."""
        return f"{self.base_url}{path}"

    async def get_json(self, path: str, *, accept: str = "application/json") -> Any:
        """GET ``path`` (under the base URL) and decode it as JSON."""
        body = await self.get_bytes(path, accept=accept)
        return decode_json(body)

    async def get_bytes(
        self, path: str, *, accept: str = "*/*", max_bytes: int | None = None
    ) -> bytes:
        """GET ``path`` with retries; raise :class:`PackageError` on failure."""
        cap = max_bytes or self.policy.max_bytes
        key = KEY_DOCUMENT.get()
        if key is not None and not key.taken:
            key.taken = True
        else:
            key = None
        last: _Retryable | None = None
        unchanged: Unchanged | None = None
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.policy.attempts),
                wait=self._wait,
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            ):
                with attempt:
                    try:
                        return await self._attempt(self.url(path), accept, cap, key)
                    except Unchanged as signal:
                        # Raised past tenacity, which would hold it (its attempt's outcome)
                        # while its traceback holds that attempt: a cycle per 304 that only
                        # the collector frees (a warm crawl's memory grew until it ran).
                        unchanged = signal
                        break
        except _Retryable as exc:
            last = exc
        if unchanged is not None:
            try:
                raise unchanged
            finally:
                unchanged = None  # this frame must not hold what its traceback holds
        assert last is not None
        tries = self.policy.attempts
        raise PackageError(f"{last.reason} (after {tries} attempt{'s' if tries > 1 else ''})")

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        backoff = wait_random_exponential(multiplier=self.policy.backoff, max=self.policy.max_wait)
        return float(backoff(state))

    async def _attempt(
        self, url: str, accept: str, cap: int, key: KeyDocument | None = None
    ) -> bytes:
        for _ in range(self.policy.max_redirects + 1):
            async with self._limiter:
                self.stats.requests += 1
                try:
                    with anyio.fail_after(self.policy.deadline):
                        result = await self._one(url, accept, cap, key)
                except TimeoutError:
                    raise _Retryable(
                        f"no complete response within {self.policy.deadline:g} s"
                    ) from None
                except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
                    raise PackageError(
                        f"redirect to a non-HTTP or invalid URL ({type(exc).__name__})"
                    ) from None
                except httpx.TimeoutException as exc:
                    raise _Retryable(f"timeout ({type(exc).__name__})") from None
                except httpx.TransportError as exc:
                    raise _Retryable(_transport_reason(exc)) from None
            if isinstance(result, bytes):
                return result
            url = result
        raise PackageError(f"more than {self.policy.max_redirects} redirects")

    async def _one(
        self, url: str, accept: str, cap: int, key: KeyDocument | None = None
    ) -> bytes | str:
        """One request. Returns the body, or the next URL of a redirect."""
        shard = self._busy.index(min(self._busy))  # the least busy pool has a free slot
        self._busy[shard] += 1
        try:
            return await self._one_on(self._transports[shard], url, accept, cap, key)
        finally:
            self._busy[shard] -= 1

    async def _one_on(
        self,
        transport: httpx.AsyncBaseTransport,
        url: str,
        accept: str,
        cap: int,
        key: KeyDocument | None = None,
    ) -> bytes | str:
        # The transport directly, not a client: the client's per-request work (URL and
        # header merging, a cookie jar read and written through urllib objects, hooks,
        # auth and redirect wrappers) cost a third of each request's CPU (issue 13). These
        # are the headers the client sent, in its order; redirects are followed by hand.
        headers = {
            "Accept": accept,
            "Accept-Encoding": "gzip",
            "Connection": "keep-alive",
            "User-Agent": USER_AGENT,
        }
        if key is not None and key.sent:
            headers.update(key.sent)
        request = httpx.Request("GET", url, headers=headers, extensions={"timeout": self._timeout})
        response = await transport.handle_async_request(request)
        response.request = request
        try:
            status = response.status_code
            if status == 304 and key is not None and key.sent:
                self.stats.not_modified += 1
                raise Unchanged(url)
            if status in REDIRECT_STATUSES:
                return self._redirect_target(response)
            if status in (404, 410):
                raise NotFound(f"HTTP {status}")
            if status in RETRY_STATUSES:
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.policy.max_wait:
                    raise PackageError(
                        f"HTTP {status} with Retry-After {math.ceil(retry_after)} s, "
                        f"over the {self.policy.max_wait:g} s budget"
                    )
                raise _Retryable(f"HTTP {status}", retry_after)
            if status != 200:
                raise PackageError(f"HTTP {status}")
            declared = response.headers.get("Content-Length", "")
            if (
                declared.isdigit()
                and int(declared) > cap
                and not response.headers.get("Content-Encoding")
            ):
                raise PackageError(f"response over the {cap // MiB} MiB cap")
            decoder = _decoder(response.headers.get("Content-Encoding"))
            # Raw bytes, decoded here with a bounded output per step: httpx would inflate a
            # whole network chunk at once (64 KiB of gzip can become 64 MiB).
            source = response.aiter_raw()
            if response.is_stream_consumed:  # built in memory, already decoded (MockTransport)
                source, decoder = _once(response.content), None
            chunks: list[bytes] = []
            size = wire = 0
            async for raw in source:
                # Wire bytes count too: trailing garbage after a gzip member decodes to
                # nothing, and would otherwise be read until the deadline.
                wire += len(raw)
                if wire > cap:
                    raise PackageError(f"response over the {cap // MiB} MiB cap")
                if decoder is not None and decoder.eof:
                    raise PackageError("bytes after the end of the gzip body")
                for chunk in _inflate(decoder, raw, cap - size + 1):
                    size += len(chunk)
                    if size > cap:
                        raise PackageError(f"response over the {cap // MiB} MiB cap")
                    chunks.append(chunk)
                if decoder is not None and decoder.eof and decoder.unused_data:
                    raise PackageError("bytes after the end of the gzip body")
            if decoder is not None and not decoder.eof:
                raise PackageError("truncated gzip body")
            self.stats.bytes += response.num_bytes_downloaded
            if key is not None:
                key.seen = {h: v[:200] for h in VALIDATOR_HEADERS if (v := response.headers.get(h))}
            return b"".join(chunks)
        finally:
            await response.aclose()

    def _redirect_target(self, response: httpx.Response) -> str:
        location = response.headers.get("Location")
        if not location:
            raise PackageError(f"HTTP {response.status_code} redirect without Location")
        try:
            target = response.url.join(location)
        except httpx.InvalidURL:
            raise PackageError("redirect to an invalid URL") from None
        if target.scheme not in ("http", "https"):
            raise PackageError(f"redirect to a non-HTTP URL ({target.scheme}:)")
        if (target.scheme, target.host, target.port) != self.origin:
            where = f"{target.host}:{target.port}" if target.port else target.host
            raise PackageError(f"redirect to another host ({where}) refused")
        return str(target)


def _environment_proxy(url: str) -> str | None:
    """The proxy ``$HTTPS_PROXY``/``$HTTP_PROXY``/``$ALL_PROXY`` name for ``url`` unless
    ``$NO_PROXY`` exempts its host (what httpx's clients read from the environment)."""
    parts = urlsplit(url)
    proxies = getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or proxy_bypass(parts.netloc):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _transport_reason(exc: httpx.TransportError) -> str:
    """A short reason naming a connection fault (refused, reset, closed mid-response)."""
    name = type(exc).__name__
    message = str(exc).lower()
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({name}{': refused' if _refused(exc) else ''})"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"connection closed mid-response ({name})"
    if isinstance(exc, httpx.ReadError) and "reset" in message:
        return f"connection reset ({name})"
    return f"connection failed ({name})"


def _refused(exc: BaseException) -> bool:
    """Whether a connection error was, somewhere down its chain, a refused connection."""
    seen: list[BaseException] = [exc]
    for _ in range(32):  # a bounded walk: chains are short, and could in theory loop
        if not seen:
            break
        current = seen.pop()
        if isinstance(current, ConnectionRefusedError) or "refused" in str(current).lower():
            return True
        seen.extend(e for e in (current.__cause__, current.__context__) if e is not None)
        if isinstance(current, BaseExceptionGroup):
            seen.extend(current.exceptions)
    return False


def _decoder(encoding: str | None) -> Any:
    """A zlib decompressor for ``Content-Encoding``, None for identity."""
    value = (encoding or "").strip().lower()
    if value in ("", "identity"):
        return None
    if value in ("gzip", "x-gzip"):
        return zlib.decompressobj(zlib.MAX_WBITS | 16)
    if value == "deflate":
        return zlib.decompressobj()
    raise PackageError(f"unsupported Content-Encoding {value[:40]!r}")


def _inflate(decoder: Any, data: bytes, limit: int) -> list[bytes]:
    """``data`` decoded, in pieces of at most 256 KiB, stopping once ``limit`` bytes are out
    (the caller then refuses the body: nothing past the cap is ever held)."""
    if decoder is None:
        return [data] if data else []
    pieces = []
    total = 0
    try:
        while data and not decoder.eof and total < limit:
            piece = decoder.decompress(data, min(limit - total, 256 * 1024))
            pieces.append(piece)
            total += len(piece)
            data = decoder.unconsumed_tail
    except zlib.error:
        raise PackageError("invalid gzip body") from None
    return pieces


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _scrub(value: Any) -> Any:
    """``value`` with lone UTF-16 surrogates (valid JSON escapes, invalid Unicode) replaced
    by U+FFFD, so no string from a registry can break UTF-8 output later."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def decode_json(body: bytes) -> Any:
    """Decode a JSON body, turning every decoding fault into a :class:`PackageError`.

    Fast path: msgspec (C, ~4× the standard library's speed on registry documents; measured
    in ``bench/decode.py``), which refuses everything the checked path refuses — invalid
    UTF-8, lone surrogates, ``NaN``/``Infinity``, numbers out of range, floats written with
    more than 80 characters (``float_hook``), integers of more than 4,300 digits. Anything
    it refuses goes through the checked path (the standard library with hooks), which names
    the fault and its field, or replaces lone surrogates by U+FFFD; both paths accept
    exactly the same documents and return the same values.
    """
    try:
        return _FAST.decode(body)
    except (msgspec.DecodeError, ValueError, RecursionError):  # UnicodeDecodeError, _BadNumber
        return _checked_json(body)


def _checked_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(f"invalid UTF-8 at byte {exc.start}") from None
    try:
        value = json.loads(
            text, parse_constant=_no_constant, parse_int=_bounded_int, parse_float=_finite
        )
        return _scrub(value) if _SURROGATE_ESCAPE.search(text) else value
    except _BadNumber as exc:
        raise PackageError(f"malformed JSON ({exc}{_field_of(text, exc.literal)})") from None
    except json.JSONDecodeError as exc:
        raise PackageError(
            f"malformed JSON ({exc.msg}: line {exc.lineno} column {exc.colno})"
        ) from None
    except RecursionError:
        raise PackageError("malformed JSON (nested too deeply)") from None


#: Longest integer literal accepted: CPython's default conversion limit
#: (``sys.get_int_max_str_digits``; a ValueError beyond), which msgspec applies too.
MAX_INT_DIGITS = 4300


class _BadNumber(ValueError):
    def __init__(self, message: str, literal: str) -> None:
        super().__init__(message)
        self.literal = literal


def _no_constant(name: str) -> Any:
    """``NaN``, ``Infinity`` and ``-Infinity`` are not JSON (RFC 8259), though Python reads them."""
    raise _BadNumber(f"{name} is not a JSON number", name)


def _bounded_int(literal: str) -> int:
    if len(literal.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadNumber(f"a number of {len(literal):,} digits", literal)
    return int(literal)


#: Longest float literal accepted.
MAX_FLOAT_CHARS = 80


def _finite(literal: str) -> float:
    if len(literal) > MAX_FLOAT_CHARS or not math.isfinite(number := float(literal)):
        raise _BadNumber(f"a number out of range ({literal[:20]}…)", literal)
    return number


#: The fast decoder. Floats are rare in registry documents, so checking each literal in
#: Python costs nothing measurable; integers are bounded by msgspec itself (4,300 digits).
_FAST = msgspec.json.Decoder(float_hook=_finite)


_KEY_BEFORE = re.compile(r'"((?:[^"\\]|\\.){1,64})"\s*:\s*$')


def _field_of(text: str, literal: str) -> str:
    """`` in "key"`` for the first place ``literal`` stands as a value, when a key precedes it."""
    at = text.find(literal)
    if at < 0:
        return ""
    key = _KEY_BEFORE.search(text, max(0, at - 200), at)
    return f' in "{key.group(1)}"' if key else ""
