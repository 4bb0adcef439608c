"""HTTP routes of shipping.

GET  /api/v1/shipping/methods    the shop's shipping methods and freight rules (public)
POST /api/v1/shipping/quote      fees of the methods available for my cart and an address (customer)
"""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pydantic import BaseModel, ConfigDict, Field

from commerce.api.framework import ApiContext, ApiRouter
from commerce.api.principal import Auth
from commerce.customers.model import Address, AddressIn
from commerce.errors import NotFound, ValidationFailed
from commerce.shipping.service import ShippingBasis, ShippingService

router = ApiRouter(tag="shipping")


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address_id: str | None = Field(default=None, max_length=40)
    address: AddressIn | None = None


class MethodOut(BaseModel):
    code: str
    name: dict[str, str]
    eta: dict[str, str]
    rule: dict[str, Any]
    free_over: str | None


class MethodsOut(BaseModel):
    items: list[MethodOut]


class QuoteLineOut(BaseModel):
    code: str
    name: str
    eta: str
    fee: str
    currency: str


class QuotesOut(BaseModel):
    items: list[QuoteLineOut]


def _shipping(ctx: ApiContext) -> ShippingService:
    service: ShippingService = ctx.services.shipping
    return service


@router.get("/shipping/methods", auth=Auth.PUBLIC, response=MethodsOut)
async def shipping_methods(ctx: ApiContext) -> MethodsOut:
    """Every shipping method with its freight rule."""
    shipping = _shipping(ctx)
    return MethodsOut(items=[MethodOut.model_validate(m.to_dict(shipping.currency)) for m in shipping.methods])


@router.post("/shipping/quote", auth=Auth.CUSTOMER, body=QuoteIn, response=QuotesOut)
async def shipping_quote(ctx: ApiContext) -> QuotesOut:
    """What each available method costs for my current cart to this address (default: my default address)."""
    body = ctx.body_as(QuoteIn)
    customer = await ctx.services.customers.get(ctx.customer_id)
    address: Address | None
    if body.address is not None:
        address = Address.from_input(str(ObjectId()), body.address)
    elif body.address_id:
        address = customer.address(body.address_id)
        if address is None:
            raise NotFound("address not found", details={"address_id": body.address_id})
    else:
        address = customer.default_address
    if address is None:
        raise ValidationFailed("a delivery address is required", code="address_required")
    cart = await ctx.services.carts.view(ctx.customer_id)
    lang = ctx.language
    quotes = _shipping(ctx).quotes(ShippingBasis(cart.subtotal, cart.weight_g), address)
    return QuotesOut(
        items=[
            QuoteLineOut(
                code=q.method.code,
                name=q.method.name.get(lang),
                eta=q.method.eta.get(lang),
                fee=q.fee.to_decimal_string(),
                currency=q.fee.currency,
            )
            for q in quotes
        ]
    )
