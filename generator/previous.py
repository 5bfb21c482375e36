"""Reading the previous live site (its history and snapshots), from a URL or a folder.

A source module beside :mod:`generator.sources`: the only part of the history's flow that
fetches. The history itself (:mod:`generator.history`) stays pure.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import anyio
from pydantic import ValidationError

from generator.ecosystems import INFOS
from generator.errors import HistoryUnavailable, PackageError
from generator.history import (
    HISTORY_DIR,
    INDEX_FILE,
    IndexFile,
    Previous,
    parse_history,
    parse_model,
    read_history_dir,
)
from generator.http import Fetcher, HttpPolicy, MiB
from generator.models import Snapshot
from generator.sources import is_url


def default_site_url(environ: Mapping[str, str] | None = None) -> str | None:
    """``ATTESTED_YET_SITE_URL``, else the GitHub Pages URL of ``GITHUB_REPOSITORY``."""
    env = os.environ if environ is None else environ
    if env.get("ATTESTED_YET_SITE_URL"):
        return env["ATTESTED_YET_SITE_URL"]
    repository = env.get("GITHUB_REPOSITORY", "")
    owner, _, name = repository.partition("/")
    if not owner or not name:
        return None
    host = f"{owner.lower()}.github.io"
    return f"https://{host}/" if name.lower() == host else f"https://{host}/{name}/"


def data_folder(folder: Path) -> Path:
    """``folder/data`` when ``folder`` is a site holding ``data/history/``, else ``folder``."""
    return folder / "data" if (folder / "data" / HISTORY_DIR).is_dir() else folder


def read_previous(
    location: str, ecosystems: Iterable[str], *, policy: HttpPolicy | None = None
) -> Previous:
    """The live site's history and snapshots, from its URL or a local folder.

    ``location`` is a site (URL or folder holding ``data/``) or a data folder (holding
    ``history/``). Every ecosystem it names must be a known one (``../../x`` would name files
    outside ``--data``), and a snapshot must be the ecosystem its file is named for. Raises
    :class:`HistoryUnavailable` when the history cannot be read; a snapshot that cannot be
    read (or is another ecosystem's) is simply absent (it only matters as a fallback).
    """
    names = list(ecosystems)
    if is_url(location):
        return anyio.run(_read_previous_url, location, names, policy or HttpPolicy(attempts=3))
    data = data_folder(Path(location))
    history = read_history_dir(data, INFOS)
    snapshots = {}
    for eco in names:
        try:
            snapshot = Snapshot.model_validate_json((data / f"{eco}.json").read_bytes())
        except (OSError, ValidationError):
            continue
        if snapshot.ecosystem == eco:  # it names the file it is written back to
            snapshots[eco] = snapshot
    return Previous(history, snapshots)


async def _read_previous_url(base: str, names: list[str], policy: HttpPolicy) -> Previous:
    base = base.rstrip("/")
    async with Fetcher(base, policy) as fetcher:
        raw: dict[str, bytes] = {}

        async def get(name: str) -> bytes:
            try:
                return await fetcher.get_bytes(f"/data/{HISTORY_DIR}/{name}", max_bytes=64 * MiB)
            except PackageError as exc:
                raise HistoryUnavailable(
                    f"cannot read {base}/data/{HISTORY_DIR}/{name}: {exc.reason}"
                ) from None

        raw[INDEX_FILE] = await get(INDEX_FILE)
        index = parse_model(IndexFile, raw[INDEX_FILE], INDEX_FILE)
        for eco, entry in index.ecosystems.items():
            if eco not in INFOS:  # fetch nothing it names; parse_history says why
                break
            wanted = [f"{eco}-daily.json", f"{eco}-changes.json"]
            wanted += [f"{eco}-state.json"] if entry.days else []
            for name in wanted:
                raw[name] = await get(name)
        history = parse_history(raw.__getitem__, INFOS)
        snapshots = {}
        for eco in names:
            try:
                body = await fetcher.get_bytes(f"/data/{eco}.json", max_bytes=256 * MiB)
                snapshot = Snapshot.model_validate_json(body)
            except (PackageError, ValidationError):
                continue
            if snapshot.ecosystem == eco:  # it names the file it is written back to
                snapshots[eco] = snapshot
    return Previous(history, snapshots)
