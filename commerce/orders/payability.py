"""Whether an order may be paid right now: one rule for every way of paying.

The payment pages (sandbox and the providers' pages), `PaymentService.start` and Telegram's
`pre_checkout_query` all ask `OrderService.payability` before money moves, so a cancelled,
paid or expired order is refused the same way everywhere. A payment that arrives anyway (a
provider notification racing a cancellation) is not applied: payments refund it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from commerce.money import Money
from commerce.orders.model import Order, OrderStatus


class PayRefusal(StrEnum):
    """Why an order cannot be paid; the values are the message-catalog key suffixes."""

    NOT_PAYABLE = "not_payable"  # cancelled, refunded or already paid
    EXPIRED = "expired"  # still pending, but its time to pay has run out
    AMOUNT_CHANGED = "amount_changed"  # the amount offered is not the order's total
    OUT_OF_STOCK = "out_of_stock"  # the order's stock holds were released


def state_refusal(order: Order, now: datetime, amount: Money | None = None) -> PayRefusal | None:
    """The refusal that follows from the order document alone (no read)."""
    if order.status is not OrderStatus.PENDING_PAYMENT:
        return PayRefusal.NOT_PAYABLE
    if order.expires_at is not None and order.expires_at <= now:
        return PayRefusal.EXPIRED
    if amount is not None and amount != order.total:
        return PayRefusal.AMOUNT_CHANGED
    return None
