"""Admin page latency at shop scale: 10,000 products, 100,000 orders, 20,000 customers.

Seeding: documents in the shapes of the commerce models go straight into the collections
with large unordered `insert_many` batches while the collections carry only their `_id`
index; the indexes the application created at start-up are rebuilt afterwards from their
own specifications (on the embedded SecantusDB maintaining ten secondary indexes during
the load costs several times more than building them once at the end).

Measuring: every main admin page is requested through the real aiohttp app in-process,
signed in as an owner. The figure is the time from request to complete response on
loopback (server time plus a negligible client part), with p50/p99 over the samples, and
the database commands the page sent, plus the slowest command (which one to fix first).
Target: p50 < 100 ms per page.

    python -m benchmarks --only admin_bench
"""

from __future__ import annotations

import contextlib
import random
import re
import secrets
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pymongo.errors import PyMongoError
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from benchmarks.harness import BenchContext, BenchSection, summary_ms
from commerce.api.principal import Role
from commerce.orders.stats import OrderStats
from core.mongo import Database, Document, ensure_indexes, utcnow
from dialogs import dialog_indexes

PRODUCTS = 10_000  # and as many stock levels
ORDERS = 100_000
CUSTOMERS = 20_000
REPEATS = 30
WARM_UPS = 2
INSERT_BATCH = 2_000  # larger batches overflowed the embedded server's 512 MB cache (WT_CACHE_FULL)
TARGET_MS = 100.0
STATUSES = ["pending_payment", "paid", "shipped", "delivered", "completed", "cancelled", "refunded"]
CHANNELS = ["telegram", "wechat", "webchat", "api"]
IDENTITY_OF_CHANNEL = {"telegram": "telegram", "wechat": "wechat_openid", "webchat": "web_session", "api": "phone"}
CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
BENCH_USER = "bench_owner"


# --- documents --------------------------------------------------------------------------------
def object_id(at: datetime, serial: int) -> str:
    """An ObjectId's hex string as the services create them (`str(ObjectId())`): the creation
    second first, so string order is time order (the newest-first windows rely on it)."""
    return f"{int(at.timestamp()):08x}{serial:016x}"


def _customer_created(i: int, now: datetime) -> datetime:
    return now - timedelta(minutes=30 * (CUSTOMERS - i))  # about 400 days of sign-ups


def customer_id(i: int, now: datetime) -> str:
    return object_id(_customer_created(i, now), i)


def _money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


def _product(i: int, now: datetime) -> Document:
    price = 1_000 + (i * 37) % 500_000
    sku = f"B{i:05d}-1"
    return {
        "_id": f"B{i:05d}",
        "category": f"cat{i % 20}",
        "category_path": [f"cat{i % 20}"],
        "brand": f"Brand{i % 50}",
        "title": {"zh": f"商品{i}", "en": f"Product {i}"},
        "description": {"zh": "", "en": ""},
        "tags": ["new"] if i % 7 == 0 else [],
        "images": [],
        "videos": [],
        "status": "on_sale" if i % 10 else "off_shelf",
        "skus": [
            {
                "sku": sku,
                "specs": {"color": "black"},
                "spec_labels": [],
                "price": _money(price),
                "compare_at_price": None,
                "weight_g": 200,
                "barcode": None,
                "tier_prices": {},
            }
        ],
        "sku_codes": [sku],
        "currency": "CNY",
        "price_min": price,
        "price_max": price,
        "sales": i % 300,
        "created_at": now - timedelta(minutes=i),
        "updated_at": now,
        "keywords": [f"product{i}", f"商品{i}", f"brand{i % 50}"],
        "title_keywords": [f"product{i}"],
    }


def _stock(i: int, now: datetime) -> Document:
    return {"_id": f"B{i:05d}-1", "available": i % 60, "reserved": 0, "updated_at": now}


def _customer(i: int, now: datetime) -> Document:
    channel = CHANNELS[i % len(CHANNELS)]
    kind = IDENTITY_OF_CHANNEL[channel]
    value = f"+8613{i:09d}" if kind == "phone" else f"u{i}"
    return {
        "_id": customer_id(i, now),
        "name": f"客户{i}",
        "language": "zh" if i % 3 else "en",
        "tier": "vip" if i % 25 == 0 else "regular",
        "merged_into": None,
        "identities": [{"kind": kind, "value": value, "key": f"{kind}:{value}"}],
        "identity_keys": [f"{kind}:{value}"],
        "phone": f"+8613{i:09d}",
        "addresses": [],
        "created_at": _customer_created(i, now),
        "updated_at": now,
        "purchases": {"orders": 0, "spent_minor": 0},
    }


