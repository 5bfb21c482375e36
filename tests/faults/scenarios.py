"""The fault catalogue: one misbehaving package per fault, for PyPI and npm.

Shared by the tests (``tests/faults/``) and the figures (``bench/faults.py``). Each
:class:`Fault` is a package whose registry routes misbehave in one scripted way; the rest of
its routes are a healthy package's. Documents follow the real registries' shapes (PyPI JSON
API ``info``/``urls``, PEP 691 simple ``files``; npm packument ``dist-tags``/``versions``/
``time``).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from generator.crawl import RankedList, crawl
from generator.demo.server import Registry, Reply, serve
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy, MiB
from generator.models import PackageResult, Snapshot, SourceInfo, Status
from tests.builders import packument, pypi_json, simple_index, whole
from tests.faults.actions import hang_up, reset_mid_body, retry_after_date, stall, stream, trickle

# Tight limits so a whole run of faults takes seconds: 4 attempts, short timeouts. Not too
# tight: a loaded 2-core machine (tests in parallel, coverage tracing) must still stream a
# healthy 4 MiB inside one attempt, or a fault meant to cost one request costs two (seen
# at a load average of 6.6 with a 2.5 s deadline: the 50 MB stream cost two requests; and
# with a 1 s read timeout, a small document's answer once came late: two requests).
POLICY = HttpPolicy(
    concurrency=16,
    attempts=4,
    backoff=0.01,
    max_wait=3,
    connect_timeout=1,
    read_timeout=2.0,
    deadline=3.5,
    max_bytes=4 * MiB,
)
ATTEMPTS = POLICY.attempts


# ---- healthy documents (tests/builders.py) ----------------------------------------------


def main_path(ecosystem: str, name: str) -> str:
    return f"/{name}" if ecosystem == "npm" else f"/pypi/{name}/json"


def healthy_routes(ecosystem: str, name: str) -> dict[str, list[Reply]]:
    if ecosystem == "npm":
        return {f"/{name}": [_json(packument(name))]}
    return {
        f"/pypi/{name}/json": [_json(pypi_json(name))],
        f"/simple/{name}/": [_json(simple_index(name))],
    }


def _json(document: Any) -> Reply:
    return Reply(200, json.dumps(document).encode())


# ---- the catalogue ----------------------------------------------------------------------


@dataclass
class Fault:
    """One misbehaving package and what the crawler must make of it."""

    label: str
    """The fault injected, in words (the table's first column)."""
    ecosystem: str
    name: str
    routes: dict[str, list[Reply]]
    """Routes replacing the healthy package's (paths not given stay healthy)."""
    error: str | None
    """A substring the package's ``error`` must contain; None: the package must recover."""
    hits: dict[str, int] = field(default_factory=dict)
    """Exact number of requests the server must receive per path (the retry budget)."""
    status: Status | None = None
    """For a recovering package: the status it must get (default: as a healthy one)."""
    min_gap: float = 0.0
    """Least seconds between the first two requests (a ``Retry-After`` honoured)."""
    other_hosts: int = 0
    """Requests another host may receive (a refused cross-host redirect: 0)."""

    @property
    def path(self) -> str:
        return main_path(self.ecosystem, self.name)


def _mutated(ecosystem: str, name: str, where: str, mutate: Callable[[Any], Any]) -> Reply:
    """A healthy document for ``name`` with ``mutate`` applied (it may return a new root)."""
    base: Any = {
        "npm": packument,
        "pypi": pypi_json,
        "simple": simple_index,
    }[where if where == "simple" else ecosystem](name)
    document = copy.deepcopy(base)
    replaced = mutate(document)
    return _json(document if replaced is None else replaced)


def _http_faults(eco: str) -> Iterator[Fault]:
    def f(slug: str) -> str:
        return f"{slug}-{eco}"

    def at(name: str, *replies: Reply) -> dict[str, list[Reply]]:
        return {main_path(eco, name): list(replies)}

    def good(name: str) -> Reply:
        return healthy_routes(eco, name)[main_path(eco, name)][0]

    n = f("rate-seconds")
    yield Fault(
        "429 with Retry-After: 1 (seconds), then 200",
        eco,
        n,
        at(n, Reply(429, headers={"Retry-After": "1"}), good(n)),
        None,
        {main_path(eco, n): 2},
        min_gap=0.95,
    )
    n = f("rate-date")
    yield Fault(
        "429 with Retry-After as an HTTP-date 2 s ahead, then 200",
        eco,
        n,
        at(n, Reply(action=retry_after_date(429, 2)), good(n)),
        None,
        {main_path(eco, n): 2},
        min_gap=0.95,
    )
    n = f("rate-bare")
    yield Fault(
        "429 without Retry-After, then 200",
        eco,
        n,
        at(n, Reply(429), good(n)),
        None,
        {main_path(eco, n): 2},
    )
    n = f("rate-forever")
    yield Fault(
        "429 forever",
        eco,
        n,
        at(n, Reply(429)),
        f"HTTP 429 (after {ATTEMPTS} attempts)",
        {main_path(eco, n): ATTEMPTS},
    )
    n = f("rate-hour")
    yield Fault(
        "429 with Retry-After: 3600 (over the wait budget)",
        eco,
        n,
        at(n, Reply(429, headers={"Retry-After": "3600"})),
        "Retry-After 3600 s, over the 3 s budget",
        {main_path(eco, n): 1},
    )
    n = f("burst")
    yield Fault(
        "500, 502, 503, then 200",
        eco,
        n,
        at(n, Reply(500), Reply(502), Reply(503), good(n)),
        None,
        {main_path(eco, n): 4},
    )
    n = f("down")
    yield Fault(
        "503 forever",
        eco,
        n,
        at(n, Reply(503)),
        f"HTTP 503 (after {ATTEMPTS} attempts)",
        {main_path(eco, n): ATTEMPTS},
    )
    body = json.dumps(packument(n) if eco == "npm" else pypi_json(n)).encode()
    n = f("reset-once")
    yield Fault(
        "connection reset mid-body once, then 200",
        eco,
        n,
        at(n, Reply(action=reset_mid_body(body, 40)), good(n)),
        None,
        {main_path(eco, n): 2},
    )
    n = f("reset")
    yield Fault(
        "connection reset mid-body, every time",
        eco,
        n,
        at(n, Reply(action=reset_mid_body(body, 40))),
        "connection",
        {main_path(eco, n): ATTEMPTS},
    )
    n = f("hang-up")
    yield Fault(
        "connection closed with no response",
        eco,
        n,
        at(n, Reply(action=hang_up())),
        "connection closed",
        {main_path(eco, n): ATTEMPTS},
    )
    n = f("stall")
    yield Fault(
        f"no response past the read timeout ({POLICY.read_timeout:g} s)",
        eco,
        n,
        at(n, Reply(action=stall(4))),
        f"timeout (ReadTimeout) (after {ATTEMPTS} attempts)",
        {main_path(eco, n): ATTEMPTS},
    )
    n = f("trickle")
    yield Fault(
        "a byte every 0.1 s, never ending (under the read timeout)",
        eco,
        n,
        at(n, Reply(action=trickle(0.1, 10))),
        f"no complete response within {POLICY.deadline:g} s (after {ATTEMPTS} attempts)",
        {main_path(eco, n): ATTEMPTS},
    )
    n = f("not-found")
    yield Fault("404", eco, n, at(n, Reply(404)), "HTTP 404", {main_path(eco, n): 1})
    n = f("truncated")
    yield Fault(
        "truncated JSON",
        eco,
        n,
        at(n, Reply(200, body[: len(body) // 2])),
        "malformed JSON",
        {main_path(eco, n): 1},
    )
    n = f("latin1")
    yield Fault(
        "invalid UTF-8",
        eco,
        n,
        at(n, Reply(200, b'{"name": "caf\xe9"}')),
        "invalid UTF-8 at byte 13",
        {main_path(eco, n): 1},
    )
    n = f("array")
    yield Fault(
        "a JSON array where an object belongs",
        eco,
        n,
        at(n, Reply(200, b"[1, 2, 3]")),
        "is an array, not an object",
        {main_path(eco, n): 1},
    )
    n = f("deep")
    yield Fault(
        "JSON nested 100,000 deep",
        eco,
        n,
        at(n, Reply(200, b"[" * 100_000 + b"]" * 100_000)),
        "nested too deeply",
        {main_path(eco, n): 1},
    )
    n = f("huge")
    yield Fault(
        "a 50 MB document, streamed without Content-Length (cap 4 MiB)",
        eco,
        n,
        at(n, Reply(action=stream(_fifty_mb()))),
        "over the 4 MiB cap",
        {main_path(eco, n): 1},
    )
    n = f("huge-declared")
    yield Fault(
        "a 50 MB document with its Content-Length",
        eco,
        n,
        at(n, Reply(200, b" " * (50 * 1000 * 1000))),
        "over the 4 MiB cap",
        {main_path(eco, n): 1},
    )
    n = f("bomb")
    yield Fault(
        "gzip that inflates 50 KB into 50 MB",
        eco,
        n,
        at(n, Reply(action=stream(_fifty_mb(), gzip_encoded=True))),
        "over the 4 MiB cap",
        {main_path(eco, n): 1},
    )
    n = f("bad-gzip")
    yield Fault(
        "Content-Encoding: gzip on a body that is not gzip",
        eco,
        n,
        at(n, Reply(200, b"{}", headers={"Content-Encoding": "gzip"})),
        "invalid gzip body",
        {main_path(eco, n): 1},
    )
    n = f("moved")
    moved_to = f"/moved-here/{n}"
    yield Fault(
        "301 to another path on the registry (followed)",
        eco,
        n,
        {**at(n, Reply(301, headers={"Location": moved_to})), moved_to: [good(n)]},
        None,
        {main_path(eco, n): 1, moved_to: 1},
    )
    n = f("loop")
    yield Fault(
        "302 to itself, forever",
        eco,
        n,
        at(n, Reply(302, headers={"Location": main_path(eco, n)})),
        f"more than {POLICY.max_redirects} redirects",
        {main_path(eco, n): POLICY.max_redirects + 1},
    )
    n = f("scheme")
    yield Fault(
        "302 to javascript:",
        eco,
        n,
        at(n, Reply(302, headers={"Location": "javascript:alert(1)"})),
        "redirect to a non-HTTP",
        {main_path(eco, n): 1},
    )
    n = f("file")
    yield Fault(
        "302 to file:///etc/passwd",
        eco,
        n,
        at(n, Reply(302, headers={"Location": "file:///etc/passwd"})),
        "redirect to a non-HTTP URL (file:)",
        {main_path(eco, n): 1},
    )
    n = f("elsewhere")
    yield Fault(
        "302 to another host",
        eco,
        n,
        at(n, Reply(302, headers={"Location": "{OTHER}/stolen"})),
        "redirect to another host (127.0.0.1:",
        {main_path(eco, n): 1},
        other_hosts=0,
    )


def _fifty_mb() -> Iterator[bytes]:
    yield b'{"padding": "'
    for _ in range(50 * 16):
        yield b"x" * (64 * 1024)
    yield b'"}'


def _shape_faults(eco: str) -> Iterator[Fault]:
    """Wrong types in every field the crawler reads, and the documented edge shapes."""
    rows: list[tuple[str, str, Callable[[Any], Any], str | None, Status | None]]
    if eco == "npm":
        v = "versions"
        rows = [
            (
                "dist-tags missing",
                "npm",
                lambda d: d.pop("dist-tags") and None,
                "dist-tags is missing",
                None,
            ),
            (
                "dist-tags a number",
                "npm",
                lambda d: d.update({"dist-tags": 7}),
                "dist-tags is a number",
                None,
            ),
            (
                "dist-tags.latest a number",
                "npm",
                lambda d: d["dist-tags"].update(latest=1),
                "dist-tags.latest is a number",
                None,
            ),
            (
                "dist-tags.latest empty",
                "npm",
                lambda d: d["dist-tags"].update(latest=""),
                "dist-tags.latest is an empty string",
                None,
            ),
            (
                "latest names a version that does not exist",
                "npm",
                lambda d: d["dist-tags"].update(latest="9.9.9"),
                "dist-tags.latest names '9.9.9', which is not in versions",
                None,
            ),
            ("versions empty", "npm", lambda d: d.update(versions={}), "not in versions", None),
            (
                "versions an array",
                "npm",
                lambda d: d.update(versions=[]),
                "versions is an array",
                None,
            ),
            (
                "versions[latest] a string",
                "npm",
                lambda d: d[v].update({"1.0.0": "x"}),
                "versions['1.0.0'] is a string",
                None,
            ),
            (
                "versions[latest].dist a number",
                "npm",
                lambda d: d[v]["1.0.0"].update(dist=5),
                "versions['1.0.0'].dist is a number",
                None,
            ),
            ("time missing", "npm", lambda d: d.pop("time") and None, "time is missing", None),
            ("time an array", "npm", lambda d: d.update(time=[]), "time is an array", None),
            (
                "time[latest] not a date",
                "npm",
                lambda d: d["time"].update({"1.0.0": "yesterday"}),
                "time['1.0.0'] is not a date",
                None,
            ),
            (
                "time[latest] a number",
                "npm",
                lambda d: d["time"].update({"1.0.0": 17}),
                "time['1.0.0'] is a number, not a date",
                None,
            ),
            (
                "time[latest] out of range in UTC",
                "npm",
                lambda d: d["time"].update({"1.0.0": "0001-01-01T00:00:00+01:00"}),
                "out of range",
                None,
            ),
            (
                "repository a number",
                "npm",
                lambda d: d[v]["1.0.0"].update(repository=5),
                None,
                Status.UNSUPPORTED_CI,
            ),
            (
                "packument repository a number (version has none)",
                "npm",
                lambda d: d.update(repository=5) or d[v]["1.0.0"].pop("repository") and None,
                None,
                Status.UNSUPPORTED_CI,
            ),
            (
                "repository.url a list",
                "npm",
                lambda d: d[v]["1.0.0"].update(repository={"url": ["x"]}),
                None,
                Status.UNSUPPORTED_CI,
            ),
            (
                "_npmUser a string",
                "npm",
                lambda d: d[v]["1.0.0"].update(_npmUser="x"),
                None,
                Status.MISSING,
            ),
            (
                "dist.attestations a string",
                "npm",
                lambda d: d[v]["1.0.0"]["dist"].update(attestations="yes"),
                None,
                Status.MISSING,
            ),
        ]
    else:
        rows = [
            ("document an array", "pypi", lambda d: [d], "document is an array", None),
            ("info a string", "pypi", lambda d: d.update(info="x"), "info is a string", None),
            (
                "info.version a number",
                "pypi",
                lambda d: d["info"].update(version=1.0),
                "info.version is a number",
                None,
            ),
            (
                "info.version missing",
                "pypi",
                lambda d: d["info"].pop("version") and None,
                "info.version is missing",
                None,
            ),
            ("urls an object", "pypi", lambda d: d.update(urls={}), "urls is an object", None),
            (
                "urls empty (no files)",
                "pypi",
                lambda d: d.update(urls=[]),
                "release 1.0 has no non-yanked files",
                None,
            ),
            (
                "urls[0] a string",
                "pypi",
                lambda d: d.update(urls=["x"]),
                "urls[0] is a string",
                None,
            ),
            (
                "urls[0].filename a number",
                "pypi",
                lambda d: d["urls"][0].update(filename=3),
                "urls[0].filename is a number",
                None,
            ),
            (
                "upload time not a date",
                "pypi",
                lambda d: d["urls"][0].update(upload_time_iso_8601="soon", upload_time=None),
                "upload_time_iso_8601 is not a date",
                None,
            ),
            (
                "upload time a number",
                "pypi",
                lambda d: d["urls"][0].update(upload_time_iso_8601=3, upload_time=None),
                "is a number, not a date",
                None,
            ),
            ("simple index an array", "simple", lambda d: [d], "simple index is an array", None),
            (
                "simple files an object",
                "simple",
                lambda d: d.update(files={}),
                "simple files is an object",
                None,
            ),
            (
                "simple files[0] a number",
                "simple",
                lambda d: d.update(files=[1]),
                "simple files[0] is a number",
                None,
            ),
            (
                "project_urls an array",
                "pypi",
                lambda d: d["info"].update(project_urls=[]),
                None,
                Status.UNSUPPORTED_CI,
            ),
            (
                "project_urls values numbers",
                "pypi",
                lambda d: d["info"].update(project_urls={"Source": 5}),
                None,
                Status.UNSUPPORTED_CI,
            ),
            (
                "home_page a number",
                "pypi",
                lambda d: d["info"].update(project_urls=None, home_page=5),
                None,
                Status.UNSUPPORTED_CI,
            ),
            (
                "info.name a number",
                "pypi",
                lambda d: d["info"].update(name=5),
                None,
                Status.MISSING,
            ),
            (
                "urls[0].yanked a string",
                "pypi",
                lambda d: d["urls"][0].update(yanked="yes"),
                None,
                Status.MISSING,
            ),
            (
                "simple filename a number",
                "simple",
                lambda d: d["files"][0].update(filename=5),
                None,
                Status.MISSING,
            ),
            (
                "simple provenance a number",
                "simple",
                lambda d: d["files"][0].update(provenance=5),
                None,
                Status.MISSING,
            ),
        ]
    for i, (label, where, mutate, error, status) in enumerate(rows):
        name = f"shape{i}-{eco}"
        path = f"/simple/{name}/" if where == "simple" else main_path(eco, name)
        hits = {path: 1}
        yield Fault(
            f"{label}",
            eco,
            name,
            {path: [_mutated(eco, name, where, mutate)]},
            error,
            hits,
            status=status,
        )


def faults(ecosystem: str) -> list[Fault]:
    """Every registry fault for ``ecosystem`` (HTTP, connection, size, redirect, shape)."""
    return [*_http_faults(ecosystem), *_shape_faults(ecosystem)]


HEALTHY_STATUS = Status.MISSING
"""A healthy package in these documents: a recent release on GitHub without attestations."""


# ---- running a crawl against the misbehaving registry -----------------------------------


@dataclass
class Run:
    snapshot: Snapshot
    registry: Registry
    other: Registry

    def result(self, name: str) -> PackageResult:
        return next(p for p in self.snapshot.packages if p.name == name)


async def crawl_with_faults(
    ecosystem: str, chosen: list[Fault], healthy: list[str], policy: HttpPolicy = POLICY
) -> Run:
    """Serve ``chosen`` faults plus ``healthy`` packages on 127.0.0.1 (and an "other host"
    that must never be asked) and crawl them all at once."""
    registry, other = Registry(), Registry()
    other.add("/stolen", _json({"stolen": True}))
    names = [*healthy, *(f.name for f in chosen)]
    for name in healthy:
        registry.routes.update(healthy_routes(ecosystem, name))
    with serve(other) as other_url, serve(registry) as url:
        for fault in chosen:
            registry.routes.update(healthy_routes(ecosystem, fault.name))
            for path, replies in fault.routes.items():
                registry.routes[path] = [_other(r, other_url) for r in replies]
        async with Fetcher(url, policy) as fetcher:
            ranked = RankedList(
                names, SourceInfo(kind="packages-file", location="faults", requested=len(names))
            )
            snapshot = whole(await crawl(REGISTRY[ecosystem], fetcher, ranked))
    return Run(snapshot, registry, other)


def _other(reply: Reply, other_url: str) -> Reply:
    location = reply.headers.get("Location", "")
    if "{OTHER}" not in location:
        return reply
    return Reply(reply.status, reply.body, {"Location": location.replace("{OTHER}", other_url)})


def check(fault: Fault, run: Run) -> list[str]:
    """What is wrong with how the crawler handled ``fault`` (empty: all as required)."""
    problems = []
    got = run.result(fault.name)
    if fault.error is None:
        want = fault.status or HEALTHY_STATUS
        if got.status is not want:
            problems.append(f"status {got.status.value} ({got.error or got.reason}), want {want}")
    elif got.status is not Status.ERROR or fault.error not in (got.error or ""):
        problems.append(f"error {got.error!r}, want one containing {fault.error!r}")
    for path, count in fault.hits.items():
        if run.registry.hits[path] != count:
            problems.append(f"{path}: {run.registry.hits[path]} requests, want {count}")
    if fault.min_gap:
        times = [t for p, t in run.registry.log if p == fault.path]
        if len(times) < 2 or times[1] - times[0] < fault.min_gap:
            problems.append(f"retried too early: {times}")
    if sum(run.other.hits.values()) > fault.other_hosts:
        problems.append(f"another host was asked: {dict(run.other.hits)}")
    return problems
