"""Snapshots → static site. Never fetches. Two phases: build the context, then write."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from generator.models import COUNTED_STATUSES, Snapshot, Status
from generator.snapshot import SCHEMA_FILE, atomic_write, schema

DATA_DIR = "data"


def asset_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package, else the source tree."""
    installed = Path(__file__).parent / "_site" / name
    return installed if installed.is_dir() else Path(__file__).parent.parent / name


def environment(templates: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates or asset_dir("templates"))),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    return env


def safe_url(value: object) -> str | None:
    """``value`` if it is an http(s) URL, else None: no ``javascript:`` or other schemes."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    return value.strip() if lowered.startswith(("https://", "http://")) else None


def context(snapshots: list[Snapshot]) -> dict[str, Any]:
    return {
        "snapshots": snapshots,
        "statuses": list(COUNTED_STATUSES),
        "Status": Status,
        "demo": any(s.demo for s in snapshots),
    }


def render(
    snapshots: list[Snapshot],
    out_dir: Path,
    *,
    templates: Path | None = None,
    static: Path | None = None,
) -> list[Path]:
    """Write the site for ``snapshots`` into ``out_dir``; return the files written."""
    env = environment(templates)
    ctx = context(snapshots)
    pages = {"index.html": env.get_template("index.html").render(ctx)}
    written = []
    for rel, html in pages.items():
        target = out_dir / rel
        atomic_write(target, html.encode())
        written.append(target)
    data = out_dir / DATA_DIR
    for snapshot in snapshots:
        target = data / f"{snapshot.ecosystem}.json"
        atomic_write(target, snapshot.model_dump_json(indent=1).encode() + b"\n")
        written.append(target)
    import json

    atomic_write(data / SCHEMA_FILE, json.dumps(schema(), indent=1).encode() + b"\n")
    written.append(data / SCHEMA_FILE)
    static_dir = static or asset_dir("static")
    if static_dir.is_dir():
        shutil.copytree(static_dir, out_dir / "static", dirs_exist_ok=True)
    return written
