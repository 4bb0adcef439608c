"""Seeded shops for the scripted conversations, with the builtin NLU.

`shop`: the demo catalog and coupons (scripts/). `custom_shop`: a catalog the dialogs were not
written for - books, coffee, sneakers with 尺码 - imported like `chatcart catalog import` does
(scripts_custom/). `outsider_shop`: the outsider corpus's kitchenware / outdoor / cosmetics shop
(outsider/catalog.json) with coupons SUMMER20 and CAMP10. All have an expired coupon, OLDSALE.
Each script runs as its own
terminal user (own cart, orders and conversation), through `chatcart.cli.chat.run_script` -
the code behind `chatcart chat --script FILE --json`.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from chatcart.bootstrap import Container, refresh_nlu_vocabulary, running_container
from chatcart.settings import Settings
from core.mongo import Document, utcnow
from tests.conversations.talk import shop_with_catalog

CUSTOM_CATALOG = Path(__file__).parent / "catalogs" / "books_coffee_sneakers.json"
OUTSIDER_CATALOG = Path(__file__).parent / "outsider" / "catalog.json"
SANDBOX_SECRET = "conversation-tests-secret"
CATALOGS = Path(__file__).parent / "catalogs"

OpenCatalogShop = Callable[[str | Path], AbstractAsyncContextManager[Container]]


async def _add_expired_coupon(container: Any) -> None:
    from commerce.promotions.service import CouponIn

    await container.commerce.promotions.create(
        CouponIn(
            code="OLDSALE",
            kind="fixed",
            value="10.00",
            starts_at=utcnow() - timedelta(days=30),
            ends_at=utcnow() - timedelta(days=1),
            description_zh="已过期",
            description_en="expired",
        )
    )


@pytest.fixture(scope="session")
def shop_settings(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data_dir = tmp_path_factory.mktemp("conversations")
    return Settings(
        mongodb_uri=mongo_uri,
        db_name=f"conv_{uuid.uuid4().hex[:10]}",
        data_dir=Path(data_dir),
        payment_sandbox_secret=SANDBOX_SECRET,
    )


@pytest.fixture(scope="session")
async def shop(shop_settings: Settings, mongo_client: AsyncMongoClient[Document]) -> AsyncIterator[Any]:
    from commerce.catalog.demo import seed_demo_store
    from commerce.promotions.service import seed_demo_coupons

    async with running_container(shop_settings) as container:
        await seed_demo_store(container.commerce, shop_settings.data_dir)
        await seed_demo_coupons(container.commerce.promotions)
        await _add_expired_coupon(container)
        await refresh_nlu_vocabulary(container)  # the NLU learns the names just imported
        yield container
    await mongo_client.drop_database(shop_settings.db_name)


@pytest.fixture(scope="session")
async def custom_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop(CUSTOM_CATALOG) as container:
        await _add_expired_coupon(container)
        yield container


async def add_outsider_coupons(container: Any) -> None:
    """The codes the outsider shop advertises: 20 off from 100, and 10 % off camping."""
    from commerce.promotions.service import CouponIn

    promotions = container.commerce.promotions
    await promotions.create(
        CouponIn(code="SUMMER20", kind="fixed", value="20.00", min_subtotal="100.00", description_zh="满100减20")
    )
    await promotions.create(CouponIn(code="CAMP10", kind="percent", value="10", description_en="10% off"))
    await _add_expired_coupon(container)


@pytest.fixture(scope="session")
async def outsider_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop(OUTSIDER_CATALOG) as container:
        await add_outsider_coupons(container)
        yield container


async def enough_stock(container: Any, levels: dict[str, int]) -> None:
    """Stock for a conversation on a shop shared by the whole session: earlier tests' orders
    and carts may have taken what the catalog started with."""
    await container.commerce.inventory.set_levels(levels, "test: stock for this conversation", actor="staff:test")


@pytest.fixture(scope="session")
def open_catalog_shop(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory, mongo_client: AsyncMongoClient[Document]
) -> OpenCatalogShop:
    """Opens a throwaway shop (own database) with a catalog imported and the NLU told its words:
    `catalogs/<name>.json` by name, or any catalog file by path (`async with open_catalog_shop(x)`)."""

    def open_shop(catalog: str | Path) -> AbstractAsyncContextManager[Container]:
        path = catalog if isinstance(catalog, Path) else CATALOGS / f"{catalog}.json"
        name = path.parent.name if path.stem == "catalog" else path.stem
        return shop_with_catalog(
            path,
            mongo_uri=mongo_uri,
            mongo_client=mongo_client,
            folder=Path(tmp_path_factory.mktemp(name)),
            db_prefix=f"conv_{name}",
            sandbox_secret=SANDBOX_SECRET,
        )

    return open_shop
