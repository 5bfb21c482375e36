"""Size caps for everything a registry (or a ranked list) can make us store.

Anyone who publishes a package controls its strings: a 25 MB ``repository`` value once made
12 packages cost 1 GB of memory and a 944 MB site, because every stored copy (row, JSON,
CSV, pages) carried it whole. Every string field of the export is therefore capped at
:data:`MAX_TEXT` characters (cut with the visible :data:`TRUNCATED` marker), and lists that
come from input (the skipped entries of a ranked list) keep at most :data:`MAX_EXAMPLES`
items beside a count of all of them.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, field_validator

MAX_TEXT = 2048
"""Longest stored string, in characters (marker included)."""
TRUNCATED = "…[truncated]"
"""Appended to a string that was cut at :data:`MAX_TEXT`."""
MAX_EXAMPLES = 100
"""Most items kept of a list that only illustrates a count (e.g. skipped entries)."""


def cap_text(value: str, limit: int = MAX_TEXT) -> str:
    """``value`` if it fits in ``limit`` characters, else its head plus :data:`TRUNCATED`."""
    if len(value) <= limit:
        return value
    return value[: max(limit - len(TRUNCATED), 0)] + TRUNCATED


def cap_strings(value: Any) -> Any:
    """Cap a string, or each string of a list or tuple (other values are returned as they
    are): the before-validator every exported model applies to every field."""
    if isinstance(value, str):
        return cap_text(value)
    if isinstance(value, list | tuple) and any(isinstance(v, str) for v in value):
        capped = [cap_text(v) if isinstance(v, str) else v for v in value]
        return capped if isinstance(value, list) else tuple(capped)
    return value


def cap_examples(value: Any) -> Any:
    """At most :data:`MAX_EXAMPLES` items of a list (the rest only count)."""
    return value[:MAX_EXAMPLES] if isinstance(value, list) else value


#: A list of examples, capped at :data:`MAX_EXAMPLES` items (each string capped too).
ExampleList = Annotated[list[str], BeforeValidator(cap_examples)]


class CappedModel(BaseModel):
    """A model whose every string field (and every string in a list field) is capped at
    :data:`MAX_TEXT`, on construction and on reading a file alike."""

    @field_validator("*", mode="before")
    @classmethod
    def _cap(cls, value: Any) -> Any:
        return cap_strings(value)
