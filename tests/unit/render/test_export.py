"""Downloads (render.export): the CSV copy, the JSON copies against the schema, the feed."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import jsonschema

from generator import history as hist
from generator.models import Build, PackageResult, Provenance, Status
from generator.render import CSV_FIELDS, feed_xml, to_csv
from generator.render.export import TIMELINE_COLUMNS, csv_chunks
from generator.snapshot import snapshot_json, write_snapshot
from tests.synthetic import synthetic_snapshot
from tests.unit.history.samples import row, snap
from tests.unit.render.samples import GOOD_BUILD, hostile_snapshots, signal_snapshots

ATOM = "{http://www.w3.org/2005/Atom}"


def test_csv_has_the_package_fields_flattened(site: Path) -> None:
    snap = hostile_snapshots()[0]
    rows = list(csv.DictReader(io.StringIO((site / "data/npm.csv").read_bytes().decode())))
    assert list(rows[0]) == CSV_FIELDS
    assert len(rows) == len(snap.packages)
    json_fields = set(PackageResult.model_fields) - {"provenance", "build", "downloads", "timeline"}
    assert json_fields <= set(CSV_FIELDS)
    assert set(CSV_FIELDS) - json_fields == {
        *(f"provenance_{f}" for f in Provenance.model_fields),
        *(f"build_{f}" for f in Build.model_fields),
        "downloads_count",
        "downloads_window",
        *TIMELINE_COLUMNS,
    }
    assert len(set(CSV_FIELDS)) == len(CSV_FIELDS)
    by_name = {r["name"]: r for r in rows}
    # A leading "@" (npm scopes) is a formula start for spreadsheets: neutralized with "'".
    names = {f"'{p.name}" if p.name.startswith("@") else p.name for p in snap.packages}
    assert set(by_name) == names, "names survive quotes and newlines"
    scoped = by_name["'@scope/pkg"]
    assert scoped["provenance_workflow"] == '"><svg onload=alert(1)>'
    assert scoped["trusted_publishing"] == "true" and scoped["status"] == "attested"
    broken = by_name["broken"]
    assert broken["trusted_publishing"] == "" and broken["version"] == ""
    assert broken["published_at"] == "" and broken["error"] == "<b>HTTP 404</b>"
    assert by_name["plain-name"]["published_at"] == "2026-11-01T12:00:00Z"
    assert to_csv(snap) == (site / "data/npm.csv").read_bytes()


def test_json_downloads_validate_against_the_schema(site: Path) -> None:
    schema = json.loads((site / "data/schema.json").read_text())
    for eco in ("npm", "pypi"):
        jsonschema.validate(json.loads((site / f"data/{eco}.json").read_text()), schema)


def test_csv_flattens_build() -> None:
    snap = signal_snapshots()[0]
    rows = list(csv.DictReader(io.StringIO(to_csv(snap).decode())))
    good = rows[0]
    assert good["build_commit"] == GOOD_BUILD.commit
    assert good["build_log_index"] == "700008187"
    assert good["build_integrated_time"] == "2026-11-01T12:00:00Z"
    assert good["verification"] == "verified" and good["files_verified"] == "1"
    assert rows[1]["verification"] == "failed" and rows[2]["provenance_dropped"] == "true"
    assert rows[2]["build_commit"] == "" and rows[3]["repository_mismatch"] == "true"


def test_feed_escapes_hostile_names_and_stays_valid() -> None:
    name = '<script>alert("x")</script>&'
    old = snap([row(name, Status.ATTESTED)])
    new = snap([row(name, Status.MISSING, version="2.0")], date(2026, 11, 2))
    h = hist.append_snapshot(hist.append_snapshot(hist.EcosystemHistory("pypi"), old), new)
    xml = feed_xml(hist.History({"pypi": h}, date(2026, 11, 2)), "")
    assert "<script>" not in xml
    root = ET.fromstring(xml)
    entry = root.find(f"{ATOM}entry")
    assert entry is not None
    assert name in (entry.findtext(f"{ATOM}title") or "")
    assert (entry.findtext(f"{ATOM}id") or "").startswith("tag:attested-yet,2025:change/")
    assert root.find(f"{ATOM}link") is None  # no site URL: no links, ids still unique tag URIs
    assert name in (entry.findtext(f"{ATOM}content") or "")  # an entry needs link or content


def test_snapshot_json_in_chunks_is_pydantics_dump(tmp_path: Path) -> None:
    big = synthetic_snapshot("npm", 600)
    for one in [big, big.model_copy(update={"packages": []}), *hostile_snapshots()]:
        whole = one.model_dump_json(indent=1).encode() + b"\n"
        assert b"".join(snapshot_json(one)) == whole
    assert len(list(snapshot_json(big))) == 602, "head, one piece per row, tail"
    path = write_snapshot(big, tmp_path)
    assert path.read_bytes() == big.model_dump_json(indent=1).encode() + b"\n"


def test_csv_in_chunks_is_the_same_file() -> None:
    big = synthetic_snapshot("pypi", 40)
    chunks = list(csv_chunks(big, rows=7))
    assert len(chunks) == 6 and b"".join(chunks) == to_csv(big)
    assert to_csv(big).count(b"\r\n") == 41
