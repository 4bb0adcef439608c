"""HTTP routes of payments.

POST /api/v1/orders/{number}/pay             start (or reuse) a payment for an unpaid order (customer)
POST /api/v1/payments/notify/sandbox         the sandbox's callback: public, signature-verified (the real
                                             providers have their own endpoints: provider_web.py)
GET  /api/v1/admin/orders/{number}/payments  payments of an order (order_manager/owner)
"""

from __future__ import annotations

from pydantic import BaseModel

from commerce.api.framework import ApiContext, ApiRouter
from commerce.api.principal import Auth, Role
from commerce.errors import NotFound, ValidationFailed
from commerce.payments.model import PaymentIntent
from commerce.payments.service import PaymentService

router = ApiRouter(tag="payments")
ORDER_ADMINS = (Role.ORDER_MANAGER, Role.OWNER)
MAX_NOTIFICATION_BYTES = 64_000


class PaymentOut(BaseModel):
    payment_id: str
    order_number: str
    pay_url: str
    amount: str
    currency: str
    status: str
    expires_at: str

    @classmethod
    def of(cls, payment: PaymentIntent) -> PaymentOut:
        return cls.model_validate(payment.to_dict())


class PaymentsOut(BaseModel):
    items: list[PaymentOut]


class NotifyOut(BaseModel):
    ok: bool
    result: str
    payment_id: str
    order_number: str | None = None


def _payments(ctx: ApiContext) -> PaymentService:
    service: PaymentService = ctx.services.payments
    return service


@router.post("/orders/{number}/pay", auth=Auth.CUSTOMER, response=PaymentOut, status=201)
async def start_payment(ctx: ApiContext) -> PaymentOut:
    """A payment link for one of my unpaid orders (an open link is reused)."""
    payment = await _payments(ctx).start(ctx.path["number"], customer_id=ctx.customer_id)
    return PaymentOut.of(payment)


@router.post("/payments/notify/{provider}", auth=Auth.WEBHOOK, response=NotifyOut, raw_body=True)
async def payment_notification(ctx: ApiContext) -> NotifyOut:
    """Provider callback. Verified by signature and timestamp; repeats change nothing."""
    if ctx.request.content_length is not None and ctx.request.content_length > MAX_NOTIFICATION_BYTES:
        raise ValidationFailed("the notification is too large", code="bad_notification")
    provider = ctx.path["provider"]
    if provider != "sandbox":  # real providers have their own endpoints and answers (provider_web.py)
        raise NotFound("unknown payment provider", details={"provider": provider[:40]})
    body = await ctx.request.read()
    outcome = await _payments(ctx).handle_notification(provider, dict(ctx.request.headers), body)
    return NotifyOut.model_validate(outcome.to_dict())


@router.get("/admin/orders/{number}/payments", auth=Auth.STAFF, roles=ORDER_ADMINS, response=PaymentsOut)
async def order_payments(ctx: ApiContext) -> PaymentsOut:
    """Every payment attempt of an order."""
    order = await ctx.services.orders.find(ctx.path["number"])
    return PaymentsOut(items=[PaymentOut.of(p) for p in await _payments(ctx).for_order(order.id)])
