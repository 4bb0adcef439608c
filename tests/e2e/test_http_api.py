"""The whole HTTP API as wired by the composition root: sessions, roles, a purchase, bad input."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate as validate_openapi

from chatcart.bootstrap import Container, running_container
from chatcart.settings import Settings
from chatcart.web import build_app
from commerce.api.principal import Role

CATALOG = {
    "categories": [{"code": "phones", "name": {"zh": "手机", "en": "Phones"}, "parent": None}],
    "products": [
        {
            "code": "P100",
            "category": "phones",
            "brand": "Acme",
            "title": {"zh": "极光手机", "en": "Aurora Phone"},
            "skus": [
                {
                    "sku": "P100-BLK",
                    "specs": {"color": "black"},
                    "price": "2999.00",
                    "currency": "CNY",
                    "stock": 3,
                    "weight_g": 180,
                }
            ],
        }
    ],
}
ADDRESS = {
    "recipient": "张三",
    "phone": "13800138000",
    "region": {"province": "上海市", "city": "上海市", "district": "浦东新区"},
    "detail": "世纪大道100号",
}

Client = TestClient[web.Request, web.Application]


@pytest.fixture
async def app_client(mongo_uri: str, tmp_path: Path) -> AsyncIterator[tuple[Container, Client]]:
    settings = Settings(mongodb_uri=mongo_uri, db_name=f"api_{uuid.uuid4().hex[:10]}", data_dir=tmp_path)
    async with running_container(settings, with_nlu=False, with_dialogs=False) as container:
        report = await container.commerce.catalog.import_catalog(CATALOG)
        assert not report.errors
        app = build_app(container)
        async with TestClient(TestServer(app)) as client:
            yield container, client
        await container.database.client.drop_database(settings.db_name)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _json(response: Any, status: int) -> Any:
    body = await response.json() if response.status != 204 else None
    assert response.status == status, body
    return body


async def test_guest_buys_and_pays_over_http(app_client: tuple[Container, Client]) -> None:
    container, client = app_client
    session = await _json(await client.post("/api/v1/session", json={"language": "zh"}), 201)
    auth = bearer(session["token"])
    await _json(await client.post("/api/v1/cart/items", json={"sku": "P100-BLK", "quantity": 2}, headers=auth), 200)
    address = await _json(await client.post("/api/v1/addresses", json=ADDRESS, headers=auth), 201)
    order_body = {"shipping_method": "express", "address_id": address["id"]}
    key = {"Idempotency-Key": "order-1", **auth}
    first = await _json(await client.post("/api/v1/orders", json=order_body, headers=key), 201)
    again = await _json(await client.post("/api/v1/orders", json=order_body, headers=key), 201)
    assert again["number"] == first["number"]
    assert first["status"] == "pending_payment"

    intent = await container.commerce.payments.start(first["number"], customer_id=session["customer_id"])
    await container.commerce.payments.simulate(intent.id, True)
    paid = await _json(await client.get(f"/api/v1/orders/{first['number']}", headers=auth), 200)
    assert paid["status"] == "paid"

    # Another customer sees none of it.
    other = await _json(await client.post("/api/v1/session", json={}), 201)
    await _json(await client.get(f"/api/v1/orders/{first['number']}", headers=bearer(other["token"])), 404)
    assert (await _json(await client.get("/api/v1/orders", headers=bearer(other["token"])), 200))["items"] == []

    await _json(await client.delete("/api/v1/session", headers=auth), 204)
    await _json(await client.get("/api/v1/cart", headers=auth), 401)


async def test_staff_roles_guard_admin_endpoints(app_client: tuple[Container, Client]) -> None:
    container, client = app_client
    agent = await container.access.create_staff("agent1", "agent password 1", [Role.AGENT])
    catalog = await container.access.create_staff("cat1", "catalog password 1", [Role.CATALOG_MANAGER])
    agent_token = (await container.access.create_api_token(agent.id, "t")).token
    catalog_token = (await container.access.create_api_token(catalog.id, "t")).token
    await _json(await client.get("/api/v1/admin/catalog/export", headers=bearer(agent_token)), 403)
    exported = await _json(await client.get("/api/v1/admin/catalog/export", headers=bearer(catalog_token)), 200)
    assert exported["products"][0]["code"] == "P100"
    me = await _json(await client.get("/api/v1/staff/me", headers=bearer(agent_token)), 200)
    assert me["roles"] == ["agent"]
    customer = await _json(await client.post("/api/v1/session", json={}), 201)
    await _json(await client.get("/api/v1/staff/me", headers=bearer(customer["token"])), 403)  # known, not allowed
    await _json(await client.get("/api/v1/admin/catalog/export"), 401)


@pytest.mark.parametrize(
    ("path", "payload", "status"),
    [
        ("/api/v1/cart/items", {"sku": "P100-BLK", "quantity": -1}, 422),
        ("/api/v1/cart/items", {"sku": "NOPE", "quantity": 1}, 404),
        ("/api/v1/cart/items", {"sku": ["x"], "quantity": "a lot"}, 422),
        ("/api/v1/addresses", {**ADDRESS, "phone": "12"}, 422),
    ],
)
async def test_bad_input_is_a_clear_4xx(
    app_client: tuple[Container, Client], path: str, payload: dict[str, Any], status: int
) -> None:
    _, client = app_client
    session = await _json(await client.post("/api/v1/session", json={}), 201)
    body = await _json(await client.post(path, json=payload, headers=bearer(session["token"])), status)
    assert set(body["error"]) == {"code", "message", "details"}
    cart = await _json(await client.get("/api/v1/cart", headers=bearer(session["token"])), 200)
    assert cart["lines"] == []


async def test_full_openapi_document_validates(app_client: tuple[Container, Client]) -> None:
    _, client = app_client
    document = await _json(await client.get("/api/v1/openapi.json"), 200)
    validate_openapi(document)
    for path in ("/api/v1/session", "/api/v1/products", "/api/v1/cart/items", "/api/v1/orders"):
        assert path in document["paths"], path
