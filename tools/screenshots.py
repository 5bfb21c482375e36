"""Screenshots of the demo site for a human to look at (not a test).

    python tools/screenshots.py OUT_DIR [SITE_DIR]

Builds the demo site (unless SITE_DIR is given), serves it on 127.0.0.1 under /sub/site/, and
saves the overview, both lists, package pages (attested, failed verification, missing,
unreadable, repository mismatch, with history), the methodology and the changes page at
1280 px and 375 px, light and dark. ``ONLY=overview,npm`` limits the pages.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
PAGES = {
    "overview": "index.html",
    "npm": "npm/index.html",
    "pypi": "pypi/index.html",
    "attested": "npm/@fictional-scope/meteor.html",
    "failed": "pypi/fictional-dynamo.html",
    "missing": "pypi/fictional-zebra.html",
    "error": "pypi/fictional-garbled.html",
    "mismatch": "npm/fictional-mirage.html",
    "history": "npm/@fictional-scope/nebula.html",
    "signer": "pypi/fictional-harbor.html",
    "about": "about/index.html",
    "changes": "changes.html",
}
#: Pages also shot as their first screen alone (``-top``): what a visitor sees before scrolling.
FIRST_SCREEN = {"overview", "npm", "pypi"}


REPORT_URL = "https://github.com/example/attested-yet/issues/new?template=listing.yml"


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp())
    site = root / "sub" / "site"
    if len(sys.argv) > 2:
        site.parent.mkdir(parents=True)
        site.symlink_to(Path(sys.argv[2]).resolve())
    else:
        from generator.cli import main as cli

        cli(["build", "--demo", "--out", str(site), "--report-url", REPORT_URL])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/sub/site/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for scheme in ("light", "dark"):
            for width in (1280, 375):
                context = browser.new_context(
                    viewport={"width": width, "height": 900 if width > 400 else 740},
                    color_scheme=scheme,
                )
                page = context.new_page()
                only = [n for n in os.environ.get("ONLY", "").split(",") if n]
                for name, rel in PAGES.items():
                    if only and name not in only:
                        continue
                    page.goto(base + rel)
                    path = out / f"{name}-{width}-{scheme}.png"
                    page.screenshot(path=str(path), full_page=True)
                    print(path)
                    if name in FIRST_SCREEN:
                        top = out / f"{name}-{width}-{scheme}-top.png"
                        page.screenshot(path=str(top))
                        print(top)
                context.close()
        browser.close()
    httpd.shutdown()


if __name__ == "__main__":
    main()
