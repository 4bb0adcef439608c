"""Refunds (`refunds`): every refund asked of a provider, one document per refund id.

The refund id is ours (WeChat Pay's out_refund_no, Alipay's out_request_no) and is chosen
before the provider is called, so a retry after a timeout asks for the SAME refund and the
provider never pays twice. A refund is:
  pending   asked for, or the provider is still moving the money (WeChat PROCESSING); the
            status worker asks again (`next_try_at`) until it is settled
  succeeded the money went back: the order learns it and the chat is told (`payment.refunded`)
  failed    the provider refused or gave up: an alert for staff
  manual    the provider has no refund API (Telegram card payments): owed by hand, an alert
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from commerce.money import Money
from commerce.payments.model import RefundState
from core.atomic import find_one_and_update
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

REFUNDS = "refunds"
RETRY_AFTER = timedelta(minutes=2)

INDEXES = [
    CollectionIndexes(
        REFUNDS,
        [
            IndexModel([("payment_id", ASCENDING)]),
            IndexModel([("order_id", ASCENDING)]),
            IndexModel([("state", ASCENDING), ("next_try_at", ASCENDING)]),
            IndexModel([("provider", ASCENDING), ("created_at", ASCENDING)]),
        ],
    )
]


@dataclass(frozen=True, slots=True)
class Refund:
    id: str
    payment_id: str
    order_id: str
    order_number: str
    customer_id: str
    provider: str
    amount: Money
    reason: str
    actor: str
    purpose: str  # "aftersales" | "late_payment" | "admin"
    state: RefundState
    created_at: datetime
    provider_refund_id: str = ""
    settled_at: datetime | None = None

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Refund:
        settled = doc.get("settled_at")
        return cls(
            id=str(doc["_id"]),
            payment_id=str(doc["payment_id"]),
            order_id=str(doc.get("order_id") or ""),
            order_number=str(doc.get("order_number") or ""),
            customer_id=str(doc.get("customer_id") or ""),
            provider=str(doc["provider"]),
            amount=Money.from_doc(doc["amount"]),
            reason=str(doc.get("reason") or ""),
            actor=str(doc.get("actor") or ""),
            purpose=str(doc.get("purpose") or ""),
            state=RefundState(doc["state"]),
            created_at=as_utc(doc["created_at"]),
            provider_refund_id=str(doc.get("provider_refund_id") or ""),
            settled_at=as_utc(settled) if settled else None,
        )


class RefundLedger:
    def __init__(self, db: Database) -> None:
        self._refunds = db[REFUNDS]

    async def open(self, doc: Document) -> tuple[Refund, bool]:
        """Insert a pending refund; (the refund, True) when new, (the stored one, False) when
        this refund id exists already (asked before: the caller must not ask for more)."""
        now = utcnow()
        full = {**doc, "state": RefundState.PENDING.value, "created_at": now, "next_try_at": now + RETRY_AFTER}
        try:
            await self._refunds.insert_one(full)
            return Refund.from_doc(full), True
        except DuplicateKeyError:
            stored = await self._refunds.find_one({"_id": doc["_id"]})
            assert stored is not None
            return Refund.from_doc(stored), False

    async def settle(
        self, refund_id: str, state: RefundState, *, provider_refund_id: str = "", only_from_pending: bool = True
    ) -> Refund | None:
        """Move a refund to its outcome; None when it was settled already (a repeat)."""
        query: Document = {"_id": refund_id}
        if only_from_pending:
            query["state"] = RefundState.PENDING.value
        update: Document = {"state": state.value}
        if provider_refund_id:
            update["provider_refund_id"] = provider_refund_id
        if state is not RefundState.PENDING:
            update["settled_at"] = utcnow()
        change: Document = {"$set": update}
        if state is not RefundState.PENDING:
            change["$unset"] = {"next_try_at": ""}
        doc = await find_one_and_update(self._refunds, query, change, return_document=ReturnDocument.AFTER)
        return Refund.from_doc(doc) if doc else None

    async def reopen(self, refund_id: str, state: RefundState, *, actor: str) -> Refund | None:
        """Back to pending (guarded by the state it leaves), so it can be settled once more."""
        doc = await find_one_and_update(
            self._refunds,
            {"_id": refund_id, "state": state.value},
            {"$set": {"state": RefundState.PENDING.value, "settled_by_hand": actor[:120]}},
            return_document=ReturnDocument.AFTER,
        )
        return Refund.from_doc(doc) if doc else None

    async def recent(self, *, states: tuple[RefundState, ...] = (), limit: int = 100) -> list[Refund]:
        query: Document = {"state": {"$in": [s.value for s in states]}} if states else {}
        cursor = self._refunds.find(query).sort("created_at", -1).limit(max(1, min(limit, 500)))
        return [Refund.from_doc(doc) async for doc in cursor]

    async def postpone(self, refund_id: str, provider_refund_id: str = "") -> None:
        update: Document = {"next_try_at": utcnow() + RETRY_AFTER}
        if provider_refund_id:
            update["provider_refund_id"] = provider_refund_id
        await self._refunds.update_one(
            {"_id": refund_id, "state": RefundState.PENDING.value}, {"$set": update, "$inc": {"attempts": 1}}
        )

    async def claim_due(self, now: datetime) -> Refund | None:
        """Lease one pending refund whose time to ask again has come (several workers: once)."""
        doc = await find_one_and_update(
            self._refunds,
            {"state": RefundState.PENDING.value, "next_try_at": {"$lte": now}},
            {"$set": {"next_try_at": now + RETRY_AFTER}},
            sort=[("next_try_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return Refund.from_doc(doc) if doc else None

    async def get(self, refund_id: str) -> Refund | None:
        doc = await self._refunds.find_one({"_id": refund_id})
        return Refund.from_doc(doc) if doc else None

    async def for_order(self, order_id: str) -> list[Refund]:
        cursor = self._refunds.find({"order_id": order_id}).sort("created_at", ASCENDING)
        return [Refund.from_doc(doc) async for doc in cursor]

    async def for_day(self, provider: str, start: datetime, end: datetime) -> list[Refund]:
        cursor = self._refunds.find(
            {"provider": provider, "created_at": {"$gte": start - timedelta(days=1), "$lt": end}}
        )
        return [Refund.from_doc(doc) async for doc in cursor]
