"""Render: snapshots (and their history) → a static site. Never fetches.

- :mod:`~generator.render.site`: plan every page and data file, then write them;
- :mod:`~generator.render.pages`: package pages in a chrome rendered once, pages made and
  written one at a time; :mod:`~generator.render.inline`: includes compiled in;
- :mod:`~generator.render.env`: the Jinja environment, its filters and the status codes;
- :mod:`~generator.render.links`: safe links, package page paths, asset folders;
- :mod:`~generator.render.charts`: the status bars and the trend chart (inline SVG);
- :mod:`~generator.render.history_view`: the changes page and the status histories;
- :mod:`~generator.render.export`: the CSV copy and the Atom feed.
"""

from __future__ import annotations

from generator.render.charts import chart, trend_charts, trend_svg
from generator.render.env import SIGNALS, STATUS_CODE, STATUS_LABEL, environment, script_json
from generator.render.export import CSV_FIELDS, feed_xml, to_csv
from generator.render.history_view import (
    CHANGES_PAGE,
    FEED_FILE,
    FEED_LIMIT,
    change_anchor,
    changes_context,
    describe,
)
from generator.render.links import PackageView, asset_dir, build_links, package_paths, safe_url
from generator.render.pages import Page
from generator.render.site import (
    DATA_DIR,
    PACKAGE_ALERTS,
    PACKAGE_PANELS,
    SitePlan,
    field_docs,
    plan,
    render,
    write,
)

__all__ = [
    "CHANGES_PAGE",
    "CSV_FIELDS",
    "DATA_DIR",
    "FEED_FILE",
    "FEED_LIMIT",
    "PACKAGE_ALERTS",
    "PACKAGE_PANELS",
    "SIGNALS",
    "STATUS_CODE",
    "STATUS_LABEL",
    "PackageView",
    "Page",
    "SitePlan",
    "asset_dir",
    "build_links",
    "change_anchor",
    "changes_context",
    "chart",
    "describe",
    "environment",
    "feed_xml",
    "field_docs",
    "package_paths",
    "plan",
    "render",
    "safe_url",
    "script_json",
    "to_csv",
    "trend_charts",
    "trend_svg",
    "write",
]
