"""Small builders for release facts: one line per release in each test."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from generator.timeline import FileFacts, Release, ReleaseFacts, to_release
from generator.timeline.model import Ecosystem

T0 = datetime(2025, 1, 1, tzinfo=UTC)
REPO = "https://github.com/o/r"
WORKFLOW = "release.yml"


def at(day: float) -> datetime:
    return T0 + timedelta(days=day)


def facts(
    version: str,
    day: float,
    *,
    attested: int = 1,
    files: int = 1,
    repo: str | None = REPO,
    workflow: str | None = WORKFLOW,
    tp: bool | None = None,
    yanked: bool = False,
    signers: Sequence[tuple[str | None, str | None]] = (),
) -> ReleaseFacts:
    """``files`` files, the first ``attested`` of them attested by ``repo``/``workflow`` (or,
    file by file, by ``signers``)."""
    made = []
    for i in range(files):
        signer = signers[i] if i < len(signers) else (repo, workflow)
        made.append(
            FileFacts(
                filename=f"p-{version}-{i}.whl",
                attested=i < attested,
                repository=signer[0] if i < attested else None,
                workflow=signer[1] if i < attested else None,
            )
        )
    return ReleaseFacts(
        version=version,
        published_at=at(day),
        yanked=yanked,
        files=tuple(made),
        trusted_publishing=tp,
    )


def releases(items: Sequence[ReleaseFacts], ecosystem: Ecosystem = "pypi") -> list[Release]:
    return [to_release(f, items, ecosystem) for f in items]
