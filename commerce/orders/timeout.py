"""Unpaid orders cancel themselves when their `expires_at` has passed.

The timer is durable (it is the order's own `expires_at`) and several worker processes can run
side by side: a worker leases one due order at a time (`lease_owner`/`lease_until`, one
find-and-modify), then cancels it with the usual guarded transition, which additionally
requires that it still holds the lease. If a worker dies mid-way its lease runs out and
another worker takes the order over. A payment that lands first simply wins: the
cancellation's `status: pending_payment` guard then fails and the order is left alone.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta

from commerce.errors import InvalidTransition
from commerce.events import TIMEOUT_ACTOR
from commerce.orders.service import OrderService
from core.logging_setup import get_logger
from core.mongo import utcnow

log = get_logger("commerce.orders.timeout")


class OrderTimeoutWorker:
    def __init__(
        self,
        orders: OrderService,
        *,
        worker_id: str | None = None,
        lease_seconds: int = 60,
        batch_size: int = 100,
        interval_seconds: float = 15.0,
        repair_every: int = 20,
    ) -> None:
        self.orders = orders
        self.worker_id = worker_id or f"timeout-{uuid.uuid4().hex[:8]}"
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self.interval = interval_seconds
        self.repair_every = repair_every  # rounds between sweeps for holds a crash left behind

    async def run_once(self, now: datetime | None = None) -> int:
        """Cancel due unpaid orders; returns how many THIS worker cancelled."""
        cancelled = 0
        for _ in range(self.batch_size):
            moment = now or utcnow()
            order = await self.orders.claim_expired(self.worker_id, now=moment, lease=self.lease)
            if order is None:
                break
            try:
                await self.orders.cancel(
                    order.id,
                    actor=TIMEOUT_ACTOR,
                    reason="payment not received in time",
                    guard={"lease_owner": self.worker_id},
                )
                cancelled += 1
            except InvalidTransition:
                # Paid (or cancelled by someone else) between the claim and now: nothing to do.
                log.info("timeout_skipped", order_id=order.id, worker=self.worker_id)
        return cancelled

    async def run_forever(self) -> None:
        rounds = 0
        while True:
            try:
                count = await self.run_once()
                if count:
                    log.info("unpaid_orders_cancelled", count=count, worker=self.worker_id)
                rounds += 1
                if rounds % self.repair_every == 0:
                    await self.orders.repair_holds()
            except Exception:
                log.exception("timeout_worker_failed", worker=self.worker_id)
            await asyncio.sleep(self.interval)
