"""The one HTTP seam: a polite, bounded, retrying JSON fetcher confined to one registry.

Every registry request goes through :class:`Fetcher`:

* one shared ``httpx.AsyncClient`` per registry, connect/read timeouts, and an overall
  per-request deadline (a slow trickle that never ends is cut off);
* a bounded number of requests in flight (``anyio.CapacityLimiter``);
* tenacity retries with exponential backoff and jitter on connection errors, timeouts,
  429 and 5xx, honouring ``Retry-After`` (seconds or HTTP-date) up to a budget;
* a cap on the *decoded* size of every body, enforced while streaming (gzip bombs too);
* redirects followed by hand, only to http(s) URLs on the registry's own host.

Failures become :class:`~generator.errors.PackageError` with a short reason that names
the fault, so one bad document costs one package, never the run.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import anyio
import httpx
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
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(self.policy.read_timeout, connect=self.policy.connect_timeout),
            headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"},
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(
                max_connections=self.policy.concurrency,
                max_keepalive_connections=self.policy.concurrency,
            ),
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()

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
        last: _Retryable | None = None
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.policy.attempts),
                wait=self._wait,
                retry=retry_if_exception_type(_Retryable),
                reraise=True,
            ):
                with attempt:
                    return await self._attempt(self.url(path), accept, cap)
        except _Retryable as exc:
            last = exc
        assert last is not None
        tries = self.policy.attempts
        raise PackageError(f"{last.reason} (after {tries} attempt{'s' if tries > 1 else ''})")

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return exc.retry_after
        backoff = wait_random_exponential(multiplier=self.policy.backoff, max=self.policy.max_wait)
        return float(backoff(state))

    async def _attempt(self, url: str, accept: str, cap: int) -> bytes:
        for _ in range(self.policy.max_redirects + 1):
            async with self._limiter:
                self.stats.requests += 1
                try:
                    with anyio.fail_after(self.policy.deadline):
                        result = await self._one(url, accept, cap)
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
                    raise _Retryable(f"connection failed ({type(exc).__name__})") from None
            if isinstance(result, bytes):
                return result
            url = result
        raise PackageError(f"more than {self.policy.max_redirects} redirects")

    async def _one(self, url: str, accept: str, cap: int) -> bytes | str:
        """One request. Returns the body, or the next URL of a redirect."""
        async with self._client.stream("GET", url, headers={"Accept": accept}) as response:
            status = response.status_code
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
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise PackageError(f"response over the {cap // MiB} MiB cap")
                chunks.append(chunk)
            self.stats.bytes += response.num_bytes_downloaded
            return b"".join(chunks)

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
            raise PackageError(f"redirect to another host ({target.host}) refused")
        return str(target)


def decode_json(body: bytes) -> Any:
    """Decode a JSON body, turning every decoding fault into a :class:`PackageError`."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PackageError(f"invalid UTF-8 at byte {exc.start}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise PackageError(f"malformed JSON ({exc.msg} at line {exc.lineno})") from None
    except RecursionError:
        raise PackageError("malformed JSON (nested too deeply)") from None
