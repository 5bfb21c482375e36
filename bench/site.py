"""Page weight and search latency of an ecosystem page with N synthetic packages.

Renders a synthetic snapshot (tests/synthetic.py), serves it on 127.0.0.1, opens the
npm page in headless Chromium (/usr/bin/chromium) and prints:
- the bytes transferred for the page (HTML + CSS + JS + anything else it loads, uncompressed);
- search latency: from setting the search box and dispatching `input` to the next frame
  after the list updated, for each keystroke of a few typed words, over several rounds, with a
  pause between keystrokes and without one (typing fast);
- sort (select and column header) and filter timings;
- the longest task of the whole run, load included (PerformanceObserver "longtask").

Run: python bench/site.py [N]   (default 10000)
"""

from __future__ import annotations

import functools
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import Request, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.synthetic

from generator.ecosystems import INFOS  # noqa: E402
from generator.render import render  # noqa: E402
from tests.synthetic import synthetic_snapshot  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
WORDS = ["core", "json", "react-", "xyz", "http"]
ROUNDS = 5

# Milliseconds from changing a control to the first task after the next frame: the frame
# that shows the updated list (the rows past the first page are appended on scrolling).
# The frame callback is registered before the event so that nothing the page queues runs
# before the measurement ends. ``pause`` is the wait before the change (0: typing fast).
TIME_INPUT = """async ([id, value, kind, pause]) => {
  const el = document.getElementById(id);
  if (pause) await new Promise(r => setTimeout(r, pause));
  const painted = new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t0 = performance.now();
  el.value = value;
  el.dispatchEvent(new Event(kind, {bubbles: true}));
  await painted;
  return [performance.now() - t0, document.getElementById('count').textContent];
}"""

# Clicking a column header, timed like TIME_INPUT.
TIME_CLICK = """async (index) => {
  await new Promise(r => setTimeout(r, 50));
  const button = document.querySelectorAll('#pkgs thead th')[index].querySelector('button');
  const painted = new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  const t0 = performance.now();
  button.click();
  await painted;
  return performance.now() - t0;
}"""

# Records every long task (over 50 ms) from the start of the page, load included.
LONG_TASKS = """window.__long = [];
new PerformanceObserver(list => {
  for (const e of list.getEntries()) window.__long.push([e.startTime, e.duration]);
}).observe({type: 'longtask', buffered: true});"""


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    return (
        f"median {statistics.median(ordered):.1f} ms, "
        f"p90 {ordered[int(len(ordered) * 0.9)]:.1f} ms, max {ordered[-1]:.1f} ms"
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    root = Path(tempfile.mkdtemp())
    started = time.perf_counter()
    render([synthetic_snapshot("npm", n)], root / "site", infos=INFOS)
    print(f"render: {n} packages (+ {n} package pages) in {time.perf_counter() - started:.1f} s")
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/site/npm/index.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sizes: dict[str, int] = {}

        def record(request: Request) -> None:
            response = request.response()
            if response is not None:
                sizes[request.url] = len(response.body())

        page.on("requestfinished", record)
        page.add_init_script(LONG_TASKS)
        page.goto(url, wait_until="load")
        page.wait_for_load_state("networkidle")
        timing = page.evaluate(
            "(() => { const t = performance.getEntriesByType('navigation')[0];"
            " return [t.domContentLoadedEventEnd, t.loadEventEnd]; })()"
        )
        total = sum(sizes.values())
        print(
            f"page weight: {total} bytes uncompressed ({total / 1e6:.2f} MB), {len(sizes)} requests"
        )
        for u, size in sorted(sizes.items(), key=lambda kv: -kv[1]):
            print(f"  {size:>9}  {u.rsplit('/site/', 1)[-1]}")
        print(f"load: DOMContentLoaded {timing[0]:.0f} ms, load {timing[1]:.0f} ms")
        for _ in range(400):  # the script's slices after load (indexing, trimming the table)
            if page.evaluate("document.getElementById('pkgs').tBodies[0].rows.length") < n:
                break
            page.wait_for_timeout(25)
        page.wait_for_timeout(200)
        for pause, label in ((50, "typing"), (0, "typing fast")):
            latencies = []
            for _ in range(ROUNDS):
                for word in WORDS:
                    for text in [word[:i] for i in range(1, len(word) + 1)] + [""]:
                        ms, _count = page.evaluate(TIME_INPUT, ["q", text, "input", pause])
                        latencies.append(ms)
            print(f"search, {label}, {len(latencies)} keystrokes: {summary(latencies)}")
        for select, value in (("status", "attested"), ("tp", "yes"), ("status", ""), ("tp", "")):
            ms, count = page.evaluate(TIME_INPUT, [select, value, "change", 50])
            print(f"filter {select}={value or 'all'}: {ms:.1f} ms ({count})")
        for value in ("name", "-name", "date", "rank"):
            ms, _count = page.evaluate(TIME_INPUT, ["sort", value, "change", 50])
            print(f"sort by {value} (select): {ms:.1f} ms")
        for index, label in ((1, "name"), (1, "name, reversed"), (4, "verdict"), (0, "rank")):
            print(f"sort by {label} (header): {page.evaluate(TIME_CLICK, index):.1f} ms")
        long = page.evaluate("window.__long")
        loaded = [d for t, d in long if t <= timing[1]]
        after = [d for t, d in long if t > timing[1]]
        for label, tasks in (("during load", loaded), ("after load", after)):
            print(
                f"long tasks (> 50 ms) {label}: {len(tasks)}, longest "
                f"{max(tasks, default=0):.0f} ms"
            )
        page.remove_listener("requestfinished", record)
        browser.close()
    httpd.shutdown()


if __name__ == "__main__":
    main()
