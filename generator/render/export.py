"""The site's downloads: the CSV copy of a snapshot and the Atom feed of changes.

The JSON copy of a snapshot and its schema are written by :mod:`generator.snapshot`, the one
writer of those files.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from generator.history import History, recent_changes
from generator.models import Build, PackageResult, Provenance, Snapshot
from generator.render.history_view import (
    CHANGES_PAGE,
    FEED_FILE,
    FEED_LIMIT,
    change_anchor,
    describe,
)


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


def feed_xml(history: History, site_url: str, *, limit: int = FEED_LIMIT) -> str:
    """An Atom feed (RFC 4287) of recent changes, regressions first."""
    base = site_url if site_url.endswith("/") else f"{site_url}/" if site_url else ""
    page = f"{base}{CHANGES_PAGE}"
    changes = recent_changes(history, limit)
    updated = history.updated or max((c.date for c in changes), default=date(1970, 1, 1))
    feed_id = f"{base}{FEED_FILE}" if base else "urn:attested-yet:changes"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>Are we attested yet? Changes</title>",
        "<subtitle>Packages whose attestation status changed; regressions first.</subtitle>",
        f"<id>{escape(feed_id)}</id>",
        f"<updated>{_stamp(updated)}</updated>",
        "<author><name>Are we attested yet?</name></author>",
    ]
    if base:
        out.append(f'<link rel="self" type="application/atom+xml" href={quoteattr(feed_id)}/>')
        out.append(f'<link rel="alternate" type="text/html" href={quoteattr(page)}/>')
    for change in changes:
        entry_id = (
            f"{page}#{change_anchor(change)}"
            if base
            else f"urn:attested-yet:change:{change_anchor(change)}"
        )
        text = describe(change)
        out += [
            "<entry>",
            f"<title>{escape(text)}</title>",
            f"<id>{escape(entry_id)}</id>",
            f"<updated>{_stamp(change.date)}</updated>",
            f"<category term={quoteattr(change.kind.value)}/>",
            f"<category term={quoteattr(change.ecosystem)}/>",
        ]
        if base:
            out.append(f'<link rel="alternate" type="text/html" href={quoteattr(entry_id)}/>')
        out += [f'<summary type="text">{escape(text)} (seen {change.date})</summary>', "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
