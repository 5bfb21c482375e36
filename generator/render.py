"""Snapshots → static site. Never fetches. Two phases: plan the site (every page with its
context, every data file with its bytes), then write it.

Every link in the site is relative (``root`` is the way back to the site's top folder from
the page being rendered), so the site works from any sub-path, including ``file://``.
Adding a page is one :class:`Page` in :func:`plan`; adding a panel to the package pages is
one template name in :data:`PACKAGE_PANELS`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from generator import history as hist
from generator import search_index, verdict
from generator.models import (
    COUNTED_STATUSES,
    Build,
    PackageResult,
    Provenance,
    Snapshot,
    Status,
    Verification,
)
from generator.snapshot import SCHEMA_FILE, atomic_write, schema

DATA_DIR = "data"

#: Package-page panels, in order (templates under ``templates/panels/``). Each receives
#: ``package`` (a :class:`PackageView`), ``snapshot`` and ``root``.
PACKAGE_PANELS: list[str] = [
    "panels/verdict.html",
    "panels/release.html",
    "panels/history.html",
    "panels/provenance.html",
    "panels/build.html",
    "panels/links.html",
]

#: Panels shown above all others on a package page: warnings (failed verification,
#: dropped provenance, repository mismatch), each explained where it is shown.
PACKAGE_ALERTS: list[str] = ["panels/signals.html"]

#: One-letter row classes of the ecosystem table (kept short: 10,000 rows ship in the HTML).
STATUS_CODE: dict[Status, str] = {
    Status.ATTESTED: "a",
    Status.UNSUPPORTED_CI: "u",
    Status.PRE_ATTESTATION: "p",
    Status.MISSING: "m",
    Status.ERROR: "e",
}

#: What each status means, in one line (the methodology page says it in full).
STATUS_LABEL: dict[Status, str] = {
    Status.ATTESTED: "Attested",
    Status.UNSUPPORTED_CI: "Unsupported CI",
    Status.PRE_ATTESTATION: "Pre-attestation",
    Status.MISSING: "Missing",
    Status.ERROR: "Error",
}

ECOSYSTEM_NAMES = {"pypi": "PyPI", "npm": "npm"}
ORDER = {"pypi": 0, "npm": 1}

#: A package name that is safe as a path: letters, digits, ``._~-``, starting with a letter
#: or digit, optionally an npm ``@scope/`` (which becomes a folder). Anything else (and any
#: name that would collide with another, or with a file of the site) gets a hashed path.
_SAFE_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9._~-]{0,127}"
_SAFE_NAME = re.compile(rf"^(?:@{_SAFE_SEGMENT}/)?{_SAFE_SEGMENT}$")
_RESERVED = {"index.html", "_"}


def asset_dir(name: str) -> Path:
    """``templates`` or ``static``: inside the installed package, else the source tree."""
    installed = Path(__file__).parent / "_site" / name
    return installed if installed.is_dir() else Path(__file__).parent.parent / name


def safe_url(value: object) -> str | None:
    """``value`` if it is an http(s) URL, else None: no ``javascript:`` or other schemes."""
    if not isinstance(value, str):
        return None
    lowered = value.strip().lower()
    return value.strip() if lowered.startswith(("https://", "http://")) else None


#: The signals the ecosystem pages mark and filter by (``?signal=``), loudest first:
#: value → label. A package's signals are :func:`signals`.
SIGNALS: dict[str, str] = {
    "failed": "verification failed",
    "dropped": "provenance dropped",
    "mismatch": "repository mismatch",
}


def signals(result: PackageResult) -> list[str]:
    """The :data:`SIGNALS` a package raises, in their order."""
    raised = []
    if result.verification is Verification.FAILED:
        raised.append("failed")
    if result.provenance_dropped:
        raised.append("dropped")
    if result.repository_mismatch:
        raised.append("mismatch")
    return raised


def flagged(views: list[PackageView]) -> dict[str, list[PackageView]]:
    """The packages raising each signal, in rank order (every signal present)."""
    found: dict[str, list[PackageView]] = {key: [] for key in SIGNALS}
    for view in views:
        for key in signals(view.result):
            found[key].append(view)
    return found


#: Where a forge shows a tree (commit) and a file at a revision, after ``https://host/owner/name``.
_FORGE_PATHS = {"github.com": ("/tree/", "/blob/"), "gitlab.com": ("/-/tree/", "/-/blob/")}
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,64}$")


def build_links(build: Build | None) -> dict[str, str]:
    """Links for the "Built from" panel, only ever http(s): ``repository``, ``commit`` (the
    source at the commit) and ``workflow`` (the workflow file at the ref, else at the commit)
    on github.com and gitlab.com, ``run`` (the CI run) and ``log`` (the transparency-log entry,
    only from ``log_url``: a link is never made up from ``log_index``)."""
    if build is None:
        return {}
    links: dict[str, str] = {}
    repo = safe_url(build.source_repository)
    if repo:
        links["repository"] = repo
        parts = urlsplit(repo)
        forge = _FORGE_PATHS.get((parts.hostname or "").lower())
        path = parts.path.rstrip("/").removesuffix(".git")
        if forge and not parts.query and not parts.fragment and path.count("/") >= 2:
            base = f"https://{parts.hostname}{quote(path, safe='/')}"
            tree, blob = forge
            commit = build.commit if build.commit and _COMMIT.match(build.commit) else None
            if commit:
                links["commit"] = f"{base}{tree}{commit}"
            ref = build.ref or ""
            revision = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
            revision = revision if revision != ref and revision else commit or ""
            workflow = (build.workflow or "").lstrip("/")
            if revision and workflow and ".." not in workflow.split("/"):
                links["workflow"] = f"{base}{blob}{quote(revision, safe='/')}/{quote(workflow)}"
    for key, value in (("run", build.run_url), ("log", build.log_url)):
        url = safe_url(value)
        if url:
            links[key] = url
    return links


def script_json(value: Any) -> Markup:
    """JSON for a ``<script type="application/json">`` element: ``<``, ``>``, ``&`` and the
    line separators are escaped, so no string in it can close the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(raw, escaped)
    return Markup(text)  # noqa: S704 - escaped above for the script-data context


