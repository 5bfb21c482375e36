"""Certificate claims and SLSA facts → ``Build``."""

from __future__ import annotations

from generator.slsa import parse_predicate
from generator.verify.fulcio import build_from, der_utf8


def testder_utf8() -> None:
    assert der_utf8(b"\x0c\x04push") == "push"
    long = "x" * 200
    assert der_utf8(b"\x0c\x81\xc8" + long.encode()) == long
    assert der_utf8(b"\x13\x04push") is None
    assert der_utf8(b"\x0c\x09short") is None


def test_build_from_predicate_only() -> None:
    predicate = {
        "buildDefinition": {
            "externalParameters": {
                "workflow": {
                    "ref": "refs/heads/main",
                    "repository": "https://github.com/o/r",
                    "path": ".github/workflows/ci.yml",
                }
            },
            "internalParameters": {"github": {"event_name": "workflow_dispatch"}},
            "resolvedDependencies": [{"uri": "git+x", "digest": {"gitCommit": "a" * 40}}],
        },
        "runDetails": {"builder": {"id": "https://github.com/actions/runner/self-hosted"}},
    }
    build = build_from(None, "12", None, parse_predicate(predicate))
    assert build.source_repository == "https://github.com/o/r"
    assert build.workflow == ".github/workflows/ci.yml"
    assert build.trigger == "workflow_dispatch"
    assert build.commit == "a" * 40
    assert build.runner_environment == "self-hosted"
    assert build.log_index == 12 and build.integrated_time is None
