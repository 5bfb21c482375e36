"""The site's downloads: the CSV copy of a snapshot and the Atom feed of changes.

The JSON copy of a snapshot and its schema are written by :mod:`generator.snapshot`, the one
writer of those files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape

from generator.history import Change, History, recent_changes
from generator.models import Build, PackageResult, Provenance, Snapshot
from generator.render.depth import Alert
from generator.render.history_view import (
    CHANGES_PAGE,
    FEED_FILE,
    FEED_LIMIT,
    change_anchor,
    describe,
)

#: The timeline's flat facts as CSV columns (the release list itself is JSON only).
TIMELINE_COLUMNS = (
    "timeline_releases",
    "timeline_provenance_lost",
    "timeline_provenance_changed",
    "timeline_forecast_blocked",
    "timeline_forecast_reason",
)


def _timeline_cells(timeline: dict[str, Any] | None) -> dict[str, Any]:
    if timeline is None:
        return dict.fromkeys(TIMELINE_COLUMNS)
    forecast = timeline.get("forecast") or {}
    return {
        "timeline_releases": len(timeline["releases"]),
        "timeline_provenance_lost": timeline["provenance_lost"],
        "timeline_provenance_changed": timeline["provenance_changed"],
        "timeline_forecast_blocked": forecast.get("blocked"),
        "timeline_forecast_reason": forecast.get("reason"),
    }


def _csv_fields() -> list[str]:
    """The package fields in JSON order, ``provenance``, ``build``, ``downloads`` expanded in
    place and ``timeline`` reduced to its flags (:data:`TIMELINE_COLUMNS`)."""
    names: list[str] = []
    for name in PackageResult.model_fields:
        if name == "provenance":
            names.extend(f"provenance_{sub}" for sub in Provenance.model_fields)
        elif name == "build":
            names.extend(f"build_{sub}" for sub in Build.model_fields)
        elif name == "downloads":
            names.extend(("downloads_count", "downloads_window"))
        elif name == "timeline":
            names.extend(TIMELINE_COLUMNS)
        else:
            names.append(name)
    if len(set(names)) != len(names):  # a Provenance field named like a package field
        raise AssertionError(f"CSV columns collide: {names}")
    return names


CSV_FIELDS: list[str] = _csv_fields()


#: What a spreadsheet may read as a formula at the start of a cell (OWASP "CSV Injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return neutralize(str(value))


def neutralize(cell: str) -> str:
    """``cell`` with a single quote in front when it begins with ``=``, ``+``, ``-``, ``@``,
    tab or carriage return, as OWASP recommends against CSV (formula) injection: a
    spreadsheet then shows the text instead of evaluating it."""
    return f"'{cell}" if cell.startswith(_FORMULA_START) else cell


def to_csv(snapshot: Snapshot) -> bytes:
    """:func:`csv_chunks` in one piece."""
    return b"".join(csv_chunks(snapshot))


def csv_chunks(snapshot: Snapshot, rows: int = 500) -> Iterator[bytes]:
    """The snapshot's packages as CSV, ``rows`` rows at a time (the whole file at once grew
    with the package count): the JSON's package fields, provenance, build and downloads
    flattened to ``provenance_<field>``, ``build_<field>``, ``downloads_<field>``,
    the timeline to its flags (:data:`TIMELINE_COLUMNS`); null is an empty cell, booleans
    are ``true``/``false``, and a cell that a spreadsheet would read as a formula is prefixed
    with ``'`` (:func:`neutralize`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for i, package in enumerate(snapshot.packages, 1):
        row = package.model_dump(mode="json")
        provenance = row.pop("provenance") or {}
        for name in Provenance.model_fields:
            row[f"provenance_{name}"] = provenance.get(name)
        build = row.pop("build") or {}
        for name in Build.model_fields:
            row[f"build_{name}"] = build.get(name)
        downloads = row.pop("downloads") or {}
        row["downloads_count"] = downloads.get("count")
        row["downloads_window"] = downloads.get("window")
        row.update(_timeline_cells(row.pop("timeline")))
        writer.writerow([_csv_value(row[name]) for name in CSV_FIELDS])
        if i % rows == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


