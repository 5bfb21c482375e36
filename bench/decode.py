"""JSON decoding speed on registry documents of realistic size (bench/_docs.py).

Compares the standard library, the checked path ``decode_json`` had before (json.loads with
hooks), orjson (if installed), msgspec generic, msgspec with a typed struct (only the
simple index fields we read) and today's ``decode_json``. Medians of 25 runs.
Run: python bench/decode.py
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _docs import packument, pypi_documents  # noqa: E402

from generator.http import _checked_json, decode_json  # noqa: E402


class _File(msgspec.Struct):
    filename: str
    provenance: str | None = None


class _Simple(msgspec.Struct):
    files: list[_File]


def median_ms(decode: Callable[[bytes], Any], body: bytes, runs: int = 25) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        decode(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def main() -> None:
    pypi = pypi_documents("proj", attested=True)
    docs = {
        "/pypi/<name>/json": pypi["/pypi/proj/json"],
        "/simple/<name>/": pypi["/simple/proj/"],
        "/pypi/<name>/<v>/json": next(v for k, v in pypi.items() if k.count("/") == 4),
        "packument": packument("pkg", attested=True),
    }
    decoders: dict[str, Callable[[bytes], Any]] = {
        "json.loads": json.loads,
        "checked (before)": _checked_json,
        "msgspec": msgspec.json.Decoder().decode,
        "decode_json (now)": decode_json,
    }
    try:
        import orjson

        decoders["orjson"] = orjson.loads
    except ImportError:
        pass
    typed = msgspec.json.Decoder(_Simple).decode
    header = "".join(f"{n:>19}" for n in decoders)
    print(f"{'document':<24}{'kB':>6}  {header}   typed struct")
    for label, body in docs.items():
        cells = []
        for decode in decoders.values():
            ms = median_ms(decode, body)
            cells.append(f"{ms:7.2f} ms {len(body) / ms / 1e3:4.0f}MB/s")
        extra = ""
        if label.startswith("/simple"):
            ms = median_ms(typed, body)
            extra = f"   {ms:.2f} ms {len(body) / ms / 1e3:.0f} MB/s"
        print(f"{label:<24}{len(body) / 1e3:6.0f}  " + "".join(f"{c:>19}" for c in cells) + extra)


if __name__ == "__main__":
    main()
