"""Refunds through the provider of the original payment: after-sales and admin refunds, the
automatic refund of a late payment, their outcomes (answer, refund notification or query), and
refunds settled by hand. The ledger of refunds is `refunds.py`; alerts go to `alerts.py`.

A refund's outcome updates the payment (a late payment becomes `refunded`) and reaches the chat
through the events outbox (`payment.refunded`, `payment.refund_owed`); a refund the provider
refused or cannot do through an API becomes an alert for staff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from bson import ObjectId
from pymongo import ReturnDocument

from commerce.errors import Conflict, DomainError, NotFound, ValidationFailed
from commerce.events import PaymentRefunded, RefundOwed
from commerce.money import Money
from commerce.orders.events import EventBus
from commerce.orders.model import Order
from commerce.payments.alerts import AlertKind, PaymentAlerts
from commerce.payments.model import (
    PAYMENTS,
    PaymentIntent,
    PaymentProvider,
    PaymentStatus,
    ProviderUnavailable,
    Refunder,
    RefundNotification,
    RefundNotifying,
    RefundState,
)
from commerce.payments.refunds import Refund, RefundLedger
from core.atomic import find_one_and_update
from core.batch import WriteBatch
from core.logging_setup import get_logger
from core.mongo import Database

# How long a notification handler waits for the automatic refund of a late payment.
INLINE_REFUND_SECONDS = 3.0

log = get_logger("commerce.payments.refunding")


async def security_event(
    alerts: PaymentAlerts,
    provider: str,
    code: str,
    detail: str,
    payment_id: str | None = None,
    *,
    order_id: str | None = None,
) -> None:
    """A rejected notification: logged (what was wrong, never the body) and shown to staff."""
    log.warning("payment_notification_rejected", provider=provider, code=code, payment_id=payment_id)
    await alerts.record(
        AlertKind.SECURITY, code, provider=provider, payment_id=payment_id, order_id=order_id, detail=detail
    )


class RefundService:
    def __init__(
        self,
        db: Database,
        events: EventBus,
        alerts: PaymentAlerts,
        ledger: RefundLedger,
        providers: Mapping[str, PaymentProvider],
        refunders: Mapping[str, Refunder],
    ) -> None:
        self._db = db
        self._payments = db[PAYMENTS]
        self.events = events
        self.alerts = alerts
        self.refunds = ledger
        self.providers = providers  # shared with PaymentService: the same objects
        self.refunders = refunders

    async def refund(
        self, order: Order, amount: Money, *, reason: str, actor: str, purpose: str = "aftersales"
    ) -> Money:
        """Refund part or all of what was paid for the order through the provider of its
        payment. The amount is claimed on the payment first (`refunded_minor`), so two callers
        can never refund more than was paid. A refund the provider accepted but has not
        finished (or did not answer about) stays pending and is asked about again."""
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
        refund = await self._refund(payment, f"rf_{ObjectId()}", amount, reason=reason, actor=actor, purpose=purpose)
        if refund.state is RefundState.FAILED:
            await self._payments.update_one({"_id": payment.id}, {"$inc": {"refunded_minor": -amount.amount}})
            raise Conflict("the payment provider refused the refund", code="refund_failed")
        log.info("refunded", order_id=order.id, payment_id=payment.id, amount=str(amount), state=refund.state.value)
        return amount

    async def refund_late(self, payment: PaymentIntent, amount: Money) -> Refund:
        """Give back a payment that arrived for an order no longer payable. The refund id is
        derived from the payment, so asking again never refunds twice."""
        return await self._refund(
            payment,
            f"{payment.id}-late",
            amount,
            reason="order no longer payable",
            actor="system:late-payment",
            purpose="late_payment",
            limit_seconds=INLINE_REFUND_SECONDS,
        )

    async def _refund(
        self,
        payment: PaymentIntent,
        refund_id: str,
        amount: Money,
        *,
        reason: str,
        actor: str,
        purpose: str,
        limit_seconds: float | None = None,
    ) -> Refund:
        refund, new = await self.refunds.open(
            {
                "_id": refund_id,
                "payment_id": payment.id,
                "order_id": payment.order_id,
                "order_number": payment.order_number,
                "customer_id": payment.customer_id,
                "provider": payment.provider,
                "trade_no": payment.trade_no,
                "amount": amount.to_doc(),
                "reason": reason[:200],
                "actor": actor[:120],
                "purpose": purpose,
            }
        )
        if not new:
            return refund
        refunder = self.refunders.get(payment.provider)
        if refunder is None:  # no refund API (Telegram card payments): owed by hand
            return await self.refund_outcome(refund, RefundState.MANUAL)
        try:
            # Bounded, so a notification handler still answers within the provider's patience
            # (WeChat Pay waits 5 s); an unanswered refund is asked again with the same id.
            async with asyncio.timeout(limit_seconds):
                result = await refunder.refund(payment, refund.id, amount, reason)
        except (ProviderUnavailable, TimeoutError):
            log.warning("refund_postponed", refund_id=refund.id, provider=payment.provider)
            return refund  # pending: the status worker asks again with the same refund id
        return await self.refund_outcome(refund, result.state, result.provider_refund_id)

    async def refund_outcome(self, refund: Refund, state: RefundState, provider_refund_id: str = "") -> Refund:
        """A refund's outcome, from the provider's answer, a refund notification or a query.
        Settled once: a repeat finds it settled and changes nothing."""
        if state is RefundState.PENDING:
            await self.refunds.postpone(refund.id, provider_refund_id)
            return refund
        settled = await self.refunds.settle(refund.id, state, provider_refund_id=provider_refund_id)
        if settled is None:
            return (await self.refunds.get(refund.id)) or refund
        batch = WriteBatch(self._db)
        if state is RefundState.SUCCEEDED:
            if settled.purpose == "late_payment":
                batch.update_one(
                    PAYMENTS,
                    {"_id": settled.payment_id},
                    {
                        "$set": {"status": PaymentStatus.REFUNDED.value},
                        "$inc": {"refunded_minor": settled.amount.amount},
                    },
                )
            self.events.add(
                batch,
                PaymentRefunded(
                    customer_id=settled.customer_id,
                    order_id=settled.order_id,
                    number=settled.order_number,
                    amount=settled.amount,
                    purpose=settled.purpose,
                    refund_id=settled.id,
                ),
                event_id=f"{PaymentRefunded.TYPE}:{settled.id}",
            )
        else:
            owed = state is RefundState.MANUAL
            PaymentAlerts.add(
                batch,
                AlertKind.REFUND_OWED if owed else AlertKind.REFUND_FAILED,
                state.value,
                provider=settled.provider,
                order_id=settled.order_id,
                order_number=settled.order_number,
                payment_id=settled.payment_id,
                detail=f"refund {settled.id} of {settled.amount} must be paid back by hand",
                alert_id=f"refund:{settled.id}",
            )
            if owed:  # the customer is told a person will send the money back
                self.events.add(
                    batch,
                    RefundOwed(
                        customer_id=settled.customer_id,
                        order_id=settled.order_id,
                        number=settled.order_number,
                        amount=settled.amount,
                    ),
                    event_id=f"{RefundOwed.TYPE}:{settled.id}",
                )
        await batch.execute()
        log.info("refund_settled", refund_id=settled.id, state=state.value, provider=settled.provider)
        return settled

    async def settle_by_hand(self, refund_id: str, *, actor: str) -> Refund:
        """Staff paid an owed (or failed) refund back by hand: it is recorded as done and the
        customer is told like for any refund."""
        refund = await self.refunds.get(refund_id)
        if refund is None:
            raise NotFound("refund not found", details={"refund_id": refund_id[:64]})
        if refund.state not in (RefundState.MANUAL, RefundState.FAILED):
            raise Conflict("only an owed or failed refund can be settled by hand", code="refund_not_owed")
        reopened = await self.refunds.reopen(refund.id, refund.state, actor=actor)
        if reopened is None:
            raise Conflict("the refund changed meanwhile; please reload", code="refund_changed")
        return await self.refund_outcome(reopened, RefundState.SUCCEEDED)

    async def handle_refund_notification(self, provider_name: str, headers: Mapping[str, str], body: bytes) -> Refund:
        """A provider's refund result (WeChat Pay refund notifications): verified, matched
        against the refund we asked for (payment and amount), then settled once."""
        provider = self.providers.get(provider_name)
        if not isinstance(provider, RefundNotifying):
            raise NotFound("this provider sends no refund notifications", code="not_found")
        try:
            notification: RefundNotification = provider.verify_refund_notification(headers, body)
        except DomainError as exc:
            await security_event(self.alerts, provider_name, exc.code, exc.message)
            raise
        refund = await self.refunds.get(notification.refund_id)
        if refund is None or refund.provider != provider_name or refund.payment_id != notification.payment_id:
            await security_event(
                self.alerts, provider_name, "unknown_refund", "no such refund", notification.payment_id
            )
            raise ValidationFailed("the notification names an unknown refund", code="unknown_refund")
        if notification.amount != refund.amount:
            await security_event(
                self.alerts,
                provider_name,
                "amount_mismatch",
                f"refund expected {refund.amount}, notified {notification.amount}",
                refund.payment_id,
                order_id=refund.order_id,
            )
            raise ValidationFailed("the refunded amount does not match", code="amount_mismatch")
        if notification.state is RefundState.PENDING:
            return refund
        return await self.refund_outcome(refund, notification.state, notification.provider_refund_id)
