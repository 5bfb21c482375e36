"""Incremental crawls: a cold crawl, 2% churn, a warm crawl into the same --data.

A loopback registry serves PyPI (JSON API, simple pages, the ``/simple/`` root, Integrity
API) and npm (packuments, attestations, a replication feed under ``/feed``) with ``ETag``s,
``X-PyPI-Last-Serial`` and 304s, documents padded to realistic sizes (npm ~100 kB, PyPI
~700 kB: issue 13's measured averages). After the cold crawl, 2% of the packages of each
ecosystem get a new release, half of them flipping attested <-> not; the warm crawl must show
each changed package's new version and status and leave every other row as it was.

PyPI's warm crawl runs twice from the same cold state: with the default choice (conditional
requests below the root's crossover) and with the ``/simple/`` root forced as change feed.

Run: python bench/incremental.py [--top 1000] [--root-projects 0]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from generator.http import HttpPolicy
from generator.models import Snapshot
from generator.pipeline import CrawlConfig, run_crawl
from generator.verify import VerifyOptions

RECENT = "2025-06-01T00:00:00.000Z"
NEWER = "2025-07-01T00:00:00.000Z"


@dataclass
class Hit:
    path: str
    status: int
    bytes: int
    conditional: bool


@dataclass
class LiveRegistry:
    """Documents by path, each with an ETag; a change feed and PyPI serials that move on
    every :meth:`release`. ``log`` records every request (path, status, body bytes)."""

    pad_npm: int = 100_000
    pad_pypi: int = 700_000
    root_projects: int = 0
    """Extra made-up projects listed in the /simple/ root (PyPI lists ~700,000)."""
    npm: dict[str, tuple[str, bool]] = field(default_factory=dict)
    pypi: dict[str, tuple[str, bool, int]] = field(default_factory=dict)
    seq: int = 1000
    changes: list[tuple[int, str]] = field(default_factory=list)
    serial: int = 5000
    log: list[Hit] = field(default_factory=list)
    feed_broken: str | None = None
    """``"fail"`` (HTTP 500), ``"reset"`` (update_seq goes back to 1) or ``"gap"``."""
    _docs: dict[str, bytes] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, eco: str, name: str, attested: bool) -> None:
        if eco == "npm":
            self.npm[name] = ("1.0.0", attested)
        else:
            self.serial += 1
            self.pypi[name] = ("1.0", attested, self.serial)
        self._docs.clear()

    def release(self, eco: str, name: str, attested: bool) -> str:
        """A new release of ``name``: returns its version."""
        with self._lock:
            if eco == "npm":
                version = f"{int(self.npm[name][0].split('.')[0]) + 1}.0.0"
                self.npm[name] = (version, attested)
                self.seq += 1
                self.changes.append((self.seq, name))
            else:
                version = f"{int(self.pypi[name][0].split('.')[0]) + 1}.0"
                self.serial += 1
                self.pypi[name] = (version, attested, self.serial)
            self._docs.clear()
        return version

    def document(self, path: str) -> tuple[bytes, dict[str, str]] | None:
        with self._lock:
            if path not in self._docs:
                body = self._build(path)
                if body is None:
                    return None
                self._docs[path] = body
            body = self._docs[path]
            headers = {"ETag": '"' + hashlib.sha256(body).hexdigest()[:20] + '"'}
            name = path.split("/")[2] if path.startswith(("/pypi/", "/simple/")) else ""
            if name in self.pypi:
                headers["X-PyPI-Last-Serial"] = str(self.pypi[name][2])
            return body, headers

    def _build(self, path: str) -> bytes | None:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if path == "/simple/":
            return self._root()
        if parts[0] == "pypi" and len(parts) == 3 and parts[1] in self.pypi:
            return self._pypi_json(parts[1])
        if parts[0] == "simple" and len(parts) == 2 and parts[1] in self.pypi:
            return self._simple(parts[1])
        if parts[0] == "integrity" and parts[1] in self.pypi:
            publisher = {"kind": "GitHub", "repository": f"o/{parts[1]}", "workflow": "r.yml"}
            return _dump({"attestation_bundles": [{"publisher": publisher, "attestations": []}]})
        if path.startswith("/-/npm/v1/attestations/"):
            return _dump({"attestations": []})
        if len(parts) == 1 and parts[0] in self.npm:
            return self._packument(parts[0])
        return None

    def _packument(self, name: str) -> bytes:
        version, attested = self.npm[name]
        dist: dict[str, object] = {"integrity": "sha512-x", "tarball": f"/{name}.tgz"}
        if attested:
            dist["attestations"] = {"url": f"/-/npm/v1/attestations/{name}@{version}"}
        manifest = {
            "name": name,
            "version": version,
            "repository": {"url": f"git+https://github.com/o/{name}.git"},
            "dist": dist,
        }
        when = NEWER if version != "1.0.0" else RECENT
        return _dump(
            {
                "name": name,
                "dist-tags": {"latest": version},
                "versions": {version: manifest},
                "time": {version: when},
                "readme": "x" * self.pad_npm,
            }
        )

    def _files(self, name: str) -> list[str]:
        return [f"{name}-{self.pypi[name][0]}.tar.gz"]

    def _pypi_json(self, name: str) -> bytes:
        version, _, _ = self.pypi[name]
        when = NEWER if version != "1.0" else RECENT
        urls = [
            {"filename": f, "upload_time_iso_8601": when, "digests": {"sha256": "0" * 64}}
            for f in self._files(name)
        ]
        old = self.pad_pypi // 1000
        filler = {f"0.{i}": [{"filename": f"old-{i}.tar.gz" + "x" * 950}] for i in range(old)}
        return _dump(
            {
                "info": {
                    "name": name,
                    "version": version,
                    "project_urls": {"Source": f"https://github.com/o/{name}"},
                    "description": "x" * max(0, self.pad_pypi - old * 1000),
                },
                "urls": urls,
                "releases": {**filler, version: urls},
            }
        )

    def _simple(self, name: str) -> bytes:
        version, attested, serial = self.pypi[name]
        files = [
            {"filename": f, "provenance": f"/integrity/{name}/{version}/{f}/provenance"}
            if attested
            else {"filename": f, "provenance": None}
            for f in self._files(name)
        ]
        return _dump({"meta": {"api-version": "1.4", "_last-serial": serial}, "files": files})

    def _root(self) -> bytes:
        projects = [{"name": n, "_last-serial": s} for n, (_, _, s) in self.pypi.items()]
        projects += [{"name": f"filler-{i}", "_last-serial": i} for i in range(self.root_projects)]
        meta = {"api-version": "1.4", "_last-serial": self.serial}
        return _dump({"meta": meta, "projects": projects})

    def feed(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes]:
        if self.feed_broken == "fail":
            return 500, b"{}"
        if path in ("/feed", "/feed/"):  # npm's replication host root; /registry/ is CouchDB's
            update_seq = 1 if self.feed_broken == "reset" else self.seq
            return 200, _dump({"doc_count": len(self.npm), "update_seq": update_seq})
        if path != "/feed/registry/_changes":
            return 404, b"{}"
        since = int(query.get("since", ["0"])[0])
        limit = int(query.get("limit", ["10000"])[0])
        page = [(s, n) for s, n in self.changes if s > since][:limit]
        results = [{"seq": s, "id": n, "changes": [{"rev": f"{s}-x"}]} for s, n in page]
        last = page[-1][0] if page else since
        if self.feed_broken == "gap":
            last = since
        return 200, _dump({"results": results, "last_seq": last})

    def top(self, eco: str) -> bytes:
        if eco == "pypi":
            rows = [{"project": n, "download_count": 10**9 - i} for i, n in enumerate(self.pypi)]
            return _dump({"rows": rows})
        return _dump({n: 10**9 - i for i, n in enumerate(self.npm)})


def _dump(document: object) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _handler(registry: LiveRegistry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            split = urlsplit(self.path)
            path, query = split.path, parse_qs(split.query)
            conditional = "If-None-Match" in self.headers
            headers: dict[str, str] = {}
            if path.startswith("/feed"):
                status, body = registry.feed(path, query)
            elif path.startswith("/top-"):
                status, body = 200, registry.top(path[5:].removesuffix(".json"))
            elif (found := registry.document(path)) is None:
                status, body = 404, b'{"error":"Not found"}'
            else:
                body, headers = found
                status = 200
                if self.headers.get("If-None-Match") == headers["ETag"]:
                    status, body = 304, b""
            registry.log.append(Hit(path, status, len(body), conditional))
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            return

    return Handler


@contextmanager
def serve(registry: LiveRegistry) -> Iterator[str]:
    """Serve ``registry`` on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(registry))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def config_for(url: str, data: Path, top: int, **changes: object) -> CrawlConfig:
    """A crawl of ``registry`` served at ``url`` (both ecosystems, verification skipped: the
    made-up attestations carry no signature)."""
    config = CrawlConfig(
        data=data,
        top=top,
        registry_urls={"pypi": url, "npm": url},
        top_sources={"pypi": f"{url}/top-pypi.json", "npm": f"{url}/top-npm.json"},
        policy=HttpPolicy(attempts=1),
        verify=VerifyOptions(skip="bench: made-up attestations"),
        feed_urls={"npm": f"{url}/feed"},
    )
    return replace(config, **changes)  # type: ignore[arg-type]


