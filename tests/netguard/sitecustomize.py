"""Loaded by Python at start-up when this folder is on PYTHONPATH: installs the network guard
in subprocesses that the tests start (the CLI end-to-end tests)."""

# A top-level module here (this folder is on PYTHONPATH), found by mypy as tests.netguard.
from _attested_yet_netguard import install  # type: ignore[import-not-found]

install()
