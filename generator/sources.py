"""Reading ranked package lists (top-N sources) from a URL or a local file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import PackageError, SourceError
from generator.http import Fetcher, HttpPolicy

MAX_SOURCE_BYTES = 256 * 1024 * 1024


def is_url(location: str) -> bool:
    return urlsplit(location).scheme in ("http", "https")


async def read_location(location: str, policy: HttpPolicy, max_bytes: int) -> bytes:
    """The bytes at ``location`` (an http(s) URL or a file path); SourceError on failure."""
    if is_url(location):
        parts = urlsplit(location)
        origin = f"{parts.scheme}://{parts.netloc}"
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        async with Fetcher(origin, policy) as fetcher:
            try:
                return await fetcher.get_bytes(path, max_bytes=max_bytes)
            except PackageError as exc:
                raise SourceError(f"cannot read {location}: {exc.reason}") from None
    try:
        path_ = Path(location)
        if path_.stat().st_size > max_bytes:
            raise SourceError(f"cannot read {location}: larger than {max_bytes} bytes")
        return path_.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read {location}: {exc.strerror or exc}") from None


def read_packages_file(path: str) -> list[str]:
    """Names from a ranked list file: one per line, blank lines and ``#`` comments ignored."""
    try:
        content = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read {path}: {exc}") from None
    names = []
    for line in content.splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            names.append(entry)
    return names
