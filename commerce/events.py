"""The catalog of commerce events: one frozen dataclass per thing that happened.

Services build these and hand them to the durable outbox (`commerce.orders.events.EventBus`);
subscribers (the chat notifier, the WeChat template notifier) receive them typed and tell them
apart with `match` / `isinstance`, so a renamed field is a type error, not a silent `""`.

Stored shape (unchanged since before this catalog, so the outbox's older documents read the
same): `{type: "order.paid", customer_id, order_id, payload: {...}}`. `encode` writes a
catalog event's own fields into `payload` (money as `{amount, currency}`); `decode` reads them
back, with each field's default where an older document lacks it. A type no longer in the
catalog decodes to `UnknownEvent`, which no subscriber asks for.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from commerce.money import Money
from core.mongo import Document

# The actor the unpaid-order timeout cancels with (`commerce.orders.timeout`).
TIMEOUT_ACTOR = "system:timeout"


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    """What every event carries; `TYPE` is the stored type name."""

    TYPE: ClassVar[str] = ""
    customer_id: str | None
    order_id: str | None
    number: str = ""  # the order's number (what people see), when the event concerns an order


# --- orders ----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class OrderPlaced(DomainEvent):
    TYPE: ClassVar[str] = "order.created"
    total: Money | None = None


@dataclass(frozen=True, kw_only=True)
class OrderPaid(DomainEvent):
    TYPE: ClassVar[str] = "order.paid"
    total: Money | None = None
    payment_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class OrderCancelled(DomainEvent):
    TYPE: ClassVar[str] = "order.cancelled"
    reason: str = ""
    actor: str = ""

    @property
    def expired(self) -> bool:
        """Cancelled by the unpaid-order timeout rather than by a person."""
        return self.actor == TIMEOUT_ACTOR


@dataclass(frozen=True, kw_only=True)
class OrderShipped(DomainEvent):
    TYPE: ClassVar[str] = "order.shipped"
    carrier: str = ""
    tracking_no: str = ""


@dataclass(frozen=True, kw_only=True)
class OrderDelivered(DomainEvent):
    TYPE: ClassVar[str] = "order.delivered"


@dataclass(frozen=True, kw_only=True)
class OrderCompleted(DomainEvent):
    TYPE: ClassVar[str] = "order.completed"


@dataclass(frozen=True, kw_only=True)
class OrderRefunded(DomainEvent):
    """Everything paid for the order has been refunded."""

    TYPE: ClassVar[str] = "order.refunded"


# --- payments --------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class PaymentFailed(DomainEvent):
    TYPE: ClassVar[str] = "payment.failed"
    payment_id: str = ""


@dataclass(frozen=True, kw_only=True)
class PaymentOrphaned(DomainEvent):
    """Money arrived for an order that could no longer take it (refunded: `PaymentRefunded`)."""

    TYPE: ClassVar[str] = "payment.orphaned"
    payment_id: str = ""
    amount: Money | None = None
    order_status: str = ""


@dataclass(frozen=True, kw_only=True)
class PaymentRefunded(DomainEvent):
    TYPE: ClassVar[str] = "payment.refunded"
    amount: Money | None = None
    purpose: str = ""  # "aftersales" | "late_payment" | "admin"
    refund_id: str = ""

    @property
    def late_payment(self) -> bool:
        return self.purpose == "late_payment"


@dataclass(frozen=True, kw_only=True)
class RefundOwed(DomainEvent):
    """The provider could not refund: a person will pay the money back."""

    TYPE: ClassVar[str] = "payment.refund_owed"
    amount: Money | None = None


# --- after-sales -----------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class AfterSaleChanged(DomainEvent):
    """A return / exchange / refund request was filed or moved on."""

    TYPE: ClassVar[str] = "aftersale.updated"
    request_id: str = ""
    kind: str = ""
    status: str = ""
    note: str = ""  # the shop's explanation for the customer ("给客户的说明"), if staff wrote one


# --- stock -----------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class BackInStock(DomainEvent):
    """A SKU a customer asked to be told about (到货提醒) can be bought again."""

    TYPE: ClassVar[str] = "stock.back_in_stock"
    sku: str = ""
    product_id: str = ""


@dataclass(frozen=True, kw_only=True)
class UnknownEvent(DomainEvent):
    """A stored event whose type this version does not know (kept readable, never subscribed to)."""

    type: str = ""
    payload: Mapping[str, Any] = dataclasses.field(default_factory=dict)


CATALOG: tuple[type[DomainEvent], ...] = (
    OrderPlaced,
    OrderPaid,
    OrderCancelled,
    OrderShipped,
    OrderDelivered,
    OrderCompleted,
    OrderRefunded,
    PaymentFailed,
    PaymentOrphaned,
    PaymentRefunded,
    RefundOwed,
    AfterSaleChanged,
    BackInStock,
)
BY_TYPE: dict[str, type[DomainEvent]] = {cls.TYPE: cls for cls in CATALOG}
_ENVELOPE = frozenset({"customer_id", "order_id"})


def type_of(event: DomainEvent) -> str:
    return event.type if isinstance(event, UnknownEvent) else event.TYPE


def _payload_fields_of(cls: type[DomainEvent]) -> tuple[tuple[str, bool], ...]:
    """(name, is money) of the fields an event keeps in its payload: text or money only, so one
    decoder reads them all (checked when the module loads)."""
    hints = typing.get_type_hints(cls)
    found: list[tuple[str, bool]] = []
    for f in dataclasses.fields(cls):
        if f.name in _ENVELOPE:
            continue
        kinds = set(typing.get_args(hints[f.name]) or (hints[f.name],)) - {type(None)}
        if kinds not in ({str}, {Money}):
            raise TypeError(f"{cls.__name__}.{f.name}: event payload fields are text or money")
        found.append((f.name, kinds == {Money}))
    return tuple(found)


_PAYLOAD_FIELDS = {cls: _payload_fields_of(cls) for cls in CATALOG}


def encode(event: DomainEvent) -> tuple[str, Document]:
    """The stored type name and payload of a catalog event."""
    if isinstance(event, UnknownEvent):
        return event.type, dict(event.payload)
    payload: Document = {}
    for name, _ in _PAYLOAD_FIELDS[type(event)]:
        value = getattr(event, name)
        payload[name] = value.to_doc() if isinstance(value, Money) else value
    return event.TYPE, payload


def decode(type_name: str, payload: Mapping[str, Any], *, customer_id: str | None, order_id: str | None) -> DomainEvent:
    """A stored event as its catalog class; fields an older document lacks keep their default."""
    cls = BY_TYPE.get(type_name)
    if cls is None:
        return UnknownEvent(customer_id=customer_id, order_id=order_id, type=type_name, payload=dict(payload))
    values: dict[str, Any] = {}
    for name, is_money in _PAYLOAD_FIELDS[cls]:
        if name not in payload or payload[name] is None:
            continue
        raw = payload[name]
        if is_money:
            money = _money(raw)
            if money is not None:
                values[name] = money
        else:
            values[name] = str(raw)
    return cls(customer_id=customer_id, order_id=order_id, **values)


def _money(raw: object) -> Money | None:
    if not isinstance(raw, dict):
        return None
    try:
        return Money.from_doc(raw)
    except (KeyError, TypeError, ValueError):
        return None
