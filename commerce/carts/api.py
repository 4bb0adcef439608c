"""HTTP routes of the customer's own cart.

GET    /api/v1/cart                 the cart priced now, with stock warnings
POST   /api/v1/cart/items           add a SKU (quantities of the same SKU add up)
PUT    /api/v1/cart/items/{sku}     set the quantity (0 removes)
DELETE /api/v1/cart/items/{sku}     remove a line
DELETE /api/v1/cart                 empty the cart
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from commerce.api.framework import ApiContext, ApiRouter
from commerce.api.principal import Auth
from commerce.carts.model import CartView
from commerce.carts.service import CartService

router = ApiRouter(tag="cart")


class AddItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    sku: str = Field(min_length=1, max_length=100)
    quantity: int = Field(default=1, ge=1, le=999)


class QuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity: int = Field(ge=0, le=999)


class WarningOut(BaseModel):
    code: str
    message: str


class CartLineOut(BaseModel):
    sku: str
    quantity: int
    product_code: str | None
    title: dict[str, str] | None
    specs: dict[str, str]
    image: str | None
    list_unit_price: str
    unit_price: str
    line_total: str
    available: int | None
    warnings: list[WarningOut]


class CartOut(BaseModel):
    lines: list[CartLineOut]
    currency: str
    tier: str
    items_subtotal: str
    tier_discount: str
    subtotal: str
    quantity: int
    has_warnings: bool

    @classmethod
    def of(cls, view: CartView, lang: str | None) -> CartOut:
        return cls.model_validate(view.to_dict(lang))


def _carts(ctx: ApiContext) -> CartService:
    service: CartService = ctx.services.carts
    return service


async def _view(ctx: ApiContext) -> CartOut:
    return CartOut.of(await _carts(ctx).view(ctx.customer_id), ctx.language)


@router.get("/cart", auth=Auth.CUSTOMER, response=CartOut)
async def get_cart(ctx: ApiContext) -> CartOut:
    """My cart, priced now (tier prices), with stock and availability warnings."""
    return await _view(ctx)


@router.post("/cart/items", auth=Auth.CUSTOMER, body=AddItemIn, response=CartOut)
async def add_item(ctx: ApiContext) -> CartOut:
    """Add a SKU; an existing line grows (up to the per-line maximum)."""
    body = ctx.body_as(AddItemIn)
    await _carts(ctx).add(ctx.customer_id, body.sku, body.quantity)
    return await _view(ctx)


@router.put("/cart/items/{sku}", auth=Auth.CUSTOMER, body=QuantityIn, response=CartOut)
async def set_quantity(ctx: ApiContext) -> CartOut:
    """Set a line's quantity; 0 removes it."""
    await _carts(ctx).set_quantity(ctx.customer_id, ctx.path["sku"], ctx.body_as(QuantityIn).quantity)
    return await _view(ctx)


@router.delete("/cart/items/{sku}", auth=Auth.CUSTOMER, response=CartOut)
async def remove_item(ctx: ApiContext) -> CartOut:
    """Remove a line."""
    await _carts(ctx).remove(ctx.customer_id, ctx.path["sku"])
    return await _view(ctx)


@router.delete("/cart", auth=Auth.CUSTOMER, status=204)
async def clear_cart(ctx: ApiContext) -> None:
    """Empty my cart."""
    await _carts(ctx).clear(ctx.customer_id)
