"""Payments: the intent shown to the customer, provider notifications, refunds, and the
`PaymentProvider` interface a real provider (WeChat Pay, Alipay, Stripe) would implement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from commerce.money import Money
from commerce.orders.model import Order
from core.mongo import Document, as_utc


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    VOID = "void"  # the order went away before the payment was used
    ORPHANED = "orphaned"  # money arrived for an order that was already cancelled: refund by hand


@dataclass(frozen=True, slots=True)
class PaymentIntent:
    id: str
    order_id: str
    order_number: str
    customer_id: str
    provider: str
    amount: Money
    pay_url: str
    expires_at: datetime
    status: PaymentStatus = PaymentStatus.PENDING
    created_at: datetime | None = None
    refunded: Money | None = None

    def to_doc(self) -> Document:
        return {
            "_id": self.id,
            "order_id": self.order_id,
            "order_number": self.order_number,
            "customer_id": self.customer_id,
            "provider": self.provider,
            "amount": self.amount.to_doc(),
            "pay_url": self.pay_url,
            "expires_at": self.expires_at,
            "status": self.status.value,
            "created_at": self.created_at,
            "refunded_minor": (self.refunded.amount if self.refunded else 0),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> PaymentIntent:
        amount = Money.from_doc(doc["amount"])
        created = doc.get("created_at")
        return cls(
            id=str(doc["_id"]),
            order_id=str(doc["order_id"]),
            order_number=str(doc.get("order_number") or ""),
            customer_id=str(doc.get("customer_id") or ""),
            provider=str(doc["provider"]),
            amount=amount,
            pay_url=str(doc.get("pay_url") or ""),
            expires_at=as_utc(doc["expires_at"]),
            status=PaymentStatus(doc.get("status") or "pending"),
            created_at=as_utc(created) if created else None,
            refunded=Money(int(doc.get("refunded_minor") or 0), amount.currency),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "payment_id": self.id,
            "order_number": self.order_number,
            "pay_url": self.pay_url,
            "amount": self.amount.to_decimal_string(),
            "currency": self.amount.currency,
            "status": self.status.value,
            "expires_at": self.expires_at.isoformat(),
        }


class NotificationBody(BaseModel):
    """What a provider tells us (after its signature was verified)."""

    model_config = ConfigDict(extra="ignore")

    event_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
    payment_id: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    order_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    status: str = Field(pattern=r"^(succeeded|failed)$")
    amount: int = Field(ge=0, le=10**15, description="minor units")
    currency: str = Field(min_length=3, max_length=3)
    occurred_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Notification:
    provider: str
    event_id: str
    payment_id: str
    order_id: str
    succeeded: bool
    amount: Money

    @classmethod
    def from_body(cls, provider: str, body: NotificationBody) -> Notification:
        return cls(
            provider,
            body.event_id,
            body.payment_id,
            body.order_id,
            body.status == "succeeded",
            Money(body.amount, body.currency),
        )


class NotifyResult(StrEnum):
    PAID = "paid"
    FAILED = "failed"  # the customer's payment failed; the order still awaits payment
    DUPLICATE = "duplicate"  # this notification was processed before: nothing changed
    ALREADY_PAID = "already_paid"
    ORPHANED = "orphaned"


@dataclass(frozen=True, slots=True)
class NotifyOutcome:
    result: NotifyResult
    payment_id: str
    order_id: str
    order: Order | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": True,
            "result": self.result.value,
            "payment_id": self.payment_id,
            "order_number": self.order.number if self.order else None,
        }


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str
    amount: Money
    succeeded: bool


class PaymentProvider(Protocol):
    name: str

    async def create_payment(self, order: Order) -> PaymentIntent:
        """Register a payment for the order's total with the provider; returns where to pay."""
        ...

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Check the signature/freshness and parse; raises Unauthorized / ValidationFailed."""
        ...

    async def refund(self, payment: PaymentIntent, amount: Money, reason: str) -> RefundResult: ...
