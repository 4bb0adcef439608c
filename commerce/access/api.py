"""Sessions over HTTP: guest customer sessions for API clients, and who a staff token is."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict

from commerce.access.service import AccessService
from commerce.api.framework import AUTHENTICATOR, ApiContext, ApiRouter
from commerce.api.principal import Auth
from commerce.customers.model import IdentityKind

router = ApiRouter(tag="access")


class NewSessionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    language: Literal["zh", "en"] | None = None


class SessionOut(BaseModel):
    customer_id: str
    token: str
    expires_at: datetime | None


class StaffOut(BaseModel):
    id: str
    username: str
    display_name: str
    roles: list[str]


def _access(ctx: ApiContext) -> AccessService:
    return cast(AccessService, ctx.request.app[AUTHENTICATOR])


@router.post("/session", auth=Auth.PUBLIC, body=NewSessionIn, response=SessionOut, status=201)
async def create_guest_session(ctx: ApiContext) -> SessionOut:
    """Start a guest customer session; the token is shown once and reaches only this customer's data."""
    body = ctx.body_as(NewSessionIn)
    customer = await ctx.services.customers.identify(
        IdentityKind.WEB_SESSION, secrets.token_urlsafe(16), language=body.language
    )
    issued = await _access(ctx).issue_customer_token(customer.id)
    return SessionOut(customer_id=customer.id, token=issued.token, expires_at=issued.expires_at)


@router.delete("/session", auth=Auth.CUSTOMER, status=204)
async def end_session(ctx: ApiContext) -> None:
    """Sign this device out (revokes the bearer token used for the call)."""
    token = ctx.request.headers.get("Authorization", "").partition(" ")[2].strip()
    await _access(ctx).revoke(token)


@router.get("/staff/me", auth=Auth.STAFF, response=StaffOut)
async def staff_me(ctx: ApiContext) -> StaffOut:
    """The staff account behind this token or admin session."""
    staff_id = ctx.principal.staff_id or ""
    user = await _access(ctx).get_staff(staff_id)
    return StaffOut(id=user.id, username=user.username, display_name=user.display_name, roles=sorted(user.roles))
