"""HTTP routes of after-sales (returns, exchanges, refunds).

POST /api/v1/orders/{number}/after-sales          open a request for one of my orders
GET  /api/v1/after-sales                          my requests
POST /api/v1/after-sales/{request_id}/withdraw    withdraw a request not yet handled
GET  /api/v1/admin/after-sales                    all requests (?status=&cursor=&limit=)
POST /api/v1/admin/after-sales/{request_id}/{action}   approve | reject | receive | refund | exchange | close
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.aftersales.model import AfterSaleKind, AfterSaleRequest, AfterSaleStatus
from commerce.aftersales.service import AfterSalesService
from commerce.api.fields import QuantityLines
from commerce.api.framework import ApiContext, ApiRouter, decode_cursor, encode_cursor
from commerce.api.principal import Auth, Role
from commerce.errors import NotFound, ValidationFailed
from commerce.money import Money, MoneyError

router = ApiRouter(tag="after-sales")
ORDER_ADMINS = (Role.ORDER_MANAGER, Role.OWNER)
ACTIONS = ("approve", "reject", "receive", "refund", "exchange", "close")


class AfterSaleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: AfterSaleKind
    reason: str = Field(min_length=2, max_length=500)
    photos: list[str] = Field(default_factory=list, max_length=9)
    lines: QuantityLines | None = Field(default=None, description="SKU -> quantity; omitted: the whole order")


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    note: str = Field(default="", max_length=500)
    amount: str | None = Field(default=None, pattern=r"^\d{1,12}(\.\d{1,2})?$", description="refund only; default: all")


class AdminQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    # A Literal (inline enum) keeps the query parameter's schema self-contained in OpenAPI.
    status: Literal["requested", "approved", "rejected", "goods_received", "refunded", "exchanged", "closed"] | None = (
        None
    )
    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=50, ge=1, le=100)


class EntryOut(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    note: str
    at: str


class AfterSaleOut(BaseModel):
    id: str
    order_number: str
    kind: str
    status: str
    status_label: str
    reason: str
    photos: list[str]
    lines: list[dict[str, int | str]]
    refund_amount: str | None
    created_at: str
    updated_at: str
    history: list[EntryOut]

    @classmethod
    def of(cls, request: AfterSaleRequest, lang: str | None = None) -> AfterSaleOut:
        data = request.to_dict(lang)
        data["history"] = [
            {"from_status": h["from"], "to_status": h["to"], "actor": h["actor"], "note": h["note"], "at": h["at"]}
            for h in data["history"]
        ]
        return cls.model_validate(data)


class AfterSalesOut(BaseModel):
    items: list[AfterSaleOut]
    next_cursor: str | None = None


def _service(ctx: ApiContext) -> AfterSalesService:
    service: AfterSalesService = ctx.services.aftersales
    return service


@router.post("/orders/{number}/after-sales", auth=Auth.CUSTOMER, body=AfterSaleIn, response=AfterSaleOut, status=201)
async def open_request(ctx: ApiContext) -> AfterSaleOut:
    """Ask for a refund, return or exchange (one open request per order and kind)."""
    body = ctx.body_as(AfterSaleIn)
    request = await _service(ctx).request(
        ctx.customer_id, ctx.path["number"], body.kind, body.reason, photos=body.photos, lines=body.lines
    )
    return AfterSaleOut.of(request, ctx.language)


@router.get("/after-sales", auth=Auth.CUSTOMER, response=AfterSalesOut)
async def my_requests(ctx: ApiContext) -> AfterSalesOut:
    """My after-sales requests, newest first."""
    requests = await _service(ctx).list_for_customer(ctx.customer_id)
    return AfterSalesOut(items=[AfterSaleOut.of(r, ctx.language) for r in requests])


@router.post("/after-sales/{request_id}/withdraw", auth=Auth.CUSTOMER, response=AfterSaleOut)
async def withdraw(ctx: ApiContext) -> AfterSaleOut:
    """Withdraw a request the shop has not handled yet."""
    return AfterSaleOut.of(await _service(ctx).withdraw(ctx.path["request_id"], ctx.customer_id), ctx.language)


@router.get(
    "/admin/after-sales", auth=Auth.STAFF, roles=(*ORDER_ADMINS, Role.AGENT), query=AdminQuery, response=AfterSalesOut
)
async def admin_requests(ctx: ApiContext) -> AfterSalesOut:
    """All after-sales requests, newest first."""
    query = ctx.query_as(AdminQuery)
    position = decode_cursor(query.cursor) or {}
    after = position.get("after")
    requests, next_after = await _service(ctx).list_requests(
        status=AfterSaleStatus(query.status) if query.status else None,
        after=after if isinstance(after, str) else None,
        limit=query.limit,
    )
    cursor = encode_cursor({"after": next_after}) if next_after else None
    return AfterSalesOut(items=[AfterSaleOut.of(r, ctx.language) for r in requests], next_cursor=cursor)


@router.post(
    "/admin/after-sales/{request_id}/{action}",
    auth=Auth.STAFF,
    roles=ORDER_ADMINS,
    body=ActionIn,
    response=AfterSaleOut,
)
async def admin_action(ctx: ApiContext) -> AfterSaleOut:
    """approve / reject (note required) / receive goods / refund (optional amount) / exchange / close."""
    action = ctx.path["action"]
    if action not in ACTIONS:
        raise NotFound("unknown after-sales action", details={"action": action[:20], "allowed": list(ACTIONS)})
    body = ctx.body_as(ActionIn)
    service, request_id = _service(ctx), ctx.path["request_id"]
    actor = f"staff:{ctx.principal.staff_id}"
    if action == "refund":
        result = await service.refund(request_id, actor=actor, amount=_amount(ctx, body.amount), note=body.note)
    else:
        steps: dict[str, Callable[..., Awaitable[AfterSaleRequest]]] = {
            "approve": service.approve,
            "reject": service.reject,
            "receive": service.receive_goods,
            "exchange": service.exchange,
            "close": service.close,
        }
        result = await steps[action](request_id, actor=actor, note=body.note)
    return AfterSaleOut.of(result, ctx.language)


def _amount(ctx: ApiContext, value: str | None) -> Money | None:
    if value is None:
        return None
    try:
        return Money.parse(value, str(ctx.services.config.currency))
    except MoneyError as exc:
        raise ValidationFailed(str(exc), details={"field": "amount"}) from None
