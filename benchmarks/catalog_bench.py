"""Catalog benchmark: bulk import of a large generated catalog, then search and SKU snapshots.

Run alone with `python -m benchmarks --only catalog_bench`; `run(context)` returns a BenchSection.
Set CHATCART_BENCH_CATALOG_PRODUCTS to change the catalog size (default 10,000 products).
"""

from __future__ import annotations

import copy
import os
import time
from typing import Any

from benchmarks.harness import BenchContext, BenchSection, summary_ms
from commerce.catalog import CatalogService, ProductStatus, SearchQuery
from commerce.catalog.demo import demo_store_data
from commerce.catalog.repository import INDEXES
from core.mongo import ensure_indexes

QUERIES: dict[str, SearchQuery] = {
    "zh word (耳机)": SearchQuery(text="耳机"),
    "en two words, in stock": SearchQuery(text="black headphones", in_stock=True),
    "pinyin (erji)": SearchQuery(text="erji"),
    "typo (headphnes)": SearchQuery(text="headphnes"),
    "category browse, price sort": SearchQuery(category="digital", sort="price_asc"),
    "price range + tag": SearchQuery(min_price=None, tag="hot", sort="sales"),
    "page 5 of everything": SearchQuery(page=5),
    "admin list, all statuses, newest, page 40": SearchQuery(
        statuses=tuple(ProductStatus), sort="newest", page=40, typo_tolerance=False
    ),
}


def generated_catalog(products: int) -> dict[str, Any]:
    """The demo store repeated with fresh codes (realistic texts, specs and category spread)."""
    demo = demo_store_data()
    templates = demo["products"]
    out: list[dict[str, Any]] = []
    for index in range(products):
        product = copy.deepcopy(templates[index % len(templates)])
        code = f"G{index:06d}"
        product["code"] = code
        product["title"]["en"] += f" #{index}"
        for j, sku in enumerate(product["skus"]):
            sku["sku"] = f"{code}-{j:02d}"
            sku.pop("stock", None)
        out.append(product)
    return {"categories": demo["categories"], "products": out}


async def run(context: BenchContext) -> BenchSection:
    size = int(os.environ.get("CHATCART_BENCH_CATALOG_PRODUCTS", "10000"))
    section = BenchSection(f"Catalog ({size:,} products)")
    data = generated_catalog(size)
    skus = sum(len(p["skus"]) for p in data["products"])
    async with context.fresh_db() as db:
        await ensure_indexes(db, INDEXES)
        catalog = CatalogService(db, vocabulary_refresh_seconds=0)

        started = time.perf_counter()
        with context.counter.measure() as imported:
            report = await catalog.import_catalog(data)
        import_seconds = time.perf_counter() - started
        if not report.ok or report.created != size:
            raise RuntimeError(f"benchmark import failed: {report.errors[:5]}")
        started = time.perf_counter()
        again = await catalog.import_catalog(data)
        reimport_seconds = time.perf_counter() - started
        if again.unchanged != size:
            raise RuntimeError("re-import of an unchanged catalog changed something")

        # Stock as the inventory service stores it ({_id: sku, available}); every third SKU sold out,
        # so in-stock searches have something to filter.
        sku_codes = [s["sku"] for p in data["products"] for s in p["skus"]]
        for start in range(0, len(sku_codes), 5000):
            await db["inventory"].insert_many(
                [
                    {"_id": sku, "available": (start + i) % 3, "reserved": 0}
                    for i, sku in enumerate(sku_codes[start : start + 5000])
                ]
            )

        started = time.perf_counter()
        with context.counter.measure() as cold:
            await catalog.search(SearchQuery(text="耳机"))
        cold_ms = (time.perf_counter() - started) * 1000

        section.table(
            ["import", "products", "SKUs", "seconds", "products/s", "database commands"],
            [
                [
                    "first import (validate + keywords + one transaction)",
                    size,
                    skus,
                    f"{import_seconds:.1f}",
                    f"{size / import_seconds:,.0f}",
                    imported.count,
                ],
                [
                    "re-import, nothing changed",
                    size,
                    skus,
                    f"{reimport_seconds:.1f}",
                    f"{size / reimport_seconds:,.0f}",
                    "-",
                ],
            ],
        )

        rows: list[list[object]] = []
        for name, query in QUERIES.items():
            samples: list[float] = []
            commands = 0
            total = 0
            for _ in range(5):
                with context.counter.measure() as measured:
                    started = time.perf_counter()
                    page = await catalog.search(query)
                    samples.append(time.perf_counter() - started)
                commands = max(commands, measured.count)
                total = page.total
            figures = summary_ms(samples)
            rows.append([name, total, commands, figures["p50_ms"], figures["p99_ms"]])
            section.figures[f"search {name} commands"] = commands
        section.table(["search", "matches", "max commands", "p50 ms", "p99 ms"], rows)
        section.note(
            f"First search of a fresh service (loads the in-process search index): {cold_ms:,.0f} ms, "
            f"{cold.count} commands; later searches refresh it with one indexed `find` for products "
            "written since (`rev`)."
        )
        section.figures["first_search_ms"] = round(cold_ms)

        wanted = [f"G{i:06d}-00" for i in range(0, size, max(1, size // 20))][:20]
        samples = []
        with context.counter.measure() as measured:
            for _ in range(5):
                started = time.perf_counter()
                found = await catalog.get_sku_snapshots(wanted)
                samples.append(time.perf_counter() - started)
        if len(found) != len(wanted):
            raise RuntimeError("snapshots missing")
        snap = summary_ms(samples)
        section.table(
            ["operation", "commands per call", "p50 ms", "p99 ms"],
            [[f"get_sku_snapshots({len(wanted)} SKUs)", measured.count // 5, snap["p50_ms"], snap["p99_ms"]]],
        )
        section.note(
            "Search budget: ≤ 2 commands (a `find` on products for entries written since the in-process "
            "search index was refreshed, then one `aggregate` for the page with live stock; with `in_stock` "
            "that aggregate checks stock for every candidate). Keyword matching, filters, ranking and the "
            "total run in memory. Stock is not part of this import (written directly to `inventory` here)."
        )
        section.figures.update({"import_seconds": round(import_seconds, 2), "import_commands": imported.count})
    return section
