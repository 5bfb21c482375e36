"""Snapshots → static site. Never fetches. Two phases: plan the site (every page with its
context, every data file with its bytes), then write it.

Every link in the site is relative (``root`` is the way back to the site's top folder from
the page being rendered), so the site works from any sub-path, including ``file://``.
Adding a page is one :class:`Page` in :func:`plan`; adding a panel to the package pages is
one template name in :data:`PACKAGE_PANELS`. What render knows of an ecosystem comes from its
:class:`~generator.ecosystems.info.EcosystemInfo`, passed in by the caller.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from markupsafe import Markup, escape

from generator.errors import GeneratorError
from generator.history import HISTORY_DIR, Change, History, history_files
from generator.models import COUNTED_STATUSES, Build, PackageResult, Provenance, Snapshot, Status
from generator.render import search_index
from generator.render.charts import chart
from generator.render.depth import FORECAST_PAGE, blocked_packages, timeline_alerts
from generator.render.env import environment
from generator.render.export import csv_chunks, feed_xml
from generator.render.history_view import (
    CHANGES_PAGE,
    FEED_FILE,
    changes_context,
    history_view,
    status_history,
)
from generator.render.links import PackageView, asset_dir, package_paths, safe_url
from generator.render.pages import Page, PageList, PageRenderer, Written, write_page
from generator.render.parallel import default_workers, in_children
from generator.snapshot import SCHEMA_FILE, atomic_write, write_snapshot

if TYPE_CHECKING:
    from generator.ecosystems.info import EcosystemInfo

DATA_DIR = "data"

#: Package-page panels, in order (templates under ``templates/panels/``). Each receives
#: ``package`` (a :class:`PackageView`), ``eco`` (its ecosystem, ``eco.info`` the facts)
#: and ``root``.
PACKAGE_PANELS: list[str] = [
    "panels/verdict.html",
    "panels/release.html",
    "panels/timeline.html",
    "panels/history.html",
    "panels/provenance.html",
    "panels/build.html",
    "panels/links.html",
]

#: Panels shown above all others on a package page: warnings (failed verification,
#: dropped provenance, repository mismatch), each explained where it is shown.
PACKAGE_ALERTS: list[str] = ["panels/signals.html"]


@dataclass
class SitePlan:
    pages: Sequence[Page]
    """In order; package pages are made as they are read (:class:`PageList`)."""
    files: dict[str, bytes | Callable[[], bytes | Iterable[bytes]]]
    """Data files by path relative to the site's top folder: their bytes, or how to make
    them (made, in chunks or whole, by the process that writes them)."""
    common: dict[str, Any]
    """Context shared by every page."""
    snapshots: list[Snapshot] = field(default_factory=list)
    """Snapshots whose JSON copy (and the schema) go under ``data/``, by their one writer."""


def _literals(text: str) -> Markup:
    """A docstring's ````literal```` spans as ``<code>``, everything else escaped."""
    parts = text.split("``")
    return Markup("").join(
        Markup("<code>%s</code>") % part if i % 2 else escape(part) for i, part in enumerate(parts)
    )


def field_docs() -> dict[str, list[tuple[str, Markup]]]:
    """Field → description for the methodology page, straight from the models."""

    def docs(model: type[Any]) -> list[tuple[str, Markup]]:
        return [(n, _literals(f.description or "")) for n, f in model.model_fields.items()]

    return {
        "snapshot": docs(Snapshot),
        "package": docs(PackageResult),
        "provenance": docs(Provenance),
        "build": docs(Build),
    }


def _known(snapshots: list[Snapshot], infos: Mapping[str, EcosystemInfo]) -> list[Snapshot]:
    """``snapshots`` in site order; a snapshot of an unknown ecosystem is refused (its name
    becomes folders and files of the site)."""
    for snapshot in snapshots:
        if snapshot.ecosystem not in infos:
            known = ", ".join(sorted(infos)) or "none"
            raise GeneratorError(
                f"snapshot of unknown ecosystem {snapshot.ecosystem!r} (known: {known})"
            )
    return sorted(snapshots, key=lambda s: (infos[s.ecosystem].order, s.ecosystem))


