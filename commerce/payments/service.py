"""Payment intents (`payments`), processed notifications (`payment_events`), refunds.

A successful notification costs at most four round trips:
  1. record the provider's event id in `payment_events` (unique: a repeat is recognised)
  2. the order's guarded transition pending_payment -> paid (this payment, exactly this amount)
  3. one batch: commit the stock holds + their ledger lines, the payment's status, the
     customer's purchase totals, the day's order figures, the `order.paid` outbox event,
     the event's outcome
  4. the catalog's sales counters
Repeats change nothing: the event id is known and the order is no longer pending. A run
holds a lease on its event, so a repeat arriving meanwhile is a duplicate, not a second run.
A crash between steps is repaired by the provider's retry once the lease ran out: the event,
still "processing", is run again; the order remembers which payment paid it (`paid_by`), so
the follow-up batch is finished, and every step is guarded or has a stable id.

Payments captured by the provider and reported in-band (Telegram Payments) enter through
`confirm_external_payment`, which records them under the provider's name and then takes the
same path.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Mapping
from datetime import timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel, ReturnDocument
from pymongo.errors import DuplicateKeyError

from commerce.carts.catalog_port import SkuCatalog
from commerce.customers.service import CustomerService
from commerce.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from commerce.inventory.service import InventoryService
from commerce.money import Money
from commerce.orders.events import EventBus
from commerce.orders.model import Order, OrderStatus
from commerce.orders.service import OrderService
from commerce.payments.model import (
    Notification,
    NotifyOutcome,
    NotifyResult,
    PaymentIntent,
    PaymentProvider,
    PaymentStatus,
)
from commerce.payments.sandbox import SandboxProvider
from core.atomic import find_one_and_update
from core.batch import WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, utcnow

PAYMENTS = "payments"
PAYMENT_EVENTS = "payment_events"
# How long a run owns a notification; a repeat after that re-runs an interrupted one.
EVENT_LEASE = timedelta(seconds=60)

INDEXES = [
    CollectionIndexes(
        PAYMENTS,
        [
            IndexModel([("order_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("customer_id", ASCENDING), ("created_at", DESCENDING)]),
        ],
    ),
    # `_id` is "<provider>:<event id>": unique by construction; payment_id for lookups.
    CollectionIndexes(PAYMENT_EVENTS, [IndexModel([("payment_id", ASCENDING)])]),
]

log = get_logger("commerce.payments")


class PaymentService:
    def __init__(
        self,
        db: Database,
        orders: OrderService,
        inventory: InventoryService,
        catalog: SkuCatalog,
        customers: CustomerService,
        events: EventBus,
        providers: Mapping[str, PaymentProvider],
        *,
        default_provider: str = "sandbox",
    ) -> None:
        self._db = db
        self._payments = db[PAYMENTS]
        self._events_seen = db[PAYMENT_EVENTS]
        self.orders = orders
        self.inventory = inventory
        self.catalog = catalog
        self.customers = customers
        self.events = events
        self.providers = dict(providers)
        self.default_provider = default_provider

    def provider(self, name: str) -> PaymentProvider:
        try:
            return self.providers[name]
        except KeyError:
            raise NotFound("unknown payment provider", details={"provider": name[:40]}) from None

    @property
    def sandbox(self) -> SandboxProvider:
        provider = self.providers.get("sandbox")
        if not isinstance(provider, SandboxProvider):
            raise NotFound("the sandbox payment provider is not enabled", code="sandbox_disabled")
        return provider

    # --- starting a payment ------------------------------------------------------------------
    async def start(
        self, order_ref: str, *, customer_id: str | None = None, provider: str | None = None
    ) -> PaymentIntent:
        """A payment link for an unpaid order; an open one is reused."""
        order = await self.orders.find(order_ref, customer_id=customer_id)
        if order.status is not OrderStatus.PENDING_PAYMENT:
            raise InvalidTransition(
                f"order {order.number} is not awaiting payment ({order.status.value})",
                details={"order": order.number, "status": order.status.value},
                code="not_payable",
            )
        now = utcnow()
        open_doc = await self._payments.find_one(
            {
                "order_id": order.id,
                "status": PaymentStatus.PENDING.value,
                "expires_at": {"$gt": now},
                "amount.amount": order.total.amount,
            },
            sort=[("created_at", DESCENDING)],
        )
        if open_doc is not None:
            return PaymentIntent.from_doc(open_doc)
        chosen = self.provider(provider or self.default_provider)
        intent = await chosen.create_payment(order)
        await self._payments.insert_one(intent.to_doc())
        try:
            await self.orders.attach_payment(order.id, intent.id)
        except InvalidTransition:
            await self._payments.update_one({"_id": intent.id}, {"$set": {"status": PaymentStatus.VOID.value}})
            raise
        log.info("payment_started", payment_id=intent.id, order_id=order.id, provider=chosen.name)
        return intent

    async def get(self, payment_id: str) -> PaymentIntent:
        doc = await self._payments.find_one({"_id": payment_id})
        if doc is None:
            raise NotFound("payment not found", details={"payment_id": payment_id[:64]})
        return PaymentIntent.from_doc(doc)

    async def latest_for_customer(
        self, customer_id: str, *, status: PaymentStatus | None = None
    ) -> PaymentIntent | None:
        query: Document = {"customer_id": customer_id}
        if status is not None:
            query["status"] = status.value
        doc = await self._payments.find_one(query, sort=[("created_at", DESCENDING)])
        return PaymentIntent.from_doc(doc) if doc else None

    async def for_order(self, order_id: str) -> list[PaymentIntent]:
        cursor = self._payments.find({"order_id": order_id}).sort("created_at", ASCENDING)
        return [PaymentIntent.from_doc(doc) async for doc in cursor]

    # --- notifications -----------------------------------------------------------------------
    async def handle_notification(self, provider_name: str, headers: Mapping[str, str], body: bytes) -> NotifyOutcome:
        """Entry point of the notify endpoint: verify, then apply."""
        notification = self.provider(provider_name).verify_notification(headers, body)
        return await self.apply(notification)

    async def simulate(self, payment_id: str, success: bool) -> NotifyOutcome:
        """Settle a sandbox payment through the same verification path as the HTTP notify."""
        payment = await self.get(payment_id)
        headers, body = self.sandbox.build_notification(payment, succeeded=success)
        return await self.handle_notification("sandbox", headers, body)

    async def apply(self, notification: Notification) -> NotifyOutcome:
        event_key = f"{notification.provider}:{notification.event_id}"
        if not await self._record_event(event_key, notification):
            return NotifyOutcome(NotifyResult.DUPLICATE, notification.payment_id, notification.order_id)
        if not notification.succeeded:
            return await self._apply_failure(event_key, notification)
        order = await self.orders.mark_paid(
            notification.order_id,
            payment_id=notification.payment_id,
            amount=notification.amount,
            actor=f"payment:{notification.provider}",
        )
        if order is None:
            return await self._not_applied(event_key, notification)
        return await self._apply_success(event_key, notification, order)

    async def confirm_external_payment(
        self, order_ref: str, *, provider: str, charge_id: str, amount: Money
    ) -> NotifyOutcome:
        """A payment the provider already captured and reported in-band (Telegram Payments'
        `successful_payment`, ...), as opposed to a signed notification about one of our links.

        The payment is recorded under the provider's own name with an id derived from
        (provider, charge_id), so a repeated report is recognised (DUPLICATE) and changes
        nothing; then it takes the same guarded path as a notification (`apply`). Money that
        does not match the order's total (amount or currency) is never applied: the payment is
        kept as ORPHANED for a refund by hand.
        """
        provider, charge_id = _check_external(provider, charge_id, amount)
        order = await self.orders.find(order_ref)
        payment_id = external_payment_id(provider, charge_id)
        now = utcnow()
        intent = PaymentIntent(
            id=payment_id,
            order_id=order.id,
            order_number=order.number,
            customer_id=order.customer_id,
            provider=provider,
            amount=amount,
            pay_url="",
            expires_at=now,
            created_at=now,
        )
        record = {key: value for key, value in intent.to_doc().items() if key != "_id"}
        await self._payments.update_one(
            {"_id": payment_id}, {"$setOnInsert": {**record, "charge_id": charge_id}}, upsert=True
        )
        notification = Notification(
            provider=provider,
            event_id=charge_id,
            payment_id=payment_id,
            order_id=order.id,
            succeeded=True,
            amount=amount,
        )
        if amount != order.total:
            return await self._reject_external(notification, order)
        if order.status is OrderStatus.PENDING_PAYMENT:
            # Cancelled or paid meanwhile: `apply` finds out which and answers accordingly.
            with contextlib.suppress(InvalidTransition):
                await self.orders.attach_payment(order.id, payment_id)
        return await self.apply(notification)

    async def _reject_external(self, notification: Notification, order: Order) -> NotifyOutcome:
        event_key = f"{notification.provider}:{notification.event_id}"
        if not await self._record_event(event_key, notification):
            return NotifyOutcome(NotifyResult.DUPLICATE, notification.payment_id, order.id)
        log.warning(
            "payment_amount_mismatch",
            order_id=order.id,
            payment_id=notification.payment_id,
            provider=notification.provider,
        )
        return await self._orphan(event_key, notification, order, "rejected:amount_mismatch")

    async def _record_event(self, event_key: str, notification: Notification) -> bool:
        """True when this notification must be processed now: it is new, or an earlier run was
        interrupted. A run holds a lease on the event, so a repeat arriving while the first run
        is still busy is a duplicate instead of a second, concurrent run."""
        now = utcnow()
        try:
            await self._events_seen.insert_one(
                {
                    "_id": event_key,
                    "payment_id": notification.payment_id,
                    "order_id": notification.order_id,
                    "succeeded": notification.succeeded,
                    "amount": notification.amount.to_doc(),
                    "received_at": now,
                    "outcome": "processing",
                    "lease_until": now + EVENT_LEASE,
                }
            )
            return True
        except DuplicateKeyError:
            taken = await find_one_and_update(
                self._events_seen,
                {"_id": event_key, "outcome": "processing", "lease_until": {"$not": {"$gt": now}}},
                {"$set": {"lease_until": now + EVENT_LEASE}},
                projection={"_id": 1},
            )
            return taken is not None

    async def _apply_success(self, event_key: str, notification: Notification, order: Order) -> NotifyOutcome:
        lines = order.quantities()
        batch = WriteBatch(self._db)
        commits = self.inventory.add_commit(batch, lines, order.id)
        self.inventory.add_ledger(
            batch, self.inventory.movements("commit", lines, order.id, f"order {order.number} paid")
        )
        batch.update_one(
            PAYMENTS,
            {"_id": notification.payment_id},
            {"$set": {"status": PaymentStatus.SUCCEEDED.value, "paid_at": utcnow()}},
        )
        CustomerService.add_purchase(batch, order.customer_id, order.total)
        self.orders.stats.add_status_change(batch, order.created_at, OrderStatus.PENDING_PAYMENT, OrderStatus.PAID)
        self.orders.stats.add_paid(batch, order.paid_at or utcnow(), order.total)
        self.events.add(
            batch,
            "order.paid",
            customer_id=order.customer_id,
            order_id=order.id,
            payload={"number": order.number, "total": order.total.to_doc(), "payment_id": notification.payment_id},
            event_id=f"order.paid:{order.id}",
        )
        self._add_outcome(batch, event_key, NotifyResult.PAID)
        result = await batch.execute()
        sold = {sku: lines[sku] for sku, index in commits.items() if result[index].applied}
        if sold:  # only what was committed now: a re-run does not count sales twice
            await self.catalog.record_sales(sold)
        log.info("order_paid", order_id=order.id, payment_id=notification.payment_id)
        return NotifyOutcome(NotifyResult.PAID, notification.payment_id, order.id, order)

    async def _apply_failure(self, event_key: str, notification: Notification) -> NotifyOutcome:
        batch = WriteBatch(self._db)
        batch.update_one(
            PAYMENTS,
            {"_id": notification.payment_id, "status": PaymentStatus.PENDING.value},
            {"$set": {"status": PaymentStatus.FAILED.value, "failed_at": utcnow()}},
        )
        payment_doc = await self._payments.find_one({"_id": notification.payment_id}, {"customer_id": 1})
        self.events.add(
            batch,
            "payment.failed",
            customer_id=(payment_doc or {}).get("customer_id"),
            order_id=notification.order_id,
            payload={"payment_id": notification.payment_id},
            event_id=f"payment.failed:{notification.payment_id}",
        )
        self._add_outcome(batch, event_key, NotifyResult.FAILED)
        await batch.execute()
        return NotifyOutcome(NotifyResult.FAILED, notification.payment_id, notification.order_id)

    async def _not_applied(self, event_key: str, notification: Notification) -> NotifyOutcome:
        """The paid-transition guard did not hold: find out why and answer accordingly."""
        try:
            order = await self.orders.get(notification.order_id)
        except NotFound:
            await self._set_outcome(event_key, "rejected:unknown_order")
            raise
        payment_doc = await self._payments.find_one({"_id": notification.payment_id})
        # Attached to the order, or recorded for it (a provider-captured payment that arrived
        # after the order had stopped waiting for payment, so it could not be attached).
        belongs = notification.payment_id in order.payment_ids or (
            payment_doc is not None and payment_doc.get("order_id") == order.id
        )
        if not belongs:
            await self._set_outcome(event_key, "rejected:unknown_payment")
            raise ValidationFailed(
                "the payment does not belong to this order",
                code="unknown_payment",
                details={"payment_id": notification.payment_id},
            )
        if order.status is OrderStatus.PENDING_PAYMENT:  # right order and payment: the amount is wrong
            await self._set_outcome(event_key, "rejected:amount_mismatch")
            log.warning("payment_amount_mismatch", order_id=order.id, payment_id=notification.payment_id)
            raise ValidationFailed(
                "the paid amount does not match the order total",
                code="amount_mismatch",
                details={"expected": str(order.total), "received": str(notification.amount)},
            )
        succeeded = payment_doc is not None and payment_doc.get("status") == PaymentStatus.SUCCEEDED.value
        if order.paid_by == notification.payment_id and not succeeded and _older_than_lease(order):
            # This payment did pay the order, but the run that did it stopped before its
            # follow-up batch (stock, payment status, event) and its lease ran out: finish it
            # now. The batch's writes are guarded or keyed.
            return await self._apply_success(event_key, notification, order)
        if succeeded or order.paid_by == notification.payment_id:  # reported again (maybe while still in flight)
            await self._set_outcome(event_key, NotifyResult.ALREADY_PAID.value)
            return NotifyOutcome(NotifyResult.ALREADY_PAID, notification.payment_id, order.id, order)
        # Money arrived for an order that was cancelled meanwhile, or paid twice through two
        # links: keep it visible for a refund instead of silently accepting it.
        log.warning(
            "payment_not_applicable",
            order_id=order.id,
            payment_id=notification.payment_id,
            order_status=order.status.value,
        )
        return await self._orphan(event_key, notification, order, NotifyResult.ORPHANED.value)

    async def _orphan(self, event_key: str, notification: Notification, order: Order, outcome: str) -> NotifyOutcome:
        """Money that cannot be applied to the order: the payment is ORPHANED (refund by hand)."""
        batch = WriteBatch(self._db)
        batch.update_one(PAYMENTS, {"_id": notification.payment_id}, {"$set": {"status": PaymentStatus.ORPHANED.value}})
        self.events.add(
            batch,
            "payment.orphaned",
            customer_id=order.customer_id,
            order_id=order.id,
            payload={
                "number": order.number,
                "payment_id": notification.payment_id,
                "amount": notification.amount.to_doc(),
                "order_status": order.status.value,
            },
            event_id=f"payment.orphaned:{notification.payment_id}",
        )
        batch.update_one(PAYMENT_EVENTS, {"_id": event_key}, {"$set": {"outcome": outcome}})
        await batch.execute()
        return NotifyOutcome(NotifyResult.ORPHANED, notification.payment_id, order.id, order)

    @staticmethod
    def _add_outcome(batch: WriteBatch, event_key: str, result: NotifyResult) -> None:
        batch.update_one(PAYMENT_EVENTS, {"_id": event_key}, {"$set": {"outcome": result.value}})

    async def _set_outcome(self, event_key: str, outcome: str) -> None:
        await self._events_seen.update_one({"_id": event_key}, {"$set": {"outcome": outcome}})

    # --- refunds -----------------------------------------------------------------------------
    async def refund(self, order: Order, amount: Money, *, reason: str, actor: str) -> Money:
        """Refund part or all of what was paid for the order through its provider."""
        if amount.amount <= 0 or amount.currency != order.currency:
            raise ValidationFailed("invalid refund amount", details={"amount": str(amount)})
        payment_doc = await find_one_and_update(
            self._payments,
            {
                "order_id": order.id,
                "status": PaymentStatus.SUCCEEDED.value,
                "refunded_minor": {"$lte": order.total.amount - amount.amount},
            },
            {"$inc": {"refunded_minor": amount.amount}},
            return_document=ReturnDocument.AFTER,
        )
        if payment_doc is None:
            raise Conflict(
                "nothing (or not that much) left to refund on this order",
                details={"order": order.number, "amount": str(amount)},
                code="refund_exceeds_paid",
            )
        payment = PaymentIntent.from_doc(payment_doc)
        result = await self.provider(payment.provider).refund(payment, amount, reason)
        if not result.succeeded:
            await self._payments.update_one({"_id": payment.id}, {"$inc": {"refunded_minor": -amount.amount}})
            raise Conflict("the payment provider refused the refund", code="refund_failed")
        await self._payments.update_one(
            {"_id": payment.id},
            {
                "$push": {
                    "refunds": {
                        "id": result.id,
                        "amount": amount.to_doc(),
                        "reason": reason,
                        "actor": actor,
                        "at": utcnow(),
                    }
                }
            },
        )
        log.info("refunded", order_id=order.id, payment_id=payment.id, amount=str(amount), actor=actor)
        return amount

    async def repoint_customer(self, absorbed_id: str, survivor_id: str) -> None:
        await self._payments.update_many({"customer_id": absorbed_id}, {"$set": {"customer_id": survivor_id}})


def _older_than_lease(order: Order) -> bool:
    return order.paid_at is not None and order.paid_at <= utcnow() - EVENT_LEASE


_PROVIDER_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def external_payment_id(provider: str, charge_id: str) -> str:
    """Stable payment id for a provider's charge: the same charge always maps to one payment."""
    digest = hashlib.sha256(f"{provider}:{charge_id}".encode()).hexdigest()[:32]
    return f"{provider}_{digest}"


def _check_external(provider: str, charge_id: str, amount: Money) -> tuple[str, str]:
    provider, charge_id = provider.strip(), charge_id.strip()
    if not _PROVIDER_NAME.match(provider):
        raise ValidationFailed("invalid payment provider name", details={"provider": provider[:40]})
    if not charge_id or len(charge_id) > 100 or not charge_id.isprintable():
        raise ValidationFailed(
            "invalid provider charge id", code="invalid_charge_id", details={"charge_id": charge_id[:100]}
        )
    if amount.amount <= 0:
        raise ValidationFailed("a captured payment must have a positive amount", details={"amount": str(amount)})
    return provider, charge_id
