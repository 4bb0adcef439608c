"""The audit log (owners only) and staff accounts (owners only)."""

from __future__ import annotations

from aiohttp import web

from admin_web import permissions
from admin_web.context import admin_of, current
from admin_web.forms import RolesForm, StaffForm
from admin_web.views.common import audit, path_param, query_text
from admin_web.web import PREFIX, form_data, parse_form, redirect, render, requires
from commerce.api.principal import Role
from commerce.errors import ValidationFailed


@requires(permissions.AUDIT_READ)
async def audit_list(request: web.Request) -> web.StreamResponse:
    admin = admin_of(request)
    action = query_text(request, "action", 64) or None
    target = query_text(request, "target", 128) or None
    before_id = query_text(request, "before", 64) or None
    entries = await admin.audit.entries(action=action, target_id=target, before_id=before_id, limit=50)
    return render(
        request,
        "audit.html",
        {
            "entries": entries,
            "action": action or "",
            "target": target or "",
            "next_before": entries[-1].id if len(entries) == 50 else None,
            "local": admin.queries.local,
        },
    )


@requires(permissions.STAFF_ADMIN)
async def staff_list(request: web.Request) -> web.StreamResponse:
    return render(request, "staff.html", {"staff": await admin_of(request).access.list_staff(), "roles": list(Role)})


def _roles(values: list[str]) -> list[Role]:
    unknown = [v for v in values if v not in Role._value2member_map_]
    if unknown:
        raise ValidationFailed("unknown role", details={"roles": unknown})
    return [Role(v) for v in values]


@requires(permissions.STAFF_ADMIN)
async def staff_create(request: web.Request) -> web.StreamResponse:
    form = parse_form(StaffForm, await form_data(request))
    user = await admin_of(request).access.create_staff(
        form.username, form.password, _roles(form.roles), form.display_name
    )
    await audit(
        request, "staff.create", "staff", user.id, after={"username": user.username, "roles": sorted(user.roles)}
    )
    return redirect(f"{PREFIX}/staff?flash=saved", request)


@requires(permissions.STAFF_ADMIN)
async def staff_update(request: web.Request) -> web.StreamResponse:
    access = admin_of(request).access
    staff_id = path_param(request, "staff", 64)
    form = parse_form(RolesForm, await form_data(request))
    before = await access.get_staff(staff_id)
    roles = _roles(form.roles)
    active = form.active == "1"
    if staff_id == current(request).id and (Role.OWNER not in roles or not active):
        raise ValidationFailed("you cannot remove your own owner role or disable yourself", code="self_lockout")
    if not roles:
        raise ValidationFailed("at least one role is required", details={"field": "roles"})
    after = await access.set_roles(staff_id, roles)
    if active != before.active:
        await access.set_active(staff_id, active)
    await audit(
        request,
        "staff.update",
        "staff",
        staff_id,
        before={"roles": sorted(before.roles), "active": before.active},
        after={"roles": sorted(after.roles), "active": active},
    )
    return redirect(f"{PREFIX}/staff?flash=saved", request)


def routes(prefix: str) -> list[web.RouteDef]:
    return [
        web.get(f"{prefix}/audit", audit_list),
        web.get(f"{prefix}/staff", staff_list),
        web.post(f"{prefix}/staff", staff_create),
        web.post(f"{prefix}/staff/{{staff}}", staff_update),
    ]
