"""What staff must see about money (`payment_alerts`): security events and money to act on.

Security events: a notification whose signature did not verify, that was stale or replayed,
whose body was unreadable, or whose amount, currency, payment or order did not match. They
change nothing else; the provider gets its error answer.
Money alerts: a payment that arrived for an order no longer payable (refunded automatically),
a refund owed by hand (a provider without a refund API), a refund the provider refused, and
reconciliation differences. The admin lists them (newest first) and can mark them handled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING, IndexModel

from core.batch import WriteBatch
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

PAYMENT_ALERTS = "payment_alerts"

INDEXES = [
    CollectionIndexes(
        PAYMENT_ALERTS,
        [
            IndexModel([("created_at", DESCENDING)]),
            IndexModel([("order_id", DESCENDING)]),
        ],
    )
]


class AlertKind(StrEnum):
    SECURITY = "security"  # a rejected notification (forged, stale, replayed, mismatched)
    LATE_PAYMENT = "late_payment"  # money for an order no longer payable: refunded automatically
    REFUND_OWED = "refund_owed"  # the provider cannot refund through an API: refund by hand
    REFUND_FAILED = "refund_failed"  # the provider refused or gave up on a refund
    RECONCILIATION = "reconciliation"  # the day's statement and our records differ


@dataclass(frozen=True, slots=True)
class PaymentAlert:
    id: str
    kind: AlertKind
    code: str
    provider: str
    created_at: datetime
    order_id: str | None = None
    order_number: str | None = None
    payment_id: str | None = None
    detail: str = ""
    handled_at: datetime | None = None

    @classmethod
    def from_doc(cls, doc: Document) -> PaymentAlert:
        handled = doc.get("handled_at")
        return cls(
            id=str(doc["_id"]),
            kind=AlertKind(doc["kind"]),
            code=str(doc.get("code") or ""),
            provider=str(doc.get("provider") or ""),
            created_at=as_utc(doc["created_at"]),
            order_id=doc.get("order_id"),
            order_number=doc.get("order_number"),
            payment_id=doc.get("payment_id"),
            detail=str(doc.get("detail") or ""),
            handled_at=as_utc(handled) if handled else None,
        )


def alert_doc(
    kind: AlertKind,
    code: str,
    *,
    provider: str,
    order_id: str | None = None,
    order_number: str | None = None,
    payment_id: str | None = None,
    detail: str = "",
    alert_id: str | None = None,
) -> Document:
    # Details are cut and never hold a body or a header value: they name what was wrong.
    return {
        "_id": alert_id or str(ObjectId()),
        "kind": kind.value,
        "code": code[:60],
        "provider": provider[:32],
        "order_id": order_id,
        "order_number": order_number,
        "payment_id": payment_id[:100] if payment_id else None,
        "detail": detail[:300],
        "created_at": utcnow(),
        "handled_at": None,
    }


class PaymentAlerts:
    def __init__(self, db: Database) -> None:
        self._alerts = db[PAYMENT_ALERTS]

    async def record(self, kind: AlertKind, code: str, *, provider: str, **fields: Any) -> None:
        doc = alert_doc(kind, code, provider=provider, **fields)
        # A stable id (one alert per payment and reason) is inserted once.
        await self._alerts.update_one({"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True)

    @staticmethod
    def add(batch: WriteBatch, kind: AlertKind, code: str, *, provider: str, **fields: Any) -> None:
        batch.insert(PAYMENT_ALERTS, alert_doc(kind, code, provider=provider, **fields))

    async def recent(
        self, *, open_only: bool = False, order_id: str | None = None, limit: int = 100
    ) -> list[PaymentAlert]:
        query: Document = {}
        if open_only:
            query["handled_at"] = None
        if order_id:
            query["order_id"] = order_id
        cursor = self._alerts.find(query).sort("created_at", DESCENDING).limit(max(1, min(limit, 500)))
        return [PaymentAlert.from_doc(doc) async for doc in cursor]

    async def mark_handled(self, alert_id: str, actor: str) -> bool:
        done = await self._alerts.update_one(
            {"_id": alert_id, "handled_at": None}, {"$set": {"handled_at": utcnow(), "handled_by": actor[:120]}}
        )
        return done.modified_count == 1
