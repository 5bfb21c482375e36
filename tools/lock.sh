#!/usr/bin/env bash
# Regenerate requirements/publish.txt: every runtime dependency of pyproject.toml plus the build
# backend, pinned with sha256 hashes, for the publish workflow's `pip install --require-hashes`.
# The lock is resolved for the workflow's Python (3.12 on ubuntu-latest); run it after changing
# a dependency in pyproject.toml. Needs network access to the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
python="${LOCK_PYTHON:-python3.12}"
venv="$(mktemp -d)"
trap 'rm -rf "$venv"' EXIT
"$python" -m venv "$venv"
"$venv/bin/pip" install -q pip-tools
"$venv/bin/pip-compile" -q --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links \
  --output-file requirements/publish.txt pyproject.toml requirements/build.in
echo "wrote requirements/publish.txt"
