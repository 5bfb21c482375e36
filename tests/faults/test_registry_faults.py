"""Every registry fault, injected per package, in one concurrent crawl per ecosystem.

Each faulty package must end as ``error`` with a reason naming its fault (or recover, for
transient faults), with exactly the requests its retry budget allows; the healthy packages
crawled alongside must be untouched. Time is never measured here: each fault's retry budget
is asserted as the exact number of requests the server received (and a honoured
``Retry-After`` as the gap between two requests in the server's log).
"""

from __future__ import annotations

import socket

import pytest

from generator.crawl import RankedList, crawl
from generator.ecosystems import REGISTRY
from generator.http import Fetcher, HttpPolicy
from generator.models import SourceInfo, Status
from tests.builders import whole
from tests.faults.scenarios import HEALTHY_STATUS, check, crawl_with_faults, faults

HEALTHY = [f"healthy-{i}" for i in range(30)]


@pytest.mark.long
@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_every_fault_costs_one_package_at_most(ecosystem: str) -> None:
    chosen = faults(ecosystem)
    run = await crawl_with_faults(ecosystem, chosen, HEALTHY)
    problems = {f"{f.name}: {f.label}": p for f in chosen if (p := check(f, run))}
    assert not problems, problems
    # The healthy neighbours are untouched: right status, one request per document.
    for name in HEALTHY:
        got = run.result(name)
        assert got.status is HEALTHY_STATUS and got.error is None, (name, got.reason)
    per_package = 1 if ecosystem == "npm" else 2
    healthy_hits = sum(n for p, n in run.registry.hits.items() if "/healthy-" in p)
    assert healthy_hits == per_package * len(HEALTHY)
    # Every package is in the snapshot, in rank order; error reasons carry no traceback.
    assert [p.rank for p in run.snapshot.packages] == list(range(1, len(HEALTHY) + len(chosen) + 1))
    assert not [p.name for p in run.snapshot.packages if "internal error" in (p.error or "")]
    errors = sum(f.error is not None for f in chosen)
    assert run.snapshot.summary.by_status[Status.ERROR] == errors


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again on exit: nothing listens there


@pytest.mark.parametrize("ecosystem", ["pypi", "npm"])
async def test_connection_refused(ecosystem: str) -> None:
    names = [f"pkg-{i}" for i in range(20)]
    policy = HttpPolicy(attempts=3, backoff=0.01, max_wait=1, connect_timeout=1)
    async with Fetcher(f"http://127.0.0.1:{closed_port()}", policy) as fetcher:
        ranked = RankedList(names, SourceInfo(kind="packages-file", location="x", requested=20))
        snapshot = whole(await crawl(REGISTRY[ecosystem], fetcher, ranked))
        requests = fetcher.stats.requests
    assert len(snapshot.packages) == 20
    for package in snapshot.packages:
        assert package.error == "cannot connect (ConnectError: refused) (after 3 attempts)"
    assert requests == 3 * 20  # one document each (PyPI stops at its first), three attempts
