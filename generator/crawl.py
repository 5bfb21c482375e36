"""Orchestration: ranked list → observation (concurrently) → verify → classify → Snapshot."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import anyio

from generator.caps import MAX_EXAMPLES
from generator.classify import classify
from generator.ecosystems.base import Ecosystem
from generator.errors import PackageError, SourceError
from generator.http import Fetcher
from generator.models import (
    Observation,
    PackageResult,
    Snapshot,
    SourceInfo,
    Status,
    VerificationFields,
    summarize,
    utc_now,
)
from generator.sources import read_packages_file
from generator.verify import VERIFY, VerifyOptions, check


@dataclass(frozen=True)
class RankedList:
    names: list[str]
    source: SourceInfo


def rank(ecosystem: Ecosystem, names: list[str], n: int | None) -> tuple[list[str], list[str], int]:
    """Valid, de-duplicated names in order (at most ``n``: the list is not read further), at
    most :data:`MAX_EXAMPLES` examples of the entries dropped, and how many were dropped."""
    kept: list[str] = []
    seen: set[str] = set()
    skipped: list[str] = []
    dropped = 0
    for name in names:
        if n is not None and len(kept) >= n:
            break
        key = ecosystem.normalize(name)
        if key is not None and key not in seen:
            seen.add(key)
            kept.append(name)
            continue
        dropped += 1
        if len(skipped) < MAX_EXAMPLES:
            # backslashreplace: a lone surrogate from JSON must not break the snapshot's UTF-8.
            shown = name[:100].encode("utf-8", "backslashreplace").decode("utf-8")
            skipped.append(f"{shown} ({'invalid name' if key is None else 'duplicate'})")
    return kept, skipped, dropped


async def ranked_list(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    *,
    n: int,
    packages_file: str | None = None,
    top_source: str | None = None,
) -> RankedList:
    """The packages to crawl, from ``--packages`` or the ecosystem's top-N source."""
    if packages_file is not None:
        raw = read_packages_file(packages_file)
        names, skipped, dropped = rank(ecosystem, raw, None)
        info = SourceInfo(
            kind="packages-file",
            location=packages_file,
            requested=len(raw),
            skipped=skipped,
            skipped_count=dropped,
        )
    else:
        raw, location = await ecosystem.top(fetcher, top_source, n)
        names, skipped, dropped = rank(ecosystem, raw, n)
        info = SourceInfo(
            kind="top-n", location=location, requested=n, skipped=skipped, skipped_count=dropped
        )
    if not names:
        raise SourceError(f"{info.location} yields no valid {ecosystem.display_name} package names")
    return RankedList(names, info)


async def package_result(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    rank_: int,
    name: str,
    verify: VerifyOptions = VERIFY,
) -> PackageResult:
    """One package's row; every failure is caught here and becomes status ``error``."""
    budget = fetcher.policy.package_deadline
    try:
        # One deadline across all of this package's requests and retries: a server that
        # trickles a byte a second costs `budget` seconds, not attempts × deadline each.
        with anyio.fail_after(budget if budget is not None else math.inf):
            observation = await ecosystem.evidence(fetcher, name)
        verified = verify_stage(observation, verify)
    except TimeoutError:
        return _error(rank_, name, f"no complete answer within {budget:g} s for the package")
    except PackageError as exc:
        return _error(rank_, name, exc.reason)
    except Exception as exc:  # noqa: BLE001 - a parser bug must cost one package, not the run
        return _error(rank_, name, f"internal error ({type(exc).__name__})")
    evidence = observation.evidence
    verdict = classify(evidence, ecosystem.attestation_cutoff, ecosystem.display_name)
    result = PackageResult(
        rank=rank_,
        status=verdict.status,
        reason=verdict.reason,
        **evidence.model_dump(exclude={"attested"}),
        **verified.model_dump(),
    )
    try:  # a string that cannot be written as UTF-8 would fail the whole snapshot later
        result.model_dump_json()
    except ValueError:
        return _error(rank_, name, "metadata that cannot be written as UTF-8")
    return result


def verify_stage(observation: Observation, options: VerifyOptions) -> VerificationFields:
    """The verification stage of one package: the ecosystem fetched the provenance, this
    checks it (offline, no request) as ``options`` say."""
    return check(observation, options)


def _error(rank_: int, name: str, reason: str) -> PackageResult:
    return PackageResult(
        rank=rank_,
        name=name,
        version=None,
        published_at=None,
        status=Status.ERROR,
        reason=f"could not be read: {reason}",
        trusted_publishing=None,
        repository=None,
        error=reason,
    )


async def crawl(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    ranked: RankedList,
    *,
    demo: bool = False,
    on_result: Callable[[PackageResult], None] | None = None,
    verify: VerifyOptions = VERIFY,
) -> Snapshot:
    """Crawl every package of ``ranked``; a failing package never cancels its siblings.

    Attested provenance is verified as ``verify`` says (trust root, or a reason not to).
    """
    results: list[PackageResult | None] = [None] * len(ranked.names)
    limiter = anyio.CapacityLimiter(fetcher.policy.concurrency)

    async def one(index: int, name: str) -> None:
        async with limiter:
            result = await package_result(ecosystem, fetcher, index + 1, name, verify)
        results[index] = result
        if on_result is not None:
            on_result(result)

    async with anyio.create_task_group() as tg:
        for index, name in enumerate(ranked.names):
            tg.start_soon(one, index, name)

    packages = [r for r in results if r is not None]
    return Snapshot(
        ecosystem=ecosystem.name,
        generated_at=utc_now(),
        demo=demo,
        registry=fetcher.base_url,
        attestation_cutoff=ecosystem.attestation_cutoff,
        source=ranked.source,
        summary=summarize(packages),
        packages=packages,
    )
