"""The one reader of npm's SLSA provenance: the attestations document, its DSSE statement, and
the facts of its predicate (SLSA v1 and v0.2).

Used by the npm ecosystem (the builder identity of ``Evidence.provenance``) and by verification
(``Build`` facts, and the repository the signed statement claims). It sits below both, so the
ecosystems need not import ``generator.verify``: pure functions of JSON, no I/O, no crypto, and
nothing here raises for a malformed document (unreadable parts are ``None``).

Predicate shapes, from the real samples (``../shared/registry-samples/npm/attestations``):

- v1 (``https://slsa.dev/provenance/v1``): ``buildDefinition.externalParameters.workflow``
  ``{repository, path, ref}``, ``internalParameters.github.event_name``,
  ``resolvedDependencies[].digest.gitCommit``, ``runDetails.builder.id`` (ends in
  ``github-hosted``/``self-hosted``) and ``runDetails.metadata.invocationId`` (the run URL).
- v0.2 (``https://slsa.dev/provenance/v0.2``, npm's first format, 2023):
  ``invocation.configSource`` ``{uri: "git+https://github.com/o/r@refs/…", digest.sha1,
  entryPoint: "o/r/.github/workflows/x.yml@refs/…"}``. The entry point is GitHub's
  ``GITHUB_WORKFLOW_REF``, which starts with the repository's ``owner/name``; the workflow is
  the path *within* the repository (``.github/workflows/x.yml``), as in v1's ``path`` and the
  certificate's Build Config URI.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from generator.errors import PackageError
from generator.http import decode_json

SLSA_PREFIX = "https://slsa.dev/provenance/"


@dataclass(frozen=True, slots=True)
class SlsaFacts:
    """What an SLSA predicate says about the build; every field None when it does not say."""

    source_repository: str | None = None
    """Repository URL as stated (v1 ``workflow.repository``; v0.2 ``configSource.uri``
    without ``git+`` and ``@ref``), not normalized."""
    workflow: str | None = None
    """Workflow file within the repository, e.g. ``.github/workflows/release.yml``."""
    ref: str | None = None
    """v1 ``workflow.ref``."""
    commit: str | None = None
    """v1 ``resolvedDependencies[].digest.gitCommit``; v0.2 ``configSource.digest.sha1``."""
    trigger: str | None = None
    """v1 ``internalParameters.github.event_name``."""
    runner_environment: str | None = None
    """v1 builder id's last segment, when ``github-hosted`` or ``self-hosted``."""
    run_url: str | None = None
    """v1 ``runDetails.metadata.invocationId``."""


def slsa_entry(document: Any) -> dict[str, Any] | None:
    """The SLSA provenance entry of an npm attestations document (``{"attestations": [...]}``),
    or None."""
    entries = document.get("attestations") if isinstance(document, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and str(entry.get("predicateType", "")).startswith(SLSA_PREFIX):
            return entry
    return None


def statement_predicate(bundle: Any) -> dict[str, Any] | None:
    """The predicate of a Sigstore bundle's DSSE in-toto statement, read without checking the
    signature; None when it cannot be read. Decoded as registry JSON is (``decode_json``: lone
    surrogates become U+FFFD, so every string can be written as UTF-8)."""
    try:
        payload = bundle["dsseEnvelope"]["payload"]
        predicate = decode_json(base64.b64decode(payload, validate=True)).get("predicate")
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error, PackageError):
        return None
    return predicate if isinstance(predicate, dict) else None


def parse_predicate(predicate: Any) -> SlsaFacts:
    """The build facts of an SLSA v1 or v0.2 predicate (see the module docstring)."""
    if not isinstance(predicate, dict):
        return SlsaFacts()
    out: dict[str, str | None] = {}
    definition = predicate.get("buildDefinition")
    if isinstance(definition, dict):  # SLSA v1
        workflow = _obj(_obj(definition.get("externalParameters")).get("workflow"))
        out["source_repository"] = _text(workflow.get("repository"))
        out["workflow"] = _text(workflow.get("path"))
        out["ref"] = _text(workflow.get("ref"))
        github = _obj(_obj(definition.get("internalParameters")).get("github"))
        out["trigger"] = _text(github.get("event_name"))
        for dependency in _list(definition.get("resolvedDependencies")):
            if commit := _text(_obj(_obj(dependency).get("digest")).get("gitCommit")):
                out["commit"] = commit
                break
        details = _obj(predicate.get("runDetails"))
        builder = str(_obj(details.get("builder")).get("id", "")).rstrip("/").rsplit("/", 1)[-1]
        if builder in ("github-hosted", "self-hosted"):
            out["runner_environment"] = builder
        out["run_url"] = _text(_obj(details.get("metadata")).get("invocationId"))
    invocation = predicate.get("invocation")
    if isinstance(invocation, dict):  # SLSA v0.2
        source = _obj(invocation.get("configSource"))
        if uri := _text(source.get("uri")):
            out["source_repository"] = uri.removeprefix("git+").split("@", 1)[0]
        if entry_point := _text(source.get("entryPoint")):
            out["workflow"] = _workflow_in_repository(entry_point, out.get("source_repository"))
        if commit := _text(_obj(source.get("digest")).get("sha1")):
            out["commit"] = commit
    return SlsaFacts(**{k: v for k, v in out.items() if v})


def _workflow_in_repository(entry_point: str, repository: str | None) -> str | None:
    """``o/r/.github/workflows/x.yml@refs/tags/v1`` → ``.github/workflows/x.yml``: drop the ref,
    then the repository's ``owner/name/`` prefix (else everything before ``.github/``)."""
    path = entry_point.split("@", 1)[0]
    try:
        owner_name = urlsplit(repository).path.strip("/") if repository else ""
    except ValueError:  # not a URL (e.g. a bad IPv6 host): fall back to the .github/ rule
        owner_name = ""
    if owner_name and path.lower().startswith(owner_name.lower() + "/"):
        path = path[len(owner_name) + 1 :]
    elif ".github/" in path:
        path = path[path.find(".github/") :]
    return path or None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
