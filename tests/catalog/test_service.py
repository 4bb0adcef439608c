from __future__ import annotations

import pytest

from commerce.catalog import CatalogService, ProductStatus
from commerce.errors import NotFound, ValidationFailed
from commerce.localized import LocalizedText
from commerce.money import Money
from core.mongo import Database


async def test_sku_snapshots(demo_catalog: CatalogService) -> None:
    snapshots = await demo_catalog.get_sku_snapshots(["P100-01", "P200-02", "missing"])
    phone = snapshots["P100-01"]
    assert phone.product_code == "P100"
    assert phone.title == LocalizedText("极光手机 X1", "Aurora Phone X1")
    assert phone.specs == {"color": "black", "storage": "128GB"}
    assert phone.price == Money(299900, "CNY")
    assert phone.price_for("vip") == Money(289900, "CNY")
    assert phone.compare_at_price == Money(329900, "CNY")
    assert phone.weight_g == 190
    assert phone.image == "/media/products/P100.png"
    assert phone.status is ProductStatus.ON_SALE
    assert phone.category == "phones"
    assert phone.brand == "Aurora"
    assert snapshots["P200-02"].describe_specs("en") == "White / M"
    assert "missing" not in snapshots
    assert await demo_catalog.get_sku_snapshots([]) == {}


async def test_record_sales_and_popular(demo_catalog: CatalogService) -> None:
    await demo_catalog.record_sales({"P300-01": 7, "P300-02": 3, "P500-01": 4, "P114-01": 50})
    popular = await demo_catalog.popular(3)
    assert [p.code for p in popular] == ["P300", "P500", "P100"]  # P114 sells most but is out of stock
    assert popular[0].sales == 10


async def test_recommend_similar_products(demo_catalog: CatalogService) -> None:
    similar = await demo_catalog.recommend("P110", limit=4)
    codes = [p.code for p in similar]
    assert "P110" not in codes
    assert codes[:2] == ["P111", "P112"]
    assert [p.code for p in await demo_catalog.recommend(None, 2)] == [p.code for p in await demo_catalog.popular(2)]
    with pytest.raises(NotFound):
        await demo_catalog.recommend("NOPE")


async def test_get_product_hides_drafts_from_customers(demo_catalog: CatalogService) -> None:
    assert (await demo_catalog.get_product("P900")).status is ProductStatus.DRAFT
    with pytest.raises(NotFound):
        await demo_catalog.get_product("P900", public_only=True)
    with pytest.raises(NotFound):
        await demo_catalog.get_product_detail("P900")


async def test_product_detail_has_live_availability(demo_catalog: CatalogService, db: Database) -> None:
    detail = await demo_catalog.get_product_detail("P101")
    assert detail.available == {"P101-01": 40, "P101-02": 0}
    assert detail.in_stock


async def test_categories_and_tree(demo_catalog: CatalogService) -> None:
    categories = await demo_catalog.list_categories()
    assert len(categories) == 13
    tree = await demo_catalog.category_tree()
    assert [n.category.code for n in tree] == ["digital", "apparel", "shoes", "home", "beauty", "food"]
    assert [n.category.code for n in tree[0].children] == ["phones", "audio", "accessories"]


async def test_vocabulary_and_version(demo_catalog: CatalogService) -> None:
    vocabulary = await demo_catalog.vocabulary()
    version = vocabulary["version"]
    assert version == await demo_catalog.version() >= 1
    assert {
        "code": "P110",
        "zh": "声悦降噪蓝牙耳机",
        "en": "Sonora Noise-Cancelling Headphones",
        "category": "audio",
    } in vocabulary["products"]
    assert all(p["code"] != "P900" for p in vocabulary["products"])  # drafts are not offered
    assert "Sonora" in vocabulary["brands"]
    assert "森木" in vocabulary["brands"]
    assert {"code": "audio", "zh": "耳机音响", "en": "Headphones & Speakers", "parent": "digital"} in vocabulary[
        "categories"
    ]
    assert ["耳机", "headphones", "headphone", "earphones", "earphone", "earbuds", "headset", "耳麦"] in vocabulary[
        "synonyms"
    ]
    await demo_catalog.set_product_status("P900", "on_sale")
    assert await demo_catalog.version() == version + 1


async def test_set_status_validates(demo_catalog: CatalogService) -> None:
    with pytest.raises(ValidationFailed):
        await demo_catalog.set_product_status("P100", "sold")
    with pytest.raises(NotFound):
        await demo_catalog.set_product_status("NOPE", "draft")


async def test_rebuild_vocabulary_keeps_typo_tolerance(demo_catalog: CatalogService) -> None:
    await demo_catalog.rebuild_vocabulary()
    from commerce.catalog import SearchQuery

    page = await demo_catalog.search(SearchQuery(text="sneakrs"))
    assert page.corrections == {"sneakrs": ["sneakers"]}
    assert page.total > 0


async def test_import_keeps_the_inventory_in_stock_flag(demo_catalog: CatalogService, db: Database) -> None:
    # The inventory side maintains `products.in_stock`; re-imports must not wipe it.
    await db["products"].update_one({"_id": "P100"}, {"$set": {"in_stock": True}})
    from commerce.catalog.demo import demo_store_data

    data = demo_store_data()
    data["products"][0]["title"]["en"] = "Aurora Phone X1 (2025)"
    report = await demo_catalog.import_catalog(data)
    assert report.updated == 1
    doc = await db["products"].find_one({"_id": "P100"})
    assert doc is not None
    assert doc["in_stock"] is True
    assert doc["title"]["en"] == "Aurora Phone X1 (2025)"
