"""Large synthetic snapshots for load tests (the browser tests) and ``bench/site.py``.

Deterministic for a seed. Names are built from words so their lengths look like real top-N
lists (npm: some ``@scope/name``); statuses, dates and provenance are spread like a real crawl.
Marked ``demo``: nothing in them is real.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from generator.ecosystems import INFOS
from generator.models import (
    PackageResult,
    Provenance,
    Snapshot,
    SourceInfo,
    Status,
    Verification,
    summarize,
)

_WORDS = (
    "core util http json parse fast async data web type test log config cli babel react "
    "eslint plugin loader stream path glob color string array object event node py lib "
    "request client server schema tools build compat micro mini simple super yaml toml "
    "crypto hash auth token cache queue worker time date locale format render view store"
).split()


def _name(rng: random.Random, ecosystem: str, rank: int) -> str:
    parts = rng.sample(_WORDS, rng.choice((1, 2, 2, 2, 3)))
    name = "-".join(parts) + f"-{rank}"
    if ecosystem == "npm" and rng.random() < 0.15:
        name = f"@{rng.choice(_WORDS)}/{name}"
    return name


def synthetic_snapshot(ecosystem: str, n: int, seed: int = 0) -> Snapshot:
    """A snapshot of ``n`` made-up packages for ``ecosystem`` (``pypi`` or ``npm``)."""
    rng = random.Random(seed)
    cutoff = INFOS[ecosystem].attestation_cutoff
    start = datetime(2014, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 10, 1, tzinfo=UTC) - start).total_seconds()
    packages = []
    for rank in range(1, n + 1):
        name = _name(rng, ecosystem, rank)
        roll = rng.random()
        version = f"{rng.randint(0, 30)}.{rng.randint(0, 40)}.{rng.randint(0, 20)}"
        published = start + timedelta(seconds=rng.random() * span)
        repo = f"https://github.com/synthetic/{name.lstrip('@').replace('/', '-')}"
        registry_url = (
            f"https://pypi.org/project/{name}/{version}/"
            if ecosystem == "pypi"
            else f"https://www.npmjs.com/package/{name}/v/{version}"
        )
        provenance = None
        provenance_url = None
        verification = Verification.NOT_CHECKED
        tp: bool | None = None if ecosystem == "pypi" else rng.random() < 0.05
        if roll < 0.02:
            packages.append(
                PackageResult(
                    rank=rank,
                    name=name,
                    version=None,
                    published_at=None,
                    status=Status.ERROR,
                    reason="could not be read: HTTP 404",
                    trusted_publishing=None,
                    repository=None,
                    error="HTTP 404",
                )
            )
            continue
        if roll < 0.22:
            status = Status.ATTESTED
            published = max(published, cutoff + timedelta(days=rng.randint(1, 600)))
            tp = True if ecosystem == "pypi" else rng.random() < 0.6
            provenance = Provenance(kind="GitHub", repository=repo[19:], workflow="release.yml")
            provenance_url = f"https://example.invalid/provenance/{rank}"
            reason = f"{version} carries provenance"
            # as in a real run: nearly every attested release verifies, a few cannot be checked
            verification = (
                Verification.VERIFIED if rng.random() < 0.97 else Verification.NOT_CHECKED
            )
        elif roll < 0.32:
            status = Status.UNSUPPORTED_CI
            repo = f"https://bitbucket.org/synthetic/{rank}"
            reason = f"{repo} is not on github.com or gitlab.com"
        elif roll < 0.62:
            status = Status.PRE_ATTESTATION
            published = min(published, cutoff - timedelta(days=rng.randint(1, 2000)))
            reason = f"{version} was published {published:%Y-%m-%d}, before {cutoff:%Y-%m-%d}"
        else:
            status = Status.MISSING
            published = max(published, cutoff + timedelta(days=rng.randint(1, 600)))
            reason = f"{version} was published {published:%Y-%m-%d} from {repo}, not attested"
        packages.append(
            PackageResult(
                rank=rank,
                name=name,
                version=version,
                published_at=published,
                status=status,
                reason=reason,
                trusted_publishing=tp,
                repository=repo,
                repository_declared=repo,
                files_total=2 if ecosystem == "pypi" else None,
                files_attested=(2 if status is Status.ATTESTED else 0)
                if ecosystem == "pypi"
                else None,
                provenance=provenance,
                registry_url=registry_url,
                provenance_url=provenance_url,
                verification=verification,
            )
        )
    return Snapshot(
        ecosystem=ecosystem,
        generated_at=datetime(2026, 11, 1, tzinfo=UTC),
        demo=True,
        registry="https://synthetic.invalid",
        attestation_cutoff=cutoff,
        source=SourceInfo(kind="top-n", location="synthetic", requested=n),
        summary=summarize(packages),
        packages=packages,
    )
