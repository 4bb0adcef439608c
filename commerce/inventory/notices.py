"""Back-in-stock notices (到货提醒): "tell me when the grinder is back".

One document per customer and SKU in `stock_notices` (`_id` "customer:sku", so asking twice
keeps one): `status` waiting -> notified. A customer who asked about a whole product (every
version sold out) waits on each sold-out SKU with the product as the `group`; the first of them
back notifies once and closes the group's others. A SKU picked by its options is its own group.

When the inventory service sees a SKU's available stock go from 0 to more (a delivery booked by
staff, a return put back on the shelf, a stocktake), `back_in_stock` turns the waiting notices
into `BackInStock` events in the durable outbox, in the same write batch as marking them
notified; the dialogs layer pushes them to the customer's chat in their language. The event id
is derived from the notice and the moment it was armed, so a retry or a second process never
sends the same notice twice, and asking again after a notice re-arms it for the next restock.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from pymongo import ASCENDING, IndexModel

from commerce.events import BackInStock
from commerce.orders.events import EventBus
from core.batch import WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

STOCK_NOTICES = "stock_notices"
WAITING = "waiting"
NOTIFIED = "notified"
PAGE = 200  # notices turned into events per write batch

INDEXES = [
    CollectionIndexes(
        STOCK_NOTICES,
        [
            IndexModel([("sku", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("customer_id", ASCENDING), ("group", ASCENDING), ("status", ASCENDING)]),
        ],
    )
]

log = get_logger("commerce.stock_notices")


def notice_id(customer_id: str, sku: str) -> str:
    return f"{customer_id}:{sku}"


class StockNotices:
    def __init__(self, db: Database, events: EventBus) -> None:
        self._db = db
        self._notices = db[STOCK_NOTICES]
        self.events = events

    async def subscribe(self, customer_id: str, product_id: str, skus: Sequence[str]) -> bool:
        """Wait for these SKUs of a product (one SKU: that version; several: whichever comes back
        first). False when the customer was waiting for all of them already."""
        wanted = list(dict.fromkeys(s for s in skus if s))
        if not customer_id or not wanted:
            return False
        group = wanted[0] if len(wanted) == 1 else product_id
        now = utcnow()
        batch = WriteBatch(self._db)
        indexes = [
            batch.update_one(
                STOCK_NOTICES,
                {"_id": notice_id(customer_id, sku), "status": {"$ne": WAITING}},
                {
                    "$set": {"status": WAITING, "armed_at": now, "group": group, "product_id": product_id},
                    "$setOnInsert": {"customer_id": customer_id, "sku": sku, "created_at": now},
                },
                upsert=True,
            )
            for sku in wanted
        ]
        result = await batch.execute()
        # A notice already waiting makes the upsert collide on `_id` (duplicate key): nothing new.
        return any(result[i].applied for i in indexes)

    async def waiting(self, customer_id: str) -> list[Document]:
        cursor = self._notices.find({"customer_id": customer_id, "status": WAITING}).limit(100)
        return [doc async for doc in cursor]

    async def back_in_stock(self, skus: Iterable[str]) -> int:
        """The SKUs' stock went from 0 to more: tell everyone waiting for them, once each.
        Returns how many notices became events."""
        wanted = list(dict.fromkeys(skus))
        if not wanted:
            return 0
        sent = 0
        while True:
            cursor = self._notices.find({"sku": {"$in": wanted}, "status": WAITING}).limit(PAGE)
            docs = [doc async for doc in cursor]
            if not docs:
                return sent
            sent += await self._notify(docs)
            if len(docs) < PAGE:
                return sent

    async def _notify(self, docs: list[Document]) -> int:
        batch = WriteBatch(self._db)
        groups: set[tuple[str, str]] = set()
        for doc in docs:
            customer_id, group = str(doc["customer_id"]), str(doc.get("group") or doc["sku"])
            armed: datetime = as_utc(doc.get("armed_at") or doc["created_at"])
            if (customer_id, group) not in groups:
                groups.add((customer_id, group))
                self.events.add(
                    batch,
                    BackInStock(
                        customer_id=customer_id,
                        order_id=None,
                        sku=str(doc["sku"]),
                        product_id=str(doc.get("product_id") or ""),
                    ),
                    event_id=f"{BackInStock.TYPE}:{doc['_id']}:{int(armed.timestamp() * 1000)}",
                )
            # The notice, and the group's other SKUs the customer waited on: done.
            batch.update_many(
                STOCK_NOTICES,
                {"customer_id": customer_id, "group": group, "status": WAITING},
                {"$set": {"status": NOTIFIED, "notified_at": utcnow(), "notified_sku": str(doc["sku"])}},
            )
        await batch.execute()
        log.info("stock_notices_sent", notices=len(groups))
        return len(groups)
