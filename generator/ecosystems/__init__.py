"""The registry of ecosystems: the only list of them. Add a module, then one line here."""

from __future__ import annotations

from generator.ecosystems.base import Ecosystem
from generator.ecosystems.info import EcosystemInfo
from generator.ecosystems.npm import Npm
from generator.ecosystems.pypi import PyPI

REGISTRY: dict[str, Ecosystem] = {e.name: e for e in (PyPI(), Npm())}
INFOS: dict[str, EcosystemInfo] = {name: e.info for name, e in REGISTRY.items()}

__all__ = ["INFOS", "REGISTRY", "Ecosystem", "EcosystemInfo"]
