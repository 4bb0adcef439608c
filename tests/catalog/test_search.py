"""Search against the demo store on the real embedded database."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from commerce.catalog import CatalogService, ProductStatus, SearchQuery, SearchSort
from commerce.money import Money
from core.mongo import Database


async def codes(catalog: CatalogService, **kwargs: object) -> list[str]:
    page = await catalog.search(SearchQuery.model_validate({"limit": 100, **kwargs}))
    return [item.code for item in page.items]


async def test_chinese_query_finds_headphones_with_title_hits_first(demo_catalog: CatalogService) -> None:
    found = await codes(demo_catalog, text="耳机")
    assert found[:3]
    assert set(found[:3]) == {"P110", "P111", "P112"}
    assert set(found) <= {"P110", "P111", "P112", "P113", "P114"}  # speakers match via category 耳机音响


async def test_english_query_with_stemming(demo_catalog: CatalogService) -> None:
    assert set(await codes(demo_catalog, text="headphone")) >= {"P110"}
    assert await codes(demo_catalog, text="jeans") == ["P210"]


async def test_pinyin_query_finds_chinese_titles(demo_catalog: CatalogService) -> None:
    assert {"P110", "P111", "P112"} <= set(await codes(demo_catalog, text="erji"))
    assert "P610" in await codes(demo_catalog, text="longjing")


async def test_typo_is_corrected_and_reported(demo_catalog: CatalogService) -> None:
    page = await demo_catalog.search(SearchQuery(text="headphnes"))
    assert page.corrections == {"headphnes": ["headphones"]}
    assert {"P110", "P111", "P112"} <= {item.code for item in page.items}


async def test_multi_word_query_keeps_best_matching_tier(demo_catalog: CatalogService) -> None:
    # Only black headphones, not every black product nor white-only headphones.
    assert set(await codes(demo_catalog, text="black headphones")) == {"P110", "P111"}
    assert set(await codes(demo_catalog, text="我想买蓝牙耳机")) == {"P110", "P111", "P113"}


async def test_sku_code_query(demo_catalog: CatalogService) -> None:
    assert await codes(demo_catalog, text="P100-01") == ["P100"]


async def test_only_stopwords_finds_nothing(demo_catalog: CatalogService) -> None:
    page = await demo_catalog.search(SearchQuery(text="我想买"))
    assert page.total == 0
    assert page.items == []


async def test_category_filter_includes_descendants(demo_catalog: CatalogService) -> None:
    digital = set(await codes(demo_catalog, category="digital"))
    assert {"P100", "P110", "P120"} <= digital  # phones, audio, accessories
    assert set(await codes(demo_catalog, category="phones")) == {"P100", "P101", "P102", "P103"}
    assert "P900" not in digital  # drafts are hidden from customers


async def test_brand_tag_and_price_filters(demo_catalog: CatalogService) -> None:
    assert set(await codes(demo_catalog, brand="sonora")) == {"P110", "P111", "P112"}  # case-insensitive
    assert set(await codes(demo_catalog, tag="promotion", category="phones")) == {"P101"}
    cheap_phones = await codes(demo_catalog, category="phones", max_price=Money.parse("1500", "CNY"))
    assert set(cheap_phones) == {"P101", "P103"}
    # A product qualifies when any SKU price is in range (P100 has 2999 and 3399).
    mid = await codes(
        demo_catalog, category="phones", min_price=Money.parse("3000", "CNY"), max_price=Money.parse("3500", "CNY")
    )
    assert mid == ["P100"]


async def test_in_stock_filter_reads_inventory_live(demo_catalog: CatalogService, db: Database) -> None:
    audio = set(await codes(demo_catalog, category="audio"))
    in_stock = set(await codes(demo_catalog, category="audio", in_stock=True))
    assert audio - in_stock == {"P114"}  # its only SKU has 0 available
    await db["inventory"].update_one({"_id": "P114-01"}, {"$set": {"available": 4}})
    assert "P114" in await codes(demo_catalog, category="audio", in_stock=True)
    page = await demo_catalog.search(SearchQuery(category="audio"))
    assert all(item.in_stock for item in page.items)


async def test_sorts(demo_catalog: CatalogService) -> None:
    page = await demo_catalog.search(SearchQuery(category="phones", sort=SearchSort.PRICE_ASC))
    prices = [item.price_min.amount for item in page.items]
    assert prices == sorted(prices)
    page = await demo_catalog.search(SearchQuery(category="phones", sort=SearchSort.PRICE_DESC))
    assert [item.price_min.amount for item in page.items] == sorted(prices, reverse=True)
    await demo_catalog.record_sales({"P103-01": 5, "P101-01": 2})
    assert (await codes(demo_catalog, category="phones", sort="sales"))[:2] == ["P103", "P101"]
    await demo_catalog.set_product_status("P900", ProductStatus.ON_SALE)
    newest = await codes(demo_catalog, category="phones", sort="newest")
    assert len(newest) == 5
    assert set(newest) == {"P100", "P101", "P102", "P103", "P900"}


async def test_pagination_with_total_in_the_same_aggregation(demo_catalog: CatalogService) -> None:
    first = await demo_catalog.search(SearchQuery(category="digital", limit=5, sort="price_asc"))
    assert first.total == 13
    assert len(first.items) == 5
    assert first.next_page == 2
    seen = [i.code for i in first.items]
    page = first
    while page.next_page is not None:
        page = await demo_catalog.search(
            SearchQuery(category="digital", limit=5, sort="price_asc", page=page.next_page)
        )
        seen += [i.code for i in page.items]
    assert len(seen) == len(set(seen)) == 13
    assert page.page == 3


async def test_admin_can_include_drafts(demo_catalog: CatalogService) -> None:
    everything = await codes(demo_catalog, category="phones", statuses=list(ProductStatus))
    assert "P900" in everything


def test_query_validation() -> None:
    with pytest.raises(ValidationError):
        SearchQuery(min_price=Money.parse("10", "CNY"), max_price=Money.parse("5", "CNY"))
    with pytest.raises(ValidationError):
        SearchQuery(limit=1000)
    with pytest.raises(ValidationError):
        SearchQuery(text="x" * 201)
