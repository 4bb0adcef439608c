"""Payment intents (`payments`), processed notifications (`payment_events`), refunds.

Payments record money; orders decide what it means. A successful notification costs at most
four round trips:
  1. record the provider's event id in `payment_events` (unique: a repeat is recognised)
  2. the order's guarded transition pending_payment -> paid (`OrderService.mark_paid`: this
     payment, exactly this amount)
  3. one batch: the order's paid effects (`OrderService.add_paid_effects`: stock commit and
     ledger, customer totals, the day's figures, the `order.paid` event), the payment's
     status, the event's outcome
  4. the catalog's sales counters (`OrderService.after_paid`)
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

import asyncio
import contextlib
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import timedelta

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.errors import DuplicateKeyError, OperationFailure

from commerce.errors import Conflict, DomainError, InvalidTransition, NotFound, Unauthorized, ValidationFailed
from commerce.events import PaymentFailed, PaymentOrphaned
from commerce.money import Money
from commerce.orders.events import EventBus, StoredEvent
from commerce.orders.model import Order, OrderStatus
from commerce.orders.payability import PayRefusal, state_refusal
from commerce.orders.service import OrderService
from commerce.payments.alerts import AlertKind, PaymentAlerts
from commerce.payments.model import (
    PAYMENTS,
    Notification,
    NotifyOutcome,
    NotifyResult,
    PaymentIntent,
    PaymentProvider,
    PaymentStatus,
    PayOptions,
    ProviderUnavailable,
    Refunder,
)
from commerce.payments.refunding import RefundService, security_event
from commerce.payments.refunds import RefundLedger
from commerce.payments.sandbox import SandboxProvider
from core.atomic import find_one_and_update
from core.batch import WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, Document, utcnow

PAYMENT_EVENTS = "payment_events"
# How long a run owns a notification; a repeat after that re-runs an interrupted one.
EVENT_LEASE = timedelta(seconds=60)
# Signed-request nonces remembered per notification (replay detection).
MAX_NONCES = 50
# A payment nobody notified about is first asked about this long after it was created.
FIRST_POLL = timedelta(minutes=2)
# An order in hand this young was placed by the request paying it: its holds are not read again.
JUST_PLACED = timedelta(seconds=30)

INDEXES = [
    CollectionIndexes(
        PAYMENTS,
        [
            IndexModel([("order_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("customer_id", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("next_poll_at", ASCENDING)]),
            IndexModel([("provider", ASCENDING), ("paid_at", ASCENDING)]),
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
        events: EventBus,
        providers: Mapping[str, PaymentProvider],
        *,
        offered: Sequence[str] | None = None,
    ) -> None:
        self._db = db
        self._payments = db[PAYMENTS]
        self._events_seen = db[PAYMENT_EVENTS]
        self.orders = orders
        self.events = events
        self.providers = dict(providers)
        # The providers offered to customers, in order; the first is the default.
        self.offered = [name for name in (offered or list(self.providers)) if name in self.providers]
        self.refunders: dict[str, Refunder] = dict(self.providers)
        self.alerts = PaymentAlerts(db)
        self.refunds = RefundLedger(db)
        self.refunding = RefundService(db, events, self.alerts, self.refunds, self.providers, self.refunders)

    @property
    def default_provider(self) -> str:
        return self.offered[0] if self.offered else "sandbox"

    def register_refunder(self, refunder: Refunder) -> None:
        """A channel whose payments it refunds itself (Telegram Stars) registers here."""
        self.refunders[refunder.name] = refunder

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
        self,
        order_ref: str,
        *,
        customer_id: str | None = None,
        provider: str | None = None,
        options: PayOptions | None = None,
        order: Order | None = None,
    ) -> PaymentIntent:
        """A payment (link, QR content or in-chat parameters) for an unpaid order; an open one
        of the same provider and method is reused. `order`: that order as this request has just
        created or read it (the chat pays the order it placed a moment ago), so it is not read
        again; whether it may be paid is checked all the same (its stock holds too, unless this
        request placed it moments ago and took them itself)."""
        in_hand = order is not None and order_ref in (order.number, order.id)
        if order is None or not in_hand or (customer_id is not None and order.customer_id != customer_id):
            order = await self.orders.find(order_ref, customer_id=customer_id)
            in_hand = False
        now = utcnow()
        chosen = self.provider(provider or self.default_provider)
        options = options or PayOptions()
        open_query: Document = {
            "order_id": order.id,
            "status": PaymentStatus.PENDING.value,
            "expires_at": {"$gt": now},
            "amount.amount": order.total.amount,
            "provider": chosen.name,
        }
        if options.method is not None:
            open_query["method"] = options.method.value
        open_doc: Document | None = None
        if in_hand and not order.payment_ids and now - order.created_at < JUST_PLACED:
            # The order this request placed a moment ago: its stock holds were taken by the
            # placement and no payment is attached to it yet, so neither is read (the payment
            # pages ask `refusal` again before money moves); its state is checked.
            refusal = state_refusal(order, now)
        elif order.payment_ids:
            # Two independent reads, both in flight at once: one round trip's wait instead of two
            # (under load most of a round trip is waiting for the database's turn).
            refusal, open_doc = await asyncio.gather(
                self.orders.payability(order), self._payments.find_one(open_query, sort=[("created_at", DESCENDING)])
            )
        else:
            # No payment was ever attached to the order (a payment is attached in the round trip
            # that saves it): there is no open one to reuse.
            refusal = await self.orders.payability(order)
        if refusal is not None:
            raise not_payable(order, refusal)
        if open_doc is not None and not options.payer:  # a JSAPI payment is bound to its payer
            return PaymentIntent.from_doc(open_doc)
        try:
            intent = await chosen.create_payment(order, options)
        except ProviderUnavailable:
            raise Conflict(
                "the payment provider is not reachable right now, please try again",
                code="provider_unavailable",
                details={"provider": chosen.name},
            ) from None
        # The payment and its mention on the order in one ordered round trip: the order names
        # only a payment that was saved (a failed insert skips the update).
        batch = WriteBatch(self._db)
        insert_at = batch.insert(PAYMENTS, {**intent.to_doc(), "next_poll_at": now + FIRST_POLL})
        attach_at = self.orders.add_attach_payment(batch, order.id, intent.id)
        written = await batch.execute(ordered=True)
        if not written[insert_at].ok:
            failed = written[insert_at]
            raise OperationFailure(failed.error_message or "the payment could not be saved", failed.error_code)
        if not written[attach_at].applied:
            await self._payments.update_one({"_id": intent.id}, {"$set": {"status": PaymentStatus.VOID.value}})
            raise await self.orders.not_awaiting_payment(order.id)
        log.info("payment_started", payment_id=intent.id, order_id=order.id, provider=chosen.name)
        return intent

    async def refusal(self, payment: PaymentIntent) -> PayRefusal | None:
        """Asked by payment pages before money moves: may this payment's order be paid now?"""
        if payment.status is not PaymentStatus.PENDING or payment.expires_at <= utcnow():
            return PayRefusal.NOT_PAYABLE if payment.status is not PaymentStatus.PENDING else PayRefusal.EXPIRED
        order = await self.orders.get(payment.order_id)
        return await self.orders.payability(order, payment.amount)

    async def close_open_payments(self, order_id: str) -> int:
        """The order was cancelled: its open payments become void here and are closed at their
        providers, so a QR code scanned or a cashier opened earlier can no longer take money.
        Best effort: a payment that slips through anyway is refunded as a late payment."""
        closed = 0
        async for doc in self._payments.find({"order_id": order_id, "status": PaymentStatus.PENDING.value}):
            payment = PaymentIntent.from_doc(doc)
            provider = self.providers.get(payment.provider)
            try:
                if provider is not None:
                    await provider.close_payment(payment)
            except (ProviderUnavailable, DomainError) as exc:
                log.warning("payment_close_failed", payment_id=payment.id, error=type(exc).__name__)
                continue  # still pending: the status worker keeps asking about it
            written = await self._payments.update_one(
                {"_id": payment.id, "status": PaymentStatus.PENDING.value},
                {"$set": {"status": PaymentStatus.VOID.value}, "$unset": {"next_poll_at": ""}},
            )
            closed += written.modified_count
        return closed

    async def on_order_cancelled(self, event: StoredEvent) -> None:
        if event.order_id:
            await self.close_open_payments(event.order_id)

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
        """Entry point of the notify endpoints: verify, match against the payment, then apply.
        Anything that fails verification or matching changes nothing but a security event."""
        provider = self.provider(provider_name)
        try:
            notification = provider.verify_notification(headers, body)
        except DomainError as exc:
            await self._security(provider_name, exc.code, exc.message)
            raise
        return await self.apply(notification)

    async def matched(self, notification: Notification) -> tuple[Notification, Document]:
        """The notification with its order filled in, after checking it against the payment we
        created: same provider, same order, and (for a success) the same amount and currency.
        One read; mismatches are security events. (A success that pays the order needs no such
        read: `mark_paid`'s guard already requires this payment and exactly the order's total.)"""
        doc = await self._payments.find_one({"_id": notification.payment_id})
        if doc is None or doc.get("provider") != notification.provider:
            await self._security(notification.provider, "unknown_payment", "no such payment", notification.payment_id)
            raise ValidationFailed(
                "the notification names an unknown payment",
                code="unknown_payment",
                details={"payment_id": notification.payment_id[:64]},
            )
        order_id = str(doc["order_id"])
        if notification.order_id and notification.order_id != order_id:
            await self._security(notification.provider, "order_mismatch", "another order", notification.payment_id)
            raise ValidationFailed("the notification names another order", code="order_mismatch")
        expected = Money.from_doc(doc["amount"])
        if notification.succeeded and notification.amount != expected:
            await self._security(
                notification.provider,
                "amount_mismatch",
                f"expected {expected}, notified {notification.amount}",
                notification.payment_id,
                order_id=order_id,
            )
            raise ValidationFailed(
                "the paid amount does not match the payment",
                code="amount_mismatch",
                details={"expected": str(expected), "received": str(notification.amount)},
            )
        return replace(notification, order_id=order_id), doc

    async def _security(
        self, provider: str, code: str, detail: str, payment_id: str | None = None, *, order_id: str | None = None
    ) -> None:
        await security_event(self.alerts, provider, code, detail, payment_id, order_id=order_id)

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
            notification.order_id or None,
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
                    "nonces": [notification.nonce] if notification.nonce else [],
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
            if taken is not None:
                return True
        if notification.nonce:
            # A provider re-signs each retry (WeChat Pay: new timestamp and nonce), so the very
            # same signed request arriving twice is a replay, not a retry.
            fresh = await self._events_seen.update_one(
                {"_id": event_key, "nonces": {"$ne": notification.nonce}},
                {"$push": {"nonces": {"$each": [notification.nonce], "$slice": -MAX_NONCES}}},
            )
            if fresh.matched_count == 0:
                await self._security(
                    notification.provider,
                    "replayed_notification",
                    "the same signed request again",
                    notification.payment_id,
                )
                raise Unauthorized("this exact notification was received before", code="replayed_notification")
        return False

    async def _apply_success(self, event_key: str, notification: Notification, order: Order) -> NotifyOutcome:
        """The order says what being paid means (`OrderService.add_paid_effects`); the payment's
        own status and the event's outcome ride in the same batch."""
        batch = WriteBatch(self._db)
        effects = self.orders.add_paid_effects(batch, order, payment_id=notification.payment_id)
        batch.update_one(
            PAYMENTS,
            {"_id": notification.payment_id},
            {"$set": {"status": PaymentStatus.SUCCEEDED.value, "paid_at": utcnow(), **_trade_no(notification)}},
        )
        self._add_outcome(batch, event_key, NotifyResult.PAID)
        await self.orders.after_paid(effects, await batch.execute())
        return NotifyOutcome(NotifyResult.PAID, notification.payment_id, order.id, order)

    async def _apply_failure(self, event_key: str, notification: Notification) -> NotifyOutcome:
        try:
            notification, payment_doc = await self.matched(notification)
        except ValidationFailed as exc:
            await self._set_outcome(event_key, f"rejected:{exc.code}")
            raise
        if payment_doc.get("status") != PaymentStatus.PENDING.value:
            # Closed after it was paid or refunded (Alipay's TRADE_CLOSED after a full refund):
            # nothing failed from the customer's point of view.
            await self._set_outcome(event_key, "ignored:not_pending")
            return NotifyOutcome(NotifyResult.FAILED, notification.payment_id, notification.order_id)
        batch = WriteBatch(self._db)
        batch.update_one(
            PAYMENTS,
            {"_id": notification.payment_id, "status": PaymentStatus.PENDING.value},
            {"$set": {"status": PaymentStatus.FAILED.value, "failed_at": utcnow()}},
        )
        self.events.add(
            batch,
            PaymentFailed(
                customer_id=payment_doc.get("customer_id"),
                order_id=notification.order_id,
                number=str(payment_doc.get("order_number") or ""),
                payment_id=notification.payment_id,
            ),
            event_id=f"{PaymentFailed.TYPE}:{notification.payment_id}",
        )
        self._add_outcome(batch, event_key, NotifyResult.FAILED)
        await batch.execute()
        return NotifyOutcome(NotifyResult.FAILED, notification.payment_id, notification.order_id)

    async def _not_applied(self, event_key: str, notification: Notification) -> NotifyOutcome:
        """The paid-transition guard did not hold: find out why and answer accordingly."""
        try:
            notification, payment_doc = await self.matched(notification)
        except ValidationFailed as exc:
            await self._set_outcome(event_key, f"rejected:{exc.code}")
            raise
        try:
            order = await self.orders.get(notification.order_id)
        except NotFound:
            await self._set_outcome(event_key, "rejected:unknown_order")
            raise
        if order.status is OrderStatus.PENDING_PAYMENT:
            # The payment matched what we asked for, yet the order's guard did not hold: the
            # order's total is not this payment's (or the payment was never attached).
            await self._set_outcome(event_key, "rejected:amount_mismatch")
            await self._security(
                notification.provider,
                "amount_mismatch",
                f"order total {order.total}, paid {notification.amount}",
                notification.payment_id,
                order_id=order.id,
            )
            raise ValidationFailed(
                "the paid amount does not match the order total",
                code="amount_mismatch",
                details={"expected": str(order.total), "received": str(notification.amount)},
            )
        succeeded = payment_doc.get("status") == PaymentStatus.SUCCEEDED.value
        if order.paid_by == notification.payment_id and not succeeded and _older_than_lease(order):
            # This payment did pay the order, but the run that did it stopped before its
            # follow-up batch (stock, payment status, event) and its lease ran out: finish it
            # now. The batch's writes are guarded or keyed.
            return await self._apply_success(event_key, notification, order)
        if succeeded or order.paid_by == notification.payment_id:  # reported again (maybe while still in flight)
            await self._set_outcome(event_key, NotifyResult.ALREADY_PAID.value)
            return NotifyOutcome(NotifyResult.ALREADY_PAID, notification.payment_id, order.id, order)
        # Money arrived for an order that was cancelled or expired meanwhile, or paid twice
        # through two links: it goes back to the customer.
        log.warning(
            "payment_not_applicable",
            order_id=order.id,
            payment_id=notification.payment_id,
            order_status=order.status.value,
        )
        return await self._orphan(event_key, notification, order, NotifyResult.ORPHANED.value)

    async def _orphan(self, event_key: str, notification: Notification, order: Order, outcome: str) -> NotifyOutcome:
        """Money that cannot be applied to the order (cancelled, expired, paid by another
        payment, wrong amount of an in-band payment): the payment is ORPHANED, staff see an
        alert, and the money goes back through the provider right away (`refund_late`)."""
        batch = WriteBatch(self._db)
        batch.update_one(
            PAYMENTS,
            {"_id": notification.payment_id, "status": {"$nin": [PaymentStatus.REFUNDED.value]}},
            {
                "$set": {
                    "status": PaymentStatus.ORPHANED.value,
                    "late_reason": outcome,
                    "paid_at": utcnow(),
                    **_trade_no(notification),
                }
            },
        )
        self.events.add(
            batch,
            PaymentOrphaned(
                customer_id=order.customer_id,
                order_id=order.id,
                number=order.number,
                payment_id=notification.payment_id,
                amount=notification.amount,
                order_status=order.status.value,
            ),
            event_id=f"{PaymentOrphaned.TYPE}:{notification.payment_id}",
        )
        PaymentAlerts.add(
            batch,
            AlertKind.LATE_PAYMENT,
            outcome,
            provider=notification.provider,
            order_id=order.id,
            order_number=order.number,
            payment_id=notification.payment_id,
            detail=f"{notification.amount} arrived for an order that is {order.status.value}; refunded automatically",
            alert_id=f"late:{notification.payment_id}",
        )
        batch.update_one(PAYMENT_EVENTS, {"_id": event_key}, {"$set": {"outcome": outcome}})
        await batch.execute()
        await self.refunding.refund_late(await self.get(notification.payment_id), notification.amount)
        return NotifyOutcome(NotifyResult.ORPHANED, notification.payment_id, order.id, order)

    @staticmethod
    def _add_outcome(batch: WriteBatch, event_key: str, result: NotifyResult) -> None:
        batch.update_one(PAYMENT_EVENTS, {"_id": event_key}, {"$set": {"outcome": result.value}})

    async def _set_outcome(self, event_key: str, outcome: str) -> None:
        await self._events_seen.update_one({"_id": event_key}, {"$set": {"outcome": outcome}})

    # --- refunds (commerce/payments/refunding.py) ------------------------------------------
    async def refund(
        self, order: Order, amount: Money, *, reason: str, actor: str, purpose: str = "aftersales"
    ) -> Money:
        """Refund part or all of what was paid for the order through its payment's provider."""
        return await self.refunding.refund(order, amount, reason=reason, actor=actor, purpose=purpose)

    async def repoint_customer(self, absorbed_id: str, survivor_id: str) -> None:
        await self._payments.update_many({"customer_id": absorbed_id}, {"$set": {"customer_id": survivor_id}})


def _trade_no(notification: Notification) -> Document:
    return {"trade_no": notification.trade_no[:64]} if notification.trade_no else {}


def not_payable(order: Order, refusal: PayRefusal) -> InvalidTransition:
    return InvalidTransition(
        f"order {order.number} cannot be paid now ({refusal.value})",
        details={"order": order.number, "status": order.status.value, "reason": refusal.value},
        code="not_payable",
    )


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
