"""Payments nobody told us about, and refunds still on their way: asked about periodically.

A notification can be lost (the shop was down longer than the provider retries, a firewall).
So every pending payment of a provider that can be queried is asked about, first
`FIRST_POLL` after it was created and then with growing pauses, until it is paid (applied
through the same guarded path as a notification), closed, or long expired. Refunds whose
outcome is unknown (a timeout, WeChat's PROCESSING) are asked about the same way.

Several workers can run: a worker leases one payment at a time by moving its `next_poll_at`
forward in one find-and-modify, so each due payment is queried by one worker per round.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from pymongo import ASCENDING, ReturnDocument

from commerce.errors import DomainError
from commerce.payments.model import (
    Notification,
    NotifyResult,
    PaymentIntent,
    PaymentStatus,
    ProviderUnavailable,
    RefundState,
    TradeState,
)
from commerce.payments.service import PAYMENTS, PaymentService
from core.atomic import find_one_and_update
from core.logging_setup import get_logger
from core.mongo import Database, utcnow

log = get_logger("commerce.payments.poller")
# After its expiry a payment is still asked about this long (a customer who paid in the last
# second, a provider that settles late), then it is given up as void.
GIVE_UP_AFTER_EXPIRY = timedelta(hours=2)
MAX_PAUSE = timedelta(minutes=30)


def next_pause(polls: int) -> timedelta:
    """1, 2, 4, ... minutes between queries, at most MAX_PAUSE."""
    return min(timedelta(minutes=2 ** min(polls, 10)), MAX_PAUSE)


class PaymentStatusWorker:
    def __init__(
        self,
        db: Database,
        payments: PaymentService,
        *,
        interval_seconds: float = 60.0,
        batch_size: int = 50,
        worker_id: str | None = None,
    ) -> None:
        self._payments = db[PAYMENTS]
        self.service = payments
        self.interval = interval_seconds
        self.batch_size = batch_size
        self.worker_id = worker_id or f"poll-{uuid.uuid4().hex[:8]}"

    def _queried_providers(self) -> list[str]:
        return [name for name in self.service.providers if name != "sandbox"]

    async def claim(self, now: datetime) -> tuple[PaymentIntent, int] | None:
        """Lease one due pending payment (and how often it was asked about): its next query
        moves on, so no other worker takes it."""
        providers = self._queried_providers()
        if not providers:
            return None
        doc = await find_one_and_update(
            self._payments,
            {"status": PaymentStatus.PENDING.value, "next_poll_at": {"$lte": now}, "provider": {"$in": providers}},
            {
                "$inc": {"polls": 1},
                # the lease; the real next query is set after this one
                "$set": {"poll_owner": self.worker_id, "next_poll_at": now + MAX_PAUSE},
            },
            sort=[("next_poll_at", ASCENDING)],
            return_document=ReturnDocument.AFTER,
        )
        return (PaymentIntent.from_doc(doc), int(doc.get("polls") or 1)) if doc else None

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        moment = now or utcnow()
        counts = {"queried": 0, "paid": 0, "voided": 0, "refunds_settled": 0}
        for _ in range(self.batch_size):
            claimed = await self.claim(moment)
            if claimed is None:
                break
            counts["queried"] += 1
            outcome = await self._check(*claimed, moment)
            if outcome in counts:
                counts[outcome] += 1
        for _ in range(self.batch_size):
            refund = await self.service.refunds.claim_due(moment)
            if refund is None:
                break
            payment = await self.service.get(refund.payment_id)
            refunder = self.service.refunders.get(refund.provider)
            if refunder is None:
                continue
            try:
                # Not answered yet (a timeout while asking): ask again with the SAME refund id.
                if not refund.provider_refund_id and refund.state is RefundState.PENDING:
                    result = await refunder.refund(payment, refund.id, refund.amount, refund.reason)
                else:
                    result = await refunder.query_refund(payment, refund.id)
            except (ProviderUnavailable, DomainError) as exc:
                log.info("refund_query_failed", refund_id=refund.id, error=type(exc).__name__)
                continue
            settled = await self.service.refunding.refund_outcome(refund, result.state, result.provider_refund_id)
            if settled.state is not RefundState.PENDING:
                counts["refunds_settled"] += 1
        return counts

    async def _check(self, payment: PaymentIntent, polls: int, now: datetime) -> str:
        provider = self.service.providers[payment.provider]
        try:
            answer = await provider.query_payment(payment)
        except (ProviderUnavailable, DomainError) as exc:
            log.info("payment_query_failed", payment_id=payment.id, error=type(exc).__name__)
            await self._reschedule(payment, now, polls)
            return "failed"
        if answer.state is TradeState.PAID and answer.amount is not None:
            notification = Notification(
                provider=payment.provider,
                event_id=f"query:{answer.trade_no or payment.id}",
                payment_id=payment.id,
                order_id=payment.order_id,
                succeeded=True,
                amount=answer.amount,
                trade_no=answer.trade_no,
            )
            try:
                outcome = await self.service.apply(notification)
            except DomainError as exc:  # recorded as a security event by the service
                log.warning("polled_payment_rejected", payment_id=payment.id, code=exc.code)
                return "rejected"
            log.info("payment_found_by_query", payment_id=payment.id, result=outcome.result.value)
            return "paid" if outcome.result in (NotifyResult.PAID, NotifyResult.ORPHANED) else "known"
        if answer.state is TradeState.CLOSED or payment.expires_at + GIVE_UP_AFTER_EXPIRY <= now:
            await self._payments.update_one(
                {"_id": payment.id, "status": PaymentStatus.PENDING.value},
                {"$set": {"status": PaymentStatus.VOID.value}, "$unset": {"next_poll_at": "", "poll_owner": ""}},
            )
            return "voided"
        await self._reschedule(payment, now, polls)
        return "pending"

    async def _reschedule(self, payment: PaymentIntent, now: datetime, polls: int) -> None:
        await self._payments.update_one(
            {"_id": payment.id, "status": PaymentStatus.PENDING.value, "poll_owner": self.worker_id},
            {"$set": {"next_poll_at": now + next_pause(polls)}},
        )

    async def run_forever(self) -> None:
        while True:
            try:
                counts = await self.run_once()
                if any(counts.values()):
                    log.info("payment_status_round", **counts)
            except Exception:
                log.exception("payment_status_worker_failed", worker=self.worker_id)
            await asyncio.sleep(self.interval)
