"""Running the command line in a subprocess, as the end-to-end tests do."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    """``python -m generator ARGS`` in ``cwd`` with ``env`` (pass the guarded environment)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
    )
