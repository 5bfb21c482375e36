"""Loaded by Python at start-up when this folder is on PYTHONPATH: installs the network guard
in subprocesses that the tests start (the CLI end-to-end tests)."""

from _attested_yet_netguard import install

install()
