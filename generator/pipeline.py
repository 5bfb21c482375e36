"""The program's stages, wired together: for now, rendering the site from a data folder.

The command line (``cli``, ``history_cli``) calls these; the stages never call back up.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.atomic import replace_dir
from generator.ecosystems import INFOS
from generator.history import HISTORY_DIR, INDEX_FILE, read_history_dir
from generator.previous import default_site_url
from generator.render import render
from generator.snapshot import read_snapshots


def render_site(data: Path, out: Path, *, site_url: str | None = None) -> None:
    """The site for the snapshots in ``data``, with their history when ``data/history/``
    holds one (an unreadable history is an error, not a site without it)."""
    snapshots = read_snapshots(data)
    history = None
    if (data / HISTORY_DIR / INDEX_FILE).is_file():
        history = read_history_dir(data)
    url = site_url or default_site_url() or ""
    # Built beside `out` and swapped in whole: a killed run never leaves a mixed site.
    files = replace_dir(
        out,
        lambda staging: render(snapshots, staging, infos=INFOS, history=history, site_url=url),
    )
    shown = "with its history" if history is not None else "no history yet"
    print(f"rendered {len(files)} files into {out}/ ({shown})", file=sys.stderr)
