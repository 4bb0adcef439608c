"""Stored values shown to staff as text they can read: Chinese stays Chinese (never
`\\u987a\\u4e30` escapes), nested values are written compactly."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def readable_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, default=str, separators=(", ", ": "))


def readable_fields(values: Any) -> list[tuple[str, str]]:
    """A record (audit before/after) as (field, text) pairs; anything else as one unnamed pair."""
    if isinstance(values, Mapping):
        return [(str(key), readable_value(value)) for key, value in values.items()]
    return [("", readable_value(values))]
