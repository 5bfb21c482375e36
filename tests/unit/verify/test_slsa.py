"""The one SLSA predicate parser (``generator.slsa``), pinned on the real npm samples.

The npm ecosystem's builder identity and verification's ``Build`` facts both read it, so they
cannot disagree again. Before they shared it, a v0.2 predicate's workflow came out as
``sigstore/sigstore-js/.github/workflows/publish.yml`` in verification: the v0.2
``entryPoint`` is GitHub's ``GITHUB_WORKFLOW_REF`` (``owner/name/<path>@<ref>``), and the
workflow is the path within the repository, as v1's ``workflow.path`` and the certificate's
Build Config URI give it (``.github/workflows/publish.yml``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.ecosystems.npm import builder_identity
from generator.slsa import SlsaFacts, parse_predicate, slsa_entry, statement_predicate
from generator.verify.npm import unverified_npm
from tests.unit.verify.samples import LEGACY, PLAYWRIGHT, load


def facts_of(samples: Path, rel: str) -> SlsaFacts:
    entry = slsa_entry(load(samples, rel))
    assert entry is not None
    return parse_predicate(statement_predicate(entry["bundle"]))


def test_v02_predicate_of_a_real_sample(samples: Path) -> None:
    document = load(samples, LEGACY)
    entry = slsa_entry(document)
    assert entry is not None and entry["predicateType"] == "https://slsa.dev/provenance/v0.2"
    facts = facts_of(samples, LEGACY)
    assert facts.source_repository == "https://github.com/sigstore/sigstore-js"
    assert facts.workflow == ".github/workflows/publish.yml"
    assert facts.commit == "06528997c3c8ab9f864fad9a3658446aca7fd86d"


def test_v1_predicate_of_a_real_sample(samples: Path) -> None:
    facts = facts_of(samples, PLAYWRIGHT)
    assert facts == SlsaFacts(
        source_repository="https://github.com/microsoft/playwright-cli",
        workflow=".github/workflows/publish.yml",
        ref="refs/tags/v0.1.1",
        commit="d1c6d1113932ddcee243e8b111b6d4aea553df20",
        trigger="release",
        runner_environment="github-hosted",
        run_url="https://github.com/microsoft/playwright-cli/actions/runs/22026075834/attempts/1",
    )


@pytest.mark.parametrize("rel", [LEGACY, PLAYWRIGHT])
def test_builder_identity_and_build_agree_on_the_workflow(samples: Path, rel: str) -> None:
    document = load(samples, rel)
    identity = builder_identity(document)
    build = unverified_npm(document, "not checked here").build
    assert identity is not None and build is not None
    assert identity.workflow == build.workflow == ".github/workflows/publish.yml"
    assert identity.kind == "GitHub"
    assert f"https://github.com/{identity.repository}" == build.source_repository


@pytest.mark.parametrize(
    ("entry_point", "uri", "expected"),
    [
        # owner/name/ prefix dropped (case-insensitive), whatever the folder
        (
            "o/r/.github/workflows/x.yml@refs/heads/main",
            "git+https://github.com/o/r@x",
            ".github/workflows/x.yml",
        ),
        (
            "O/R/ci/release.yml@refs/tags/v1",
            "git+https://github.com/o/r@refs/tags/v1",
            "ci/release.yml",
        ),
        # another prefix: everything before .github/ dropped
        (
            "elsewhere/.github/workflows/x.yml",
            "git+https://github.com/o/r",
            ".github/workflows/x.yml",
        ),
        ("release.yml@refs/tags/v1", "not a url", "release.yml"),
    ],
)
def test_v02_workflow_is_the_path_within_the_repository(
    entry_point: str, uri: str, expected: str
) -> None:
    source = {"uri": uri, "entryPoint": entry_point}
    assert parse_predicate({"invocation": {"configSource": source}}).workflow == expected


@pytest.mark.parametrize(
    "value",
    [None, [], "x", {"buildDefinition": "x", "invocation": []}, {"buildDefinition": {"x": 1}}],
)
def test_malformed_predicates_say_nothing(value: object) -> None:
    assert parse_predicate(value) == SlsaFacts()


def test_unreadable_documents() -> None:
    assert slsa_entry({"attestations": "nope"}) is None
    assert slsa_entry([]) is None
    assert slsa_entry({"attestations": [{"predicateType": "https://other/v1"}]}) is None
    assert statement_predicate({"dsseEnvelope": {"payload": "%%%"}}) is None
    assert statement_predicate(None) is None
