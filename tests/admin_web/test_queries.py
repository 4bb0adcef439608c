"""The admin read models on their own: filters, pages and counts against hand-made documents."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from admin_web.app import INDEXES as ADMIN_INDEXES
from admin_web.queries import LOW_STOCK_COUNT_CAP, AdminQueries, OrderListFilter
from commerce.services import ensure_all_indexes
from core.mongo import Database, Document, ensure_indexes

ZONE = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 5, 20, 15, 0, tzinfo=ZONE)
STATUSES = ["paid", "pending_payment", "shipped"]
CHANNELS = ["telegram", "wechat", "webchat", "api"]
CUSTOMER = [f"{int((NOW - timedelta(days=30 - i)).timestamp()):08x}{i:016x}" for i in range(4)]  # c0 oldest


def _object_id(at: datetime, serial: int) -> str:
    return f"{int(at.timestamp()):08x}{serial:016x}"


def _order(i: int) -> Document:
    created = NOW - timedelta(hours=5 * i)  # one every five hours, over about 40 days
    return {
        "_id": _object_id(created, i),
        "number": f"{created.astimezone(ZONE):%Y%m%d}-{i:04d}",
        "customer_id": CUSTOMER[i % 4],
        "status": STATUSES[i % 3],
        "channel": CHANNELS[i % 4],
        "created_at": created,
        "total": {"amount": 100 + i, "currency": "CNY"},
        "lines": [],
    }


@pytest.fixture
async def queries(db: Database) -> AdminQueries:
    await ensure_all_indexes(db)
    await ensure_indexes(db, ADMIN_INDEXES)
    await db.orders.insert_many([_order(i) for i in range(200)])
    await db.customers.insert_many(
        [
            {
                "_id": CUSTOMER[i],
                "name": name,
                "phone": f"+86138000000{i:02d}",
                "tier": "vip" if i == 2 else "regular",
                "merged_into": CUSTOMER[0] if i == 3 else None,
                "identity_keys": [f"telegram:t{i}"],
            }
            for i, name in enumerate(["王小明", "Alice", "alice cooper", "merged"])
        ]
    )
    return AdminQueries(db)


def _numbers(docs: list[Document]) -> list[str]:
    return [str(d["number"]) for d in docs]


async def test_order_filters_match_a_plain_scan(queries: AdminQueries) -> None:
    everything = sorted((_order(i) for i in range(200)), key=lambda d: d["_id"], reverse=True)
    month = f"{(NOW - timedelta(days=20)).astimezone(ZONE):%Y%m}"
    day = everything[57]["number"][:8]
    cases = [
        (OrderListFilter(), lambda d: True),
        (
            OrderListFilter(status="paid", channel="telegram"),
            lambda d: d["status"] == "paid" and d["channel"] == "telegram",
        ),
        (OrderListFilter(channel="wechat"), lambda d: d["channel"] == "wechat"),
        (
            OrderListFilter(customer_id=CUSTOMER[1], status="paid"),
            lambda d: d["customer_id"] == CUSTOMER[1] and d["status"] == "paid",
        ),
        (OrderListFilter(number=month), lambda d: d["number"].startswith(month)),
        (
            OrderListFilter(number=day, status="shipped"),
            lambda d: d["number"].startswith(day) and d["status"] == "shipped",
        ),
        (
            OrderListFilter(date_from=date(2026, 5, 1), date_to=date(2026, 5, 10)),
            lambda d: datetime(2026, 5, 1, tzinfo=ZONE) <= d["created_at"] < datetime(2026, 5, 11, tzinfo=ZONE),
        ),
    ]
    for filters, wanted in cases:
        expected = [d["number"] for d in everything if wanted(d)]
        assert expected, filters
        seen: list[str] = []
        after: str | None = None
        for _ in range(50):
            page = await queries.orders(filters, after=after, limit=9)
            seen.extend(_numbers([row.doc for row in page.rows]))
            after = page.next_after
            if after is None:
                break
        assert seen == expected, filters


async def test_customers_list_and_search(queries: AdminQueries) -> None:
    c0, c1, c2, _ = CUSTOMER
    rows, after = await queries.customers(limit=2)
    assert [r["_id"] for r in rows] == [c2, c1]  # newest first; merged customers are hidden
    more, after = await queries.customers(limit=2, after=after)
    assert ([r["_id"] for r in more], after) == ([c0], None)
    assert [r["_id"] for r in (await queries.customers(tier="vip"))[0]] == [c2]
    for text, expected in (
        ("alice", [c2, c1]),
        ("王小", [c0]),
        ("t1", [c1]),
        ("13800000002", [c2]),
        (c0, [c0]),
        ("merged", []),
        ("nobody", []),
    ):
        assert [r["_id"] for r in (await queries.customers(q=text))[0]] == expected, text


async def test_stock_pages_and_low_stock(queries: AdminQueries, db: Database) -> None:
    await db.inventory.insert_many([{"_id": f"S{i:03d}", "available": i % 30, "reserved": 0} for i in range(150)])
    await db.products.insert_one(
        {"_id": "P1", "title": {"zh": "杯子", "en": "Mug"}, "status": "on_sale", "sku_codes": ["S000", "S001"]}
    )
    seen: list[str] = []
    after: str | None = None
    while True:
        rows, after = await queries.stock_levels(after=after, limit=40)
        seen.extend(str(r["_id"]) for r in rows)
        if after is None:
            break
    assert seen == [f"S{i:03d}" for i in range(150)]
    assert rows[0]["product"] is None
    first, _ = await queries.stock_levels(limit=2)
    assert [r["product"]["title"]["en"] for r in first] == ["Mug", "Mug"]
    prefixed, after = await queries.stock_levels(sku_prefix="S01", limit=6)
    assert ([str(r["_id"]) for r in prefixed], after) == ([f"S01{i}" for i in range(6)], "S015")
    low = await queries.low_stock(2, limit=7)
    assert [(r["available"], r["_id"]) for r in low] == [
        (0, "S000"),
        (0, "S030"),
        (0, "S060"),
        (0, "S090"),
        (0, "S120"),
        (1, "S001"),
        (1, "S031"),
    ]
    dashboard = await queries.dashboard(low_stock_threshold=2)
    assert (dashboard.low_stock_count, dashboard.low_stock_more) == (15, False)
    assert [r["_id"] for r in dashboard.low_stock][:2] == ["S000", "S030"]
    assert LOW_STOCK_COUNT_CAP > 15


async def test_date_filters_at_the_calendar_edges_answer(queries: AdminQueries) -> None:
    """Issue 17: `date_to=9999-12-31` overflowed adding its day; year 1 overflowed the windows."""
    widest = OrderListFilter(date_from=date(1, 1, 1), date_to=date(9999, 12, 31))
    page = await queries.orders(widest, limit=5)
    assert len(page.rows) == 5
