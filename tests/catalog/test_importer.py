"""Import/export against the real embedded database."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from commerce.catalog import CatalogService
from commerce.catalog.demo import demo_store_data
from commerce.catalog.importer import parse_catalog_json
from commerce.money import Money
from core.mongo import Database
from tests.catalog.conftest import FakeStock


def catalog_file() -> dict[str, Any]:
    return {
        "categories": [
            {"code": "digital", "name": {"zh": "数码", "en": "Digital"}, "parent": None},
            {"code": "phones", "name": {"zh": "手机", "en": "Phones"}, "parent": "digital"},
        ],
        "products": [
            {
                "code": "P100",
                "category": "phones",
                "brand": "Acme",
                "title": {"zh": "极光手机", "en": "Aurora Phone"},
                "description": {"zh": "大屏", "en": "Big screen"},
                "tags": ["new"],
                "images": ["https://img.example.com/p100.png"],
                "skus": [
                    {
                        "sku": "P100-BLK-128",
                        "specs": {"color": "black", "storage": "128GB"},
                        "price": "2999.00",
                        "currency": "CNY",
                        "stock": 50,
                        "weight_g": 180,
                    },
                    {
                        "sku": "P100-BLK-256",
                        "specs": {"color": "black", "storage": "256GB"},
                        "price": "3399.00",
                        "compare_at_price": "3599.00",
                        "stock": 0,
                    },
                ],
            },
            {"code": "P101", "category": "digital", "title": "Cable", "skus": [{"sku": "C1", "price": "19.9"}]},
        ],
    }


async def test_import_creates_products_categories_and_stock(
    catalog: CatalogService, db: Database, stock: FakeStock
) -> None:
    report = await catalog.import_catalog(catalog_file())
    assert report.ok
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.categories_created == 2
    assert report.stock_levels == 2
    assert stock.calls == [({"P100-BLK-128": 50, "P100-BLK-256": 0}, "catalog import", True)]  # in the transaction
    product = await catalog.get_product("P100")
    assert product.category_path == ("digital", "phones")
    assert product.skus[1].compare_at_price == Money(359900, "CNY")
    cable = await catalog.get_product("P101")
    assert cable.title.zh == cable.title.en == "Cable"  # a plain string counts for both languages
    assert cable.skus[0].price == Money(1990, "CNY")  # currency defaults to the shop's
    assert await catalog.version() == 1


async def test_exact_price_conversion_including_json_numbers(catalog: CatalogService) -> None:
    data = parse_catalog_json(
        '{"products": [{"code": "X", "category": "c", "title": "x", "skus": ['
        '{"sku": "X1", "price": 0.1}, {"sku": "X2", "price": "1234567.89"}, {"sku": "X3", "price": 7}]}],'
        ' "categories": [{"code": "c", "name": "C"}]}'
    )
    assert data["products"][0]["skus"][0]["price"] == Decimal("0.1")
    assert (await catalog.import_catalog(data)).ok
    skus = (await catalog.get_product("X")).skus
    assert [s.price.amount for s in skus] == [10, 123456789, 700]


async def test_reimport_is_idempotent_and_counts_changes(catalog: CatalogService, db: Database) -> None:
    await catalog.import_catalog(catalog_file())
    await catalog.record_sales({"P100-BLK-128": 3})
    again = await catalog.import_catalog(catalog_file())
    assert (again.created, again.updated, again.unchanged, again.categories_updated) == (0, 0, 2, 0)
    changed = catalog_file()
    changed["products"][0]["skus"][0]["price"] = "2899.00"
    report = await catalog.import_catalog(changed)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    product = await catalog.get_product("P100")
    assert product.price_min == Money(289900, "CNY")
    assert product.sales == 3
    assert await db["products"].count_documents({}) == 2


async def test_missing_status_keeps_current_status(catalog: CatalogService) -> None:
    await catalog.import_catalog(catalog_file())
    await catalog.set_product_status("P100", "off_shelf")
    await catalog.import_catalog(catalog_file())
    assert (await catalog.get_product("P100")).status.value == "off_shelf"


async def test_every_bad_row_is_reported_with_its_path_and_nothing_is_written(
    catalog: CatalogService, db: Database, stock: FakeStock
) -> None:
    await catalog.import_catalog(
        {
            "categories": [{"code": "misc", "name": "Misc"}],
            "products": [{"code": "OWNER", "category": "misc", "title": "t", "skus": [{"sku": "TAKEN", "price": "1"}]}],
        }
    )
    stock.calls.clear()
    data = catalog_file()
    data["categories"] += [
        {"code": "a", "name": "A", "parent": "b"},
        {"code": "b", "name": "B", "parent": "a"},
        {"code": "orphan", "name": "O", "parent": "nowhere"},
        {"code": "phones", "name": "dup"},
        {"code": "bad code!", "name": "x"},
    ]
    p = data["products"]
    p[0]["skus"][0]["price"] = "2999.001"
    p.append(copy.deepcopy(p[1]))  # products[2]: duplicate code P101 and duplicate SKU C1
    p.append({"code": "P102", "category": "unknown", "title": "x", "skus": [{"sku": "TAKEN", "price": "1"}]})
    p.append({"code": "P103", "category": "phones", "title": {"zh": "", "en": ""}, "skus": []})
    p.append(
        {
            "code": "P104",
            "category": "phones",
            "title": "x",
            "skus": [
                {"sku": "U1", "price": "1", "currency": "USD"},
                {"sku": "U2", "price": "1", "currency": "CNY"},
                {"sku": "U3", "price": "5", "compare_at_price": "4"},
                {"sku": "U4", "price": "2"},
                {"sku": "U5", "price": "1", "currency": "XYZ"},
                {"sku": "U6", "price": "-1"},
            ],
        }
    )
    # Shape errors (checked by the schema) are reported per row; that row's cross-checks follow once fixed.
    p.append(
        {
            "code": "P105",
            "category": "phones",
            "title": "x",
            "skus": [{"sku": "V1", "price": 1.5}, {"sku": "V2", "price": "1", "stock": -2}],
        }
    )
    report = await catalog.import_catalog(data)
    found = {(issue.path, issue.message) for issue in report.errors}
    paths = {path for path, _ in found}
    expected_paths = {
        "categories[2].parent",  # cycle a -> b -> a
        "categories[3].parent",  # cycle
        "categories[4].parent",  # unknown parent
        "categories[5].code",  # duplicate category code
        "categories[6].code",  # invalid code pattern
        "products[0].skus[0].price",  # more than 2 decimal places
        "products[2].code",  # duplicate product code
        "products[2].skus[0].sku",  # duplicate SKU within the file
        "products[3].category",  # unknown category
        "products[3].skus[0].sku",  # SKU owned by another product in the database
        "products[4].title",  # empty title
        "products[4].skus",  # no SKUs
        "products[5].skus[1].currency",  # mixed currencies in one product
        "products[5].skus[2].compare_at_price",  # lower than price
        "products[5].skus[4].currency",  # unknown currency
        "products[5].skus[5].price",  # negative
        "products[6].skus[0].price",  # a float (only parse_catalog_json's Decimals are exact)
        "products[6].skus[1].stock",  # negative stock
    }
    assert expected_paths <= paths, expected_paths - paths
    assert ("products[0].skus[0].price", "more than 2 decimal places") in found
    assert ("products[3].skus[0].sku", "SKU 'TAKEN' already belongs to product 'OWNER'") in found
    assert any(path == "categories[2].parent" and "a -> b -> a" in msg for path, msg in found)
    assert not report.ok
    assert report.created == 0
    # Nothing half-imported: only the earlier product exists, no stock was written.
    assert await db["products"].distinct("_id") == ["OWNER"]
    assert await db["categories"].distinct("_id") == ["misc"]
    assert stock.calls == []


async def test_dry_run_counts_without_writing(catalog: CatalogService, db: Database) -> None:
    report = await catalog.import_catalog(catalog_file(), dry_run=True)
    assert report.ok
    assert report.dry_run
    assert report.created == 2
    assert await db["products"].count_documents({}) == 0


async def test_crash_mid_import_rolls_back_everything(catalog: CatalogService, db: Database, stock: FakeStock) -> None:
    stock.fail_with = RuntimeError("inventory down")
    with pytest.raises(RuntimeError):
        await catalog.import_catalog(catalog_file())
    assert await db["products"].count_documents({}) == 0
    assert await db["categories"].count_documents({}) == 0
    assert await db["inventory"].count_documents({}) == 0  # stock joined the same transaction


async def test_not_an_object_and_not_lists(catalog: CatalogService) -> None:
    assert [str(e) for e in (await catalog.import_catalog([1, 2])).errors] == [
        "$: the file must be a JSON object with 'categories' and 'products'"
    ]
    report = await catalog.import_catalog({"products": {"code": "x"}})
    assert [e.path for e in report.errors] == ["products"]


async def test_renaming_a_category_reindexes_products_outside_the_file(catalog: CatalogService) -> None:
    await catalog.import_catalog(catalog_file())
    rename = {"categories": [{"code": "digital", "name": {"zh": "电子产品", "en": "Electronics"}}], "products": []}
    report = await catalog.import_catalog(rename)
    assert report.categories_updated == 1
    assert report.reindexed == 2
    from commerce.catalog import SearchQuery

    page = await catalog.search(SearchQuery(text="electronics"))
    assert {i.code for i in page.items} == {"P100", "P101"}


async def test_export_round_trips_exactly(catalog: CatalogService, db: Database, mongo_client: Any) -> None:
    data = demo_store_data()
    assert (await catalog.import_catalog(data)).ok
    exported = await catalog.export_catalog()

    def by_code(rows: list[dict[str, Any]]) -> dict[str, Any]:
        return {row["code"]: row for row in rows}

    assert by_code(exported["products"]) == by_code(data["products"])
    assert by_code(exported["categories"]) == by_code(data["categories"])
    # Importing the export elsewhere and exporting again gives the same document.
    other_db = mongo_client[db.name + "_copy"]
    try:
        other = CatalogService(
            other_db, set_stock=FakeStock(other_db).set_levels, get_stock=FakeStock(other_db).get_levels
        )
        assert (await other.import_catalog(parse_catalog_json(__import__("json").dumps(exported)))).ok
        assert await other.export_catalog() == exported
    finally:
        await mongo_client.drop_database(other_db.name)
