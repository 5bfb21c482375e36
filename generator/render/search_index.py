"""The overview's search across ecosystems: one small names index per ecosystem, fetched by
the page on first use, so the overview never loads the full tables.

Pure: builds bytes; render writes them under ``data/``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Protocol

from generator.models import PackageResult
from generator.render.verdict import verdict

INDEX_FILE = "data/names-{ecosystem}.json"


class _View(Protocol):
    @property
    def result(self) -> PackageResult: ...

    @property
    def href(self) -> str: ...


def index_path(ecosystem: str) -> str:
    """Where an ecosystem's names index goes, relative to the site's top folder."""
    return INDEX_FILE.format(ecosystem=ecosystem)


def names_index(ecosystem: str, display: str, views: Iterable[_View]) -> bytes:
    """``{"ecosystem", "display", "rows": [[name, href, verdict phrase, tone], ...]}`` in rank
    order; ``href`` is relative to the site's top folder."""
    rows = []
    for view in views:
        v = verdict(view.result)
        rows.append([view.result.name, f"{ecosystem}/{view.href}", v.phrase, v.tone])
    body = {"ecosystem": ecosystem, "display": display, "rows": rows}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
