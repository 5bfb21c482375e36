"""Pure classification: Evidence → (Status, reason).

No clock, no network, no globals beyond constants: the cutoff comes in as an argument.
Rules, checked in order, the first that holds wins (see README "Classification"):

1. ``attested``: the release carries registry-accepted attestations.
2. ``unsupported-ci``: the declared source repository is not on a host where the
   registry accepts attestations (github.com, gitlab.com), or none is declared.
3. ``pre-attestation``: published before the registry accepted attestations.
4. ``missing``: otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from generator.models import Evidence, Status

#: Version of the classification rules above; bump it on any change to what a row says, so
#: every crawl state made under the old rules is dropped (``generator.state``).
RULES_VERSION = 1

#: Hosts from which both PyPI and npm accept attestations (GitHub Actions, GitLab CI/CD).
SUPPORTED_HOSTS: frozenset[str] = frozenset({"github.com", "gitlab.com"})


@dataclass(frozen=True, slots=True)
class Verdict:
    status: Status
    reason: str


def repository_host(repository: str | None) -> str | None:
    """The lower-cased host of a normalized repository URL, or None."""
    if not repository:
        return None
    host = urlsplit(repository).hostname
    return host.lower() if host else None


def classify(evidence: Evidence, cutoff: datetime, registry: str) -> Verdict:
    """Decide the status of one release. ``registry`` names the registry in the reason."""
    if evidence.attested:
        if evidence.files_total is not None and evidence.files_attested is not None:
            detail = (
                f"{evidence.files_attested} of {evidence.files_total} files of "
                f"{evidence.version} carry PEP 740 provenance"
            )
        else:
            detail = f"{evidence.version} carries Sigstore provenance (dist.attestations)"
        return Verdict(Status.ATTESTED, detail)

    host = repository_host(evidence.repository)
    if host not in SUPPORTED_HOSTS:
        if evidence.repository is None:
            why = "no source repository is declared"
        else:
            why = f"its source repository {evidence.repository} is not on github.com or gitlab.com"
        return Verdict(Status.UNSUPPORTED_CI, f"{why}, where {registry} attestations can be made")

    if evidence.published_at is not None and evidence.published_at < cutoff:
        return Verdict(
            Status.PRE_ATTESTATION,
            f"{evidence.version} was published {evidence.published_at:%Y-%m-%d}, before "
            f"{registry} accepted attestations ({cutoff:%Y-%m-%d})",
        )

    when = f"{evidence.published_at:%Y-%m-%d}" if evidence.published_at else "at an unknown date"
    return Verdict(
        Status.MISSING,
        f"{evidence.version} was published {when} from {evidence.repository} without attestations",
    )
