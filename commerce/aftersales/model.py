"""After-sales requests (return, exchange, refund) and their own status machine.

refund:   requested -> approved -> refunded -> closed
return:   requested -> approved -> goods_received -> refunded -> closed
exchange: requested -> approved -> goods_received -> exchanged -> closed
any open request can be rejected (-> closed) or withdrawn by the customer (requested -> closed)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from commerce.errors import InvalidTransition
from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.orders.model import OrderStatus
from core.mongo import Document, as_utc, utcnow


class AfterSaleKind(StrEnum):
    RETURN = "return"
    EXCHANGE = "exchange"
    REFUND = "refund"


class AfterSaleStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    GOODS_RECEIVED = "goods_received"
    REFUNDED = "refunded"
    EXCHANGED = "exchanged"
    CLOSED = "closed"

    @property
    def open(self) -> bool:
        return self not in FINISHED

    @property
    def label(self) -> LocalizedText:
        return STATUS_LABELS[self]


FINISHED = frozenset(
    {AfterSaleStatus.REJECTED, AfterSaleStatus.REFUNDED, AfterSaleStatus.EXCHANGED, AfterSaleStatus.CLOSED}
)

_S = AfterSaleStatus
PATHS: dict[AfterSaleKind, dict[AfterSaleStatus, frozenset[AfterSaleStatus]]] = {
    AfterSaleKind.REFUND: {
        _S.REQUESTED: frozenset({_S.APPROVED, _S.REJECTED, _S.CLOSED}),
        _S.APPROVED: frozenset({_S.REFUNDED, _S.CLOSED}),
        _S.REJECTED: frozenset({_S.CLOSED}),
        _S.REFUNDED: frozenset({_S.CLOSED}),
    },
    AfterSaleKind.RETURN: {
        _S.REQUESTED: frozenset({_S.APPROVED, _S.REJECTED, _S.CLOSED}),
        _S.APPROVED: frozenset({_S.GOODS_RECEIVED, _S.CLOSED}),
        _S.GOODS_RECEIVED: frozenset({_S.REFUNDED}),
        _S.REJECTED: frozenset({_S.CLOSED}),
        _S.REFUNDED: frozenset({_S.CLOSED}),
    },
    AfterSaleKind.EXCHANGE: {
        _S.REQUESTED: frozenset({_S.APPROVED, _S.REJECTED, _S.CLOSED}),
        _S.APPROVED: frozenset({_S.GOODS_RECEIVED, _S.CLOSED}),
        _S.GOODS_RECEIVED: frozenset({_S.EXCHANGED}),
        _S.REJECTED: frozenset({_S.CLOSED}),
        _S.EXCHANGED: frozenset({_S.CLOSED}),
    },
}

# Which kinds an order can ask for in each status: before shipping only a refund makes sense.
ELIGIBLE: dict[OrderStatus, frozenset[AfterSaleKind]] = {
    OrderStatus.PAID: frozenset({AfterSaleKind.REFUND}),
    OrderStatus.SHIPPED: frozenset({AfterSaleKind.REFUND, AfterSaleKind.RETURN}),
    OrderStatus.DELIVERED: frozenset(AfterSaleKind),
    OrderStatus.COMPLETED: frozenset(AfterSaleKind),
}

STATUS_LABELS: dict[AfterSaleStatus, LocalizedText] = {
    _S.REQUESTED: LocalizedText("已提交", "requested"),
    _S.APPROVED: LocalizedText("已同意", "approved"),
    _S.REJECTED: LocalizedText("已拒绝", "rejected"),
    _S.GOODS_RECEIVED: LocalizedText("已收到退货", "goods received"),
    _S.REFUNDED: LocalizedText("已退款", "refunded"),
    _S.EXCHANGED: LocalizedText("已换货", "exchanged"),
    _S.CLOSED: LocalizedText("已关闭", "closed"),
}


def check_step(request_id: str, kind: AfterSaleKind, current: AfterSaleStatus, target: AfterSaleStatus) -> None:
    allowed = PATHS[kind].get(current, frozenset())
    if target not in allowed:
        raise InvalidTransition(
            f"a {kind.value} request cannot go from '{current.value}' to '{target.value}'",
            details={
                "request_id": request_id,
                "kind": kind.value,
                "from": current.value,
                "to": target.value,
                "allowed": sorted(s.value for s in allowed),
            },
        )


@dataclass(frozen=True, slots=True)
class AfterSaleLine:
    sku: str
    quantity: int

    def to_doc(self) -> Document:
        return {"sku": self.sku, "quantity": self.quantity}


@dataclass(frozen=True, slots=True)
class AfterSaleEntry:
    from_status: AfterSaleStatus | None
    to_status: AfterSaleStatus
    actor: str
    note: str
    at: datetime

    def to_doc(self) -> Document:
        return {
            "from": self.from_status.value if self.from_status else None,
            "to": self.to_status.value,
            "actor": self.actor,
            "note": self.note,
            "at": self.at,
        }


@dataclass(frozen=True, slots=True)
class AfterSaleRequest:
    id: str
    order_id: str
    order_number: str
    customer_id: str
    kind: AfterSaleKind
    status: AfterSaleStatus
    reason: str
    photos: tuple[str, ...] = ()
    lines: tuple[AfterSaleLine, ...] = ()
    history: tuple[AfterSaleEntry, ...] = ()
    refund_amount: Money | None = None
    created_at: datetime = field(default_factory=utcnow)
    updated_at: datetime = field(default_factory=utcnow)

    def open_key(self) -> str:
        return f"{self.order_id}:{self.kind.value}"

    def to_doc(self) -> Document:
        doc: Document = {
            "_id": self.id,
            "order_id": self.order_id,
            "order_number": self.order_number,
            "customer_id": self.customer_id,
            "kind": self.kind.value,
            "status": self.status.value,
            "reason": self.reason,
            "photos": list(self.photos),
            "lines": [x.to_doc() for x in self.lines],
            "history": [h.to_doc() for h in self.history],
            "refund_amount": self.refund_amount.to_doc() if self.refund_amount else None,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }
        if self.status.open:
            doc["open_key"] = self.open_key()  # unique while open: one open request per order and kind
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> AfterSaleRequest:
        refund = doc.get("refund_amount")
        return cls(
            id=str(doc["_id"]),
            order_id=str(doc["order_id"]),
            order_number=str(doc.get("order_number") or ""),
            customer_id=str(doc["customer_id"]),
            kind=AfterSaleKind(doc["kind"]),
            status=AfterSaleStatus(doc["status"]),
            reason=str(doc.get("reason") or ""),
            photos=tuple(doc.get("photos") or ()),
            lines=tuple(AfterSaleLine(str(x["sku"]), int(x["quantity"])) for x in doc.get("lines") or []),
            history=tuple(
                AfterSaleEntry(
                    AfterSaleStatus(h["from"]) if h.get("from") else None,
                    AfterSaleStatus(h["to"]),
                    str(h.get("actor") or ""),
                    str(h.get("note") or ""),
                    as_utc(h["at"]),
                )
                for h in doc.get("history") or []
            ),
            refund_amount=Money.from_doc(refund) if refund else None,
            created_at=as_utc(doc["created_at"]),
            updated_at=as_utc(doc.get("updated_at") or doc["created_at"]),
        )

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "order_number": self.order_number,
            "kind": self.kind.value,
            "status": self.status.value,
            "status_label": self.status.label.get(lang),
            "reason": self.reason,
            "photos": list(self.photos),
            "lines": [x.to_doc() for x in self.lines],
            "refund_amount": self.refund_amount.to_decimal_string() if self.refund_amount else None,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "history": [
                {
                    "from": h.from_status.value if h.from_status else None,
                    "to": h.to_status.value,
                    "actor": h.actor,
                    "note": h.note,
                    "at": h.at.isoformat(),
                }
                for h in self.history
            ],
        }
