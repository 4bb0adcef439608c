"""A durable outbox of commerce events plus in-process subscribers.

Services write an event in the SAME round trip as the change it describes (e.g. the payment
batch), so an event exists exactly when its change happened. A dispatcher then hands pending
events to the subscribers of this process (the dialogs layer pushes "payment confirmed") and
marks them delivered. Delivery is at-least-once: a crashed dispatcher's lease runs out and
another one retries, so subscribers should tolerate repeats (event ids are stable).

The events themselves are the typed catalog in `commerce.events` (one dataclass per event,
one (de)serialisation of the stored `type` + `payload`).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bson import ObjectId
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from commerce.events import DomainEvent, decode, encode, type_of
from core.batch import WriteBatch
from core.coalesce import Coalescer
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

EVENTS = "events"
MAX_ATTEMPTS = 10
CLAIM_BATCH = 50  # events leased by one command

INDEXES = [
    CollectionIndexes(
        EVENTS,
        [
            IndexModel([("delivered_at", ASCENDING), ("created_at", ASCENDING)]),
            IndexModel([("order_id", ASCENDING)]),
            IndexModel([("customer_id", ASCENDING), ("created_at", ASCENDING)]),
        ],
    )
]

log = get_logger("commerce.events")


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event of the catalog (`commerce.events`) as the outbox holds it: with its stable id
    (subscribers de-duplicate on it) and when it happened."""

    id: str
    event: DomainEvent
    created_at: datetime = field(default_factory=utcnow)
    delivered_at: datetime | None = None

    @property
    def type(self) -> str:
        return type_of(self.event)

    @property
    def customer_id(self) -> str | None:
        return self.event.customer_id

    @property
    def order_id(self) -> str | None:
        return self.event.order_id

    def to_doc(self) -> Document:
        type_name, payload = encode(self.event)
        return {
            "_id": self.id,
            "type": type_name,
            "customer_id": self.event.customer_id,
            "order_id": self.event.order_id,
            "payload": payload,
            "created_at": self.created_at,
            "delivered_at": self.delivered_at,
            "attempts": 0,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> StoredEvent:
        delivered = doc.get("delivered_at")
        return cls(
            id=str(doc["_id"]),
            event=decode(
                str(doc["type"]),
                doc.get("payload") or {},
                customer_id=doc.get("customer_id"),
                order_id=doc.get("order_id"),
            ),
            created_at=as_utc(doc["created_at"]),
            delivered_at=as_utc(delivered) if delivered else None,
        )


Subscriber = Callable[[StoredEvent], Awaitable[None]]


@dataclass
class _Subscription:
    handler: Subscriber
    types: frozenset[str] | None


class EventBus:
    def __init__(self, db: Database, *, lease_seconds: int = 60, worker_id: str | None = None) -> None:
        self._events = db[EVENTS]
        self._subscriptions: list[_Subscription] = []
        self._wake = asyncio.Event()
        self.lease = timedelta(seconds=lease_seconds)
        self.worker_id = worker_id or f"events-{uuid.uuid4().hex[:8]}"
        # One dispatch run at a time in this process: calls made while one is running wait for it
        # and are served together by the next (whose claims see every event written before them).
        # Concurrent runs of one process would only fight over the same oldest event: each lost
        # claim is an aborted transaction and a retry (most of the database commands of the dialog
        # benchmark's 20-customers phase, where every customer's turn ends with a dispatch).
        self._dispatcher: Coalescer[int, int] = Coalescer(self._dispatch_batch)

    def subscribe(self, handler: Subscriber, types: Iterable[type[DomainEvent]] | None = None) -> None:
        """Call `handler` for every event (or only these catalog classes) dispatched by this process."""
        names = frozenset(cls.TYPE for cls in types) if types is not None else None
        self._subscriptions.append(_Subscription(handler, names))

    @property
    def has_subscribers(self) -> bool:
        return bool(self._subscriptions)

    # --- writing -----------------------------------------------------------------------------
    def add(self, batch: WriteBatch, event: DomainEvent, *, event_id: str | None = None) -> StoredEvent:
        """Write an event in the caller's batch. A stable `event_id` makes re-emitting harmless."""
        stored = StoredEvent(event_id or str(ObjectId()), event)
        batch.insert(EVENTS, stored.to_doc())
        self._wake.set()
        return stored

    async def publish(self, event: DomainEvent, *, event_id: str | None = None) -> StoredEvent:
        stored = StoredEvent(event_id or str(ObjectId()), event)
        with contextlib.suppress(DuplicateKeyError):  # already emitted
            await self._events.insert_one(stored.to_doc())
        self._wake.set()
        return stored

    def wake(self) -> None:
        self._wake.set()

    # --- dispatching -------------------------------------------------------------------------
    async def dispatch_once(self, limit: int = 100) -> int:
        """Deliver pending events to this process's subscribers; returns how many (callers served
        by the same run all get its count)."""
        if not self._subscriptions:
            return 0
        return await self._dispatcher(limit)

    async def _dispatch_batch(self, limits: list[int]) -> list[int]:
        delivered = await self._dispatch(max(limits))
        return [delivered] * len(limits)

    async def _dispatch(self, limit: int) -> int:
        """Claim the oldest claimable events a batch at a time and deliver them: a find, one
        guarded `update_many` that leases the batch, and one `update_many` that marks the
        delivered ones - three commands per batch, where a claim per event took four (a
        transaction on SecantusDB, core/atomic.py) and its delivery mark a fifth."""
        delivered = 0
        handled = 0
        while handled < limit:
            wanted = min(CLAIM_BATCH, limit - handled)
            now = utcnow()
            # "Unleased or lease ran out" without a top-level $or, which SecantusDB would answer by
            # scanning every event ever written.
            claimable: Document = {
                "delivered_at": None,
                "attempts": {"$lt": MAX_ATTEMPTS},
                "lease_until": {"$not": {"$gt": now}},
            }
            # Most runs find nothing to do: this plain read says so in one command.
            docs = await self._events.find(claimable).sort("created_at", ASCENDING).limit(wanted).to_list()
            if not docs:
                break
            handled += len(docs)
            lease = f"{self.worker_id}:{uuid.uuid4().hex[:12]}"  # this batch's, to tell its events apart
            ids = [doc["_id"] for doc in docs]
            claim = await self._events.update_many(
                {"_id": {"$in": ids}, **claimable},
                {"$set": {"lease_owner": lease, "lease_until": now + self.lease}, "$inc": {"attempts": 1}},
            )
            if claim.modified_count < len(ids):
                # Another dispatcher (another process) leased some of them first: deliver only ours.
                ours = {
                    doc["_id"]
                    async for doc in self._events.find({"_id": {"$in": ids}, "lease_owner": lease}, {"_id": 1})
                }
                docs = [doc for doc in docs if doc["_id"] in ours]
            done = []
            for doc in docs:
                event = StoredEvent.from_doc(doc)
                if await self._deliver(event):
                    done.append(event.id)
            if done:
                await self._events.update_many(
                    {"_id": {"$in": done}, "lease_owner": lease},
                    {"$set": {"delivered_at": utcnow()}, "$unset": {"lease_owner": "", "lease_until": ""}},
                )
                delivered += len(done)
            if len(ids) < wanted:  # that was all there was when this run looked
                break
        return delivered

    async def _deliver(self, event: StoredEvent) -> bool:
        ok = True
        for subscription in self._subscriptions:
            if subscription.types is not None and event.type not in subscription.types:
                continue
            try:
                await subscription.handler(event)
            except Exception:
                ok = False
                log.exception("event_subscriber_failed", event_id=event.id, event_type=event.type)
        return ok

    async def run_forever(self, poll_seconds: float = 2.0) -> None:
        while True:
            try:
                await self.dispatch_once()
            except Exception:
                log.exception("event_dispatch_failed")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)

    async def recent(
        self, *, customer_id: str | None = None, order_id: str | None = None, limit: int = 50
    ) -> list[StoredEvent]:
        query: Document = {}
        if customer_id:
            query["customer_id"] = customer_id
        if order_id:
            query["order_id"] = order_id
        cursor = self._events.find(query).sort("created_at", -1).limit(limit)
        return [StoredEvent.from_doc(doc) async for doc in cursor]
