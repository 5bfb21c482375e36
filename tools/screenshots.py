"""Screenshots of the demo site for a human to look at (not a test).

    python tools/screenshots.py OUT_DIR [SITE_DIR]

Builds the demo site (unless SITE_DIR is given), serves it on 127.0.0.1 under /sub/site/, and
saves the overview, the ecosystem pages, package pages (a plain one, a failed verification, a
repository mismatch) and the methodology at 1280 px and 375 px, light and dark.
"""

from __future__ import annotations

import functools
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
    "package": "npm/@fictional-scope/meteor/index.html",
    "history": "npm/@fictional-scope/nebula/index.html",
    "about": "about/index.html",
    "changes": "changes.html",
    "failed": "pypi/fictional-dynamo/index.html",
    "mismatch": "npm/fictional-mirage/index.html",
    "pypi": "pypi/index.html",
}


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

        cli(["build", "--demo", "--out", str(site)])
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/sub/site/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for scheme in ("light", "dark"):
            for width in (1280, 375):
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, color_scheme=scheme
                )
                page = context.new_page()
                for name, rel in PAGES.items():
                    page.goto(base + rel)
                    path = out / f"{name}-{width}-{scheme}.png"
                    page.screenshot(path=str(path), full_page=name != "npm")
                    print(path)
                context.close()
        browser.close()
    httpd.shutdown()


if __name__ == "__main__":
    main()
