from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import jsonschema
import pytest
from pydantic import ValidationError

from generator.models import (
    Evidence,
    PackageResult,
    ReleaseFields,
    Snapshot,
    SourceInfo,
    Status,
    VerificationFields,
    summarize,
)
from generator.models_depth import DepthFields
from generator.snapshot import read_snapshot, schema, write_snapshot
from tests import builders


def result(rank: int, status: Status, tp: bool | None = None) -> PackageResult:
    return PackageResult(
        rank=rank,
        name=f"p{rank}",
        version="1.0",
        published_at=datetime(2025, 1, 1, tzinfo=UTC),
        status=status,
        reason="because",
        trusted_publishing=tp,
        repository=None,
        error="HTTP 404" if status is Status.ERROR else None,
    )


def snapshot(packages: list[PackageResult]) -> Snapshot:
    return builders.snapshot(
        "pypi",
        packages,
        generated_at=datetime(2026, 11, 1, tzinfo=UTC),
        source=SourceInfo(kind="top-n", location="x", requested=5),
    )


def test_summary_excludes_errors_from_percentages() -> None:
    packages = [
        result(1, Status.ATTESTED, True),
        result(2, Status.MISSING),
        result(3, Status.ERROR),
        result(4, Status.PRE_ATTESTATION, False),
    ]
    s = summarize(packages)
    assert s.total == 4 and s.counted == 3
    assert s.attested_percent == 33.3
    assert s.by_status[Status.ERROR] == 1 and s.by_status[Status.UNSUPPORTED_CI] == 0
    assert s.trusted_publishing == 1 and s.trusted_publishing_unknown == 1
    assert summarize([result(1, Status.ERROR)]).attested_percent is None


def test_round_trip_and_schema(tmp_path: Path) -> None:
    snap = snapshot([result(1, Status.ATTESTED, True), result(2, Status.ERROR)])
    path = write_snapshot(snap, tmp_path)
    assert read_snapshot(path) == snap
    document = json.loads(path.read_text())
    jsonschema.validate(document, json.loads((tmp_path / "schema.json").read_text()))
    document["packages"][0]["status"] = "sort-of"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema())
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_extra_fields_are_rejected() -> None:
    data = result(1, Status.MISSING).model_dump()
    data["surprise"] = 1
    with pytest.raises(ValidationError):
        PackageResult.model_validate(data)


def test_schema_documents_every_field() -> None:
    doc = schema()
    for name, definition in doc["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            assert spec.get("description"), f"{name}.{field} has no description"
    assert doc["properties"]["schema_version"]["const"] == 2


#: Every field of an exported row in schema version 2 (the export stays flat).
ROW_FIELDS = {
    "rank", "name", "version", "published_at", "status", "reason", "trusted_publishing",
    "repository", "repository_declared", "files_total", "files_attested", "provenance",
    "verification", "verification_reason", "files_verified", "build", "repository_mismatch",
    "previously_attested", "last_attested_version", "provenance_dropped", "registry_url",
    "provenance_url", "error", "identity", "registry_signature",
    # issue 11 (generator/models_depth.py DepthFields)
    "downloads", "timeline", "trust", "lifecycle", "lifecycle_reason",
}  # fmt: skip


def test_row_fields_are_declared_once_and_stay_flat() -> None:
    assert set(PackageResult.model_fields) == ROW_FIELDS
    assert set(schema()["$defs"]["PackageResult"]["properties"]) == ROW_FIELDS
    # Evidence and the row share the release facts through one declaration; verification
    # fields belong to the verification stage, not to the ecosystem's evidence.
    depth = set(DepthFields.model_fields)
    assert set(Evidence.model_fields) == set(ReleaseFields.model_fields) | depth | {"attested"}
    assert not set(VerificationFields.model_fields) & set(ReleaseFields.model_fields)
    assert set(VerificationFields.model_fields) < ROW_FIELDS
    own = set(PackageResult.model_fields) - set(ReleaseFields.model_fields)
    assert own - set(VerificationFields.model_fields) - depth == {
        "rank",
        "status",
        "reason",
        "error",
    }
    assert list(PackageResult.model_fields)[:3] == ["rank", "status", "reason"]
