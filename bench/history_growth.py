"""How many bytes the published history grows per day, at the real top-N scale.

Folds a year of daily snapshots of N packages per ecosystem (statuses drawn with the shares of
the demo registry; every day, CHURN packages change status) into a history and measures the
files exactly as `attested-yet history update` writes them. The daily summary's size does not
depend on the data beyond the number of digits; the changes file grows with the real churn,
which only the live site will tell, so its growth is given per change too.

Run: python bench/history_growth.py [N] [CHURN]
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, date, datetime, timedelta

from generator import history as hist
from generator.models import PackageResult, Snapshot, SourceInfo, Status, summarize

SHARES = {
    Status.ATTESTED: 16,
    Status.UNSUPPORTED_CI: 6,
    Status.PRE_ATTESTATION: 7,
    Status.MISSING: 11,
    Status.ERROR: 1,
}


def snapshot(eco: str, day: date, statuses: list[Status]) -> Snapshot:
    rows = [
        PackageResult(
            rank=i,
            name=f"package-number-{i}",
            version=f"{i % 7}.{i % 13}.{day.toordinal() % 5}",
            published_at=None,
            status=status,
            reason="bench",
            trusted_publishing=status is Status.ATTESTED,
            repository=None,
            error="HTTP 503" if status is Status.ERROR else None,
        )
        for i, status in enumerate(statuses, 1)
    ]
    return Snapshot(
        ecosystem=eco,
        generated_at=datetime(day.year, day.month, day.day, 5, tzinfo=UTC),
        registry="https://example.invalid",
        attestation_cutoff=datetime(2024, 10, 29, tzinfo=UTC),
        source=SourceInfo(kind="top-n", location="bench", requested=len(rows)),
        summary=summarize(rows),
        packages=rows,
    )


def main(n: int, churn: int, days: int = 365) -> None:
    rng = random.Random(740)
    population = [s for s, weight in SHARES.items() for _ in range(weight)]
    start = date(2026, 1, 1)
    history = hist.History()
    sizes: dict[int, dict[str, int]] = {}
    for eco in ("pypi", "npm"):
        statuses = [rng.choice(population) for _ in range(n)]
        for d in range(days):
            for i in rng.sample(range(n), churn):
                statuses[i] = rng.choice(population)
            snap = snapshot(eco, start + timedelta(days=d), statuses)
            history.ecosystems[eco] = hist.append_snapshot(history.get(eco), snap)
            if d + 1 in (30, days):
                files = hist.history_files(history)
                sizes.setdefault(d + 1, {}).update(
                    {name: len(data) for name, data in files.items() if name.startswith(eco)}
                )
    for day_count, files in sorted(sizes.items()):
        print(f"after {day_count} days (N={n}, churn {churn}/day/ecosystem):")
        for name, size in sorted(files.items()):
            print(f"  {name:22} {size:>10,} bytes")
    first, last = min(sizes), max(sizes)
    for kind in ("daily", "changes"):
        grow = sum(
            sizes[last][f"{eco}-{kind}.json"] - sizes[first][f"{eco}-{kind}.json"]
            for eco in ("pypi", "npm")
        ) / (last - first)
        print(f"{kind}: {grow:,.0f} bytes/day for both ecosystems")
    changes = sum(len(h.changes) for h in history.ecosystems.values())
    change_bytes = sum(sizes[last][f"{eco}-changes.json"] for eco in ("pypi", "npm"))
    print(f"changes: {change_bytes / max(changes, 1):,.0f} bytes per change ({changes} changes)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [1000, 5][len(args) :]))