def _conversation(i: int, now: datetime) -> Document:
    channel = CHANNELS[i % 3]  # chat channels only
    updated = now - timedelta(minutes=37 * i % (60 * 24 * 90))
    handoff: Document = {"status": "none"}
    if i % 1000 == 1:
        handoff = {"status": "waiting", "since": updated}
    elif i % 1000 == 2:
        handoff = {"status": "agent", "agent_id": "someone", "since": updated}
    return {
        "_id": f"{channel}:u{i}",
        "channel": channel,
        "channel_user_id": f"u{i}",
        "customer_id": customer_id(i, now),
        "lang": "zh",
        "lang_locked": False,
        "flow": None,
        "step": None,
        "slots": {},
        "suspended": [],
        "context": {},
        "buttons": [],
        "failures": 0,
        "handoff": handoff,
        "version": 1,
        "created_at": updated,
        "updated_at": updated,
    }


def _order(i: int, customer: int, now: datetime) -> Document:
    status = STATUSES[i % len(STATUSES)]
    created = now - timedelta(minutes=i * 2)  # about 140 days of orders, newest first
    amount = 2_000 + (i * 13) % 100_000
    paid = created + timedelta(minutes=3) if status not in ("pending_payment", "cancelled") else None
    product = i % PRODUCTS
    return {
        "_id": object_id(created, i),
        "number": f"{created:%Y%m%d}-{ORDERS - i:06d}",
        "customer_id": customer_id(customer, now),
        "status": status,
        "channel": CHANNELS[customer % len(CHANNELS)],
        "lines": [
            {
                "sku": f"B{product:05d}-1",
                "product_code": f"B{product:05d}",
                "title": {"zh": f"商品{product}", "en": f"Product {product}"},
                "specs": {},
                "image": None,
                "quantity": 1,
                "list_unit_price": _money(amount),
                "unit_price": _money(amount),
                "coupon_share": _money(0),
                "line_total": _money(amount),
                "weight_g": 200,
            }
        ],
        "pricing": {
            "items_subtotal": _money(amount),
            "tier_discount": _money(0),
            "coupon_discount": _money(0),
            "shipping_fee": _money(0),
            "total": _money(amount),
        },
        "total": _money(amount),
        "currency": "CNY",
        "address": {
            "id": "a1",
            "recipient": "张三",
            "phone": "+8613800138000",
            "province": "上海市",
            "city": "上海市",
            "district": "浦东新区",
            "detail": "世纪大道 1 号",
            "postcode": None,
        },
        "shipment": {
            "method": "express",
            "carrier": None,
            "tracking_no": None,
            "shipped_at": None,
            "delivered_at": None,
        },
        "coupon_code": None,
        "history": [{"from": None, "to": "pending_payment", "actor": "customer", "reason": "", "at": created}],
        "created_at": created,
        "updated_at": created,
        "expires_at": None,
        "paid_at": paid,
        "paid_by": f"pay{i}" if paid else None,
        "payment_ids": [f"pay{i}"] if paid else [],
        "refunded": _money(0),
        "note": "",
        "notes": [],
    }


# --- seeding ----------------------------------------------------------------------------------
@dataclass
class LoadFigures:
    collection: str
    documents: int
    insert_seconds: float
    index_seconds: float
    indexes: int

    @property
    def docs_per_second(self) -> float:
        return self.documents / self.insert_seconds if self.insert_seconds else float("inf")


async def bulk_load(db: Database, collection: str, make: Callable[[int], Document], count: int) -> LoadFigures:
    """Insert `count` documents with only the `_id` index in place, then rebuild the indexes the
    collection had (exactly as specified at start-up: name, keys, unique, partial, sparse)."""
    target = db[collection]
    specs = [spec async for spec in await target.list_indexes() if spec["name"] != "_id_"]
    if specs:
        await target.drop_indexes()
    started = time.perf_counter()
    for start in range(0, count, INSERT_BATCH):
        await target.insert_many([make(i) for i in range(start, min(start + INSERT_BATCH, count))], ordered=False)
    inserted = time.perf_counter()
    if specs:
        rebuilt = [{key: value for key, value in spec.items() if key not in ("v", "ns")} for spec in specs]
        await db.command("createIndexes", collection, indexes=rebuilt)
    figures = LoadFigures(collection, count, inserted - started, time.perf_counter() - inserted, len(specs))
    print(
        f"admin_bench: {collection}: {count:,} documents in {figures.insert_seconds:.1f} s "
        f"({figures.docs_per_second:,.0f}/s), {len(specs)} indexes in {figures.index_seconds:.1f} s",
        file=sys.stderr,
        flush=True,
    )
    return figures


