"""Orders after checkout: reads, the guarded status transitions, cancellation, shipping.

Every transition is ONE conditional update whose filter names the state it leaves
(`{_id, status: from}`) and which appends the history entry in the same write, so two
actors racing (the payment notification and the unpaid-order timeout, two admins) cannot
both win and the history is always the chain of what really happened.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument

from commerce.carts.catalog_port import SkuCatalog
from commerce.customers.model import Address, AddressIn
from commerce.customers.service import CustomerService
from commerce.errors import InvalidTransition, NotFound, ValidationFailed
from commerce.events import (
    DomainEvent,
    OrderCancelled,
    OrderCompleted,
    OrderDelivered,
    OrderPaid,
    OrderRefunded,
    OrderShipped,
)
from commerce.inventory.service import INVENTORY, InventoryService
from commerce.money import Money
from commerce.orders.checkout import Checkout, CheckoutRequest, OrderQuote
from commerce.orders.events import EventBus
from commerce.orders.listing import newest_orders
from commerce.orders.model import (
    ADDRESS_CHANGEABLE,
    MAX_NOTE_LENGTH,
    MAX_NOTES,
    ORDERS,
    HistoryEntry,
    Order,
    OrderNote,
    OrderStatus,
    check_channel,
    check_transition,
    sources_of,
)
from commerce.orders.payability import PayRefusal, state_refusal
from commerce.orders.stats import OrderStats
from commerce.promotions.service import PromotionService
from core.atomic import find_one_and_update
from core.batch import BatchResult, WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, utcnow

INDEXES = [
    CollectionIndexes(
        ORDERS,
        [
            IndexModel([("number", ASCENDING)], unique=True),
            IndexModel([("customer_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("customer_id", ASCENDING), ("idempotency_key", ASCENDING)],
                unique=True,
                name="customer_idempotency_key",
                partialFilterExpression={"idempotency_key": {"$type": "string"}},
            ),
            IndexModel([("status", ASCENDING), ("expires_at", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("payment_ids", ASCENDING)]),
            IndexModel([("channel", ASCENDING), ("_id", DESCENDING)], name="channel_id"),
        ],
    )
]

log = get_logger("commerce.orders")


@dataclass(frozen=True)
class PaidEffects:
    """What `add_paid_effects` put into a batch; `after_paid` reads the batch's results."""

    order: Order
    lines: dict[str, int]
    commit_index: dict[str, int]  # sku -> index of its stock-commit write in the batch


@dataclass(frozen=True)
class OrderPage:
    orders: list[Order]
    next_after: str | None  # pass back as `after` for the next page


@dataclass(frozen=True)
class OrderFilter:
    status: OrderStatus | None = None
    customer_id: str | None = None
    channel: str | None = None
    number_prefix: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