def plan(
    snapshots: list[Snapshot],
    infos: Mapping[str, EcosystemInfo],
    history: History | None = None,
    *,
    site_url: str = "",
    report_url: str = "",
) -> SitePlan:
    """Phase one: every page and data file of the site, nothing written.

    With ``history`` (the data folder's ``history/``), the site also shows it: trend charts
    on the overview, the changes page, ``feed.xml`` and each package's status history.
    """
    snapshots = _known(snapshots, infos)
    by_package: dict[tuple[str, str], list[Change]] = {}
    if history is not None:
        for eco_history in history.ecosystems.values():
            for change in eco_history.changes:
                by_package.setdefault((change.ecosystem, change.package), []).append(change)
    ecosystems = []
    forecast: list[dict[str, Any]] = []
    files: dict[str, bytes | Callable[[], bytes | Iterable[bytes]]] = {}
    eco_pages = PageList()
    pages_of: dict[str, list[PackageView]] = {}
    for snapshot in snapshots:
        eco = snapshot.ecosystem
        info = infos[eco]
        paths = package_paths(info, [p.name for p in snapshot.packages])
        views = [PackageView(p, paths[p.name]) for p in snapshot.packages]
        entry = {
            "name": eco,
            "display": info.display_name,
            "info": info,
            "snapshot": snapshot,
            "chart": chart(snapshot),
            "href": f"{eco}/index.html",
            "names_index": search_index.index_path(eco),
            "tp_counts": {
                text: sum(1 for v in views if v.tp_text == text)
                for text in ("yes", "no", "unknown")
            },
        }
        ecosystems.append(entry)
        if eco == "npm":
            blocked = {id(p) for p in blocked_packages(snapshot)}
            forecast.append({"eco": entry, "rows": [v for v in views if id(v.result) in blocked]})
        eco_pages.append(
            Page(f"{eco}/index.html", "ecosystem.html", {"eco": entry, "packages": views})
        )
        files[f"{DATA_DIR}/{eco}.csv"] = partial(csv_chunks, snapshot)
        index = partial(search_index.names_index, eco, info.display_name, views)
        files[search_index.index_path(eco)] = index
        seen: set[str] = set()
        unique = []
        for view in views:
            if view.path not in seen:  # the same name twice in a snapshot: one page
                seen.add(view.path)
                unique.append(view)
        pages_of[eco] = unique
        eco_pages.extend_lazily(unique, partial(_package_page, entry, history, by_package))
    eco_pages.append(Page(FORECAST_PAGE, "forecast.html", {"forecast": forecast}))
    alerts = timeline_alerts(snapshots)
    pages = PageList()
    pages.append(Page("index.html", "index.html"))
    pages.append(Page("about/index.html", "about.html", {"fields": field_docs()}))
    if history is not None:
        for name, data in history_files(history).items():
            files[f"{DATA_DIR}/{HISTORY_DIR}/{name}"] = data
        files[FEED_FILE] = feed_xml(history, site_url, alerts=alerts).encode()
        context = changes_context(history, infos)
        named = {
            (c.ecosystem, c.package)
            for c in [*context["regressions"], *context["changes"], *alerts]
        }
        hrefs = {
            (eco, view.result.name): f"{eco}/{view.href}"
            for eco, unique in pages_of.items()
            for view in unique
            if (eco, view.result.name) in named
        }
        context.update(package_hrefs=hrefs, alerts=alerts)
        pages.append(Page(CHANGES_PAGE, "changes.html", context))
    pages.extend_lazily(eco_pages, None)

    common = {
        "ecosystems": ecosystems,
        "snapshots": snapshots,
        "statuses": list(COUNTED_STATUSES),
        "all_statuses": list(Status),
        "demo": any(s.demo for s in snapshots),
        "report_url": safe_url(report_url),
        "nav": [("index.html", "Overview")]
        + [(e["href"], e["display"]) for e in ecosystems]
        + ([(CHANGES_PAGE, "Changes")] if history is not None else [])
        + [(FORECAST_PAGE, "Forecast")]
        + [("about/index.html", "Methodology")],
        "history": history_view(history, ecosystems),
        "downloads": [
            *(
                (f"{DATA_DIR}/{s.ecosystem}.{ext}", f"{s.ecosystem}.{ext}")
                for s in snapshots
                for ext in ("json", "csv")
            ),
            (f"{DATA_DIR}/{SCHEMA_FILE}", SCHEMA_FILE),
        ],
    }
    return SitePlan(pages=pages, files=files, common=common, snapshots=snapshots)