#: The feed's id, and the prefix of its entries' ids, when no site URL is known: a ``tag:``
#: URI (RFC 4151) is a valid IRI that names no location.
TAG_BASE = "tag:attested-yet,2025:"

#: Characters XML 1.0 does not allow in a document (C0 controls other than tab, newline and
#: carriage return, surrogates, U+FFFE and U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` escaped for XML text and attributes, each character XML 1.0 forbids
    replaced by U+FFFD, so that any registry string keeps the feed well-formed."""
    return escape(_NOT_XML.sub("\ufffd", value), {'"': "&quot;"})


def feed_xml(
    history: History,
    site_url: str,
    *,
    limit: int = FEED_LIMIT,
    alerts: Sequence[Alert] = (),
) -> str:
    """An Atom feed (RFC 4287): the current ``provenance_lost`` and ``provenance_changed``
    packages first (``alerts``), then recent changes, regressions first. Without ``site_url`` the
    ids are ``tag:`` URIs and each entry carries its text as ``content`` (an entry needs an
    alternate link or content)."""
    base = site_url if site_url.endswith("/") else f"{site_url}/" if site_url else ""
    page = f"{base}{CHANGES_PAGE}"
    changes = recent_changes(history, limit)
    updated = history.updated or max((c.date for c in changes), default=date(1970, 1, 1))
    feed_id = f"{base}{FEED_FILE}" if base else f"{TAG_BASE}changes"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom">',
        "<title>Are we attested yet? Changes</title>",
        "<subtitle>Packages whose attestation status changed; regressions first.</subtitle>",
        f"<id>{xml_text(feed_id)}</id>",
        f"<updated>{_stamp(updated)}</updated>",
        "<author><name>Are we attested yet?</name></author>",
    ]
    if base:
        out.append(f'<link rel="self" type="application/atom+xml" href="{xml_text(feed_id)}"/>')
        out.append(f'<link rel="alternate" type="text/html" href="{xml_text(page)}"/>')
    for alert in alerts:
        raw = f"timeline-{alert.ecosystem}-{alert.package}-{alert.kind}"
        anchor = quote(raw.encode("utf-8", "replace"), safe="")
        entry_id = f"{page}#{anchor}" if base else f"{TAG_BASE}timeline/{anchor}"
        text = xml_text(f"{alert.kind.replace('_', ' ')}: {alert.ecosystem} {alert.package}")
        detail = xml_text(alert.text)
        out += [
            "<entry>",
            f"<title>{text}</title>",
            f"<id>{xml_text(entry_id)}</id>",
            f"<updated>{_stamp(updated)}</updated>",
            f'<category term="{alert.kind}"/>',
            f'<category term="{xml_text(alert.ecosystem)}"/>',
            f'<link rel="alternate" type="text/html" href="{xml_text(entry_id)}"/>'
            if base
            else f'<content type="text">{detail}</content>',
            f'<summary type="text">{detail}</summary>',
            "</entry>",
        ]
    for change in changes:
        anchor = _anchor(change)
        entry_id = f"{page}#{anchor}" if base else f"{TAG_BASE}change/{anchor}"
        text = xml_text(describe(change))
        out += [
            "<entry>",
            f"<title>{text}</title>",
            f"<id>{xml_text(entry_id)}</id>",
            f"<updated>{_stamp(change.date)}</updated>",
            f'<category term="{xml_text(change.kind.value)}"/>',
            f'<category term="{xml_text(change.ecosystem)}"/>',
        ]
        if base:
            out.append(f'<link rel="alternate" type="text/html" href="{xml_text(entry_id)}"/>')
        else:
            out.append(f'<content type="text">{text} (seen {change.date})</content>')
        out += [f'<summary type="text">{text} (seen {change.date})</summary>', "</entry>"]
    out.append("</feed>")
    return "\n".join(out) + "\n"


def _anchor(change: Change) -> str:
    """The change's anchor on the changes page, percent-encoded ASCII (a valid IRI fragment
    and ``tag:`` specific part), also for a name holding a lone surrogate."""
    try:
        return change_anchor(change)
    except UnicodeEncodeError:
        raw = f"{change.date}-{change.ecosystem}-{change.package}-{change.kind}"
        return quote(raw.encode("utf-8", "replace"), safe="")


def _stamp(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
