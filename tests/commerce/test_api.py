"""The commerce HTTP routes end to end (real services, fake token authenticator)."""

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from openapi_spec_validator import validate

from chatcart.bootstrap import build_commerce
from chatcart.embedded_db import free_port
from commerce.aftersales import api as aftersales_api
from commerce.api.framework import AUTHENTICATOR, SERVICES, ApiRouter
from commerce.api.middleware import json_error_middleware
from commerce.api.openapi import build_openapi
from commerce.api.principal import ANONYMOUS, Principal, Role
from commerce.carts import api as carts_api
from commerce.customers import api as customers_api
from commerce.inventory import api as inventory_api
from commerce.orders import api as orders_api
from commerce.payments import api as payments_api
from commerce.payments.sandbox_web import setup_sandbox_routes
from commerce.promotions import api as promotions_api
from commerce.promotions.service import seed_demo_coupons
from commerce.services import Commerce, ensure_all_indexes
from commerce.shipping import api as shipping_api
from core.mongo import Database

from .conftest import Shop, config

ROUTERS: list[ApiRouter] = [
    m.router
    for m in (
        customers_api,
        carts_api,
        orders_api,
        payments_api,
        aftersales_api,
        inventory_api,
        promotions_api,
        shipping_api,
    )
]


class TokenAuthenticator:
    def __init__(self) -> None:
        self.tokens: dict[str, Principal] = {}

    async def authenticate(self, request: web.Request) -> Principal:
        header = request.headers.get("Authorization", "")
        return self.tokens.get(header.removeprefix("Bearer "), ANONYMOUS)


