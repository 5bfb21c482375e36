"""Render time and memory of the site for N synthetic packages per ecosystem.

Renders a synthetic snapshot per ecosystem (tests/synthetic.py) through the published path
(``generator.atomic.replace_dir`` around ``render``), as ``attested-yet render`` does. Each
run is a fresh process; it prints wall time, CPU seconds (this process and the forked page
writers), files written, and memory:

- ``base``: resident set before the render (the interpreter plus the snapshots: the input);
- ``+render``: the render's own increment, the peak resident set during the render minus
  ``base`` (the peak is reset first, ``/proc/self/clear_refs``);
- ``child``: the largest forked page writer's peak (its pages are shared with the parent
  until written to).

``$BENCH_CODE`` (a folder holding another ``generator/``, e.g. ``git archive main``) runs
that code as "before" next to this tree's "after", alternating runs, for side-by-side figures
on a shared machine. The browser side (page weight, search latency) is bench/site.py.

Each run starts after ``sync`` and ``--settle`` seconds of rest, and the sites are removed
only after the last run: on this machine's disk a run right after deleting the previous
run's 20,000 files paid for that deletion (see RESULTS.md).

Run: python bench/render.py [N ...] [--runs R] [--settle S]   (default 10000, 3 runs, 10 s)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent


def _status(key: str) -> float:
    """A ``/proc/self/status`` memory figure in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child(code: str, n: int) -> None:
    """One render of ``n`` packages per ecosystem with the code in ``code``; JSON out."""
    sys.path.insert(0, code)
    from generator.atomic import replace_dir
    from generator.ecosystems import INFOS
    from generator.render import render
    from tests.synthetic import synthetic_snapshot

    snapshots = [synthetic_snapshot(eco, n) for eco in sorted(INFOS)]
    root = Path(tempfile.mkdtemp())
    try:
        Path("/proc/self/clear_refs").write_text("5")  # reset the peak (VmHWM)
    except OSError:
        pass
    base = _status("VmRSS")
    t0, wall = os.times(), time.perf_counter()
    written = replace_dir(root / "site", lambda d: render(snapshots, d, infos=INFOS))
    wall = time.perf_counter() - wall
    t1 = os.times()
    peak = _status("VmHWM")
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": (t1.user - t0.user) + (t1.system - t0.system),
                "sys": (t1.system - t0.system) + (t1.children_system - t0.children_system),
                "cpu_children": (t1.children_user - t0.children_user)
                + (t1.children_system - t0.children_system),
                "files": len(written),
                "base": base,
                "increment": peak - base,
                "child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                "root": str(root),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="*", default=[10_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--settle", type=float, default=10, help="seconds of rest after a sync before each run"
    )
    parser.add_argument("--child", nargs=2, metavar=("CODE", "N"))
    args = parser.parse_args()
    if args.child:
        child(args.child[0], int(args.child[1]))
        return
    codes = [("after", str(HERE))]
    if before := os.environ.get("BENCH_CODE"):
        codes.insert(0, ("before", str(Path(before).resolve())))
    print(f"medians of {args.runs} runs, each in a fresh process; runs alternate between codes")
    print(
        f"{'code':<7} {'N/eco':>6} {'files':>6} {'wall s':>7} {'CPU s':>6} {'(main':>6} "
        f"{'+forks)':>7} {'of it sys':>9} {'base MB':>8} {'+render MB':>10} {'child MB':>8}  walls"
    )
    for n in args.n:
        results: dict[str, list[dict[str, float]]] = {label: [] for label, _ in codes}
        written: list[str] = []
        for _ in range(args.runs):
            for label, code in codes:
                # Each run starts on a settled disk, as a CI job does: the previous run's
                # pages written back, and no site deleted just before (on this machine's
                # ext4, mounted with `discard`, creating 20,000 files right after deleting
                # 20,000 cost up to 12 s of system time; the sites are removed at the end).
                os.sync()
                time.sleep(args.settle)
                out = subprocess.run(
                    [sys.executable, __file__, "--child", code, str(n)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=code,
                ).stdout
                results[label].append(json.loads(out.strip().splitlines()[-1]))
                written.append(results[label][-1]["root"])
        for root in written:
            shutil.rmtree(root, ignore_errors=True)
        for label, _ in codes:
            runs = results[label]

            def med(key: str, runs: list[dict[str, float]] = runs) -> float:
                return statistics.median(r[key] for r in runs)

            walls = ", ".join(f"{r['wall']:.2f}" for r in runs)
            print(
                f"{label:<7} {n:>6} {int(med('files')):>6} {med('wall'):>7.2f} "
                f"{med('cpu') + med('cpu_children'):>6.2f} {med('cpu'):>6.2f} "
                f"{med('cpu_children'):>7.2f} {med('sys'):>9.2f} {med('base'):>8.0f} "
                f"{med('increment'):>10.0f} {med('child'):>8.0f}  {walls}"
            )


if __name__ == "__main__":
    main()