@dataclass
class Cost:
    requests: int
    bytes: int
    wall: float
    cpu: float


def _run(registry: LiveRegistry, config: CrawlConfig, eco: str) -> Cost:
    before = len(registry.log)
    wall, cpu = time.perf_counter(), time.thread_time()
    status = run_crawl(replace(config, ecosystems=(eco,)), log=lambda line: None)
    wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
    if status:
        sys.exit(f"{eco}: crawl failed")
    hits = [h for h in registry.log[before:] if not h.path.startswith("/top-")]
    return Cost(len(hits), sum(h.bytes for h in hits), wall, cpu)


def _rows(data: Path, eco: str) -> dict[str, tuple[str | None, str]]:
    snap = Snapshot.model_validate_json((data / f"{eco}.json").read_bytes())
    return {p.name: (p.version, p.status.value) for p in snap.packages}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=1000)
    parser.add_argument("--root-projects", type=int, default=0)
    args = parser.parse_args()
    registry = LiveRegistry(root_projects=args.root_projects)
    for i in range(args.top):
        registry.add("npm", f"pkg-{i}", attested=i % 3 == 0)
        registry.add("pypi", f"proj-{i}", attested=i % 3 == 0)
    churn = max(2, args.top // 50)
    print(f"top {args.top} per ecosystem; {churn} packages each get a new release (2%)")
    print(f"{'run':<32}{'requests':>10}{'bytes':>14}{'wall s':>9}{'CPU s':>8}")
    with serve(registry) as url, tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        plans = {
            "npm": [("npm, warm (replication feed)", {})],
            "pypi": [
                ("pypi, warm (conditional)", {}),
                ("pypi, warm (/simple/ root)", {"feed_min": {"pypi": 0}}),
            ],
        }
        failures = []
        for eco, warm_plans in plans.items():
            cold = _run(registry, config_for(url, data, args.top), eco)
            _line(f"{eco}, cold", cold, cold)
            before = _rows(data, eco)
            names = list(registry.npm if eco == "npm" else registry.pypi)[:: args.top // churn]
            expected = dict(before)
            for k, name in enumerate(names[:churn]):
                attested = before[name][1] == "attested"
                flip = k % 2 == 0
                version = registry.release(eco, name, attested != flip)
                status = "attested" if attested != flip else "missing"
                expected[name] = (version, status)
            shutil.copytree(data, Path(tmp) / "cold")
            for label, changes in warm_plans:
                shutil.rmtree(data)
                shutil.copytree(Path(tmp) / "cold", data)
                warm = _run(registry, config_for(url, data, args.top, **changes), eco)
                _line(label, warm, cold)
                after = _rows(data, eco)
                wrong = [n for n in expected if after.get(n) != expected[n]]
                failures += [
                    f"{label}: {n} is {after.get(n)}, expected {expected[n]}" for n in wrong
                ]
            shutil.rmtree(Path(tmp) / "cold")
        print(
            "every changed row shows its new version and status; no other row changed"
            if not failures
            else "\n".join(failures[:20])
        )
        root = registry.document("/simple/")
        if root is not None:
            size = len(root[0])
            listed = len(registry.pypi) + args.root_projects
            print(
                f"/simple/ root here: {size:,} bytes for {listed:,} projects "
                f"({size / listed:.0f} bytes per project)"
            )
        if failures:
            sys.exit(1)


def _line(label: str, cost: Cost, cold: Cost) -> None:
    share = (
        f"  ({cost.requests / cold.requests:.1%} of requests, "
        f"{cost.bytes / cold.bytes:.2%} of bytes)"
    )
    print(
        f"{label:<32}{cost.requests:>10,}{cost.bytes:>14,}{cost.wall:>9.2f}{cost.cpu:>8.2f}"
        + (share if cost is not cold else "")
    )


if __name__ == "__main__":
    main()