class Api:
    def __init__(self, session: aiohttp.ClientSession, base: str) -> None:
        self.session, self.base = session, base

    async def call(self, method: str, path: str, token: str | None = None, *, expect: int = 200, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session.request(method, self.base + "/api/v1" + path, headers=headers, **kwargs) as response:
            body = await response.json() if response.status != 204 else None
            assert response.status == expect, body
            return body


@pytest.fixture
async def served(db: Database) -> AsyncIterator[tuple[Commerce, Api, TokenAuthenticator]]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    await ensure_all_indexes(db)
    commerce = build_commerce(db, config(base_url=base_url))
    authenticator = TokenAuthenticator()
    app = web.Application(middlewares=[json_error_middleware])
    app[SERVICES] = commerce
    app[AUTHENTICATOR] = authenticator
    for router in ROUTERS:
        router.register(app)
    setup_sandbox_routes(app, commerce.payments)
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as session:
            yield commerce, Api(session, base_url), authenticator
    finally:
        await server.close()


def test_openapi_document_is_valid() -> None:
    document = build_openapi(ROUTERS)
    validate(document)
    assert "/api/v1/orders/{number}/after-sales" in document["paths"]


async def test_shopping_journey_over_http(served: tuple[Commerce, Api, TokenAuthenticator]) -> None:
    commerce, api, auth = served
    await Shop(commerce).add_product("P1", [("A", "120.00"), ("B", "99.00")], stock=5)
    await seed_demo_coupons(commerce.promotions)
    customer = await commerce.customers.identify("web_session", "browser-1")
    auth.tokens["cust"] = Principal(kind="customer", customer_id=customer.id)
    auth.tokens["staff"] = Principal(kind="staff", staff_id="s1", roles=frozenset({Role.ORDER_MANAGER}))
    auth.tokens["analyst"] = Principal(kind="staff", staff_id="s2", roles=frozenset({Role.ANALYST}))

    await api.call("GET", "/cart", expect=401)
    address = {
        "recipient": "王五",
        "phone": "13912345678",
        "region": {"province": "上海市", "city": "上海市", "district": "静安区"},
        "detail": "南京西路1号",
        "make_default": True,
    }
    saved = await api.call("POST", "/addresses", "cust", json=address, expect=201)
    bad = await api.call("POST", "/addresses", "cust", json={**address, "phone": "123"}, expect=422)
    assert bad["error"]["code"] == "validation_failed"

    await api.call("POST", "/cart/items", "cust", json={"sku": "A", "quantity": 1})
    cart = await api.call("POST", "/cart/items", "cust", json={"sku": "B", "quantity": 1})
    assert cart["subtotal"] == "219.00"
    assert len(cart["lines"]) == 2
    missing = await api.call("POST", "/cart/items", "cust", json={"sku": "NOPE"}, expect=404)
    assert missing["error"]["code"] == "sku_not_found"

    check = await api.call("POST", "/coupons/validate", "cust", json={"code": "SAVE20"})
    assert check["ok"]
    assert check["discount"] == "20.00"
    quotes = await api.call("POST", "/shipping/quote", "cust", json={})
    assert {q["code"] for q in quotes["items"]} == {"express", "same_city", "pickup"}
    quote = await api.call(
        "POST", "/orders/quote", "cust", json={"shipping_method": "same_city", "coupon_code": "SAVE20"}
    )
    assert quote["pricing"]["total"] == "199.00"

    body = {"shipping_method": "same_city", "coupon_code": "SAVE20", "address_id": saved["id"]}
    order = await api.call("POST", "/orders", "cust", json=body, headers={"Idempotency-Key": "abc-1"}, expect=201)
    again = await api.call("POST", "/orders", "cust", json=body, headers={"Idempotency-Key": "abc-1"}, expect=201)
    assert again["id"] == order["id"]
    assert order["pricing"]["total"] == "199.00"
    assert order["status"] == "pending_payment"
    assert order["can_cancel"]
    assert order["channel"] == "api"

    payment = await api.call("POST", f"/orders/{order['number']}/pay", "cust", expect=201)
    async with api.session.post(payment["pay_url"] + "/pay") as paid_page:
        assert paid_page.status == 200
    mine = await api.call("GET", f"/orders/{order['number']}", "cust")
    assert mine["status"] == "paid"
    assert [h["to_status"] for h in mine["history"]] == ["pending_payment", "paid"]

    listed = await api.call("GET", "/orders?limit=1", "cust")
    assert [o["number"] for o in listed["items"]] == [order["number"]]
    assert listed["next_cursor"] is None
    denied = await api.call(
        "POST",
        f"/admin/orders/{order['number']}/ship",
        "analyst",
        json={"carrier": "SF", "tracking_no": "1"},
        expect=403,
    )
    assert denied["error"]["code"] == "forbidden"
    shipped = await api.call(
        "POST", f"/admin/orders/{order['number']}/ship", "staff", json={"carrier": "SF", "tracking_no": "SF100"}
    )
    assert shipped["shipment"]["tracking_no"] == "SF100"
    wrong = await api.call("POST", f"/orders/{order['number']}/cancel", "cust", expect=409)
    assert wrong["error"]["code"] == "invalid_transition"
    await api.call("POST", f"/admin/orders/{order['number']}/deliver", "staff")

    request = await api.call(
        "POST",
        f"/orders/{order['number']}/after-sales",
        "cust",
        json={"kind": "return", "reason": "颜色不喜欢", "lines": {"B": 1}},
        expect=201,
    )
    for action in ("approve", "receive", "refund"):
        request = await api.call("POST", f"/admin/after-sales/{request['id']}/{action}", "staff", json={})
    assert request["status"] == "refunded"
    assert request["refund_amount"] == "89.96"

    admin_list = await api.call("GET", "/admin/orders?status=delivered", "staff")
    assert [o["number"] for o in admin_list["items"]] == [order["number"]]
    by_channel = await api.call("GET", "/admin/orders?channel=api", "staff")
    assert [o["number"] for o in by_channel["items"]] == [order["number"]]
    assert (await api.call("GET", "/admin/orders?channel=telegram", "staff"))["items"] == []
    levels = await api.call("GET", "/admin/inventory?skus=A,B", "staff")
    assert {x["sku"]: x["available"] for x in levels["items"]} == {"A": 4, "B": 5}
    adjusted = await api.call(
        "POST", "/admin/inventory/adjust", "staff", json={"sku": "A", "delta": -4, "reason": "damaged"}
    )
    assert adjusted["available"] == 0
    me = await api.call("GET", "/me", "cust")
    assert me["orders"] == 1
    assert me["default_address_id"] == saved["id"]


async def test_foreign_orders_are_invisible(served: tuple[Commerce, Api, TokenAuthenticator]) -> None:
    commerce, api, auth = served
    shop = Shop(commerce)
    await shop.add_product("P1", [("A", "10.00")])
    alice, bob = await shop.customer("alice"), await shop.customer("bob")
    auth.tokens["bob"] = Principal(kind="customer", customer_id=bob.id)
    order = await commerce.orders.create_order(alice.id, shipping_method="express", lines={"A": 1})
    await api.call("GET", f"/orders/{order.number}", "bob", expect=404)
    await api.call("POST", f"/orders/{order.number}/cancel", "bob", expect=404)
    await api.call("POST", f"/orders/{order.number}/pay", "bob", expect=404)
    bad = await api.call("GET", "/orders?cursor=@@@", "bob", expect=422)
    assert bad["error"]["code"] == "validation_failed"