def _package_page(
    entry: dict[str, Any],
    history: History | None,
    by_package: dict[tuple[str, str], list[Change]],
    view: PackageView,
) -> Page:
    eco = entry["name"]
    context = {
        "eco": entry,
        "package": view,
        "panels": PACKAGE_PANELS,
        "alerts": PACKAGE_ALERTS,
        "status_history": status_history(history, by_package, eco, view.result.name),
    }
    return Page(f"{eco}/{view.href}", "package.html", context)


def write(
    site: SitePlan,
    out_dir: Path,
    env: Environment,
    static: Path | None = None,
    *,
    workers: int | None = None,
) -> Sequence[Path]:
    """Phase two: render every page and write it, the data files and the static assets.

    Pages and data files are made and written by ``workers`` processes (default: one per
    CPU for a site of :data:`PARALLEL_PAGES` pages or more, see
    :mod:`generator.render.parallel`); the output is the same whatever their number. Returns
    the files written, each path made when read."""
    folders: dict[str, None] = {}
    templates: dict[str, None] = {}
    for page in site.pages:
        folders[page.path.rpartition("/")[0]] = None
        templates[page.template] = None
    # Every folder first (ecosystems, npm scopes, ``_`` of hashed names: one file per
    # package, no folder), by this process alone, so no writer finds its folder missing.
    for folder in folders:
        (out_dir / folder).mkdir(parents=True, exist_ok=True)
    data_dir = out_dir / DATA_DIR
    data_dir.mkdir(parents=True, exist_ok=True)
    # The data files are shared out among the processes too (the snapshots' JSON and CSV
    # are a tenth of the work at 10,000 packages per ecosystem).
    tasks: list[Callable[[], object]] = [
        partial(write_snapshot, snapshot, data_dir) for snapshot in site.snapshots
    ]
    tasks += [partial(_write_data, out_dir / rel, data) for rel, data in site.files.items()]
    count = default_workers(len(site.pages)) if workers is None else workers
    for name in templates:
        env.get_template(name)  # compiled once, before any fork (0.2 s each process)
    in_children(count, lambda share: _write_pages(site, out_dir, env, share, tasks))
    others = [data_dir / f"{snapshot.ecosystem}.json" for snapshot in site.snapshots]
    if site.snapshots:
        others.append(data_dir / SCHEMA_FILE)
    others.extend(out_dir / rel for rel in site.files)
    static_dir = static or asset_dir("static")
    if static_dir.is_dir():
        shutil.copytree(static_dir, out_dir / "static", dirs_exist_ok=True)
    return Written(out_dir, site.pages, others)


def _write_pages(
    site: SitePlan,
    out_dir: Path,
    env: Environment,
    share: slice,
    tasks: list[Callable[[], object]],
) -> None:
    renderer = PageRenderer(env, site.common)
    pages = site.pages
    for i in range(len(pages))[share]:  # one page at a time: never all of them at once
        page = pages[i]
        pieces = renderer.pieces(page.template, page.context, page.root, page.path)
        write_page(out_dir / page.path, pieces)
    for task in tasks[share]:
        task()


def _write_data(target: Path, data: bytes | Callable[[], bytes | Iterable[bytes]]) -> None:
    atomic_write(target, data if isinstance(data, bytes) else data())


def render(
    snapshots: list[Snapshot],
    out_dir: Path,
    *,
    infos: Mapping[str, EcosystemInfo],
    templates: Path | None = None,
    static: Path | None = None,
    history: History | None = None,
    site_url: str = "",
    report_url: str = "",
) -> Sequence[Path]:
    """Write the site for ``snapshots`` (and ``history``) into ``out_dir``; return the files
    written. ``infos`` describes the ecosystems (``generator.ecosystems.INFOS``); a snapshot
    of another ecosystem is refused. ``site_url`` is the site's absolute URL, for the links
    of ``feed.xml``; ``report_url`` the issue form each package page links to (no link when
    empty)."""
    site = plan(snapshots, infos, history, site_url=site_url, report_url=report_url)
    return write(site, out_dir, environment(templates), static)
