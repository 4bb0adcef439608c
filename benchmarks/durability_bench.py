"""What durability costs: the embedded database with and without an fsync per commit
(`--sync-on-commit`, on by default since issue 17) on file storage, as `chatcart serve` runs it.

Sequential checkouts and payment notifications (latency), then 8 concurrent buyers for a few
seconds (throughput), once per set-up, each on a fresh server and storage directory.

    python -m benchmarks --only durability_bench
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from benchmarks.commerce_bench import ADDRESS, BENCH_SECRET
from benchmarks.harness import BenchContext, BenchSection, summary_ms
from chatcart.bootstrap import build_commerce
from chatcart.database import durable_client
from chatcart.embedded_db import EmbeddedMongo
from commerce.catalog.model import Product, Sku
from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.services import Commerce, CommerceConfig, ensure_all_indexes

SEQUENTIAL = 40
CONCURRENT_BUYERS = 8
CONCURRENT_SECONDS = 5.0


async def _shop(commerce: Commerce, buyers: int) -> list[str]:
    product = Product(
        code="DUR",
        category="bench",
        title=LocalizedText("耐久", "Durable"),
        skus=(Sku(sku="D-1", price=Money(1990, "CNY"), weight_g=300),),
    )
    await commerce.catalog.repository.upsert_products([product])
    await commerce.inventory.set_levels({"D-1": 1_000_000}, "bench stock")
    customers = []
    for n in range(buyers):
        customer = await commerce.customers.identify("telegram", f"dur-{n}")
        await commerce.customers.add_address(customer.id, ADDRESS)
        customers.append(customer.id)
    return customers


async def _checkout_and_pay(commerce: Commerce, customer_id: str) -> tuple[float, float]:
    started = time.perf_counter()
    order = await commerce.orders.create_order(customer_id, shipping_method="express", lines={"D-1": 1})
    placed = time.perf_counter()
    payment = await commerce.payments.start(order.number, customer_id=customer_id)
    await commerce.payments.simulate(payment.id, True)
    return placed - started, time.perf_counter() - placed


async def _measure(sync_on_commit: bool) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="chatcart-durability-") as storage:
        server = EmbeddedMongo(str(Path(storage) / "db"), sync_on_commit=sync_on_commit)
        await asyncio.to_thread(server.start)
        client = await durable_client(server.uri, "bench")
        try:
            db = client["bench"]
            await ensure_all_indexes(db)
            commerce = build_commerce(db, CommerceConfig(sandbox_secret=BENCH_SECRET))
            customers = await _shop(commerce, CONCURRENT_BUYERS)
            checkouts: list[float] = []
            payments: list[float] = []
            for _ in range(SEQUENTIAL):
                checkout, payment = await _checkout_and_pay(commerce, customers[0])
                checkouts.append(checkout)
                payments.append(payment)
            done = 0
            stop = time.perf_counter() + CONCURRENT_SECONDS

            async def buyer(customer_id: str) -> None:
                nonlocal done
                while time.perf_counter() < stop:
                    await _checkout_and_pay(commerce, customer_id)
                    done += 1

            began = time.perf_counter()
            await asyncio.gather(*(buyer(c) for c in customers))
            elapsed = time.perf_counter() - began
        finally:
            await client.close()
            await asyncio.to_thread(server.stop)
    return {
        "checkout_p50_ms": summary_ms(checkouts)["p50_ms"],
        "checkout_p99_ms": summary_ms(checkouts)["p99_ms"],
        "payment_p50_ms": summary_ms(payments)["p50_ms"],
        "paid_orders_per_s": round(done / elapsed, 1),
    }


async def run(context: BenchContext) -> BenchSection:
    section = BenchSection("Durability: fsync per commit on the embedded database")
    fast = await _measure(sync_on_commit=False)
    durable = await _measure(sync_on_commit=True)
    rows = []
    for name in fast:
        ratio = durable[name] / fast[name] if fast[name] else float("nan")
        rows.append([name, fast[name], durable[name], f"{ratio:.2f}x"])
        section.figures[f"{name}_no_sync"] = fast[name]
        section.figures[f"{name}_sync"] = durable[name]
    section.table(["figure", "without --sync-on-commit", "with --sync-on-commit (default)", "durable / fast"], rows)
    section.note(
        f"File storage in a temporary directory; {SEQUENTIAL} sequential checkout + payment pairs, then "
        f"{CONCURRENT_BUYERS} concurrent buyers for {CONCURRENT_SECONDS:.0f} s. Write concern: the most durable the "
        "server accepts (`w: majority, j: true`). Without the fsync, writes acknowledged in the last moments "
        "before a crash of the database process can be lost (tests/faults/test_database_crash.py)."
    )
    return section
