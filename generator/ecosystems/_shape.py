"""Defensive readers for untrusted registry JSON: wrong shapes become PackageError."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from generator.errors import PackageError


def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PackageError(f"unexpected shape: {what} is {_kind(value)}, not an object")
    return value


def arr(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise PackageError(f"unexpected shape: {what} is {_kind(value)}, not an array")
    return value


def text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise PackageError(f"unexpected shape: {what} is {_kind(value)}, not a string")
    return value


def opt_text(value: Any) -> str | None:
    """A non-empty string, else None (wrong types are treated as absent)."""
    return value if isinstance(value, str) and value else None


def timestamp(value: Any, what: str) -> datetime:
    """An aware UTC datetime from an ISO 8601 string."""
    if not isinstance(value, str):
        raise PackageError(f"unexpected shape: {what} is {_kind(value)}, not a date")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise PackageError(f"unexpected shape: {what} is not a date") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is a valid ISO string but not a UTC instant
        raise PackageError(f"unexpected shape: {what} is not a date (out of range)") from None


def _kind(value: Any) -> str:
    if value is None:
        return "missing"
    if value == "":
        return "an empty string"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else type(value).__name__
    )
