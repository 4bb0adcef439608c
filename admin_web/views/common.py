"""Small helpers shared by the admin views."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web

from admin_web.context import admin_of, current
from admin_web.web import client_ip
from commerce.errors import ValidationFailed


def actor(request: web.Request) -> str:
    """How commerce histories name the staff member who acted."""
    return f"staff:{current(request).user.username}"


async def audit(
    request: web.Request, action: str, target_type: str, target_id: str, *, before: Any = None, after: Any = None
) -> None:
    staff = current(request)
    await admin_of(request).audit.record(
        actor_id=staff.id,
        actor=staff.user.username,
        action=action,
        target_type=target_type,
        target_id=target_id,
        before=before,
        after=after,
        ip=client_ip(request),
    )


def query_text(request: web.Request, name: str, max_length: int = 100) -> str:
    value = request.query.get(name, "").strip()
    if len(value) > max_length or not value.isprintable():
        raise ValidationFailed(f"{name} is too long or not printable", details={"field": name})
    return value


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a whole number", details={"field": name}) from None
    return max(low, min(high, value))


def query_date(request: web.Request, name: str) -> date | None:
    raw = request.query.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ValidationFailed(f"{name} must be a date (YYYY-MM-DD)", details={"field": name}) from None


def path_param(request: web.Request, name: str, max_length: int = 128) -> str:
    value = request.match_info[name]
    if not value or len(value) > max_length or not value.isprintable():
        raise ValidationFailed(f"invalid {name}", details={"field": name})
    return value
