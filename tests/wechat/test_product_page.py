"""`GET /p/{code}`: the public product page WeChat articles link to, in Chinese and English."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from bot.wechat.channel import mount_product_page
from bot.wechat.links import Links
from commerce.catalog import CatalogService
from commerce.catalog.demo import demo_store_data
from commerce.catalog.repository import INDEXES
from core.mongo import Database, ensure_indexes


@pytest.fixture
async def client(db: Database) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async def set_levels(levels: dict[str, int], reason: str, *, session: AsyncClientSession | None = None) -> None:
        await db["inventory"].bulk_write(
            [UpdateOne({"_id": s}, {"$set": {"available": n}}, upsert=True) for s, n in levels.items()], session=session
        )

    async def get_levels(skus: list[str]) -> dict[str, int]:
        return {d["_id"]: int(d["available"]) async for d in db["inventory"].find({"_id": {"$in": skus}})}

    await ensure_indexes(db, INDEXES)
    catalog = CatalogService(db, set_stock=set_levels, get_stock=get_levels, vocabulary_refresh_seconds=0)
    report = await catalog.import_catalog(demo_store_data())
    assert report.ok, report.errors
    app = web.Application()
    mount_product_page(app, catalog, Links("https://shop.example", oauth=True))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_product_page_in_both_languages(client: TestClient[web.Request, web.Application]) -> None:
    zh = await client.get("/p/P100?lang=zh")
    assert zh.status == 200
    assert zh.content_type == "text/html"
    html = await zh.text()
    assert "极光手机 X1" in html
    assert "¥" in html
    assert "https://shop.example/media/products/P100.png" in html
    assert "5000mAh" in html
    assert "<script" not in html
    assert "http://cdn" not in html
    en = await client.get("/p/P100", headers={"Accept-Language": "en-US,en;q=0.9"})
    text = await en.text()
    assert "Aurora Phone X1" in text
    assert 'lang="en"' in text


async def test_unknown_product_is_404(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/p/NOPE?lang=en")
    assert response.status == 404
    assert "no longer on sale" in await response.text()


async def test_page_escapes_html(db: Database) -> None:
    from bot.wechat.product_page import render_product
    from commerce.catalog.model import Product, ProductDetail, Sku
    from commerce.localized import LocalizedText
    from commerce.money import Money

    product = Product(
        code="X1",
        category="c",
        title=LocalizedText("<script>alert(1)</script>", "x"),
        skus=(Sku(sku="X1-1", price=Money(100, "CNY")),),
    )
    html = render_product(ProductDetail(product, {"X1-1": 1}), "zh", Links("https://s"), "X1")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


async def test_product_pages_carry_the_admin_security_headers(client: TestClient[web.Request, web.Application]) -> None:
    from core.security_headers import PAGE_CSP

    for path in ("/p/P100", "/p/NOPE"):
        response = await client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Content-Security-Policy"] == PAGE_CSP
