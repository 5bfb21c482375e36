"""The Sigstore trust roots verification runs against, loaded once and offline."""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import Any


@cache
def verifier(trusted_root: Path | None) -> Any:
    """A sigstore Verifier, loaded once per trust root: the production root shipped with the
    package (``offline=True``: no TUF refresh, no network), or a ``trusted_root.json``."""
    from sigstore.models import TrustedRoot
    from sigstore.verify import Verifier

    quiet_sigstore()
    if trusted_root is None:
        return Verifier.production(offline=True)
    return Verifier(trusted_root=TrustedRoot.from_file(str(trusted_root)))


@cache
def public_log_ids() -> frozenset[str]:
    """Log ids (base64 key ids) of Sigstore's public Rekor logs, from the trust root shipped
    in the sigstore package: only their entries can be linked on search.sigstore.dev."""
    from importlib import resources

    try:
        raw = (
            resources.files("sigstore._store")
            .joinpath("https%3A%2F%2Ftuf-repo-cdn.sigstore.dev", "trusted_root.json")
            .read_bytes()
        )
        return frozenset(str(t["logId"]["keyId"]) for t in json.loads(raw)["tlogs"])
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()


def quiet_sigstore() -> None:
    """Silence sigstore's offline warning: ``offline=True`` logs one on every load ("updates
    will not be performed"); without handlers Python would print it once per attestation."""
    logging.getLogger("sigstore._internal.tuf").setLevel(logging.ERROR)
