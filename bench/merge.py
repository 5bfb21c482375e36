"""Peak memory of ``attested-yet merge``'s crawl-state join (issue 13's "noticed" list).

Builds three shard states of N packages in all from a demo crawl's real rows (each row copied
under new names, so rows have a real crawl's size and shape), then joins them in a fresh
process with ``generator.pipeline._merge_state``, once per code: this checkout, and with
``--before DIR`` the ``generator/`` in DIR (e.g. ``git archive <commit> generator``).

    python bench/merge.py [N] [--runs 3] [--before DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARDS = 3


def shard_states(n: int, root: Path) -> list[Path]:
    sys.path.insert(0, str(HERE.parent))
    sys.path.insert(0, str(HERE))
    from _registry import Emulator
    from crawlers import names

    from generator.cli import main

    crawled, top = root / "crawled", root / "top.json"
    rows_ = [{"project": name, "download_count": 1000 - i} for i, name in enumerate(names(60))]
    top.write_text(json.dumps({"rows": rows_}))
    with Emulator(0) as url:  # realistic documents, with ETags: every row is kept
        argv = ["crawl", "--ecosystem", "pypi", "--top", "60", "--top-pypi-url", str(top)]
        argv += ["--pypi-url", url, "--data", str(crawled), "--no-verify"]
        assert main(argv) == 0
    state = json.loads((crawled / "state" / "pypi.json").read_text())
    rows = list(state["packages"].values())
    folders = []
    for k in range(SHARDS):
        packages = {}
        for i in range(k, n, SHARDS):
            entry = json.loads(json.dumps(rows[i % len(rows)]))
            entry["row"]["name"] = f"package-{i}"
            entry["row"]["rank"] = i + 1
            packages[f"package-{i}"] = entry
        folder = root / f"shard-{k}"
        (folder / "state").mkdir(parents=True)
        text = json.dumps({**state, "packages": packages}, separators=(",", ":"))
        (folder / "state" / "pypi.json").write_text(text)
        folders.append(folder)
    return folders


def high_water_mb() -> float:
    """This process's peak RSS since :func:`reset_high_water` (``VmHWM``; Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def reset_high_water() -> None:
    # A child's ru_maxrss starts at its parent's (kept across fork and exec): the parent,
    # which built the shard states, would set the figure. clear_refs 5 resets VmHWM.
    Path("/proc/self/clear_refs").write_text("5")


def child(out: str, folders: list[str]) -> None:
    reset_high_water()
    if code := os.environ.get("BENCH_CODE"):
        sys.path.insert(0, code)
    else:
        sys.path.insert(0, str(HERE.parent))
    from generator.pipeline import _merge_state

    base = high_water_mb()
    wall = time.perf_counter()
    note = _merge_state("pypi", [Path(f) for f in folders], Path(out))
    wall = time.perf_counter() - wall
    print(json.dumps({"note": note, "wall": wall, "peak": high_water_mb(), "before_merge": base}))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", metavar="DIR")
    parser.add_argument("--child", nargs="+", metavar="ARG")
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1:])
        return
    with tempfile.TemporaryDirectory(prefix="bench-merge-") as tmp:
        folders = shard_states(args.n, Path(tmp))
        size = sum((f / "state" / "pypi.json").stat().st_size for f in folders)
        print(f"{SHARDS} shard states, {args.n} packages, {size / 1e6:.1f} MB of state text")
        codes = {
            "now": None,
            **({"before": str(Path(args.before).resolve())} if args.before else {}),
        }
        runs: dict[str, list[dict[str, float]]] = {code: [] for code in codes}
        for r in range(args.runs):
            for code, folder in codes.items():  # alternating: the load hits both alike
                env = dict(os.environ)
                env.pop("BENCH_CODE", None)
                if folder:
                    env["BENCH_CODE"] = folder
                out = Path(tmp) / f"out-{code}-{r}"
                argv = [sys.executable, __file__, "--child", str(out), *map(str, folders)]
                result = json.loads(
                    subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
                )
                assert "merged" in result["note"] and "none" not in result["note"], result["note"]
                runs[code].append(result)
        if "before" in codes:  # the same state, whichever code joined it
            now, before = (
                json.loads((Path(tmp) / f"out-{c}-0/state/pypi.json").read_bytes()) for c in codes
            )
            assert now == before, "the two codes wrote different states"
            print("both codes wrote the same state")
        print("code    merge wall   peak RSS   (RSS before the merge)")
        for code, rows in runs.items():
            med = {k: statistics.median(r[k] for r in rows) for k in ("wall", "peak")}
            before = statistics.median(r["before_merge"] for r in rows)
            print(f"{code:<7} {med['wall']:8.2f} s  {med['peak']:6.0f} MB  ({before:.0f} MB)")


if __name__ == "__main__":
    main()
