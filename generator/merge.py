"""Joining shard snapshots (``crawl --shard K/N``) back into one snapshot per ecosystem.

Pure: snapshots in, a snapshot or a ``SnapshotError`` out; reading and writing files is the
pipeline's job (``pipeline.merge``). Shards are joined only when they are provably parts of
one crawl: same run label, same registry and ranked list (its length and SHA-256), same
source, same shard count, each shard exactly once and every rank of the list present.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from generator.errors import SnapshotError
from generator.models import ShardInfo, Snapshot, summarize

#: What every shard of one crawl must agree on, with the words used when they do not.
_SAME_RUN: dict[str, Callable[[Snapshot, ShardInfo], object]] = {
    "run label (--run-id)": lambda s, i: i.run,
    "registry": lambda s, i: s.registry,
    "ranked list (its top-N source, length or order)": lambda s, i: (i.ranked, i.ranked_sha256),
    "source": lambda s, i: s.source,
    "shard count": lambda s, i: i.count,
    "demo flag": lambda s, i: s.demo,
    "attestation cutoff": lambda s, i: s.attestation_cutoff,
    "format version": lambda s, i: s.schema_version,
}


def merge_shards(shards: Sequence[tuple[Path, Snapshot]]) -> Snapshot:
    """One snapshot from every shard of one ecosystem's crawl (each given with the file it
    was read from, for the messages). Packages come back in rank order, the summary is
    recomputed over all of them, ``generated_at`` is the latest shard's, and ``shard`` is
    null: the result is a whole crawl."""
    if not shards:
        raise SnapshotError("no shard snapshots to merge")
    infos: list[tuple[Path, Snapshot, ShardInfo]] = []
    ecosystem = shards[0][1].ecosystem
    for path, snapshot in shards:
        if snapshot.ecosystem != ecosystem:
            raise SnapshotError(f"{path}: a {snapshot.ecosystem} snapshot among {ecosystem} ones")
        if snapshot.shard is None:
            raise SnapshotError(f"{path} is a whole crawl, not a shard (crawl --shard K/N)")
        infos.append((path, snapshot, snapshot.shard))
    first_path, first, first_info = infos[0]
    for what, key in _SAME_RUN.items():
        expected = key(first, first_info)
        for path, snapshot, info in infos[1:]:
            if key(snapshot, info) != expected:
                raise SnapshotError(
                    f"{ecosystem}: {path} and {first_path} are shards of different crawls "
                    f"(their {what} differs)"
                )
    count = first_info.count
    seen: dict[int, Path] = {}
    for path, _, info in infos:
        if info.index in seen:
            raise SnapshotError(
                f"{ecosystem}: shard {info.index}/{count} given twice ({seen[info.index]}, {path})"
            )
        seen[info.index] = path
    missing = [str(k) for k in range(count) if k not in seen]
    if missing:
        raise SnapshotError(
            f"{ecosystem}: shard {', '.join(missing)} of {count} missing "
            f"(shards are numbered 0 to {count - 1})"
        )
    for path, snapshot, info in infos:
        expected_ranks = list(range(info.index + 1, info.ranked + 1, count))
        if [p.rank for p in snapshot.packages] != expected_ranks:
            raise SnapshotError(
                f"{ecosystem}: {path} does not hold exactly the packages of shard "
                f"{info.index}/{count}"
            )
    packages = sorted((p for _, s, _ in infos for p in s.packages), key=lambda p: p.rank)
    return first.model_copy(
        update={
            "generated_at": max(s.generated_at for _, s, _ in infos),
            "summary": summarize(packages),
            "packages": packages,
            "shard": None,
        }
    )
