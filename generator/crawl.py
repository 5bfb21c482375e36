"""Orchestration: ranked list → observation (concurrently) → verify → classify → Snapshot."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, replace

import anyio

from generator.caps import MAX_EXAMPLES
from generator.classify import classify
from generator.crawl_depth import backfill_signers, ranked_downloads, with_depth
from generator.ecosystems.base import Ecosystem
from generator.errors import PackageError, SourceError, UsageError
from generator.gc_tuning import lean_gc
from generator.http import KEY_DOCUMENT, Fetcher, KeyDocument, Unchanged
from generator.models import (
    Observation,
    PackageResult,
    ShardInfo,
    Snapshot,
    SourceInfo,
    Status,
    Tally,
    Verification,
    VerificationFields,
    utc_now,
)
from generator.sources import read_packages_file
from generator.spool import Crawled, RowSpool
from generator.state import Entry, StateRun, Validators
from generator.timeline import Downloads
from generator.verify import VERIFY, VerifyOptions, check


@dataclass(frozen=True)
class RankedList:
    names: list[str]
    source: SourceInfo
    ranks: list[int] | None = None
    """Each name's rank in the full list when this is a shard of it; else 1, 2, 3 …"""
    shard: ShardInfo | None = None
    """Which shard of the full list this is (recorded in the snapshot)."""
    downloads: list[Downloads | None] | None = None
    """Each name's downloads from the ranking source (same order), or None when the list
    has no counts (``--packages FILE``)."""


@dataclass(frozen=True)
class Shard:
    """``--shard K/N``: shard ``index`` (0-based) of ``count``."""

    index: int
    count: int
    run: str | None = None

    def __post_init__(self) -> None:
        if self.count < 1:
            raise UsageError(f"--shard K/N: N must be at least 1, not {self.count}")
        if not 0 <= self.index < self.count:
            raise UsageError(
                f"--shard K/N: K is 0-based and must be 0 to {self.count - 1}, not {self.index}"
            )

    @classmethod
    def parse(cls, text: str, run: str | None = None) -> Shard:
        """``"1/4"`` → shard 1 of 4; a ``UsageError`` for anything else."""
        index, slash, count = text.partition("/")
        if not (slash and index.isdigit() and count.isdigit()):
            raise UsageError(f"--shard takes K/N (e.g. 0/4), not {text!r}")
        return cls(int(index), int(count), run)


def select_shard(ranked: RankedList, shard: Shard) -> RankedList:
    """Every ``shard.count``-th name of ``ranked`` from 0-based position ``shard.index``,
    each keeping its rank in the full list; the source and its skipped entries are the full
    list's, so every shard of one run records the same ones."""
    digest = hashlib.sha256("\n".join(ranked.names).encode("utf-8", "surrogatepass")).hexdigest()
    positions = range(shard.index, len(ranked.names), shard.count)
    info = ShardInfo(
        index=shard.index,
        count=shard.count,
        ranked=len(ranked.names),
        ranked_sha256=digest,
        run=shard.run,
    )
    return replace(
        ranked,
        names=[ranked.names[i] for i in positions],
        downloads=[ranked.downloads[i] for i in positions] if ranked.downloads else None,
        ranks=[i + 1 for i in positions],
        shard=info,
    )


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
    """The packages to crawl, from ``--packages`` or the ecosystem's top-N source; a top-N
    source's download counts are carried along (a packages file has none)."""
    downloads: list[Downloads | None] | None = None
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
        top = await ecosystem.top(fetcher, top_source, n)
        names, skipped, dropped = rank(ecosystem, top.names, n)
        info = SourceInfo(
            kind="top-n", location=top.location, requested=n, skipped=skipped, skipped_count=dropped
        )
        downloads = ranked_downloads(ecosystem, top, names)
    if not names:
        raise SourceError(f"{info.location} yields no valid {ecosystem.display_name} package names")
    return RankedList(names, info, downloads=downloads)


async def package_result(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    rank_: int,
    name: str,
    verify: VerifyOptions = VERIFY,
) -> PackageResult:
    """One package's row; every failure is caught here and becomes status ``error``."""
    return (await package_row(ecosystem, fetcher, rank_, name, verify))[0]


def _conditional(entry: Entry | None) -> dict[str, str] | None:
    if entry is None:
        return None
    v = entry.validators
    headers = {"If-None-Match": v.etag} if v.etag else {}
    if v.last_modified:
        headers["If-Modified-Since"] = v.last_modified
    return headers or None


def _validators(seen: dict[str, str]) -> Validators:
    serial = seen.get("x-pypi-last-serial", "")
    return Validators(
        etag=seen.get("etag"),
        last_modified=seen.get("last-modified"),
        serial=int(serial) if serial.isdigit() and len(serial) < 19 else None,
    )


