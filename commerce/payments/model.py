"""Payments: the intent shown to the customer, provider notifications, refunds, statements, and
the ONE `PaymentProvider` interface every provider implements (sandbox, WeChat Pay, Alipay).

Payments record money; orders decide what it means (`OrderService.mark_paid` and
`OrderService.payability`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from commerce.money import Money
from commerce.orders.model import Order
from core.mongo import Document, as_utc

PAYMENTS = "payments"  # the collection of PaymentIntent documents


class PaymentStatus(StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    VOID = "void"  # the order went away before the payment was used
    ORPHANED = "orphaned"  # money arrived for an order no longer payable: being refunded (or owed)
    REFUNDED = "refunded"  # such a late payment, given back in full


class PayMethod(StrEnum):
    """How the customer pays: where the intent's link, QR content or in-chat parameters go."""

    LINK = "link"  # a page to open (sandbox, Alipay page/wap pay, WeChat H5)
    NATIVE = "native"  # WeChat Native: QR content shown in web chat / Telegram
    JSAPI = "jsapi"  # WeChat JSAPI inside the official account: parameters for WeixinJSBridge
    H5 = "h5"  # WeChat H5 in a phone browser
    PAGE = "page"  # Alipay desktop page pay
    WAP = "wap"  # Alipay phone wap pay


@dataclass(frozen=True, slots=True)
class PayOptions:
    method: PayMethod | None = None  # None: the provider's default for a chat link
    payer: str | None = None  # WeChat JSAPI: the customer's openid (from OAuth)
    client_ip: str | None = None  # WeChat H5 requires the payer's IP


def payment_deadline(order: Order, now: datetime, ttl: timedelta) -> datetime:
    """When a new payment for `order` expires: `ttl` from now, but never after the order does."""
    expires = now + ttl
    return expires if order.expires_at is None else min(expires, order.expires_at)


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
    method: str = ""
    qr_content: str = ""  # WeChat Native: the code_url to render as a QR code
    client_params: Mapping[str, str] | None = None  # WeChat JSAPI: what WeixinJSBridge needs
    trade_no: str = ""  # the provider's own transaction id, once known
    # The provider's own page (Alipay gateway, WeChat H5): the customer reaches it through
    # `pay_url`, our page that first checks the order can still be paid.
    provider_url: str = ""

    @classmethod
    def for_order(
        cls,
        order: Order,
        *,
        payment_id: str,
        provider: str,
        method: PayMethod,
        pay_url: str,
        created_at: datetime,
        expires_at: datetime,
        provider_url: str = "",
    ) -> PaymentIntent:
        """A new, pending intent to pay `order` in full."""
        return cls(
            id=payment_id,
            order_id=order.id,
            order_number=order.number,
            customer_id=order.customer_id,
            provider=provider,
            amount=order.total,
            pay_url=pay_url,
            provider_url=provider_url,
            expires_at=expires_at,
            created_at=created_at,
            method=method.value,
        )

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
            "method": self.method,
            "qr_content": self.qr_content,
            "client_params": dict(self.client_params or {}),
            "trade_no": self.trade_no,
            "provider_url": self.provider_url,
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
            method=str(doc.get("method") or ""),
            qr_content=str(doc.get("qr_content") or ""),
            client_params={str(k): str(v) for k, v in (doc.get("client_params") or {}).items()},
            trade_no=str(doc.get("trade_no") or ""),
            provider_url=str(doc.get("provider_url") or ""),
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
            "provider": self.provider,
            "method": self.method,
            "qr_content": self.qr_content,
            "client_params": dict(self.client_params or {}),
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
    """A verified payment result. `order_id` is empty when the provider only knows our payment
    id (out_trade_no): the order is then found through the payment."""

    provider: str
    event_id: str
    payment_id: str
    order_id: str
    succeeded: bool
    amount: Money
    trade_no: str = ""  # the provider's transaction id
    nonce: str = ""  # what makes this signed request unique (replay detection); "" when none

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
    ORPHANED = "orphaned"  # the order was no longer payable: the money goes back


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