def environment(templates: Path | None = None) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates or asset_dir("templates"))),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["script_json"] = script_json
    env.filters["build_links"] = build_links
    env.globals.update(
        signals=signals,
        signal_labels=SIGNALS,
        flagged=flagged,
        Verification=Verification,
        alerts=PACKAGE_ALERTS,
    )
    env.globals.update(
        status_label=STATUS_LABEL,
        status_code=STATUS_CODE,
        ecosystem_names=ECOSYSTEM_NAMES,
        Status=Status,
    )
    env.globals.update(verdict.template_globals())
    return env


def normalize_pypi(name: str) -> str:
    """PEP 503 normalized name (the form PyPI's URLs use)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _hashed(ecosystem: str, name: str) -> str:
    digest = hashlib.sha256(f"{ecosystem}\0{name}".encode()).hexdigest()[:16]
    return f"_/{digest}"


def package_paths(ecosystem: str, names: list[str]) -> dict[str, str]:
    """Each name's folder under the ecosystem folder (``requests``, ``@scope/name``).

    Names that are not plainly safe as paths, or that collide (case-insensitively, as on
    macOS and Windows file systems) with an earlier name, get ``_/<hash>`` instead.
    """
    paths: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        if name in paths:
            continue
        candidate = normalize_pypi(name) if ecosystem == "pypi" else name
        folded = candidate.lower()
        if (
            not _SAFE_NAME.match(candidate)
            or folded in taken
            or folded.split("/")[0] in _RESERVED
            or folded.endswith(".")
        ):
            candidate = _hashed(ecosystem, name)
            folded = candidate
        taken.add(folded)
        paths[name] = candidate
    return paths


@dataclass(frozen=True)
class PackageView:
    """A package as the templates show it: the result plus its site path."""

    result: PackageResult
    path: str
    """Folder of its page, relative to the ecosystem folder (``@scope/name``)."""

    @property
    def href(self) -> str:
        return f"{self.path}/index.html"

    @property
    def date(self) -> str:
        published = self.result.published_at
        return published.strftime("%Y-%m-%d") if published else ""

    @property
    def tp_text(self) -> str:
        return {True: "yes", False: "no", None: "unknown"}[self.result.trusted_publishing]


@dataclass(frozen=True)
class Page:
    path: str
    """Where the page goes, relative to the site's top folder (``npm/@s/n/index.html``)."""
    template: str
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def root(self) -> str:
        """The relative way back to the site's top folder (``""``, ``../``, …)."""
        return "../" * self.path.count("/")


@dataclass
class SitePlan:
    pages: list[Page]
    files: dict[str, bytes]
    """Data files by path relative to the site's top folder."""
    common: dict[str, Any]
    """Context shared by every page."""


