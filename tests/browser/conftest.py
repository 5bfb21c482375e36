"""Browser fixtures: Debian's Chromium driven by Playwright, against rendered sites served by
a real HTTP server on 127.0.0.1 under a sub-path (``/sub/site/``), as on GitHub Pages.

Every test's page records console errors and every request; a request for anything but
127.0.0.1 fails the test, and cannot leave the machine: the browser's only proxy is a closed
local port, and Chromium sends loopback requests direct, never through a proxy.
"""

from __future__ import annotations

import functools
import os
import shutil
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.once import built_once

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Nothing but loopback reaches the network: every other request goes to this "proxy", a
    # port nothing listens on (the discard port), and fails at once. A Playwright route did
    # this before, at the price of a round trip through this process for every request.
    "--proxy-server=http://127.0.0.1:9",
]
#: Turned off on top of Playwright's own ``--disable-features`` list. New headless Chromium
#: preloads the address bar's popup, a WebUI renderer, for every window, so for every
#: context: about 0.7 s of CPU per test, more than the test's page itself costs (a loop of
#: eight contexts took 11–13.5 s of CPU with it, 5.8 s without). No page can see it.
QUIET_FEATURES = ("WebUIOmniboxPopup", "WebUIOmniboxAimPopup")
VENDOR = Path(__file__).parent / "vendor"
#: The issue form the demo site's package pages link to ("Report an incorrect listing").
REPORT_URL = "https://github.com/example/attested-yet/issues/new?template=listing.yml"


def chromium_path() -> str | None:
    override = os.environ.get("ATTESTED_YET_CHROMIUM")  # a Chromium elsewhere (or none: "")
    candidates: tuple[str | None, ...] = (
        (override,)
        if override is not None
        else ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser"))
    )
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser may drop a request it no longer needs (a navigation away): not an
        # error of the page, and its traceback only cluttered the test run's output.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class Server:
    root: Path
    base: str


@pytest.fixture(scope="session")
def web_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("www")
    # A document that names no icon (feed.xml, shown as XML) makes Chromium ask the origin's
    # root for /favicon.ico, outside the site (a project site lives under a sub-path): some
    # icon must answer there, or a 404 lands in the console whenever the request finishes
    # before the next navigation.
    shutil.copyfile(Path(__file__).parents[2] / "static" / "favicon.svg", root / "favicon.ico")
    return root


@pytest.fixture(scope="session")
def server(web_root: Path) -> Iterator[Server]:
    handler = functools.partial(_QuietHandler, directory=str(web_root))
    httpd = _QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield Server(web_root, f"http://127.0.0.1:{httpd.server_address[1]}")
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture(scope="session")
def demo_site(server: Server, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The demo site (``attested-yet build --demo``) at ``/sub/site/``; returns its URL."""
    from generator.cli import main

    def build(out: Path) -> None:
        # In a thread of its own: the crawl runs an event loop, and Playwright's sync API may
        # already have one running in this thread.
        with ThreadPoolExecutor(1) as pool:
            argv = ["build", "--demo", "--out", str(out), "--report-url", REPORT_URL]
            assert pool.submit(main, argv).result() == 0

    # A copy of the run's one build: this worker's tests may change their own.
    shutil.copytree(built_once(tmp_path_factory, "demo-site", build), server.root / "sub/site")
    return f"{server.base}/sub/site/"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module. Not session-wide: Playwright's sync API keeps an event
    loop running in this thread while it is open, which the asyncio tests cannot share."""
    executable = chromium_path()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but no Chromium found (apt-get install chromium)")
        pytest.skip("no Chromium found (/usr/bin/chromium): install it to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        args = launch_args(playwright, executable)
        instance = playwright.chromium.launch(executable_path=executable, args=args)
        try:
            yield instance
        finally:
            instance.close()


_LAUNCH_ARGS: dict[str, list[str]] = {}


def launch_args(playwright: Any, executable: str) -> list[str]:
    """``CHROMIUM_ARGS`` and one ``--disable-features``: Playwright's own list plus
    ``QUIET_FEATURES``. Chromium keeps only the last ``--disable-features`` it is given, so a
    second one would silently undo Playwright's (HTTPS upgrades, paint holding, ...); the list
    is read off a first browser's ``chrome://version``, once per process."""
    if executable not in _LAUNCH_ARGS:
        probe = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = probe.new_page()
            page.goto("chrome://version")
            line = page.locator("#command_line").inner_text()
        finally:
            probe.close()
        _LAUNCH_ARGS[executable] = [*CHROMIUM_ARGS, disable_features(line, QUIET_FEATURES)]
    return _LAUNCH_ARGS[executable]


def disable_features(command_line: str, more: tuple[str, ...]) -> str:
    """The one ``--disable-features`` switch that keeps the last such switch of
    ``command_line`` (the one Chromium applies) and adds ``more``."""
    given = [a for a in command_line.split() if a.startswith("--disable-features=")]
    kept = given[-1].partition("=")[2].split(",") if given else []
    return "--disable-features=" + ",".join(dict.fromkeys([*filter(None, kept), *more]))


@dataclass
class Watch:
    """What a page did: console errors, page errors, and requests that left 127.0.0.1."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


def open_context(browser: Any, watch: Watch, **options: Any) -> Any:
    context = browser.new_context(**options)

    def seen(request: Any) -> None:
        watch.requests.append(request.url)
        if urlsplit(request.url).hostname != "127.0.0.1":
            watch.outside.append(request.url)  # and the proxy (CHROMIUM_ARGS) refuses it

    context.on("request", seen)
    return context


def watch_page(page: Any, watch: Watch) -> None:
    def console(message: Any) -> None:
        if message.type in ("error", "warning"):
            where = message.location.get("url") or page.url
            watch.errors.append(f"console {message.type}: {message.text} ({where})")

    page.on("console", console)
    page.on("pageerror", lambda error: watch.errors.append(f"page error: {error}"))


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def page(browser: Any, watch: Watch) -> Iterator[Any]:
    """A fresh page (own context: no shared storage) that fails the test on console errors
    or on any request leaving 127.0.0.1."""
    context = open_context(browser, watch, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch_page(page, watch)
    try:
        yield page
    finally:
        context.close()
    assert not watch.outside, f"requests left 127.0.0.1: {watch.outside}"
    assert not watch.errors, f"console errors: {watch.errors}"


def axe_problems(page: Any, where: str) -> list[str]:
    """axe-core's serious and critical violations on ``page`` as it is now, one line each
    (the page's context needs ``bypass_csp=True``: axe is injected as a script, once per
    document)."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(VENDOR / "axe.min.js"))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{where}: {v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
