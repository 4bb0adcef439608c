"""Fixtures for the transactional commerce domains: real services on the embedded database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from commerce.catalog.model import Product, ProductStatus, Sku
from commerce.customers.model import AddressIn, Customer
from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.services import Commerce, CommerceConfig, build_commerce, ensure_all_indexes
from core.mongo import Database, Document

SECRET = "test-sandbox-secret-0123456789"


def config(**overrides: Any) -> CommerceConfig:
    return CommerceConfig(**({"sandbox_secret": SECRET, "base_url": "http://127.0.0.1:9"} | overrides))


def cny(text: str) -> Money:
    return Money.parse(text, "CNY")


def product(
    code: str,
    skus: list[tuple[str, str]],
    *,
    status: ProductStatus = ProductStatus.ON_SALE,
    weight_g: int = 500,
    tier_prices: dict[str, Money] | None = None,
) -> Product:
    return Product(
        code=code,
        category="test",
        title=LocalizedText(f"商品{code}", f"Product {code}"),
        skus=tuple(
            Sku(sku=s, price=cny(p), specs={"color": "black"}, weight_g=weight_g, tier_prices=dict(tier_prices or {}))
            for s, p in skus
        ),
        status=status,
    )


def address(**overrides: object) -> AddressIn:
    data: dict[str, object] = {
        "recipient": "张三",
        "phone": "13800138000",
        "region": {"province": "上海市", "city": "上海市", "district": "浦东新区"},
        "detail": "世纪大道100号1室",
    }
    data.update(overrides)
    return AddressIn.model_validate(data)


@dataclass
class Shop:
    """Builds a small store: products with stock, and customers with an address."""

    commerce: Commerce

    async def add_product(
        self,
        code: str,
        skus: list[tuple[str, str]],
        stock: int | dict[str, int] = 100,
        *,
        status: ProductStatus = ProductStatus.ON_SALE,
        weight_g: int = 500,
        tier_prices: dict[str, Money] | None = None,
    ) -> Product:
        item = product(code, skus, status=status, weight_g=weight_g, tier_prices=tier_prices)
        await self.commerce.catalog.repository.upsert_products([item])
        levels = stock if isinstance(stock, dict) else {s: stock for s, _ in skus}
        await self.commerce.inventory.set_levels(levels, "test stock")
        return item

    async def customer(self, name: str = "tg-1", *, with_address: bool = True) -> Customer:
        customer = await self.commerce.customers.identify("telegram", name)
        if with_address:
            await self.commerce.customers.add_address(customer.id, address())
        return await self.commerce.customers.get(customer.id)


@pytest.fixture
async def commerce(db: Database) -> Commerce:
    await ensure_all_indexes(db)
    return build_commerce(db, config())


@pytest.fixture
def shop(commerce: Commerce) -> Shop:
    return Shop(commerce)


@dataclass
class Counted:
    """The same database seen through a client whose commands are counted."""

    commerce: Commerce
    counter: CommandCounter
    db: Database


@pytest.fixture
async def counted(mongo_uri: str, db: Database) -> AsyncIterator[Counted]:
    counter = CommandCounter()
    client: AsyncMongoClient[Document] = make_client(mongo_uri, [counter])
    counted_db = client[db.name]
    await counted_db.command("ping")
    try:
        yield Counted(build_commerce(counted_db, config()), counter, counted_db)
    finally:
        await client.close()