def chart(snapshot: Snapshot, width: int = 320) -> dict[str, Any]:
    """Bar geometry for the four counted statuses, computed at build time for inline SVG."""
    counts = [(s, snapshot.summary.by_status[s]) for s in COUNTED_STATUSES]
    top = max((c for _, c in counts), default=0) or 1
    counted = snapshot.summary.counted
    label_w, value_w, bar_h, gap = 118, 86, 22, 8
    span = width - label_w - value_w
    bars = []
    for i, (status, count) in enumerate(counts):
        percent = round(100 * count / counted, 1) if counted else 0.0
        bars.append(
            {
                "status": status,
                "code": STATUS_CODE[status],
                "label": STATUS_LABEL[status],
                "count": count,
                "percent": percent,
                "y": i * (bar_h + gap),
                "width": round(span * count / top, 1),
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": len(bars) * (bar_h + gap) - gap,
        "label_w": label_w,
        "bar_h": bar_h,
        "span": span,
    }


def _csv_fields() -> list[str]:
    """The package fields in JSON order, ``provenance`` expanded in place."""
    names: list[str] = []
    for name in PackageResult.model_fields:
        if name == "provenance":
            names.extend(f"provenance_{sub}" for sub in Provenance.model_fields)
        elif name == "build":
            names.extend(f"build_{sub}" for sub in Build.model_fields)
        else:
            names.append(name)
    if len(set(names)) != len(names):  # a Provenance field named like a package field
        raise AssertionError(f"CSV columns collide: {names}")
    return names


CSV_FIELDS: list[str] = _csv_fields()


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(snapshot: Snapshot) -> bytes:
    """The snapshot's packages as CSV: the JSON's package fields, provenance and build
    flattened to ``provenance_<field>`` and ``build_<field>``; null is an empty cell, booleans
    are ``true``/``false``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for package in snapshot.packages:
        row = package.model_dump(mode="json")
        provenance = row.pop("provenance") or {}
        for name in Provenance.model_fields:
            row[f"provenance_{name}"] = provenance.get(name)
        build = row.pop("build") or {}
        for name in Build.model_fields:
            row[f"build_{name}"] = build.get(name)
        writer.writerow([_csv_value(row[name]) for name in CSV_FIELDS])
    return buffer.getvalue().encode("utf-8")


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


def plan(
    snapshots: list[Snapshot],
    history: hist.History | None = None,
    *,
    site_url: str = "",
    report_url: str = "",
) -> SitePlan:
    """Phase one: every page and data file of the site, nothing written.

    With ``history`` (the data folder's ``history/``), the site also shows it: trend charts
    on the overview, the changes page, ``feed.xml`` and each package's status history.
    """
    by_package: dict[tuple[str, str], list[hist.Change]] = {}
    if history is not None:
        for eco_history in history.ecosystems.values():
            for change in eco_history.changes:
                by_package.setdefault((change.ecosystem, change.package), []).append(change)
    ecosystems = []
    pages: list[Page] = []
    snapshots = sorted(snapshots, key=lambda s: (ORDER.get(s.ecosystem, len(ORDER)), s.ecosystem))
    for snapshot in snapshots:
        eco = snapshot.ecosystem
        paths = package_paths(eco, [p.name for p in snapshot.packages])
        views = [PackageView(p, paths[p.name]) for p in snapshot.packages]
        entry = {
            "name": eco,
            "display": ECOSYSTEM_NAMES.get(eco, eco),
            "snapshot": snapshot,
            "chart": chart(snapshot),
            "href": f"{eco}/index.html",
            "tp_counts": {
                text: sum(1 for v in views if v.tp_text == text)
                for text in ("yes", "no", "unknown")
            },
        }
        entry["names_index"] = search_index.index_path(eco)
        ecosystems.append(entry)
        pages.append(Page(f"{eco}/index.html", "ecosystem.html", {"eco": entry, "packages": views}))
        seen: set[str] = set()
        for view in views:
            if view.path in seen:
                continue  # the same name twice in a snapshot: one page
            seen.add(view.path)
            pages.append(
                Page(
                    f"{eco}/{view.path}/index.html",
                    "package.html",
                    {
                        "eco": entry,
                        "package": view,
                        "panels": PACKAGE_PANELS,
                        "status_history": _status_history(
                            history, by_package, eco, view.result.name
                        ),
                    },
                )
            )
    pages.insert(0, Page("index.html", "index.html"))
    pages.insert(1, Page("about/index.html", "about.html", {"fields": field_docs()}))

    files: dict[str, bytes] = {}
    for snapshot in snapshots:
        files[f"{DATA_DIR}/{snapshot.ecosystem}.json"] = (
            snapshot.model_dump_json(indent=1).encode() + b"\n"
        )
        files[f"{DATA_DIR}/{snapshot.ecosystem}.csv"] = to_csv(snapshot)
    for page in pages:
        if page.template == "ecosystem.html":
            eco_entry = page.context["eco"]
            files[eco_entry["names_index"]] = search_index.names_index(
                eco_entry["name"], eco_entry["display"], page.context["packages"]
            )
    files[f"{DATA_DIR}/{SCHEMA_FILE}"] = json.dumps(schema(), indent=1).encode() + b"\n"
    if history is not None:
        for name, data in hist.history_files(history).items():
            files[f"{DATA_DIR}/{hist.HISTORY_DIR}/{name}"] = data
        files[hist.FEED_FILE] = hist.feed_xml(history, site_url).encode()
        hrefs = {
            (page.context["eco"]["name"], page.context["package"].result.name): page.path
            for page in pages
            if page.template == "package.html"
        }
        context = {**hist.changes_context(history), "package_hrefs": hrefs}
        pages.insert(2, Page(hist.CHANGES_PAGE, "changes.html", context))

    common = {
        "ecosystems": ecosystems,
        "snapshots": snapshots,
        "statuses": list(COUNTED_STATUSES),
        "all_statuses": list(Status),
        "demo": any(s.demo for s in snapshots),
        "report_url": safe_url(report_url),
        "nav": [("index.html", "Overview")]
        + [(e["href"], e["display"]) for e in ecosystems]
        + ([(hist.CHANGES_PAGE, "Changes")] if history is not None else [])
        + [("about/index.html", "Methodology")],
        "history": _history_view(history, ecosystems),
        "downloads": [
            *(
                (f"{DATA_DIR}/{s.ecosystem}.{ext}", f"{s.ecosystem}.{ext}")
                for s in snapshots
                for ext in ("json", "csv")
            ),
            (f"{DATA_DIR}/{SCHEMA_FILE}", SCHEMA_FILE),
        ],
    }
    return SitePlan(pages=pages, files=files, common=common)


def _history_view(
    history: hist.History | None, ecosystems: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """What every page needs of the history: the feed, and the overview's trend charts."""
    if history is None:
        return None
    trends = []
    for entry in ecosystems:
        h = history.ecosystems.get(entry["name"])
        if h is None or not h.days:
            continue
        trends.append(
            {
                "eco": entry,
                "svg": Markup(hist.trend_svg(h.days, entry["display"], width=420, height=210)),  # noqa: S704
                "latest": _shares(h.days[-1]),
                "first": h.days[0].date,
                "days": len(h.days),
                "fresh": h.fresh,
                "snapshot_date": h.snapshot_date,
                "note": h.note,
            }
        )
    return {"feed": hist.FEED_FILE, "page": hist.CHANGES_PAGE, "trends": trends}


def _shares(day: hist.DailySummary) -> dict[str, str]:
    """The latest day's shares, as the chart's legend shows them."""

    def pct(part: int) -> str:
        return f"{100 * part / day.counted:.1f}%" if day.counted else "n/a"

    return {
        "attested": pct(day.by_status[Status.ATTESTED]),
        "trusted_publishing": pct(day.trusted_publishing),
        "date": day.date.isoformat(),
    }


def _status_history(
    history: hist.History | None,
    by_package: dict[tuple[str, str], list[hist.Change]],
    ecosystem: str,
    name: str,
) -> dict[str, Any] | None:
    """A package's recorded changes (newest first) and since when it is watched."""
    if history is None:
        return None
    h = history.ecosystems.get(ecosystem)
    if h is None or not h.days:
        return None
    changes = sorted(by_package.get((ecosystem, name), []), key=lambda c: c.date, reverse=True)
    return {"changes": changes, "since": h.days[0].date, "until": h.days[-1].date}


def write(
    site: SitePlan, out_dir: Path, env: Environment, static: Path | None = None
) -> list[Path]:
    """Phase two: render every page and write it, the data files and the static assets."""
    written = []
    for page in site.pages:
        template = env.get_template(page.template)
        html = template.render(
            {**site.common, **page.context, "root": page.root, "page_path": page.path}
        )
        target = out_dir / page.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")
        written.append(target)
    for rel, data in site.files.items():
        target = out_dir / rel
        atomic_write(target, data)
        written.append(target)
    static_dir = static or asset_dir("static")
    if static_dir.is_dir():
        shutil.copytree(static_dir, out_dir / "static", dirs_exist_ok=True)
    return written


def render(
    snapshots: list[Snapshot],
    out_dir: Path,
    *,
    templates: Path | None = None,
    static: Path | None = None,
    history: hist.History | None = None,
    site_url: str = "",
    report_url: str = "",
) -> list[Path]:
    """Write the site for ``snapshots`` (and ``history``) into ``out_dir``; return the files
    written. ``site_url`` is the site's absolute URL, for the links of ``feed.xml``;
    ``report_url`` the issue form each package page links to (no link when empty)."""
    site = plan(snapshots, history, site_url=site_url, report_url=report_url)
    return write(site, out_dir, environment(templates), static)
