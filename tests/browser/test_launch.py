"""The browser the other browser tests drive: Playwright's switches kept, no address-bar
popup renderer per context (``QUIET_FEATURES``), and no request beyond 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.browser.conftest import QUIET_FEATURES, Watch, disable_features, open_context

pytestmark = pytest.mark.browser


def test_one_disable_features_switch_keeps_the_last_given_and_adds_ours() -> None:
    line = "chromium --disable-features=A,B --x --disable-features=C,,D --y"
    assert disable_features(line, ("D", "E")) == "--disable-features=C,D,E"
    assert disable_features("chromium --headless", ("E",)) == "--disable-features=E"


def test_the_browser_keeps_playwrights_features_and_preloads_no_popup(browser: Any) -> None:
    page = browser.new_page()
    try:
        page.goto("chrome://version")
        line = page.locator("#command_line").inner_text()
        targets = browser.new_browser_cdp_session().send("Target.getTargets")["targetInfos"]
    finally:
        page.close()
    applied = [a for a in line.split() if a.startswith("--disable-features=")][-1]
    features = applied.partition("=")[2].split(",")
    # One of Playwright's own (it keeps loopback navigations on http), and ours.
    assert "HttpsUpgrades" in features
    assert set(QUIET_FEATURES) <= set(features)
    assert not [t["url"] for t in targets if t["type"] == "browser_ui"]


def test_a_request_leaving_loopback_is_recorded_and_never_sent(browser: Any) -> None:
    watch = Watch()
    context = open_context(browser, watch)
    try:
        page = context.new_page()
        with pytest.raises(PlaywrightError, match="ERR_PROXY_CONNECTION_FAILED"):
            page.goto("http://example.com/", timeout=10_000)
    finally:
        context.close()
    assert watch.outside == ["http://example.com/"]
