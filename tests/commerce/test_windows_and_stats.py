"""Newest-first pages read in time windows, and the per-day order figures."""

from datetime import UTC, datetime, timedelta

import pytest

from commerce.orders.model import OrderStatus
from commerce.payments.model import NotifyResult
from commerce.services import Commerce
from core.mongo import Database, Document
from core.windows import BY_CREATED_AT, BY_ID, FIRST_WINDOW, GROWTH, id_at, newest_by_id, time_of_id

from .conftest import Counted, Shop

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _doc(minutes_ago: float, serial: int, kind: str) -> Document:
    at = NOW - timedelta(minutes=minutes_ago)
    return {"_id": f"{int(at.timestamp()):08x}{serial:016x}", "kind": kind, "created_at": at + timedelta(seconds=2)}


async def _seeded(db: Database) -> list[Document]:
    # Dense in the last hours, sparse for months before: several windows are needed.
    docs = [_doc(minutes * 7, i, "a" if i % 3 else "b") for i, minutes in enumerate(range(40))]
    docs += [_doc(60 * 24 * days, 1000 + days, "a") for days in range(1, 200, 9)]
    await db.items.insert_many(docs)
    await db.items.create_index([("kind", 1), ("_id", -1)])
    await db.items.create_index([("created_at", -1)])
    return sorted(docs, key=lambda d: d["_id"], reverse=True)


def test_ids_and_times_round_trip() -> None:
    assert time_of_id(id_at(NOW)) == NOW
    assert id_at(NOW) < f"{int(NOW.timestamp()):08x}0000000000000001"
    assert time_of_id("not-an-id").year == 2000


@pytest.mark.parametrize(("first_window", "growth"), [(FIRST_WINDOW, GROWTH), (timedelta(days=30), 64.0)])
async def test_pages_match_a_plain_sort_whatever_the_window(
    db: Database, first_window: timedelta, growth: float
) -> None:
    everything = await _seeded(db)
    for window, equal, expected in (
        (BY_ID, {"kind": "a"}, [d for d in everything if d["kind"] == "a"]),
        (BY_CREATED_AT, {}, everything),
    ):
        pages: list[Document] = []
        before: str | None = None
        while True:
            page = await newest_by_id(
                db.items,
                equal=equal,
                window=window,
                limit=7,
                before_id=before,
                first_window=first_window,
                growth=growth,
            )
            pages.extend(page)
            if len(page) < 7:
                break
            before = page[-1]["_id"]
        assert [d["_id"] for d in pages] == [d["_id"] for d in expected]


async def test_time_bounds_and_local_checks(db: Database) -> None:
    everything = await _seeded(db)
    since, until = NOW - timedelta(days=100), NOW - timedelta(days=10)
    found = await newest_by_id(
        db.items,
        equal={},
        window=BY_CREATED_AT,
        limit=100,
        since=since,
        until=until,
        keep=lambda d: since <= d["created_at"] < until and d["kind"] == "a",
    )
    expected = [d["_id"] for d in everything if since <= d["created_at"].replace(tzinfo=UTC) < until]
    assert [d["_id"] for d in found] == expected
    assert expected  # the bounds do select something


async def test_daily_figures_follow_orders_and_match_a_rebuild(shop: Shop, commerce: Commerce, db: Database) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    customer = await shop.customer()
    paid = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    cancelled = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    outcome = await commerce.payments.confirm_external_payment(
        paid.number, provider="test", charge_id="c-1", amount=paid.total
    )
    assert outcome.result is NotifyResult.PAID
    await commerce.orders.cancel(cancelled.id, actor="test")
    await commerce.orders.ship(paid.id, carrier="SF", tracking_no="1", actor="test")
    day = commerce.orders.stats.day_of(paid.created_at)
    [figures] = (await commerce.orders.stats.days([datetime.fromisoformat(day).date()])).values()
    assert figures["created"] == 3
    assert (figures["paid"], figures["gmv_minor"]) == (1, paid.total.amount)
    assert {k: v for k, v in figures["status"].items() if v} == {
        OrderStatus.PENDING_PAYMENT.value: 1,
        OrderStatus.CANCELLED.value: 1,
        OrderStatus.SHIPPED.value: 1,
    }
    assert await commerce.orders.stats.rebuild() == 1
    rebuilt = await db.order_stats.find_one({"_id": day})
    assert rebuilt is not None
    assert {k: v for k, v in rebuilt["status"].items() if v} == {k: v for k, v in figures["status"].items() if v}
    assert (rebuilt["created"], rebuilt["paid"], rebuilt["gmv_minor"]) == (3, 1, paid.total.amount)


async def test_a_customers_few_orders_are_read_in_few_windows(shop: Shop, commerce: Commerce, counted: Counted) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    customer = await shop.customer()
    order = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    with counted.counter.measure() as measured:
        page = await counted.commerce.orders.list_for_customer(customer.id, limit=5)
    assert [o.id for o in page.orders] == [order.id]
    # A month, then wide windows: not eight windows reaching back to the year 2000.
    assert measured.commands == ["find"] * 3, measured.commands
