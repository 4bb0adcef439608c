"""HTTP routes of orders.

Customer (own orders only):
POST /api/v1/orders                      place an order from the cart (Idempotency-Key header)
POST /api/v1/orders/quote                what it would cost (no writes)
GET  /api/v1/orders                      my orders, newest first (?cursor=&limit=)
GET  /api/v1/orders/{number}             one order
POST /api/v1/orders/{number}/cancel      cancel an unpaid order
PUT  /api/v1/orders/{number}/address     change the address before shipping
POST /api/v1/orders/{number}/complete    confirm receipt
Staff (order_manager/owner; agents may read):
GET  /api/v1/admin/orders                filter by status, channel, customer, number prefix, dates
GET  /api/v1/admin/orders/{number}
POST /api/v1/admin/orders/{number}/ship | /deliver | /cancel
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from commerce.api.fields import QuantityLines
from commerce.api.framework import ApiContext, ApiRouter, decode_cursor, encode_cursor
from commerce.api.principal import Auth, Role
from commerce.customers.model import AddressIn
from commerce.errors import ValidationFailed
from commerce.orders.checkout import CheckoutRequest, OrderQuote
from commerce.orders.model import Order, OrderStatus
from commerce.orders.service import OrderFilter, OrderPage, OrderService

router = ApiRouter(tag="orders")
ORDER_ADMINS = (Role.ORDER_MANAGER, Role.OWNER)
ORDER_READERS = (Role.AGENT, Role.ORDER_MANAGER, Role.OWNER)


# --- input -------------------------------------------------------------------------------------
class PlaceOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    shipping_method: str = Field(min_length=1, max_length=40)
    address_id: str | None = Field(default=None, max_length=40)
    address: AddressIn | None = None
    coupon_code: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=500)
    lines: QuantityLines | None = Field(default=None, description="buy these SKUs instead of the cart")


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    cursor: str | None = Field(default=None, max_length=200)
    limit: int = Field(default=20, ge=1, le=100)


class AdminOrdersQuery(PageQuery):
    # A Literal (inline enum) keeps the query parameter's schema self-contained in OpenAPI.
    status: Literal["pending_payment", "paid", "shipped", "delivered", "completed", "cancelled", "refunded"] | None = (
        None
    )
    channel: Literal["telegram", "wechat", "webchat", "terminal", "api"] | None = None
    customer_id: str | None = Field(default=None, max_length=40)
    number: str | None = Field(default=None, max_length=20, description="order number prefix, e.g. 20250101")
    created_from: datetime | None = None
    created_to: datetime | None = None


class ShipIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    carrier: str = Field(min_length=1, max_length=60)
    tracking_no: str = Field(min_length=1, max_length=60)


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(default="", max_length=300)


# --- output ------------------------------------------------------------------------------------
class PricingOut(BaseModel):
    items_subtotal: str
    tier_discount: str
    coupon_discount: str
    shipping_fee: str
    total: str
    currency: str


class OrderLineOut(BaseModel):
    sku: str
    product_code: str
    title: dict[str, str]
    specs: dict[str, str]
    image: str | None
    quantity: int
    list_unit_price: str
    unit_price: str
    line_total: str


class HistoryOut(BaseModel):
    from_status: str | None
    to_status: str
    actor: str
    reason: str
    at: str


class OrderOut(BaseModel):
    id: str
    number: str
    status: str
    status_label: str
    lines: list[OrderLineOut]
    pricing: PricingOut
    address: dict[str, Any]
    shipment: dict[str, Any]
    coupon_code: str | None
    created_at: str
    expires_at: str | None
    paid_at: str | None
    refunded: str
    can_cancel: bool
    can_change_address: bool
    channel: str | None = Field(
        default=None, description="where it was placed: telegram, wechat, webchat, terminal, api"
    )
    history: list[HistoryOut]

    @classmethod
    def of(cls, order: Order, lang: str | None = None) -> OrderOut:
        return cls.model_validate(order.to_dict(lang))


class OrderPageOut(BaseModel):
    items: list[OrderOut]
    next_cursor: str | None

    @classmethod
    def of(cls, page: OrderPage, lang: str | None) -> OrderPageOut:
        cursor = encode_cursor({"after": page.next_after}) if page.next_after else None
        return cls(items=[OrderOut.of(o, lang) for o in page.orders], next_cursor=cursor)


class CouponErrorOut(BaseModel):
    code: str
    message: str


class QuoteOut(BaseModel):
    lines: list[OrderLineOut]
    pricing: PricingOut
    address: dict[str, Any]
    shipping_method: str
    coupon: dict[str, Any] | None
    coupon_error: CouponErrorOut | None
    unavailable: list[str]

    @classmethod
    def of(cls, quote: OrderQuote, lang: str | None) -> QuoteOut:
        return cls.model_validate(quote.to_dict(lang))


# --- helpers -----------------------------------------------------------------------------------
def _orders(ctx: ApiContext) -> OrderService:
    service: OrderService = ctx.services.orders
    return service


def _after(cursor: str | None) -> str | None:
    position = decode_cursor(cursor)
    if position is None:
        return None
    after = position.get("after")
    if not isinstance(after, str) or len(after) > 40:
        raise ValidationFailed("invalid pagination cursor", details={"location": "query"})
    return after


def _request(ctx: ApiContext, body: PlaceOrderIn, key: str | None = None) -> CheckoutRequest:
    return CheckoutRequest(
        customer_id=ctx.customer_id,
        shipping_method=body.shipping_method,
        address_id=body.address_id,
        address=body.address,
        coupon_code=body.coupon_code,
        lines=body.lines,
        idempotency_key=key,
        note=body.note,
        channel="api",
    )


def _staff(ctx: ApiContext) -> str:
    return f"staff:{ctx.principal.staff_id}"


# --- customer routes ---------------------------------------------------------------------------
@router.post("/orders", auth=Auth.CUSTOMER, body=PlaceOrderIn, response=OrderOut, status=201)
async def place_order(ctx: ApiContext) -> OrderOut:
    """Place an order from my cart. Send an `Idempotency-Key` header: a retry returns the same order."""
    key = ctx.header("Idempotency-Key", max_length=128)
    order = await _orders(ctx).checkout.place(_request(ctx, ctx.body_as(PlaceOrderIn), key))
    return OrderOut.of(order, ctx.language)


@router.post("/orders/quote", auth=Auth.CUSTOMER, body=PlaceOrderIn, response=QuoteOut)
async def quote_order(ctx: ApiContext) -> QuoteOut:
    """The price breakdown if I ordered now (nothing is reserved)."""
    return QuoteOut.of(await _orders(ctx).quote(_request(ctx, ctx.body_as(PlaceOrderIn))), ctx.language)


@router.get("/orders", auth=Auth.CUSTOMER, query=PageQuery, response=OrderPageOut)
async def my_orders(ctx: ApiContext) -> OrderPageOut:
    """My orders, newest first; pass `next_cursor` back as `cursor` for more."""
    query = ctx.query_as(PageQuery)
    page = await _orders(ctx).list_for_customer(ctx.customer_id, after=_after(query.cursor), limit=query.limit)
    return OrderPageOut.of(page, ctx.language)


@router.get("/orders/{number}", auth=Auth.CUSTOMER, response=OrderOut)
async def my_order(ctx: ApiContext) -> OrderOut:
    """One of my orders."""
    return OrderOut.of(await _orders(ctx).get_by_number(ctx.path["number"], customer_id=ctx.customer_id), ctx.language)


@router.post("/orders/{number}/cancel", auth=Auth.CUSTOMER, response=OrderOut)
async def cancel_my_order(ctx: ApiContext) -> OrderOut:
    """Cancel my unpaid order (paid orders go through after-sales)."""
    order = await _orders(ctx).cancel(
        ctx.path["number"],
        actor=f"customer:{ctx.customer_id}",
        reason="cancelled by the customer",
        customer_id=ctx.customer_id,
    )
    return OrderOut.of(order, ctx.language)


@router.put("/orders/{number}/address", auth=Auth.CUSTOMER, body=AddressIn, response=OrderOut)
async def change_my_address(ctx: ApiContext) -> OrderOut:
    """Change the delivery address while the order has not shipped."""
    order = await _orders(ctx).change_address(
        ctx.path["number"], ctx.body_as(AddressIn), actor=f"customer:{ctx.customer_id}", customer_id=ctx.customer_id
    )
    return OrderOut.of(order, ctx.language)


@router.post("/orders/{number}/complete", auth=Auth.CUSTOMER, response=OrderOut)
async def confirm_receipt(ctx: ApiContext) -> OrderOut:
    """Confirm I received a delivered order."""
    order = await _orders(ctx).complete(
        ctx.path["number"], actor=f"customer:{ctx.customer_id}", customer_id=ctx.customer_id
    )
    return OrderOut.of(order, ctx.language)


# --- staff routes ------------------------------------------------------------------------------
@router.get("/admin/orders", auth=Auth.STAFF, roles=ORDER_READERS, query=AdminOrdersQuery, response=OrderPageOut)
async def admin_orders(ctx: ApiContext) -> OrderPageOut:
    """All orders, newest first, with filters."""
    query = ctx.query_as(AdminOrdersQuery)
    filters = OrderFilter(
        status=OrderStatus(query.status) if query.status else None,
        customer_id=query.customer_id,
        channel=query.channel,
        number_prefix=query.number,
        created_from=query.created_from,
        created_to=query.created_to,
    )
    page = await _orders(ctx).list_orders(filters, after=_after(query.cursor), limit=query.limit)
    return OrderPageOut.of(page, ctx.language)


@router.get("/admin/orders/{number}", auth=Auth.STAFF, roles=ORDER_READERS, response=OrderOut)
async def admin_order(ctx: ApiContext) -> OrderOut:
    """One order with its full history."""
    return OrderOut.of(await _orders(ctx).get_by_number(ctx.path["number"]), ctx.language)


@router.post("/admin/orders/{number}/ship", auth=Auth.STAFF, roles=ORDER_ADMINS, body=ShipIn, response=OrderOut)
async def admin_ship(ctx: ApiContext) -> OrderOut:
    """Mark a paid order as shipped with carrier and tracking number."""
    body = ctx.body_as(ShipIn)
    order = await _orders(ctx).ship(
        ctx.path["number"], carrier=body.carrier, tracking_no=body.tracking_no, actor=_staff(ctx)
    )
    return OrderOut.of(order, ctx.language)


@router.post("/admin/orders/{number}/deliver", auth=Auth.STAFF, roles=ORDER_ADMINS, response=OrderOut)
async def admin_deliver(ctx: ApiContext) -> OrderOut:
    """Mark a shipped order as delivered."""
    return OrderOut.of(await _orders(ctx).deliver(ctx.path["number"], actor=_staff(ctx)), ctx.language)


@router.post("/admin/orders/{number}/cancel", auth=Auth.STAFF, roles=ORDER_ADMINS, body=ReasonIn, response=OrderOut)
async def admin_cancel(ctx: ApiContext) -> OrderOut:
    """Cancel an unpaid order (stock and coupon go back)."""
    reason = ctx.body_as(ReasonIn).reason or "cancelled by the shop"
    return OrderOut.of(await _orders(ctx).cancel(ctx.path["number"], actor=_staff(ctx), reason=reason), ctx.language)