class RefundState(StrEnum):
    PENDING = "pending"  # asked for; the provider is still moving the money (or did not answer yet)
    SUCCEEDED = "succeeded"
    FAILED = "failed"  # the provider refused or gave up: staff must act
    MANUAL = "manual"  # the provider cannot refund through an API (Telegram card payments): owed by hand


@dataclass(frozen=True, slots=True)
class RefundResult:
    id: str  # our refund id (out_refund_no / out_request_no): the same id never refunds twice
    amount: Money
    state: RefundState
    provider_refund_id: str = ""

    @property
    def succeeded(self) -> bool:
        return self.state is RefundState.SUCCEEDED


@dataclass(frozen=True, slots=True)
class RefundNotification:
    """A verified refund result (WeChat Pay's refund notifications)."""

    provider: str
    event_id: str
    refund_id: str
    payment_id: str
    state: RefundState
    amount: Money
    provider_refund_id: str = ""


class TradeState(StrEnum):
    PAID = "paid"
    PENDING = "pending"  # created, not paid yet
    CLOSED = "closed"  # closed or failed: it will never be paid
    NOT_FOUND = "not_found"  # the provider does not know it (never opened by the customer)


@dataclass(frozen=True, slots=True)
class ProviderPayment:
    """What a provider's payment query answers."""

    payment_id: str
    state: TradeState
    amount: Money | None = None
    trade_no: str = ""


@dataclass(frozen=True, slots=True)
class StatementLine:
    """One line of a provider's statement for a day: a payment or a refund."""

    kind: str  # "payment" | "refund"
    trade_no: str  # the provider's transaction id
    payment_id: str  # our out_trade_no
    amount: Money
    refund_id: str = ""  # our out_refund_no for a refund line


def bill_columns(header: list[str], needed: tuple[str, ...]) -> dict[str, int]:
    """Where each column of a provider's bill stands, by its header name; a bill without one
    of the `needed` columns is one we cannot read (the provider changed its layout)."""
    columns = {name.strip(): index for index, name in enumerate(header)}
    if any(name not in columns for name in needed):
        raise ProviderUnavailable("the bill has an unexpected layout")
    return columns


class ProviderUnavailable(Exception):
    """The provider did not answer in time or answered with a server error: try again later."""


class Refunder(Protocol):
    """What a refund needs: every provider, and channels whose payments are refunded through
    their own API (Telegram Stars)."""

    name: str

    async def refund(self, payment: PaymentIntent, refund_id: str, amount: Money, reason: str) -> RefundResult:
        """Idempotent on `refund_id`. Raises ProviderUnavailable when the outcome is unknown."""
        ...

    async def query_refund(self, payment: PaymentIntent, refund_id: str) -> RefundResult: ...


class PaymentProvider(Refunder, Protocol):
    name: str

    async def create_payment(self, order: Order, options: PayOptions) -> PaymentIntent:
        """Register a payment for the order's total with the provider: a link, QR content or
        in-chat parameters, depending on `options.method`."""
        ...

    def verify_notification(self, headers: Mapping[str, str], body: bytes) -> Notification:
        """Check the signature/freshness and parse; raises Unauthorized / ValidationFailed
        whose `code` names what was wrong (recorded as a security event)."""
        ...

    async def query_payment(self, payment: PaymentIntent) -> ProviderPayment: ...

    async def close_payment(self, payment: PaymentIntent) -> None:
        """Close an unpaid payment at the provider, so it can no longer be paid (the order was
        cancelled). Raises ProviderUnavailable when that could not be done."""
        ...

    async def statement(self, day: date) -> list[StatementLine]:
        """The provider's statement (payments and refunds) for a day in the provider's zone."""
        ...

    def notify_answer(self, ok: bool) -> tuple[int, str, str]:
        """(HTTP status, content type, body) the provider expects for a stored / failed notification."""
        ...


@runtime_checkable
class RefundNotifying(Protocol):
    """A provider that also notifies refund results (WeChat Pay)."""

    def verify_refund_notification(self, headers: Mapping[str, str], body: bytes) -> RefundNotification: ...
