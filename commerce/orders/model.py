"""Orders: lines frozen at purchase time, the price breakdown, the status machine and history.

pending_payment -> paid -> shipped -> delivered -> completed
pending_payment -> cancelled            (customer, staff, or the unpaid-order timeout)
paid | shipped | delivered | completed -> refunded   (after-sales refunded the whole order)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from commerce.customers.model import Address
from commerce.errors import InvalidTransition, ValidationFailed
from commerce.localized import LocalizedText
from commerce.money import Money
from core.mongo import Document, as_utc, utcnow


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"

    @property
    def label(self) -> LocalizedText:
        return STATUS_LABELS[self]

    @property
    def final(self) -> bool:
        return not TRANSITIONS[self]


TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    OrderStatus.PENDING_PAYMENT: frozenset({OrderStatus.PAID, OrderStatus.CANCELLED}),
    OrderStatus.PAID: frozenset({OrderStatus.SHIPPED, OrderStatus.REFUNDED}),
    OrderStatus.SHIPPED: frozenset({OrderStatus.DELIVERED, OrderStatus.REFUNDED}),
    OrderStatus.DELIVERED: frozenset({OrderStatus.COMPLETED, OrderStatus.REFUNDED}),
    OrderStatus.COMPLETED: frozenset({OrderStatus.REFUNDED}),
    OrderStatus.CANCELLED: frozenset(),
    OrderStatus.REFUNDED: frozenset(),
}

STATUS_LABELS: dict[OrderStatus, LocalizedText] = {
    OrderStatus.PENDING_PAYMENT: LocalizedText("待付款", "awaiting payment"),
    OrderStatus.PAID: LocalizedText("已付款", "paid"),
    OrderStatus.SHIPPED: LocalizedText("已发货", "shipped"),
    OrderStatus.DELIVERED: LocalizedText("已送达", "delivered"),
    OrderStatus.COMPLETED: LocalizedText("已完成", "completed"),
    OrderStatus.CANCELLED: LocalizedText("已取消", "cancelled"),
    OrderStatus.REFUNDED: LocalizedText("已退款", "refunded"),
}

# The address can change until the parcel leaves.
ORDERS = "orders"  # the collection (commerce.orders.service owns its indexes)
ADDRESS_CHANGEABLE = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PAID})


# Where an order was placed. The chat channels plus the HTTP API; None for orders from before
# the channel was recorded (or callers that do not say).
SALES_CHANNELS: tuple[str, ...] = ("telegram", "wechat", "webchat", "terminal", "api")
MAX_NOTE_LENGTH = 2000
MAX_NOTES = 200  # per order: older notes are dropped beyond this


def check_channel(channel: str | None) -> str | None:
    if channel is not None and channel not in SALES_CHANNELS:
        raise ValidationFailed(
            "unknown sales channel", details={"channel": channel[:40], "allowed": list(SALES_CHANNELS)}
        )
    return channel


def sources_of(target: OrderStatus) -> frozenset[OrderStatus]:
    return frozenset(s for s, targets in TRANSITIONS.items() if target in targets)


def check_transition(number: str, current: OrderStatus, target: OrderStatus) -> None:
    if target not in TRANSITIONS[current]:
        allowed = sorted(t.value for t in TRANSITIONS[current])
        raise InvalidTransition(
            f"order {number} cannot go from '{current.value}' to '{target.value}'",
            details={"order": number, "from": current.value, "to": target.value, "allowed": allowed},
        )


@dataclass(frozen=True, slots=True)
class PriceBreakdown:
    """All amounts in minor units of one currency; `total` is derived, never stored apart."""

    items_subtotal: Money  # list prices
    tier_discount: Money
    coupon_discount: Money
    shipping_fee: Money

    def __post_init__(self) -> None:
        parts = (self.items_subtotal, self.tier_discount, self.coupon_discount, self.shipping_fee)
        if len({p.currency for p in parts}) != 1:
            raise ValueError("price parts must share one currency")
        if any(p.amount < 0 for p in parts):
            raise ValueError("price parts cannot be negative")
        if self.tier_discount.amount + self.coupon_discount.amount > self.items_subtotal.amount:
            raise ValueError("discounts cannot exceed the items subtotal")

    @property
    def currency(self) -> str:
        return self.items_subtotal.currency

    @property
    def goods_total(self) -> Money:
        """Items after tier and coupon discounts."""
        return self.items_subtotal - self.tier_discount - self.coupon_discount

    @property
    def total(self) -> Money:
        return self.goods_total + self.shipping_fee

    def to_doc(self) -> Document:
        return {
            "items_subtotal": self.items_subtotal.to_doc(),
            "tier_discount": self.tier_discount.to_doc(),
            "coupon_discount": self.coupon_discount.to_doc(),
            "shipping_fee": self.shipping_fee.to_doc(),
            "total": self.total.to_doc(),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> PriceBreakdown:
        return cls(
            Money.from_doc(doc["items_subtotal"]),
            Money.from_doc(doc["tier_discount"]),
            Money.from_doc(doc["coupon_discount"]),
            Money.from_doc(doc["shipping_fee"]),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "items_subtotal": self.items_subtotal.to_decimal_string(),
            "tier_discount": self.tier_discount.to_decimal_string(),
            "coupon_discount": self.coupon_discount.to_decimal_string(),
            "shipping_fee": self.shipping_fee.to_decimal_string(),
            "total": self.total.to_decimal_string(),
            "currency": self.currency,
        }


@dataclass(frozen=True, slots=True)
class OrderLine:
    sku: str
    product_code: str
    title: LocalizedText
    specs: dict[str, str]
    image: str | None
    quantity: int
    list_unit_price: Money
    unit_price: Money  # after tier
    coupon_share: Money  # this line's part of the coupon discount (for refunds)
    weight_g: int = 0

    @property
    def line_total(self) -> Money:
        return self.unit_price * self.quantity

    @property
    def paid_total(self) -> Money:
        """What the customer actually paid for this line (after its coupon share)."""
        return self.line_total - self.coupon_share

    def refund_for(self, quantity: int) -> Money:
        """The refundable amount for `quantity` units of this line (never more than paid)."""
        quantity = max(0, min(quantity, self.quantity))
        if quantity == self.quantity:
            return self.paid_total
        return Money(self.paid_total.amount * quantity // self.quantity, self.paid_total.currency)

    def to_doc(self) -> Document:
        return {
            "sku": self.sku,
            "product_code": self.product_code,
            "title": self.title.to_doc(),
            "specs": dict(self.specs),
            "image": self.image,
            "quantity": self.quantity,
            "list_unit_price": self.list_unit_price.to_doc(),
            "unit_price": self.unit_price.to_doc(),
            "coupon_share": self.coupon_share.to_doc(),
            "line_total": self.line_total.to_doc(),
            "weight_g": self.weight_g,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> OrderLine:
        return cls(
            sku=str(doc["sku"]),
            product_code=str(doc.get("product_code") or ""),
            title=LocalizedText.from_doc(doc.get("title")),
            specs=dict(doc.get("specs") or {}),
            image=doc.get("image"),
            quantity=int(doc["quantity"]),
            list_unit_price=Money.from_doc(doc["list_unit_price"]),
            unit_price=Money.from_doc(doc["unit_price"]),
            coupon_share=Money.from_doc(doc["coupon_share"]),
            weight_g=int(doc.get("weight_g") or 0),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "product_code": self.product_code,
            "title": self.title.to_doc(),
            "specs": dict(self.specs),
            "image": self.image,
            "quantity": self.quantity,
            "list_unit_price": self.list_unit_price.to_decimal_string(),
            "unit_price": self.unit_price.to_decimal_string(),
            "line_total": self.line_total.to_decimal_string(),
        }


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    from_status: OrderStatus | None
    to_status: OrderStatus
    actor: str
    reason: str
    at: datetime

    def to_doc(self) -> Document:
        return {
            "from": self.from_status.value if self.from_status else None,
            "to": self.to_status.value,
            "actor": self.actor,
            "reason": self.reason,
            "at": self.at,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_status": self.from_status.value if self.from_status else None,
            "to_status": self.to_status.value,
            "actor": self.actor,
            "reason": self.reason,
            "at": self.at.isoformat(),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> HistoryEntry:
        return cls(
            OrderStatus(doc["from"]) if doc.get("from") else None,
            OrderStatus(doc["to"]),
            str(doc.get("actor") or ""),
            str(doc.get("reason") or ""),
            as_utc(doc["at"]),
        )


@dataclass(frozen=True, slots=True)
class OrderNote:
    """An internal note by staff (or a system actor) - never shown to the customer."""

    text: str
    actor: str
    at: datetime

    def to_doc(self) -> Document:
        return {"text": self.text, "actor": self.actor, "at": self.at}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> OrderNote:
        return cls(str(doc.get("text") or ""), str(doc.get("actor") or ""), as_utc(doc["at"]))


@dataclass(frozen=True, slots=True)
class Shipment:
    method: str
    carrier: str | None = None
    tracking_no: str | None = None
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None

    def to_doc(self) -> Document:
        return {
            "method": self.method,
            "carrier": self.carrier,
            "tracking_no": self.tracking_no,
            "shipped_at": self.shipped_at,
            "delivered_at": self.delivered_at,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Shipment:
        shipped, delivered = doc.get("shipped_at"), doc.get("delivered_at")
        return cls(
            str(doc.get("method") or ""),
            doc.get("carrier"),
            doc.get("tracking_no"),
            as_utc(shipped) if shipped else None,
            as_utc(delivered) if delivered else None,
        )


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    number: str
    customer_id: str
    status: OrderStatus
    lines: tuple[OrderLine, ...]
    pricing: PriceBreakdown
    address: Address
    shipment: Shipment
    coupon_code: str | None = None
    history: tuple[HistoryEntry, ...] = ()
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)
    expires_at: datetime | None = None  # unpaid orders cancel themselves then
    paid_at: datetime | None = None
    payment_ids: tuple[str, ...] = ()
    refunded: Money | None = None
    idempotency_key: str | None = None
    note: str = ""  # the customer's message with the order
    channel: str | None = None  # SALES_CHANNELS
    paid_by: str | None = None  # the payment that moved it to paid
    notes: tuple[OrderNote, ...] = ()  # internal notes, oldest first

    @property
    def total(self) -> Money:
        return self.pricing.total

    @property
    def currency(self) -> str:
        return self.pricing.currency

    def quantities(self) -> dict[str, int]:
        return {line.sku: line.quantity for line in self.lines}

    def line(self, sku: str) -> OrderLine | None:
        return next((line for line in self.lines if line.sku == sku), None)

    @property
    def can_cancel(self) -> bool:
        return OrderStatus.CANCELLED in TRANSITIONS[self.status]

    @property
    def can_change_address(self) -> bool:
        return self.status in ADDRESS_CHANGEABLE

    def to_doc(self) -> Document:
        doc: Document = {
            "_id": self.id,
            "number": self.number,
            "customer_id": self.customer_id,
            "status": self.status.value,
            "lines": [line.to_doc() for line in self.lines],
            "pricing": self.pricing.to_doc(),
            "total": self.total.to_doc(),
            "currency": self.currency,
            "address": self.address.to_doc(),
            "shipment": self.shipment.to_doc(),
            "coupon_code": self.coupon_code,
            "history": [h.to_doc() for h in self.history],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "expires_at": self.expires_at,
            "paid_at": self.paid_at,
            "payment_ids": list(self.payment_ids),
            "refunded": (self.refunded or Money.zero(self.currency)).to_doc(),
            "note": self.note,
            "channel": self.channel,
            "paid_by": self.paid_by,
            "notes": [n.to_doc() for n in self.notes],
        }
        if self.idempotency_key is not None:  # absent, not null: the unique index only covers keyed orders
            doc["idempotency_key"] = self.idempotency_key
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Order:
        def when(key: str) -> datetime | None:
            value = doc.get(key)
            return as_utc(value) if value else None

        refunded = doc.get("refunded")
        return cls(
            id=str(doc["_id"]),
            number=str(doc["number"]),
            customer_id=str(doc["customer_id"]),
            status=OrderStatus(doc["status"]),
            lines=tuple(OrderLine.from_doc(x) for x in doc.get("lines") or []),
            pricing=PriceBreakdown.from_doc(doc["pricing"]),
            address=Address.from_doc(doc["address"]),
            shipment=Shipment.from_doc(doc.get("shipment") or {}),
            coupon_code=doc.get("coupon_code"),
            history=tuple(HistoryEntry.from_doc(h) for h in doc.get("history") or []),
            created_at=as_utc(doc["created_at"]),
            updated_at=as_utc(doc.get("updated_at") or doc["created_at"]),
            expires_at=when("expires_at"),
            paid_at=when("paid_at"),
            payment_ids=tuple(doc.get("payment_ids") or ()),
            refunded=Money.from_doc(refunded) if refunded else None,
            idempotency_key=doc.get("idempotency_key"),
            note=str(doc.get("note") or ""),
            channel=doc.get("channel"),
            paid_by=doc.get("paid_by"),
            notes=tuple(OrderNote.from_doc(n) for n in doc.get("notes") or []),
        )

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "status": self.status.value,
            "status_label": self.status.label.get(lang),
            "lines": [line.to_dict() for line in self.lines],
            "pricing": self.pricing.to_dict(),
            "address": self.address.to_dict(),
            "shipment": {
                "method": self.shipment.method,
                "carrier": self.shipment.carrier,
                "tracking_no": self.shipment.tracking_no,
                "shipped_at": self.shipment.shipped_at.isoformat() if self.shipment.shipped_at else None,
                "delivered_at": self.shipment.delivered_at.isoformat() if self.shipment.delivered_at else None,
            },
            "coupon_code": self.coupon_code,
            "created_at": self.created_at.isoformat(),
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "paid_at": self.paid_at.isoformat() if self.paid_at else None,
            "refunded": (self.refunded or Money.zero(self.currency)).to_decimal_string(),
            "can_cancel": self.can_cancel,
            "can_change_address": self.can_change_address,
            "channel": self.channel,
            "history": [h.to_dict() for h in self.history],
        }
