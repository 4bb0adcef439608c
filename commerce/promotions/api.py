"""HTTP routes of coupons.

POST /api/v1/coupons/validate                   does a code apply to my cart? (customer)
GET  /api/v1/admin/coupons                      all coupons (order_manager/owner)
POST /api/v1/admin/coupons                      create one
POST /api/v1/admin/coupons/{code}/activate | /deactivate
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from commerce.api.framework import ApiContext, ApiRouter
from commerce.api.principal import Auth, Role
from commerce.errors import NotFound
from commerce.promotions.model import Coupon, CouponRejected
from commerce.promotions.service import CouponIn, PromotionService

router = ApiRouter(tag="coupons")
COUPON_ADMINS = (Role.ORDER_MANAGER, Role.OWNER)


class ValidateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=32)


class CouponCheckOut(BaseModel):
    ok: bool
    code: str
    discount: str | None = None
    currency: str
    reason: str | None = None
    message: str = ""


class CouponOut(BaseModel):
    code: str
    kind: str
    value: str
    currency: str
    min_subtotal: str
    starts_at: str | None
    ends_at: str | None
    usage_limit: int | None
    per_customer_limit: int | None
    used: int
    active: bool
    description: dict[str, str]

    @classmethod
    def of(cls, coupon: Coupon) -> CouponOut:
        return cls.model_validate(coupon.to_dict())


class CouponsOut(BaseModel):
    items: list[CouponOut]


def _promotions(ctx: ApiContext) -> PromotionService:
    service: PromotionService = ctx.services.promotions
    return service


@router.post("/coupons/validate", auth=Auth.CUSTOMER, body=ValidateIn, response=CouponCheckOut)
async def validate_coupon(ctx: ApiContext) -> CouponCheckOut:
    """Check a coupon code against my cart; a refusal says why (expired, minimum spend, used up...)."""
    code = ctx.body_as(ValidateIn).code
    subtotal = (await ctx.services.carts.view(ctx.customer_id)).subtotal
    lang = ctx.language
    try:
        discount = await _promotions(ctx).validate(code, ctx.customer_id, subtotal)
    except CouponRejected as rejected:
        return CouponCheckOut(
            ok=False,
            code=str(rejected.params["code"]),
            currency=subtotal.currency,
            reason=rejected.code,
            message=rejected.text(lang),
        )
    return CouponCheckOut(
        ok=True,
        code=discount.code,
        discount=discount.amount.to_decimal_string(),
        currency=discount.amount.currency,
        message=discount.description.get(lang),
    )


@router.get("/admin/coupons", auth=Auth.STAFF, roles=COUPON_ADMINS, response=CouponsOut)
async def list_coupons(ctx: ApiContext) -> CouponsOut:
    """Every coupon with its usage."""
    return CouponsOut(items=[CouponOut.of(c) for c in await _promotions(ctx).list_coupons()])


@router.post("/admin/coupons", auth=Auth.STAFF, roles=COUPON_ADMINS, body=CouponIn, response=CouponOut, status=201)
async def create_coupon(ctx: ApiContext) -> CouponOut:
    """Create a coupon code (percent or fixed amount, limits, validity window)."""
    return CouponOut.of(await _promotions(ctx).create(ctx.body_as(CouponIn)))


@router.post("/admin/coupons/{code}/{state}", auth=Auth.STAFF, roles=COUPON_ADMINS, response=CouponOut)
async def set_coupon_state(ctx: ApiContext) -> CouponOut:
    """`activate` or `deactivate` a coupon."""
    state = ctx.path["state"]
    if state not in ("activate", "deactivate"):
        raise NotFound("unknown coupon action", details={"allowed": ["activate", "deactivate"]})
    return CouponOut.of(await _promotions(ctx).set_active(ctx.path["code"], state == "activate"))
