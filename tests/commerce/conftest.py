"""Fixtures for the transactional commerce domains: real services on the embedded database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from pymongo import AsyncMongoClient

from chatcart.bootstrap import build_commerce
from chatcart.command_counter import CommandCounter
from chatcart.database import make_client
from chatcart.embedded_db import free_port
from commerce.api.framework import SERVICES
from commerce.api.middleware import json_error_middleware
from commerce.catalog.model import Product, ProductStatus, Sku
from commerce.customers.model import AddressIn, Customer
from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.orders.model import Order
from commerce.payments import api as payments_api
from commerce.payments.alipay import AlipayConfig, AlipayProvider
from commerce.payments.provider_web import setup_provider_routes
from commerce.payments.sandbox_web import setup_sandbox_routes
from commerce.payments.wechatpay import WechatPayConfig, WechatPayProvider
from commerce.services import Commerce, CommerceConfig, ensure_all_indexes
from core.mongo import Database, Document
from simulators.alipay_gateway import AlipayGateway
from simulators.gateway_common import new_rsa_key
from simulators.wechatpay_gateway import WechatPayGateway

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


# --- real providers against their gateway simulators -------------------------------------


@dataclass
class Keys:
    merchant: rsa.RSAPrivateKey  # WeChat Pay merchant API key
    platform: rsa.RSAPrivateKey  # WeChat Pay platform key
    app: rsa.RSAPrivateKey  # Alipay app key
    alipay: rsa.RSAPrivateKey  # Alipay's own key


@pytest.fixture(scope="session")
def keys() -> Keys:
    return Keys(new_rsa_key(), new_rsa_key(), new_rsa_key(), new_rsa_key())


@dataclass
class ProviderShop:
    commerce: Commerce
    base_url: str
    wechat: WechatPayGateway
    alipay: AlipayGateway
    shop: Shop

    async def order(self, quantity: int = 2, price: str = "50.00") -> Order:
        await self.shop.add_product("P1", [("A", price)], stock=10)
        customer = await self.shop.customer()
        return await self.commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": quantity})


@pytest.fixture
async def provider_shop(db: Database, keys: Keys) -> AsyncIterator[ProviderShop]:
    wechat = WechatPayGateway(platform_key=keys.platform, merchant_public_key=keys.merchant.public_key())
    alipay = AlipayGateway(alipay_key=keys.alipay, app_public_key=keys.app.public_key())
    await wechat.start()
    await alipay.start()
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    providers = {
        "wechatpay": WechatPayProvider(
            WechatPayConfig(
                mchid=wechat.mchid,
                appid=wechat.appid,
                apiv3_key=wechat.apiv3_key,
                private_key=keys.merchant,
                cert_serial=wechat.merchant_serial,
                platform_public_key=keys.platform.public_key(),
                platform_public_key_id=wechat.platform_key_id,
                base_url=base_url,
                api_base=wechat.base_url,
                timeout_seconds=2.0,
            )
        ),
        "alipay": AlipayProvider(
            AlipayConfig(
                app_id=alipay.app_id,
                app_private_key=keys.app,
                alipay_public_key=keys.alipay.public_key(),
                base_url=base_url,
                gateway=alipay.gateway,
                timeout_seconds=2.0,
            )
        ),
    }
    await ensure_all_indexes(db)
    commerce = build_commerce(
        db,
        config(base_url=base_url, providers=providers, payment_providers=("wechatpay", "alipay", "sandbox")),
    )
    app = web.Application(middlewares=[json_error_middleware])
    app[SERVICES] = commerce
    payments_api.router.register(app)
    setup_sandbox_routes(app, commerce.payments)
    setup_provider_routes(app, commerce.payments)
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield ProviderShop(commerce, base_url, wechat, alipay, Shop(commerce))
    finally:
        await server.close()
        await wechat.stop()
        await alipay.stop()
