"""Catalog fixtures: a CatalogService on the per-test database, stock written to `inventory`."""

from __future__ import annotations

from typing import Any

import pytest
from pymongo import UpdateOne

from commerce.catalog import CatalogService
from commerce.catalog.demo import demo_store_data
from commerce.catalog.repository import INDEXES
from core.mongo import Database, ensure_indexes


class FakeStock:
    """Stands in for InventoryService.set_levels/get_levels: same collection shape, same session use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.calls: list[tuple[dict[str, int], str, bool]] = []
        self.fail_with: Exception | None = None

    async def set_levels(self, levels: dict[str, int], reason: str, *, session: Any = None) -> None:
        self.calls.append((dict(levels), reason, session is not None))
        ops = [
            UpdateOne({"_id": sku}, {"$set": {"available": n}, "$setOnInsert": {"reserved": 0}}, upsert=True)
            for sku, n in levels.items()
        ]
        await self.db["inventory"].bulk_write(ops, session=session)
        if self.fail_with is not None:
            raise self.fail_with

    async def get_levels(self, skus: list[str]) -> dict[str, int]:
        docs = await self.db["inventory"].find({"_id": {"$in": skus}}).to_list()
        return {doc["_id"]: int(doc["available"]) for doc in docs}


@pytest.fixture
def stock(db: Database) -> FakeStock:
    return FakeStock(db)


@pytest.fixture
async def catalog(db: Database, stock: FakeStock) -> CatalogService:
    await ensure_indexes(db, INDEXES)
    return CatalogService(db, set_stock=stock.set_levels, get_stock=stock.get_levels, vocabulary_refresh_seconds=0)


@pytest.fixture
async def demo_catalog(catalog: CatalogService) -> CatalogService:
    report = await catalog.import_catalog(demo_store_data())
    assert report.ok, report.errors
    return catalog