async def seed(db: Database) -> list[LoadFigures]:
    now = utcnow()
    rng = random.Random(7)
    buyers = [rng.randrange(CUSTOMERS) for _ in range(ORDERS)]
    figures = [
        await bulk_load(db, "products", lambda i: _product(i, now), PRODUCTS),
        await bulk_load(db, "inventory", lambda i: _stock(i, now), PRODUCTS),
        await bulk_load(db, "customers", lambda i: _customer(i, now), CUSTOMERS),
        await bulk_load(db, "conversations", lambda i: _conversation(i, now), CUSTOMERS),
        # Last: the embedded server keeps recent writes in its oplog within a 512 MB cache, and
        # writes after these 140 MB of orders have overflowed it (WT_CACHE_FULL).
        await bulk_load(db, "orders", lambda i: _order(i, buyers[i], now), ORDERS),
    ]
    await db["categories"].insert_many(
        [
            {
                "_id": f"cat{i}",
                "name": {"zh": f"分类{i}", "en": f"Category {i}"},
                "parent": None,
                "sort": i,
                "path": [f"cat{i}"],
            }
            for i in range(20)
        ]
    )
    return figures


async def rebuild_stats(db: Database) -> tuple[int, float]:
    """The per-day order figures the dashboard reads, recounted from the seeded orders."""
    started = time.perf_counter()
    days = await OrderStats(db).rebuild()
    return days, time.perf_counter() - started


# --- measuring --------------------------------------------------------------------------------
@dataclass
class _Timing:
    commands: list[tuple[float, str]] = field(default_factory=list)


class CommandTimer(CommandListener):
    """Durations of the commands sent while `collect()` is active (driver-measured round trips)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: _Timing | None = None
        self._names: dict[int, str] = {}

    def started(self, event: CommandStartedEvent) -> None:
        target = event.command.get(event.command_name)
        with self._lock:
            self._names[event.request_id] = (
                f"{event.command_name} {target}" if isinstance(target, str) else event.command_name
            )

    def succeeded(self, event: CommandSucceededEvent) -> None:
        self._finish(event.request_id, event.duration_micros)

    def failed(self, event: CommandFailedEvent) -> None:
        self._finish(event.request_id, event.duration_micros)

    def _finish(self, request_id: int, micros: int) -> None:
        with self._lock:
            name = self._names.pop(request_id, "?")
            if self._active is not None:
                self._active.commands.append((micros / 1000, name))

    @contextlib.contextmanager
    def collect(self) -> Iterator[_Timing]:
        timing = _Timing()
        with self._lock:
            self._active = timing
        try:
            yield timing
        finally:
            with self._lock:
                self._active = None


async def sign_in(client: TestClient[web.Request, web.Application], username: str, password: str) -> None:
    page = await client.get("/admin/login")
    token = CSRF.search(await page.text())
    if token is None:
        raise RuntimeError("the login page has no CSRF token")
    response = await client.post(
        "/admin/login",
        data={"_csrf": token.group(1), "username": username, "password": password, "next": "/admin/"},
        allow_redirects=False,
    )
    if response.status != 303:
        raise RuntimeError(f"sign-in failed ({response.status})")


async def measure_page(
    ctx: BenchContext, timer: CommandTimer, client: TestClient[web.Request, web.Application], path: str
) -> dict[str, Any]:
    samples: list[float] = []
    commands = 0
    slowest: dict[str, list[float]] = {}
    for attempt in range(REPEATS + WARM_UPS):
        with timer.collect() as timing, ctx.counter.measure() as measured:
            started = time.perf_counter()
            response = await client.get(path)
            await response.read()
            elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        if attempt >= WARM_UPS:  # the first requests warm caches
            samples.append(elapsed)
            commands = measured.count
            for millis, name in timing.commands:
                slowest.setdefault(name, []).append(millis)
    figures: dict[str, Any] = {**summary_ms(samples), "db_commands": commands}
    if slowest:
        name, times = max(slowest.items(), key=lambda item: sorted(item[1])[len(item[1]) // 2])
        figures["slowest_command"] = f"{name} ({sorted(times)[len(times) // 2]:.1f} ms)"
    return figures


async def run(ctx: BenchContext) -> BenchSection:
    from admin_web.app import ADMIN_APP, INDEXES
    from admin_web.context import ADMIN
    from chatcart.bootstrap import running_container
    from chatcart.settings import Settings
    from chatcart.web import build_app, mount_admin

    section = BenchSection(f"Admin pages ({PRODUCTS:,} products, {ORDERS:,} orders, {CUSTOMERS:,} customers)")
    db_name = f"bench_admin_{uuid.uuid4().hex[:8]}"
    password = secrets.token_urlsafe(18)
    timer = CommandTimer()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(mongodb_uri=ctx.mongo_uri, db_name=db_name, data_dir=Path(tmp))
        async with running_container(
            settings, with_nlu=False, with_dialogs=False, listeners=[ctx.counter, timer]
        ) as container:
            try:
                app = build_app(container)
                if ADMIN_APP not in app:
                    mount_admin(app, container, idle_sweep_seconds=0)
                app[ADMIN_APP][ADMIN].hub = None  # no change-stream traffic inside the measurements
                started = time.perf_counter()
                # The admin's and the conversations' indexes too, so they are rebuilt after the load as well.
                await ensure_indexes(container.db, [*INDEXES, *dialog_indexes()])
                loads = await seed(container.db)
                stat_days, stats_seconds = await rebuild_stats(container.db)
                seed_seconds = time.perf_counter() - started
                await container.access.create_staff(BENCH_USER, password, [Role.OWNER])
                async with TestClient(TestServer(app)) as client:
                    await sign_in(client, BENCH_USER, password)
                    rows = await _measure_pages(ctx, timer, client, container.db, section)
                section.table(
                    [
                        "page",
                        "path",
                        "p50 ms",
                        "p99 ms",
                        "DB commands",
                        "slowest command (p50)",
                        f"< {TARGET_MS:.0f} ms",
                    ],
                    rows,
                )
                section.table(
                    ["collection", "documents", "insert s", "docs/s", "indexes", "index build s"],
                    [
                        [
                            f.collection,
                            f"{f.documents:,}",
                            f"{f.insert_seconds:.1f}",
                            f"{f.docs_per_second:,.0f}",
                            f.indexes,
                            f"{f.index_seconds:.1f}",
                        ]
                        for f in loads
                    ],
                )
                section.figures["seed_seconds"] = round(seed_seconds, 1)
                section.note(
                    f"Seeded in {seed_seconds:.1f} s (unordered insert_many of {INSERT_BATCH:,}, indexes "
                    f"rebuilt after the load; the {stat_days} days of order figures recounted from the "
                    f"orders in {stats_seconds:.1f} s). {REPEATS} requests per page after {WARM_UPS} warm-ups; "
                    "DB commands include the 2 of the session check (token, staff). "
                    "Also seeded: one conversation per customer."
                )
            finally:
                await _drop(container.db)
    return section


async def _drop(db: Database) -> None:
    """Collection by collection: dropping the whole database at once is one big write that the
    embedded server's cache may refuse (WT_CACHE_FULL); its data goes with the server anyway."""
    try:
        for name in await db.list_collection_names():
            await db.drop_collection(name)
        await db.client.drop_database(db.name)
    except PyMongoError as exc:
        print(f"admin_bench: could not drop {db.name}: {str(exc)[:120]}", file=sys.stderr, flush=True)