async def package_row(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    rank_: int,
    name: str,
    verify: VerifyOptions = VERIFY,
    previous: Entry | None = None,
    signer_backfill: int = 0,
) -> tuple[PackageResult, Entry | None]:
    """One package's row, and the state entry the next crawl may reuse (None: nothing to keep).

    With ``previous``, the key document (the ecosystem's first request) is asked for
    conditionally; a 304 reuses the previous row, re-ranked, with nothing downloaded.
    A row read afresh learns up to ``signer_backfill`` earlier signers (``crawl_depth``).
    """
    key = KeyDocument(sent=_conditional(previous))
    token = KEY_DOCUMENT.set(key)
    try:
        result, unreadable = await _package_result(
            ecosystem, fetcher, rank_, name, verify, previous, signer_backfill
        )
    except Unchanged:
        assert previous is not None
        seen = _validators(key.seen) if key.seen else previous.validators
        row = previous.row.model_copy(update={"rank": rank_})
        return row, Entry(validators=seen, row=row)
    finally:
        KEY_DOCUMENT.reset(token)
    validators = _validators(key.seen)
    # Only a complete, readable row is kept: an error, or a secondary document that could not
    # be read, is asked for again next time.
    if result.status is Status.ERROR or unreadable or not validators.usable():
        return result, None
    return result, Entry(validators=validators, row=result)


async def _package_result(
    ecosystem: Ecosystem,
    fetcher: Fetcher,
    rank_: int,
    name: str,
    verify: VerifyOptions,
    previous: Entry | None = None,
    signer_backfill: int = 0,
) -> tuple[PackageResult, bool]:
    budget = fetcher.policy.package_deadline
    try:
        # One deadline across all of this package's requests and retries: a server that
        # trickles a byte a second costs `budget` seconds, not attempts × deadline each.
        with anyio.fail_after(budget if budget is not None else math.inf) as scope:
            observation = await ecosystem.evidence(fetcher, name)
        # Within what is left of it; running out costs the earlier signers only.
        observation = await backfill_signers(
            ecosystem, fetcher, observation, previous, signer_backfill, scope.deadline
        )
        verified = verify_stage(observation, verify)
    except TimeoutError:
        reason = f"no complete answer within {budget:g} s for the package"
        return _error(rank_, name, reason), True
    except PackageError as exc:
        return _error(rank_, name, exc.reason), True
    except Unchanged:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser bug must cost one package, not the run
        return _error(rank_, name, f"internal error ({type(exc).__name__})"), True
    evidence = observation.evidence
    verdict = classify(evidence, ecosystem.attestation_cutoff, ecosystem.display_name)
    result = PackageResult(
        rank=rank_,
        status=verdict.status,
        reason=verdict.reason,
        **evidence.model_dump(exclude={"attested"}),
        **verified.model_dump(),
    )
    return result, observation.unreadable is not None


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
    state: StateRun | None = None,
    signer_backfill: int = 0,
) -> Crawled:
    """Crawl every package of ``ranked``; a failing package never cancels its siblings.

    Attested provenance is verified as ``verify`` says (trust root, or a reason not to).
    With ``state``, stored rows are reused: with no request when the change feed proved the
    package unchanged, after a 304 otherwise; the result's ``kept`` names the rows the next
    crawl may reuse. A package read afresh fetches up to ``signer_backfill`` earlier
    signers (``crawl_depth``). Each finished row goes to disk at once (``generator.spool``):
    the caller closes the result (``Crawled.close``) when it has written it.
    """
    ranks = ranked.ranks or range(1, len(ranked.names) + 1)
    run = state or StateRun()
    rows = RowSpool(len(ranks))
    kept: dict[int, tuple[str, bytes]] = {}
    failed: list[str] = []
    tally = Tally()

    async def one(index: int, name: str) -> None:
        key = ecosystem.normalize(name) or name
        previous = run.previous.get(key)
        entry: Entry | None
        if previous is not None and key in run.unchanged:
            result = previous.row.model_copy(update={"rank": ranks[index]})
            entry = Entry(validators=previous.validators, row=result)
            run.skipped += 1
        else:
            result, entry = await package_row(
                ecosystem, fetcher, ranks[index], name, verify, previous, signer_backfill
            )
        result = with_depth(result, ranked.downloads[index] if ranked.downloads else None)
        try:  # a string that cannot be written as UTF-8 would fail the whole snapshot
            text = result.__pydantic_serializer__.to_json(result)
        except ValueError:
            result, entry = (
                _error(ranks[index], name, "metadata that cannot be written as UTF-8"),
                None,
            )
            text = result.__pydantic_serializer__.to_json(result)
        rows.put(index, text)
        tally.add(result)
        if entry is not None:
            validators = entry.validators
            kept[index] = (key, validators.__pydantic_serializer__.to_json(validators))
        if result.verification is Verification.FAILED:
            failed.append(result.name)
        if on_result is not None:
            on_result(result)

    # As many workers as requests may be in flight, each taking the next package in order:
    # a task per package, all started at once, cost 10,000 tasks waiting on one limiter
    # (memory and CPU, issue 13) for the same order of work.
    todo = iter(enumerate(ranked.names))

    async def worker() -> None:
        for index, name in todo:
            await one(index, name)

    try:
        with lean_gc():
            async with anyio.create_task_group() as tg:
                for _ in range(min(fetcher.policy.concurrency, len(ranked.names))):
                    tg.start_soon(worker)
        head = Snapshot(
            ecosystem=ecosystem.name,
            generated_at=utc_now(),
            demo=demo,
            registry=fetcher.base_url,
            attestation_cutoff=ecosystem.attestation_cutoff,
            source=ranked.source,
            summary=tally.summary(),
            packages=[],
            shard=ranked.shard,
        )
    except BaseException:
        rows.close()
        raise
    return Crawled(head=head, rows=rows, kept=kept, failed=failed)
