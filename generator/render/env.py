"""The Jinja environment: filters, globals, and the one table of status codes.

A status reaches the pages as a short ``data-st`` attribute (``<tr data-st="a">``): short
because 10,000 rows ship in one page. :data:`STATUS_CODE` is the only table of these codes;
``site.css`` styles by the attribute and ``site.js`` learns the codes from the page (each
option of the status filter carries its code: ``<option value="attested" data-st="a">``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from generator.models import PackageResult, Status, Verification
from generator.models_depth import INACTIVE
from generator.render import depth, verdict
from generator.render.inline import InliningLoader
from generator.render.links import PackageView, asset_dir, build_links, safe_url

#: One-letter codes of the statuses in the pages (kept short: 10,000 rows ship in the HTML).
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

#: The signals the ecosystem pages mark and filter by (``?signal=``), loudest first:
#: value → label. A package's signals are :func:`signals`.
SIGNALS: dict[str, str] = {
    "failed": "verification failed",
    "unchecked": "not checked",
    "dropped": "provenance dropped",
    "mismatch": "repository mismatch",
    "lost": "provenance lost",
    "changed": "provenance changed",
    "blocked": "pnpm no-downgrade blocks",
    "inactive": "deprecated or archived",
}


def signals(result: PackageResult) -> list[str]:
    """The :data:`SIGNALS` a package raises, in their order."""
    raised = []
    if result.verification is Verification.FAILED:
        raised.append("failed")
    elif result.status is Status.ATTESTED and result.verification is Verification.NOT_CHECKED:
        raised.append("unchecked")
    if result.provenance_dropped:
        raised.append("dropped")
    if result.repository_mismatch:
        raised.append("mismatch")
    timeline = result.timeline
    if timeline is not None and timeline.provenance_lost:
        raised.append("lost")
    if timeline is not None and timeline.provenance_changed:
        raised.append("changed")
    if timeline is not None and timeline.forecast is not None and timeline.forecast.blocked:
        raised.append("blocked")
    if result.lifecycle in INACTIVE:
        raised.append("inactive")
    return raised


def flagged(views: list[PackageView]) -> dict[str, list[PackageView]]:
    """The packages raising each signal, in rank order (every signal present)."""
    found: dict[str, list[PackageView]] = {key: [] for key in SIGNALS}
    for view in views:
        for key in signals(view.result):
            found[key].append(view)
    return found


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


def environment(templates: Path | None = None, *, inline: bool = True) -> Environment:
    """The site's Jinja environment; with ``inline``, includes are compiled into the
    including template (:mod:`generator.render.inline`: same output, less work per page)."""
    files = FileSystemLoader(str(templates or asset_dir("templates")))
    env = Environment(
        loader=InliningLoader(files) if inline else files,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # Templates do not change during a render: without this, every get_template (one
        # per page, one per {% include %}) stats the file (15% of render CPU at 10,000).
        auto_reload=False,
    )
    #: The help templates there are (``help/<ecosystem>.html``, else ``help/generic.html``).
    env.globals["help_pages"] = frozenset(
        name for name in files.list_templates() if name.startswith("help/")
    )
    env.filters["safe_url"] = safe_url
    env.filters["script_json"] = script_json
    env.filters["build_links"] = build_links
    env.globals.update(
        signals=signals,
        signal_labels=SIGNALS,
        flagged=flagged,
        Verification=Verification,
        status_label=STATUS_LABEL,
        status_code=STATUS_CODE,
        Status=Status,
    )
    env.globals.update(verdict.template_globals())
    env.globals.update(depth.template_globals())
    return env
