"""Admin page latency at shop scale: 10,000 products, 100,000 orders, 20,000 customers.

Data is bulk-inserted directly (document shapes of the commerce models). Each main page is
then requested through the real aiohttp app in-process; the figure is the time from request
to complete response on loopback (server time plus a negligible client part) and the number
of database commands the page sent. Target: p50 < 100 ms per page.

    python -m benchmarks --only admin_bench
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from aiohttp.test_utils import TestClient, TestServer

from benchmarks.harness import BenchContext, BenchSection, summary_ms
from commerce.api.principal import Role
from commerce.mongo import utcnow

PRODUCTS = 10_000
ORDERS = 100_000
CUSTOMERS = 20_000
REPEATS = 30
BATCH = 5_000
STATUSES = ["pending_payment", "paid", "shipped", "delivered", "completed", "cancelled", "refunded"]


def _money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "CNY"}


def _product(i: int) -> dict[str, Any]:
    price = 1_000 + (i * 37) % 500_000
    sku = f"B{i:05d}-1"
    now = utcnow()
    return {
        "_id": f"B{i:05d}", "category": f"cat{i % 20}", "category_path": [f"cat{i % 20}"], "brand": f"Brand{i % 50}",
        "title": {"zh": f"商品{i}", "en": f"Product {i}"}, "description": {"zh": "", "en": ""}, "tags": ["new"] if i % 7 == 0 else [],
        "images": [], "videos": [], "status": "on_sale" if i % 10 else "off_shelf",
        "skus": [{"sku": sku, "specs": {"color": "black"}, "spec_labels": [], "price": _money(price),
                  "compare_at_price": None, "weight_g": 200, "barcode": None, "tier_prices": {}}],
        "sku_codes": [sku], "currency": "CNY", "price_min": price, "price_max": price, "sales": i % 300,
        "created_at": now - timedelta(minutes=i), "updated_at": now,
        "keywords": [f"product{i}", f"商品{i}", f"brand{i % 50}"], "title_keywords": [f"product{i}"],
    }  # fmt: skip


def _order(i: int, customer: str, now: Any) -> dict[str, Any]:
    status = STATUSES[i % len(STATUSES)]
    created = now - timedelta(minutes=i * 2)  # about 140 days of orders
    amount = 2_000 + (i * 13) % 100_000
    paid = created + timedelta(minutes=3) if status not in ("pending_payment", "cancelled") else None
    return {
        "_id": f"{0xFFFFFFFF - i:08x}{uuid.uuid4().hex[:16]}", "number": f"{created:%Y%m%d}-{i:06d}",
        "customer_id": customer, "status": status,
        "lines": [{"sku": f"B{i % PRODUCTS:05d}-1", "product_code": f"B{i % PRODUCTS:05d}", "title": {"zh": f"商品{i % PRODUCTS}", "en": "P"},
                   "specs": {}, "image": None, "quantity": 1, "list_unit_price": _money(amount), "unit_price": _money(amount),
                   "coupon_share": _money(0), "line_total": _money(amount), "weight_g": 200}],
        "pricing": {"items_subtotal": _money(amount), "tier_discount": _money(0), "coupon_discount": _money(0),
                    "shipping_fee": _money(0), "total": _money(amount)},
        "total": _money(amount), "currency": "CNY",
        "address": {"id": "a1", "recipient": "张三", "phone": "+8613800138000", "province": "上海市", "city": "上海市",
                    "district": "浦东新区", "detail": "世纪大道 1 号", "postcode": None},
        "shipment": {"method": "express", "carrier": None, "tracking_no": None, "shipped_at": None, "delivered_at": None},
        "coupon_code": None, "history": [{"from": None, "to": "pending_payment", "actor": "customer", "reason": "", "at": created}],
        "created_at": created, "updated_at": created, "expires_at": None, "paid_at": paid, "payment_ids": [],
        "refunded": _money(0), "note": "",
    }  # fmt: skip


async def _seed(db: Any) -> list[str]:
    products = [_product(i) for i in range(PRODUCTS)]
    for start in range(0, PRODUCTS, BATCH):
        await db["products"].insert_many(products[start:start + BATCH], ordered=False)
    await db["inventory"].insert_many([{"_id": p["sku_codes"][0], "available": i % 60, "reserved": 0}
                                       for i, p in enumerate(products)], ordered=False)  # fmt: skip
    await db["categories"].insert_many([{"_id": f"cat{i}", "name": {"zh": f"分类{i}", "en": f"Category {i}"},
                                         "parent": None, "sort": i, "path": [f"cat{i}"]} for i in range(20)])  # fmt: skip
    customers = [f"c{i:06d}" for i in range(CUSTOMERS)]
    kinds = ["web_session", "telegram", "wechat_openid"]
    docs = [{"_id": c, "name": f"客户{i}", "language": "zh", "tier": "regular", "merged_into": None,
             "identities": [{"kind": kinds[i % 3], "value": f"u{i}", "key": f"{kinds[i % 3]}:u{i}"}],
             "identity_keys": [f"{kinds[i % 3]}:u{i}"], "addresses": [], "created_at": utcnow()}
            for i, c in enumerate(customers)]  # fmt: skip
    for start in range(0, CUSTOMERS, BATCH):
        await db["customers"].insert_many(docs[start:start + BATCH], ordered=False)
    now = utcnow()
    rng = random.Random(7)
    for start in range(0, ORDERS, BATCH):
        batch = [_order(i, customers[rng.randrange(CUSTOMERS)], now) for i in range(start, min(start + BATCH, ORDERS))]
        await db["orders"].insert_many(batch, ordered=False)
        print(f"admin_bench: {start + len(batch):,} orders seeded", file=sys.stderr, flush=True)
    return customers


async def run(ctx: BenchContext) -> BenchSection:
    from admin_web.app import ADMIN_APP
    from admin_web.context import ADMIN
    from chatcart.bootstrap import running_container
    from chatcart.settings import Settings
    from chatcart.web import build_app
    from tests.admin_web.conftest import PASSWORD, sign_in

    section = BenchSection("Admin pages (10k products, 100k orders)")
    db_name = f"bench_admin_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(mongodb_uri=ctx.mongo_uri, db_name=db_name, data_dir=Path(tmp))
        started = time.perf_counter()
        async with running_container(settings, with_nlu=False, with_dialogs=False, listeners=[ctx.counter]) as container:
            try:
                customers = await _seed(container.db)
                seed_seconds = time.perf_counter() - started
                app = build_app(container)
                if ADMIN_APP not in app:
                    from admin_web.app import setup_admin

                    setup_admin(app, container, idle_sweep_seconds=0)
                app[ADMIN_APP][ADMIN].hub = None  # no change-stream traffic inside the measurements
                await container.access.create_staff("bench_owner", PASSWORD, [Role.OWNER])
                async with TestClient(TestServer(app)) as client:
                    await sign_in(client, "bench_owner")
                    order = await container.db["orders"].find_one({"status": "paid"})
                    if order is None:
                        raise RuntimeError("the seeded data has no paid order")
                    pages = {
                        "dashboard": "/admin/", "products": "/admin/products",
                        "products search": "/admin/products?q=product123", "product edit": "/admin/products/B00123",
                        "inventory": "/admin/inventory", "low stock": "/admin/inventory?view=low",
                        "orders": "/admin/orders", "orders filtered": "/admin/orders?status=paid&channel=telegram",
                        "order detail": f"/admin/orders/{order['_id']}", "customers": "/admin/customers",
                        "customer detail": f"/admin/customers/{customers[5]}", "after-sales": "/admin/aftersales",
                        "audit log": "/admin/audit", "console": "/admin/console",
                    }  # fmt: skip
                    rows = []
                    for name, path in pages.items():
                        samples: list[float] = []
                        commands = 0
                        for attempt in range(REPEATS + 2):
                            with ctx.counter.measure() as measured:
                                t0 = time.perf_counter()
                                response = await client.get(path)
                                await response.read()
                                elapsed = time.perf_counter() - t0
                            if response.status != 200:
                                raise RuntimeError(f"{path} answered {response.status}")
                            if attempt >= 2:  # first requests warm caches
                                samples.append(elapsed)
                                commands = measured.count
                        figures = summary_ms(samples)
                        section.figures[name] = {**figures, "db_commands": commands}
                        verdict = "ok" if figures["p50_ms"] < 100 else "SLOW"
                        rows.append([name, f"`{path.split('?')[0]}`", figures["p50_ms"], figures["p99_ms"], commands, verdict])
                    section.table(["page", "path", "p50 ms", "p99 ms", "DB commands", "< 100 ms"], rows)
                    section.note(f"Seeded {PRODUCTS:,} products, {ORDERS:,} orders and {CUSTOMERS:,} customers in "
                                 f"{seed_seconds:.1f} s; {REPEATS} requests per page after 2 warm-ups. "
                                 "DB commands include the 2 of the session check (token, staff).")  # fmt: skip
            finally:
                await container.database.client.drop_database(db_name)
    return section
