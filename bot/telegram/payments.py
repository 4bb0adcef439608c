"""Telegram Payments over the commerce payments service.

- `invoice`: the order (still awaiting payment) as an invoice: payload "order:<number>".
- `pre_checkout`: answered within Telegram's 10 seconds with the order's payability rule
  (`OrderService.payability`, shared with the payment pages): still awaiting payment and not
  expired, the amount and currency unchanged, its stock still held.
- `confirm`: successful_payment -> `PaymentService.confirm_external_payment` (provider
  "telegram", keyed on telegram_payment_charge_id): the same guarded path as every payment
  notification, so a repeated update changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.telegram.delivery import InvoiceInfo
from bot.telegram.texts import text
from commerce.errors import NotFound
from commerce.money import Money
from commerce.orders.model import Order
from commerce.orders.payability import PayRefusal, state_refusal
from commerce.orders.service import OrderService
from commerce.payments.model import NotifyResult
from commerce.payments.service import PaymentService
from core.logging_setup import get_logger
from core.mongo import utcnow
from dialogs.messages import Lang

log = get_logger(__name__)
PAYLOAD_PREFIX = "order:"
PROVIDER = "telegram"


_REFUSAL_TEXT = {
    PayRefusal.NOT_PAYABLE: "pre_checkout.not_payable",
    PayRefusal.EXPIRED: "pre_checkout.not_payable",
    PayRefusal.AMOUNT_CHANGED: "pre_checkout.amount_changed",
    PayRefusal.OUT_OF_STOCK: "pre_checkout.out_of_stock",
}


def invoice_payload(order_number: str) -> str:
    return f"{PAYLOAD_PREFIX}{order_number}"


def order_number_of(payload: str) -> str | None:
    if not payload.startswith(PAYLOAD_PREFIX):
        return None
    number = payload[len(PAYLOAD_PREFIX) :]
    return number if 0 < len(number) <= 64 else None


@dataclass(frozen=True)
class Confirmation:
    new: bool  # False when this charge was seen before (a repeated update)
    order_number: str
    result: str


class TelegramPayments(Protocol):
    async def invoice(self, order_number: str, lang: Lang) -> InvoiceInfo | None: ...
    async def pre_checkout(self, payload: str, currency: str, total_amount: int) -> str | None:
        """None when the payment may go ahead; else the texts.yml key explaining why not."""
        ...

    async def confirm(self, payload: str, currency: str, total_amount: int, charge_id: str) -> Confirmation: ...


class CommerceTelegramPayments:
    def __init__(self, *, orders: OrderService, payments: PaymentService) -> None:
        self.orders = orders
        self.payments = payments

    async def _order(self, number: str | None) -> Order | None:
        if not number:
            return None
        try:
            return await self.orders.get_by_number(number)
        except NotFound:
            return None

    async def invoice(self, order_number: str, lang: Lang) -> InvoiceInfo | None:
        order = await self._order(order_number)
        if order is None or state_refusal(order, utcnow()) is not None:
            return None
        pricing = order.pricing
        prices = [(text("invoice.line_goods", lang), pricing.goods_total.amount)]
        if pricing.shipping_fee.amount:
            prices.append((text("invoice.line_shipping", lang), pricing.shipping_fee.amount))
        count = sum(line.quantity for line in order.lines)
        return InvoiceInfo(
            title=text("invoice.title", lang, number=order.number),
            description=text("invoice.description", lang, number=order.number, count=count),
            payload=invoice_payload(order.number),
            currency=order.currency,
            prices=prices,
        )

    async def pre_checkout(self, payload: str, currency: str, total_amount: int) -> str | None:
        """The order's own payability rule (shared with the payment pages), as a texts.yml key."""
        order = await self._order(order_number_of(payload))
        if order is None:
            return "pre_checkout.not_payable"
        refusal = await self.orders.payability(order, Money(total_amount, currency))
        if refusal is None:
            return None
        return _REFUSAL_TEXT[refusal]

    async def confirm(self, payload: str, currency: str, total_amount: int, charge_id: str) -> Confirmation:
        number = order_number_of(payload)
        if number is None:
            raise NotFound("order of a Telegram payment not found", details={"payload": payload[:64]})
        outcome = await self.payments.confirm_external_payment(
            number, provider=PROVIDER, charge_id=charge_id, amount=Money(total_amount, currency)
        )
        result = outcome.result.value
        log.info("telegram.payment_applied", order=number, result=result)
        return Confirmation(new=outcome.result is not NotifyResult.DUPLICATE, order_number=number, result=result)
