"""The typed event catalog: one (de)serialisation for the outbox, older documents still readable."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from commerce.events import (
    BY_TYPE,
    CATALOG,
    AfterSaleChanged,
    DomainEvent,
    OrderCancelled,
    OrderPaid,
    PaymentFailed,
    PaymentRefunded,
    UnknownEvent,
    decode,
    encode,
)
from commerce.money import Money
from commerce.orders.events import EVENTS, EventBus, StoredEvent
from commerce.services import Commerce, ensure_all_indexes
from core.mongo import Database
from tests.commerce.conftest import Counted

PAID = OrderPaid(customer_id="c1", order_id="o1", number="20260101-0001", total=Money(8990, "CNY"), payment_id="p1")


def test_every_catalog_event_survives_the_round_trip_through_its_stored_shape() -> None:
    samples: list[DomainEvent] = [
        PAID,
        OrderCancelled(customer_id="c1", order_id="o1", number="N1", reason="too slow", actor="system:timeout"),
        PaymentRefunded(customer_id="c1", order_id="o1", number="N1", amount=Money(500, "CNY"), purpose="late_payment"),
        AfterSaleChanged(customer_id="c1", order_id="o1", number="N1", request_id="r1", kind="return", status="ok"),
        *(cls(customer_id="c2", order_id=None) for cls in CATALOG),
    ]
    for event in samples:
        type_name, payload = encode(event)
        assert BY_TYPE[type_name] is type(event)
        assert decode(type_name, payload, customer_id=event.customer_id, order_id=event.order_id) == event
    assert len(BY_TYPE) == len(CATALOG)  # no two events share a stored type


def test_the_stored_payload_keeps_the_keys_and_money_shape_of_before() -> None:
    assert encode(PAID) == (
        "order.paid",
        {"number": "20260101-0001", "total": {"amount": 8990, "currency": "CNY"}, "payment_id": "p1"},
    )


def test_older_documents_decode_with_defaults_and_unknown_types_stay_readable() -> None:
    # payment.failed was stored without the order number; a bad money value is left out.
    failed = decode("payment.failed", {"payment_id": "p9"}, customer_id="c1", order_id="o1")
    assert failed == PaymentFailed(customer_id="c1", order_id="o1", payment_id="p9")
    odd = decode("order.paid", {"number": "N", "total": "12.00", "extra": 1}, customer_id=None, order_id="o1")
    assert odd == OrderPaid(customer_id=None, order_id="o1", number="N")
    gone = decode("payment.retired_kind", {"x": 1}, customer_id="c1", order_id=None)
    assert isinstance(gone, UnknownEvent)
    assert encode(gone) == ("payment.retired_kind", {"x": 1})
    assert OrderCancelled(customer_id=None, order_id=None, actor="system:timeout").expired


@pytest.mark.parametrize("stored_type", ["order.shipped", "order.paid"])
async def test_the_outbox_hands_subscribers_typed_events_from_old_and_new_documents(
    commerce: Commerce, db: Database, stored_type: str
) -> None:
    # A document as the outbox held it before the catalog (string type, dict payload).
    await db[EVENTS].insert_one(
        {
            "_id": f"legacy:{stored_type}",
            "type": stored_type,
            "customer_id": "c1",
            "order_id": "o1",
            "payload": {
                "number": "N1",
                "carrier": "SF",
                "tracking_no": "SF1",
                "total": {"amount": 1, "currency": "CNY"},
            },
            "created_at": datetime(2026, 1, 1, tzinfo=UTC),
            "delivered_at": None,
            "attempts": 0,
        }
    )
    received: list[StoredEvent] = []

    async def subscriber(stored: StoredEvent) -> None:
        received.append(stored)

    commerce.events.subscribe(subscriber, types=[BY_TYPE[stored_type]])
    assert await commerce.events.dispatch_once() == 1
    [stored] = received
    assert stored.id == f"legacy:{stored_type}"
    assert isinstance(stored.event, BY_TYPE[stored_type])
    assert (stored.event.customer_id, stored.event.order_id, stored.event.number) == ("c1", "o1", "N1")


async def test_concurrent_dispatch_calls_share_one_run_and_each_caller_sees_its_events(counted: Counted) -> None:
    events = counted.commerce.events
    await ensure_all_indexes(counted.db)
    received: list[str] = []

    async def subscriber(stored: StoredEvent) -> None:
        await asyncio.sleep(0)  # a subscriber that yields, as the dialogs' notifier does
        received.append(stored.id)

    events.subscribe(subscriber)
    with counted.counter.measure() as idle:
        assert await events.dispatch_once() == 0
    assert idle.commands == ["find"]  # nothing to deliver: one plain read, no transaction

    async def write_then_dispatch(index: int) -> None:
        await events.publish(OrderPaid(customer_id=f"c{index}", order_id=f"o{index}"), event_id=f"e{index}")
        await events.dispatch_once()
        assert f"e{index}" in received  # delivered by the time this caller's dispatch returns

    with counted.counter.measure() as busy:
        await asyncio.gather(*(write_then_dispatch(i) for i in range(20)))
    assert sorted(received) == sorted(f"e{i}" for i in range(20))
    # Runs never overlap in one process, so no claim loses to another of the same process.
    assert "abortTransaction" not in busy.commands


async def test_a_run_leases_its_events_together_and_two_dispatchers_deliver_each_once(counted: Counted) -> None:
    await ensure_all_indexes(counted.db)
    first, second = EventBus(counted.db, worker_id="one"), EventBus(counted.db, worker_id="two")
    received: dict[str, list[str]] = {"one": [], "two": []}
    for name, bus in (("one", first), ("two", second)):

        async def subscriber(stored: StoredEvent, name: str = name) -> None:
            await asyncio.sleep(0)
            received[name].append(stored.id)

        bus.subscribe(subscriber)
    for index in range(7):
        await first.publish(OrderPaid(customer_id="c1", order_id=f"o{index}"), event_id=f"e{index}")
    with counted.counter.measure() as run:
        assert await first.dispatch_once() == 7
    # A read, one lease for all seven, one delivery mark for all seven (one claim per event took 5).
    assert run.commands == ["find", "update", "update"]
    assert received["one"] == [f"e{i}" for i in range(7)]  # oldest first
    assert await first.dispatch_once() == 0  # delivered once
    assert await second.dispatch_once() == 0

    received["one"].clear()
    for index in range(7, 47):
        await first.publish(OrderPaid(customer_id="c1", order_id=f"o{index}"), event_id=f"e{index}")
    # Two processes' dispatchers at once: every event goes to exactly one of them.
    together = await asyncio.gather(first.dispatch_once(limit=15), second.dispatch_once(limit=15))
    assert sum(together) + await first.dispatch_once() + await second.dispatch_once() == 40
    assert sorted(received["one"] + received["two"]) == sorted(f"e{i}" for i in range(7, 47))
    assert await counted.db[EVENTS].count_documents({"delivered_at": None}) == 0
