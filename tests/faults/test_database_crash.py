"""Fault injection: the embedded database is killed (SIGKILL) in the middle of checkouts and
payment notifications, then restarted on the same storage. Everything that was acknowledged
must still be there, and the stock must add up (issue 17: without fsync per commit an order
answered 201 was lost in about 3 of 20 crash cycles)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from chatcart.bootstrap import build_commerce
from chatcart.database import make_client
from chatcart.embedded_db import EmbeddedMongo
from commerce.inventory.service import INVENTORY, LEDGER
from commerce.orders.model import ORDERS, OrderStatus
from commerce.payments.model import PAYMENTS, NotifyResult, PaymentStatus
from commerce.payments.service import EVENT_LEASE
from commerce.services import Commerce, ensure_all_indexes
from core.mongo import Database, utcnow
from tests.commerce.conftest import Shop, config

SKUS = {"A": 10_000, "B": 10_000, "C": 100_000}
BUYERS = 6
HOLDERS = 4  # stock holds without an order (one command each): many acknowledged writes per second
TRAFFIC_SECONDS_MAX = 15


@dataclass
class Acknowledged:
    """What the callers were told succeeded before the crash."""

    orders: dict[str, dict[str, int]] = field(default_factory=dict)  # order id -> lines
    paid: set[str] = field(default_factory=set)
    holds: set[str] = field(default_factory=set)  # refs holding one "C"


async def _buyer(commerce: Commerce, customer_id: str, index: int, seen: Acknowledged, stop: asyncio.Event) -> None:
    """Order, and pay every other order, until told to stop or the database goes away."""
    round_no = 0
    while not stop.is_set():
        round_no += 1
        lines = {"A": 1 + round_no % 2} if index % 2 else {"A": 1, "B": 2}
        order = await commerce.orders.create_order(customer_id, shipping_method="express", lines=lines)
        seen.orders[order.id] = lines
        if round_no % 2:
            payment = await commerce.payments.start(order.number, customer_id=customer_id)
            outcome = await commerce.payments.simulate(payment.id, True)
            if outcome.result is NotifyResult.PAID:
                seen.paid.add(order.id)


async def _holder(commerce: Commerce, index: int, seen: Acknowledged, stop: asyncio.Event) -> None:
    round_no = 0
    while not stop.is_set():
        round_no += 1
        ref = f"hold-{index}-{round_no}"
        await commerce.inventory.reserve({"C": 1}, ref)
        seen.holds.add(ref)


async def _traffic_then_kill(commerce: Commerce, server: EmbeddedMongo, customers: list[str]) -> Acknowledged:
    seen = Acknowledged()
    stop = asyncio.Event()
    buyers = [asyncio.create_task(_buyer(commerce, c, i, seen, stop)) for i, c in enumerate(customers)]
    buyers += [asyncio.create_task(_holder(commerce, i, seen, stop)) for i in range(HOLDERS)]
    # Kill once every kind of write has been acknowledged a few times, while more are in flight.
    deadline = time.monotonic() + TRAFFIC_SECONDS_MAX
    while time.monotonic() < deadline and (len(seen.orders) < 8 or len(seen.paid) < 2 or len(seen.holds) < 20):
        await asyncio.sleep(0.01)
    await asyncio.to_thread(server.kill)  # mid-traffic: writes are in flight right now
    stop.set()
    # Callers learn of the outage within seconds (no two-minute transaction retries).
    outcomes = await asyncio.wait_for(asyncio.gather(*buyers, return_exceptions=True), timeout=10)
    assert any(isinstance(o, Exception) for o in outcomes), "the crash should interrupt some requests"
    return seen


async def test_acknowledged_orders_payments_and_holds_survive_a_crash(tmp_path: Path) -> None:
    server = EmbeddedMongo(str(tmp_path / "db"))  # the default: what `chatcart serve` starts
    await asyncio.to_thread(server.start)
    port = server.port
    client = make_client(server.uri)
    try:
        db = client["shop"]
        await ensure_all_indexes(db)
        commerce = build_commerce(db, config())
        shop = Shop(commerce)
        await shop.add_product("P1", [("A", "10.00"), ("B", "20.00"), ("C", "1.00")], stock=SKUS)
        customers = [(await shop.customer(f"tg-{n}")).id for n in range(BUYERS)]
        seen = await _traffic_then_kill(commerce, server, customers)
    finally:
        await client.close()
    assert len(seen.orders) >= 8, "too little traffic before the crash to prove anything"
    assert len(seen.paid) >= 2

    await asyncio.to_thread(server.start, port)
    client = make_client(server.uri)
    try:
        await _provider_retries_after_the_lease(client["shop"])
        await _check_consistent(client["shop"], seen)
    finally:
        await client.close()
        await asyncio.to_thread(server.stop)


async def _provider_retries_after_the_lease(db: Database) -> None:
    """What happens next in production. A payment whose run stopped between the order's paid
    transition and its follow-up batch (stock commit, payment status, event) was never
    acknowledged, so the provider retries (or the status poller asks); once that run's lease has
    passed, the retry finishes the batch. Time is moved on by dating those orders' payment one
    lease back; then each is notified again, as the provider would."""
    commerce = build_commerce(db, config())
    async for order in db[ORDERS].find({"status": OrderStatus.PAID.value}, {"paid_by": 1}):
        payment = await db[PAYMENTS].find_one({"_id": order["paid_by"]}, {"status": 1})
        assert payment is not None, f"order {order['_id']} was paid by a payment that is gone"
        if payment["status"] == PaymentStatus.SUCCEEDED.value:
            continue
        a_lease_ago = utcnow() - EVENT_LEASE - timedelta(seconds=1)
        await db[ORDERS].update_one({"_id": order["_id"]}, {"$set": {"paid_at": a_lease_ago}})
        outcome = await commerce.payments.simulate(order["paid_by"], True)
        assert outcome.result is NotifyResult.PAID, f"the retry did not finish order {order['_id']}"


async def _holds(db: Database, sku: str) -> dict[str, int]:
    doc = await db[INVENTORY].find_one({"_id": sku}, {"holds": 1})
    assert doc is not None
    return dict(doc.get("holds") or {})


async def _check_consistent(db: Database, seen: Acknowledged) -> None:
    orders = {doc["_id"]: doc async for doc in db[ORDERS].find({})}
    missing = sorted(set(seen.orders) - set(orders))
    assert not missing, f"{len(missing)} acknowledged orders lost: {missing[:5]}"
    not_paid = sorted(o for o in seen.paid if orders[o]["status"] != OrderStatus.PAID.value)
    assert not not_paid, f"acknowledged payments lost: {not_paid[:5]}"

    ledger = {(doc["ref"], doc["kind"], doc["sku"]) async for doc in db[LEDGER].find({"ref": {"$ne": None}})}
    for order_id, lines in seen.orders.items():
        for sku in lines:
            assert (order_id, "reserve", sku) in ledger, f"ledger lost the reservation of {order_id}"
    for order_id in seen.paid:
        for sku in seen.orders[order_id]:
            assert (order_id, "commit", sku) in ledger, f"ledger lost the sale of {order_id}"

    lost_holds = sorted(seen.holds - set(await _holds(db, "C")))
    assert not lost_holds, f"{len(lost_holds)} of {len(seen.holds)} acknowledged stock holds lost: {lost_holds[:5]}"
    for ref in seen.holds:
        assert (ref, "reserve", "C") in ledger, f"ledger lost the hold {ref}"

    sold: Counter[str] = Counter()
    for doc in orders.values():
        if doc["status"] == OrderStatus.PAID.value:
            for line in doc["lines"]:
                sold[line["sku"]] += line["quantity"]
    levels = {doc["_id"]: doc async for doc in db[INVENTORY].find({})}
    for sku, initial in SKUS.items():
        level = levels[sku]
        holds = level.get("holds") or {}
        assert level["reserved"] == sum(holds.values()), f"{sku}: reserved differs from its holds"
        assert level["available"] + level["reserved"] == initial - sold[sku], f"{sku}: stock does not add up"
    for order_id, doc in orders.items():
        if doc["status"] == OrderStatus.PENDING_PAYMENT.value:
            for line in doc["lines"]:
                held = (levels[line["sku"]].get("holds") or {}).get(order_id)
                assert held == line["quantity"], f"pending order {order_id} does not hold its {line['sku']}"
