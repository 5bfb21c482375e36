"""Fetching a provenance document, with the line issue 10 draws between "not served" and
"served but unreadable"."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from generator.errors import NotFound, PackageError
from generator.http import Fetcher, decode_json


async def fetch_provenance(
    fetcher: Fetcher, path: str, accept: str, missing: str, what: str
) -> tuple[Any, str | None, str | None]:
    """(document, unreadable, broken) for the provenance at ``path``.

    Not served (404: ``missing``; an HTTP error, a timeout or a reset after the retries) is
    ``unreadable``, recorded as ``not-checked``: the registry gave nothing to check. Served but
    not readable as JSON (truncated, malformed, invalid UTF-8) is ``broken``, recorded as
    ``failed``: no silent downgrade for a document an attacker could have mangled.
    """
    try:
        body = await fetcher.get_bytes(path, accept=accept)
    except NotFound:
        return None, missing, None
    except PackageError as exc:
        return None, f"{what} could not be read: {exc}", None
    try:
        return decode_json(body), None, None
    except PackageError as exc:
        return None, None, f"{what} could not be read: {exc}"


async def fetch_listed(fetcher: Fetcher, source: str, accept: str) -> Any:
    """The provenance document a registry listed at URL ``source``, decoded, fetched from
    ``fetcher``'s registry: only the URL's path and query are used, never its host (a listed
    URL cannot send the crawler elsewhere). Raises ``PackageError`` when it cannot be read."""
    try:
        parts = urlsplit(source)
    except ValueError:
        raise PackageError("a provenance location that is not a URL") from None
    if not parts.path.startswith("/"):
        raise PackageError("a provenance location without a path")
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return decode_json(await fetcher.get_bytes(path, accept=accept))
