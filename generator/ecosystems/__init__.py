"""The registry of ecosystems: the only list of them. Add a module, then one line here."""

from __future__ import annotations

from generator.ecosystems.base import Ecosystem
from generator.ecosystems.npm import Npm
from generator.ecosystems.pypi import PyPI

REGISTRY: dict[str, Ecosystem] = {e.name: e for e in (PyPI(), Npm())}

__all__ = ["REGISTRY", "Ecosystem"]