async def _measure_pages(
    ctx: BenchContext,
    timer: CommandTimer,
    client: TestClient[web.Request, web.Application],
    db: Database,
    section: BenchSection,
) -> list[list[object]]:
    order = await db["orders"].find_one({"status": "paid"}, {"_id": 1, "customer_id": 1})
    if order is None:
        raise RuntimeError("the seeded data has no paid order")
    pages = {
        "dashboard": "/admin/",
        "products": "/admin/products",
        "products search": "/admin/products?q=product123",
        "product edit": "/admin/products/B00123",
        "inventory": "/admin/inventory",
        "low stock": "/admin/inventory?view=low",
        "orders": "/admin/orders",
        "orders: status + channel": "/admin/orders?status=paid&channel=telegram",
        "orders: number prefix": f"/admin/orders?number={utcnow():%Y%m}",
        "order detail": f"/admin/orders/{order['_id']}",
        "customers": "/admin/customers",
        "customers: search": "/admin/customers?q=客户123",
        "customer detail": f"/admin/customers/{order['customer_id']}",
        "after-sales": "/admin/aftersales",
        "audit log": "/admin/audit",
        "console": "/admin/console",
    }
    rows: list[list[object]] = []
    for name, path in pages.items():
        figures = await measure_page(ctx, timer, client, path)
        section.figures[name] = figures
        verdict = "ok" if figures["p50_ms"] < TARGET_MS else "SLOW"
        rows.append(
            [
                name,
                f"`{path.split('?')[0]}`",
                figures["p50_ms"],
                figures["p99_ms"],
                figures["db_commands"],
                figures.get("slowest_command", "-"),
                verdict,
            ]
        )
        print(
            f"admin_bench: {name}: p50 {figures['p50_ms']} ms, p99 {figures['p99_ms']} ms, "
            f"{figures['db_commands']} commands, slowest {figures.get('slowest_command')}",
            file=sys.stderr,
            flush=True,
        )
    return rows
