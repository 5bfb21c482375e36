"""Render time and peak memory of the site for N synthetic packages per ecosystem.

Renders a synthetic snapshot per ecosystem (tests/synthetic.py) through the published path
(``generator.atomic.replace_dir`` around ``render``), as ``attested-yet render`` does, and
prints wall time, CPU time, files written and peak RSS; median of several runs. The
browser side (page weight, search latency) is bench/site.py.
Run: python bench/render.py [N] [runs]   (default 10000 3)
"""

from __future__ import annotations

import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.synthetic

from generator.atomic import replace_dir  # noqa: E402
from generator.ecosystems import INFOS  # noqa: E402
from generator.render import render  # noqa: E402
from tests.synthetic import synthetic_snapshot  # noqa: E402


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    snapshots = [synthetic_snapshot(eco, n) for eco in sorted(INFOS)]
    walls, cpus, files = [], [], 0
    for _ in range(runs):
        root = Path(tempfile.mkdtemp())
        wall, cpu = time.perf_counter(), time.process_time()
        written = replace_dir(root / "site", lambda d: render(snapshots, d, infos=INFOS))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        files = len(written)
        shutil.rmtree(root)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"render {n} packages x {len(snapshots)} ecosystems: {files} files, "
        f"wall median {statistics.median(walls):.2f} s "
        f"(runs {', '.join(f'{w:.2f}' for w in walls)}), "
        f"CPU median {statistics.median(cpus):.2f} s, peak RSS {rss:.0f} MB"
    )


if __name__ == "__main__":
    main()
