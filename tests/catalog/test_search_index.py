"""The in-process search index stays fresh across service instances (other processes)."""

from __future__ import annotations

from commerce.catalog import CatalogService, ProductStatus, SearchQuery
from core.mongo import Database
from tests.catalog.conftest import FakeStock


async def test_other_instances_see_imports_and_status_changes(
    demo_catalog: CatalogService, db: Database, stock: FakeStock
) -> None:
    other = CatalogService(db, set_stock=stock.set_levels, vocabulary_refresh_seconds=0)
    before = await other.search(SearchQuery(category="phones"))
    assert "P900" not in {item.code for item in before.items}  # a draft

    await demo_catalog.set_product_status("P900", ProductStatus.ON_SALE)
    after = await other.search(SearchQuery(category="phones"))
    assert after.total == before.total + 1
    assert "P900" in {item.code for item in after.items}

    data = await demo_catalog.export_catalog()
    row = next(p for p in data["products"] if p["code"] == "P100")
    row["title"]["en"] = "Zyxwv Phone"
    assert (await demo_catalog.import_catalog({"products": [row]})).updated == 1
    found = await other.search(SearchQuery(text="zyxwv"))
    assert [item.code for item in found.items] == ["P100"]


async def test_own_sales_reorder_at_once(demo_catalog: CatalogService) -> None:
    await demo_catalog.search(SearchQuery())  # index loaded
    await demo_catalog.record_sales({"P102-01": 1000})
    page = await demo_catalog.search(SearchQuery(category="phones", sort="sales"))
    assert page.items[0].code == "P102"
    assert page.items[0].sales == 1000
