"""HTTP routes of the catalog on a minimal aiohttp app (the real framework and middleware)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate

from commerce.api.framework import AUTHENTICATOR, SERVICES
from commerce.api.middleware import json_error_middleware, request_context_middleware
from commerce.api.openapi import build_openapi
from commerce.api.principal import ANONYMOUS, Principal, Role
from commerce.catalog import CatalogService
from commerce.catalog.api import router
from commerce.catalog.demo import demo_store_data

if TYPE_CHECKING:
    from commerce.services import Commerce


class HeaderAuthenticator:
    """`Authorization: Bearer <role>` signs in as staff with that role (test only)."""

    async def authenticate(self, request: web.Request) -> Principal:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return Principal(kind="staff", staff_id="s1", roles=frozenset({Role(token)})) if token else ANONYMOUS


@pytest.fixture
async def client(demo_catalog: CatalogService) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application(middlewares=[request_context_middleware, json_error_middleware])
    # Only the catalog's routes are mounted: they reach nothing of the shop but the catalog.
    app[SERVICES] = cast("Commerce", SimpleNamespace(catalog=demo_catalog))
    app[AUTHENTICATOR] = HeaderAuthenticator()
    router.register(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_search_products(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.get("/api/v1/products", params={"q": "erji", "max_price": "500", "sort": "price_asc"})
    assert response.status == 200
    body = await response.json()
    assert [item["code"] for item in body["items"]] == ["P112", "P111"]
    assert body["items"][0]["price_min"] == "199.00"
    assert body["items"][0]["title"]["zh"] == "声悦运动耳机"
    assert body["total"] == 2
    assert body["next_page"] is None


async def test_search_rejects_bad_parameters(client: TestClient[web.Request, web.Application]) -> None:
    for params in ({"min_price": "1.2.3"}, {"limit": "0"}, {"sort": "random"}, {"min_price": "9", "max_price": "1"}):
        response = await client.get("/api/v1/products", params=params)
        assert response.status == 422, params
        assert (await response.json())["error"]["code"] == "validation_failed"


async def test_product_page_and_not_found(client: TestClient[web.Request, web.Application]) -> None:
    body = await (await client.get("/api/v1/products/P200")).json()
    assert body["code"] == "P200"
    assert body["category_path"] == ["apparel", "tops"]
    first = body["skus"][0]
    assert first["spec_labels"][0]["label"] == {"zh": "颜色", "en": "Color"}
    assert first["available"] == 30
    for code in ("P900", "NOPE"):  # drafts look exactly like missing products
        response = await client.get(f"/api/v1/products/{code}")
        assert response.status == 404
        assert (await response.json())["error"]["code"] == "product_not_found"


async def test_categories(client: TestClient[web.Request, web.Application]) -> None:
    body = await (await client.get("/api/v1/categories")).json()
    assert body["items"][0]["code"] == "digital"
    assert body["items"][0]["children"][1]["code"] == "audio"


async def test_admin_import_and_export_need_a_catalog_role(
    client: TestClient[web.Request, web.Application],
) -> None:
    assert (await client.get("/api/v1/admin/catalog/export")).status == 401
    agent = {"Authorization": "Bearer agent"}
    assert (await client.get("/api/v1/admin/catalog/export", headers=agent)).status == 403
    manager = {"Authorization": "Bearer catalog_manager"}
    exported = await (await client.get("/api/v1/admin/catalog/export", headers=manager)).json()
    assert len(exported["products"]) == 45

    exported["products"][0]["skus"][0]["price"] = "2799.00"
    response = await client.post(
        "/api/v1/admin/catalog/import", data=json.dumps(exported), headers=manager, params={"dry_run": "true"}
    )
    assert response.status == 200
    assert (await response.json())["updated"] == 1
    owner = {"Authorization": "Bearer owner"}
    response = await client.post("/api/v1/admin/catalog/import", data=json.dumps(exported), headers=owner)
    report = await response.json()
    assert response.status == 200
    assert report["updated"] == 1
    assert report["unchanged"] == 44


async def test_admin_import_reports_invalid_rows(client: TestClient[web.Request, web.Application]) -> None:
    manager = {"Authorization": "Bearer catalog_manager"}
    data = demo_store_data()
    data["products"][3]["skus"][0]["price"] = "1.999"
    response = await client.post("/api/v1/admin/catalog/import", data=json.dumps(data, default=str), headers=manager)
    assert response.status == 422
    error = (await response.json())["error"]
    assert error["code"] == "catalog_invalid"
    assert error["details"]["errors"] == [
        {"path": "products[3].skus[0].price", "message": "more than 2 decimal places"}
    ]
    response = await client.post("/api/v1/admin/catalog/import", data="{not json", headers=manager)
    assert response.status == 422


def test_openapi_document_is_valid() -> None:
    document = build_openapi([router])
    validate(document)
    assert "/api/v1/products/{code}" in document["paths"]
