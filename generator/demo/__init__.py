"""The bundled demo: recorded PyPI and npm registries of fictional packages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from generator.demo.server import Registry, serve

RECORDINGS = Path(__file__).parent / "recordings"


@contextmanager
def serve_demo() -> Iterator[dict[str, str]]:
    """Serve the recorded registries; yield the base URLs (``pypi``, ``npm``, ``top-pypi``)."""
    with ExitStack() as stack:
        urls: dict[str, str] = {}
        for name in ("pypi", "npm"):
            urls[name] = stack.enter_context(serve(Registry.from_directory(RECORDINGS / name)))
        urls["top-pypi"] = f"{urls['pypi']}/top-pypi-packages-30-days.min.json"
        yield urls