class OrderService:
    def __init__(self, db: Database, checkout: Checkout, inventory: InventoryService, events: EventBus) -> None:
        self._db = db
        self._orders = db[ORDERS]
        self.checkout = checkout
        self.inventory = inventory
        self.events = events
        self.stats: OrderStats = checkout.stats  # the per-day figures, shared with checkout
        self.catalog: SkuCatalog = checkout.catalog  # sales counters of paid orders

    # --- checkout ----------------------------------------------------------------------------
    async def quote(self, request: CheckoutRequest) -> OrderQuote:
        return await self.checkout.quote(request)

    async def create_order(
        self,
        customer_id: str,
        *,
        shipping_method: str,
        address_id: str | None = None,
        address: AddressIn | None = None,
        coupon_code: str | None = None,
        lines: dict[str, int] | None = None,
        idempotency_key: str | None = None,
        note: str = "",
        actor: str | None = None,
        channel: str | None = None,
    ) -> Order:
        """Place an order from the cart (or `lines`). A repeated idempotency key returns the same order.
        `channel` (telegram, wechat, webchat, terminal, api) is where it was placed."""
        return await self.checkout.place(
            CheckoutRequest(
                customer_id=customer_id,
                shipping_method=shipping_method,
                address_id=address_id,
                address=address,
                coupon_code=coupon_code,
                lines=lines,
                idempotency_key=idempotency_key,
                note=note,
                actor=actor,
                channel=channel,
            )
        )

    # --- reads -------------------------------------------------------------------------------
    async def get(self, order_id: str) -> Order:
        doc = await self._orders.find_one({"_id": order_id})
        if doc is None:
            raise NotFound("order not found", details={"order_id": order_id})
        return Order.from_doc(doc)

    async def get_by_number(self, number: str, *, customer_id: str | None = None) -> Order:
        """With `customer_id`, someone else's order is reported as not found (no probing)."""
        query: Document = {"number": number}
        if customer_id is not None:
            query["customer_id"] = customer_id
        doc = await self._orders.find_one(query)
        if doc is None:
            raise NotFound("order not found", details={"number": number[:40]})
        return Order.from_doc(doc)

    async def find(self, ref: str, *, customer_id: str | None = None) -> Order:
        """By order number (YYYYMMDD-NNNN) or id."""
        if "-" in ref:
            return await self.get_by_number(ref, customer_id=customer_id)
        order = await self.get(ref)
        if customer_id is not None and order.customer_id != customer_id:
            raise NotFound("order not found", details={"order_id": ref})
        return order

    async def list_for_customer(self, customer_id: str, *, after: str | None = None, limit: int = 20) -> OrderPage:
        return await self.list_orders(OrderFilter(customer_id=customer_id), after=after, limit=limit)

    async def list_orders(self, filters: OrderFilter, *, after: str | None = None, limit: int = 20) -> OrderPage:
        """Newest first; `after` is the previous page's `next_after` (keyset pagination on _id).
        Read in time windows (`commerce.orders.listing`), so it stays fast with many orders."""
        limit = max(1, min(limit, 100))
        equal = {
            "status": filters.status.value if filters.status else "",
            "customer_id": filters.customer_id or "",
            "channel": check_channel(filters.channel) or "",
        }
        docs = await newest_orders(
            self._orders,
            equal=equal,
            number_prefix=filters.number_prefix or "",
            since=filters.created_from,
            until=filters.created_to,
            before_id=after,
            limit=limit + 1,
            zone=self.stats.zone,
        )
        orders = [Order.from_doc(doc) for doc in docs[:limit]]
        return OrderPage(orders, orders[-1].id if len(docs) > limit else None)

    async def latest_for_customer(self, customer_id: str, status: OrderStatus | None = None) -> Order | None:
        query: Document = {"customer_id": customer_id}
        if status is not None:
            query["status"] = status.value
        doc = await self._orders.find_one(query, sort=[("_id", DESCENDING)])
        return Order.from_doc(doc) if doc else None

    async def purchased_skus(self, customer_id: str, limit: int = 50) -> list[str]:
        """Purchase history: SKUs from paid (or later) orders, most recent first."""
        cursor = (
            self._orders.find(
                {"customer_id": customer_id, "status": {"$nin": [OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED]}},
                {"lines.sku": 1},
            )
            .sort("_id", DESCENDING)
            .limit(limit)
        )
        skus: list[str] = []
        async for doc in cursor:
            skus.extend(line["sku"] for line in doc.get("lines") or [])
        return list(dict.fromkeys(skus))

    # --- transitions -------------------------------------------------------------------------
    async def transition(
        self,
        order_id: str,
        target: OrderStatus,
        *,
        actor: str,
        reason: str = "",
        set_fields: Document | None = None,
        unset_fields: Iterable[str] = (),
        guard: Document | None = None,
        expected: OrderStatus | None = None,
    ) -> Order:
        """Move an order to `target` with one guarded update; InvalidTransition otherwise."""
        sources = sources_of(target)
        for _ in range(3):
            source = expected
            if source is None:
                if len(sources) == 1:
                    (source,) = sources
                else:
                    current = await self.get(order_id)
                    check_transition(current.number, current.status, target)
                    source = current.status
            now = utcnow()
            entry = HistoryEntry(source, target, actor, reason, now)
            update: Document = {
                "$set": {"status": target.value, "updated_at": now, **(set_fields or {})},
                "$push": {"history": entry.to_doc()},
            }
            unset = set(unset_fields)
            if unset:
                update["$unset"] = dict.fromkeys(unset, "")
            doc = await find_one_and_update(
                self._orders,
                {"_id": order_id, "status": source.value, **(guard or {})},
                update,
                return_document=ReturnDocument.AFTER,
            )
            if doc is not None:
                log.info("order_transition", order_id=order_id, source=source.value, target=target.value, actor=actor)
                moved = Order.from_doc(doc)
                await self.stats.record_status_change(moved.created_at, source, target)
                return moved
            current = await self.get(order_id)
            check_transition(current.number, current.status, target)  # raises for a really invalid move
            if expected is not None or guard:
                break  # the state was right but another guard (lease, amount) did not hold
        current = await self.get(order_id)
        raise InvalidTransition(
            f"order {current.number} changed meanwhile ({current.status.value}); please retry",
            details={"order": current.number, "from": current.status.value, "to": target.value},
        )

    async def cancel(
        self, ref: str, *, actor: str, reason: str = "", customer_id: str | None = None, guard: Document | None = None
    ) -> Order:
        """Cancel an unpaid order: stock and coupon go back (once, whoever calls)."""
        order = await self.find(ref, customer_id=customer_id)
        check_transition(order.number, order.status, OrderStatus.CANCELLED)
        cancelled = await self.transition(
            order.id,
            OrderStatus.CANCELLED,
            actor=actor,
            reason=reason or "cancelled",
            unset_fields=("expires_at", "lease_owner", "lease_until"),
            guard=guard,
        )
        await self._after_cancel(cancelled, actor, reason)
        return cancelled

    async def _after_cancel(self, order: Order, actor: str, reason: str) -> None:
        """One batch: release the holds, give the coupon use back, ledger, `order.cancelled`.
        The transition above succeeded exactly once, so this runs once; the holds and stable
        ledger ids make a re-run after a crash harmless."""
        lines = order.quantities()
        batch = WriteBatch(self._db)
        self.inventory.add_release(batch, lines, order.id)
        self.inventory.add_ledger(
            batch,
            self.inventory.movements("release", lines, order.id, reason or f"order {order.number} cancelled", actor),
        )
        if order.coupon_code:
            PromotionService.add_give_back(batch, order.coupon_code, order.customer_id)
        self.events.add(
            batch,
            OrderCancelled(
                customer_id=order.customer_id, order_id=order.id, number=order.number, reason=reason, actor=actor
            ),
            event_id=f"{OrderCancelled.TYPE}:{order.id}",
        )
        await batch.execute()
        self.inventory.notify_changed(lines)

    async def ship(self, ref: str, *, carrier: str, tracking_no: str, actor: str) -> Order:
        carrier, tracking_no = carrier.strip(), tracking_no.strip()
        if not carrier or not tracking_no or len(carrier) > 60 or len(tracking_no) > 60:
            raise ValidationFailed(
                "carrier and tracking number are required (max 60 characters)", code="shipping_details_required"
            )
        order = await self.find(ref)
        check_transition(order.number, order.status, OrderStatus.SHIPPED)
        shipped = await self.transition(
            order.id,
            OrderStatus.SHIPPED,
            actor=actor,
            reason=f"{carrier} {tracking_no}",
            set_fields={
                "shipment.carrier": carrier,
                "shipment.tracking_no": tracking_no,
                "shipment.shipped_at": utcnow(),
            },
        )
        await self._emit(
            OrderShipped(
                customer_id=shipped.customer_id,
                order_id=shipped.id,
                number=shipped.number,
                carrier=carrier,
                tracking_no=tracking_no,
            )
        )
        return shipped

    async def deliver(self, ref: str, *, actor: str) -> Order:
        order = await self.find(ref)
        check_transition(order.number, order.status, OrderStatus.DELIVERED)
        delivered = await self.transition(
            order.id,
            OrderStatus.DELIVERED,
            actor=actor,
            reason="delivered",
            set_fields={"shipment.delivered_at": utcnow()},
        )
        await self._emit(
            OrderDelivered(customer_id=delivered.customer_id, order_id=delivered.id, number=delivered.number)
        )
        return delivered

    async def complete(self, ref: str, *, actor: str, customer_id: str | None = None) -> Order:
        order = await self.find(ref, customer_id=customer_id)
        check_transition(order.number, order.status, OrderStatus.COMPLETED)
        completed = await self.transition(order.id, OrderStatus.COMPLETED, actor=actor, reason="completed")
        await self._emit(
            OrderCompleted(customer_id=completed.customer_id, order_id=completed.id, number=completed.number)
        )
        return completed

    async def change_address(
        self, ref: str, address: AddressIn | Address, *, actor: str, customer_id: str | None = None
    ) -> Order:
        order = await self.find(ref, customer_id=customer_id)
        new = address if isinstance(address, Address) else Address.from_input(order.address.id, address)
        doc = await find_one_and_update(
            self._orders,
            {"_id": order.id, "status": {"$in": [s.value for s in ADDRESS_CHANGEABLE]}},
            {
                "$set": {"address": new.to_doc(), "updated_at": utcnow()},
                "$push": {"address_changes": {"actor": actor, "at": utcnow(), "previous": order.address.to_doc()}},
            },
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            current = await self.get(order.id)
            raise InvalidTransition(
                f"the address of order {current.number} can no longer change ({current.status.value})",
                details={"order": current.number, "status": current.status.value},
                code="address_locked",
            )
        return Order.from_doc(doc)

    async def add_note(self, ref: str, *, text: str, actor: str) -> Order:
        """Append an internal note (who, when) to the order, in any status; one update."""
        text = text.strip()
        if not text or len(text) > MAX_NOTE_LENGTH:
            raise ValidationFailed(f"a note needs 1-{MAX_NOTE_LENGTH} characters", code="invalid_note")
        if not actor.strip():
            raise ValidationFailed("a note needs an author", code="invalid_note")
        query: Document = {"number": ref} if "-" in ref else {"_id": ref}
        note = OrderNote(text, actor.strip()[:120], utcnow())
        doc = await find_one_and_update(
            self._orders,
            query,
            {"$push": {"notes": {"$each": [note.to_doc()], "$slice": -MAX_NOTES}}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            raise NotFound("order not found", details={"order": ref[:64]})
        return Order.from_doc(doc)

    async def add_refund(self, order_id: str, amount: Money, *, actor: str, reason: str) -> Order:
        """Count a refund against the order; when everything paid is refunded the order is `refunded`."""
        doc = await find_one_and_update(
            self._orders,
            {"_id": order_id, "status": {"$in": [s.value for s in sources_of(OrderStatus.REFUNDED)]}},
            {"$inc": {"refunded.amount": amount.amount}, "$set": {"updated_at": utcnow()}},
            return_document=ReturnDocument.AFTER,
        )
        if doc is None:
            current = await self.get(order_id)
            raise InvalidTransition(
                f"order {current.number} cannot be refunded ({current.status.value})",
                details={"order": current.number, "status": current.status.value},
            )
        order = Order.from_doc(doc)
        if order.refunded is not None and order.refunded >= order.total:
            order = await self.transition(order.id, OrderStatus.REFUNDED, actor=actor, reason=reason)
            await self._emit(OrderRefunded(customer_id=order.customer_id, order_id=order.id, number=order.number))
        return order

    # --- payability and "paid": the order decides what a payment means -----------------------
    async def payability(self, order: Order, amount: Money | None = None) -> PayRefusal | None:
        """None when the order may be paid now (for `amount`, when given); else why not.
        Paying commits the order's stock holds, so they must still be intact (one read)."""
        refusal = state_refusal(order, utcnow(), amount)
        if refusal is not None:
            return refusal
        if not await self.inventory.holds_intact(order.id, order.quantities()):
            return PayRefusal.OUT_OF_STOCK
        return None

    async def mark_paid(self, order_id: str | None, *, payment_id: str, amount: Money, actor: str) -> Order | None:
        """pending_payment -> paid, only for this payment and exactly this amount. None if the
        guard did not hold (already paid, cancelled, wrong amount): the caller looks closer.
        Without `order_id` (a provider that only knows our payment id) the order is the one
        this payment was attached to.
        The caller (payments) follows up in one batch that holds `add_paid_effects` and its own
        payment writes, then calls `after_paid`."""
        now = utcnow()
        entry = HistoryEntry(OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, actor, f"payment {payment_id}", now)
        guard: Document = {"_id": order_id} if order_id else {}
        doc = await find_one_and_update(
            self._orders,
            {
                **guard,
                "status": OrderStatus.PENDING_PAYMENT.value,
                "payment_ids": payment_id,
                "total.amount": amount.amount,
                "total.currency": amount.currency,
            },
            {
                "$set": {"status": OrderStatus.PAID.value, "paid_at": now, "updated_at": now, "paid_by": payment_id},
                "$unset": {"expires_at": "", "lease_owner": "", "lease_until": ""},
                "$push": {"history": entry.to_doc()},
            },
            return_document=ReturnDocument.AFTER,
        )
        return Order.from_doc(doc) if doc else None

    def add_paid_effects(self, batch: WriteBatch, order: Order, *, payment_id: str) -> PaidEffects:
        """What being paid means for an order, added to the caller's batch (one round trip with
        the payment's own writes): the stock holds are committed (with ledger lines), the
        customer's purchase totals and the day's figures grow, and `order.paid` is published.
        Every write is guarded or keyed, so a re-run after a crash changes nothing twice."""
        lines = order.quantities()
        commits = self.inventory.add_commit(batch, lines, order.id)
        self.inventory.add_ledger(
            batch, self.inventory.movements("commit", lines, order.id, f"order {order.number} paid")
        )
        CustomerService.add_purchase(batch, order.customer_id, order.total)
        self.stats.add_status_change(batch, order.created_at, OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
        self.stats.add_paid(batch, order.paid_at or utcnow(), order.total)
        self.events.add(
            batch,
            OrderPaid(
                customer_id=order.customer_id,
                order_id=order.id,
                number=order.number,
                total=order.total,
                payment_id=payment_id,
            ),
            event_id=f"{OrderPaid.TYPE}:{order.id}",
        )
        return PaidEffects(order, lines, commits)

    async def after_paid(self, effects: PaidEffects, result: BatchResult) -> None:
        """After the batch: the catalog's sales counters, for what was committed now only (a
        re-run does not count sales twice)."""
        sold = {sku: effects.lines[sku] for sku, index in effects.commit_index.items() if result[index].applied}
        if sold:
            await self.catalog.record_sales(sold)
        log.info("order_paid", order_id=effects.order.id, payment_id=effects.order.paid_by)

    async def attach_payment(self, order_id: str, payment_id: str) -> None:
        """Record a payment started for an order still awaiting payment (InvalidTransition
        otherwise). A guarded update, not findAndModify: nobody needs the order back, and on the
        embedded database that saves the transaction's two extra round trips."""
        written = await self._orders.update_one(*_attach_payment(order_id, payment_id))
        if written.matched_count == 0:
            raise await self.not_awaiting_payment(order_id)

    @staticmethod
    def add_attach_payment(batch: WriteBatch, order_id: str, payment_id: str) -> int:
        """`attach_payment` as a write of the caller's batch (the payment's own insert rides in the
        same round trip); an outcome that did not apply means `not_awaiting_payment`."""
        return batch.update_one(ORDERS, *_attach_payment(order_id, payment_id))

    async def not_awaiting_payment(self, order_id: str) -> InvalidTransition:
        """Why a payment could not be attached: the order as it is now."""
        current = await self.get(order_id)
        return InvalidTransition(
            f"order {current.number} is not awaiting payment ({current.status.value})",
            details={"order": current.number, "status": current.status.value},
            code="not_payable",
        )

    async def claim_expired(self, worker_id: str, *, now: datetime, lease: timedelta) -> Order | None:
        """Lease one unpaid order whose time is up (or whose previous lease ran out)."""
        doc = await find_one_and_update(
            # "Unleased or lease ran out" without a top-level $or (SecantusDB would scan the orders).
            self._orders,
            {
                "status": OrderStatus.PENDING_PAYMENT.value,
                "expires_at": {"$lte": now},
                "lease_until": {"$not": {"$gt": now}},
            },
            {"$set": {"lease_owner": worker_id, "lease_until": now + lease}},
            sort=[("expires_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return Order.from_doc(doc) if doc else None

    async def repair_holds(self, *, min_age: timedelta = timedelta(minutes=5)) -> int:
        """Settle stock holds left behind by a crash between two round trips: a checkout that
        reserved but never saved its order (released), a cancellation or payment whose follow-up
        batch never ran (released / committed, with their ledger lines). Returns holds settled.

        Hold refs are order ids (ObjectIds), so their age is known without storing it."""
        cutoff = utcnow() - min_age
        holds: dict[str, dict[str, int]] = {}
        async for doc in self._db[INVENTORY].find({"holds": {"$exists": True, "$ne": {}}}, {"holds": 1}):
            for ref, qty in (doc.get("holds") or {}).items():
                if ObjectId.is_valid(ref) and ObjectId(ref).generation_time <= cutoff:
                    holds.setdefault(ref, {})[str(doc["_id"])] = int(qty)
        if not holds:
            return 0
        orders = {doc["_id"]: Order.from_doc(doc) async for doc in self._orders.find({"_id": {"$in": list(holds)}})}
        batch = WriteBatch(self._db)
        for ref, lines in holds.items():
            order = orders.get(ref)
            if order is None or order.status is OrderStatus.CANCELLED:
                self.inventory.add_release(batch, lines, ref)
                if order is not None:  # a real order's reservation was ledgered: so is its release
                    self.inventory.add_ledger(batch, self.inventory.movements("release", lines, ref, "repair"))
            elif order.status is not OrderStatus.PENDING_PAYMENT:
                self.inventory.add_commit(batch, lines, ref)
                self.inventory.add_ledger(batch, self.inventory.movements("commit", lines, ref, "repair"))
        await batch.execute()
        settled = sum(1 for ref in holds if ref not in orders or orders[ref].status is not OrderStatus.PENDING_PAYMENT)
        if settled:
            log.warning("stock_holds_repaired", count=settled)
        return settled

    async def repoint_customer(self, absorbed_id: str, survivor_id: str) -> None:
        """Customer-merge hook."""
        await self._orders.update_many({"customer_id": absorbed_id}, {"$set": {"customer_id": survivor_id}})

    async def _emit(self, event: DomainEvent) -> None:
        """An order's status event; one per order and type (a repeat is the same event)."""
        await self.events.publish(event, event_id=f"{event.TYPE}:{event.order_id}")


def _attach_payment(order_id: str, payment_id: str) -> tuple[Document, Document]:
    """The guarded update that records a started payment on an order awaiting payment."""
    return (
        {"_id": order_id, "status": OrderStatus.PENDING_PAYMENT.value},
        {"$addToSet": {"payment_ids": payment_id}, "$set": {"updated_at": utcnow()}},
    )
