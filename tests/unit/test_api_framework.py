"""The API framework: validation, auth, error shape, OpenAPI document."""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import StrEnum

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openapi_spec_validator import validate as validate_openapi
from pydantic import BaseModel, Field

from commerce.api.framework import (
    AUTHENTICATOR,
    ApiContext,
    ApiRouter,
    decode_cursor,
    encode_cursor,
)
from commerce.api.middleware import json_error_middleware, request_context_middleware
from commerce.api.openapi import build_openapi, openapi_route
from commerce.api.principal import Auth, Principal, Role
from commerce.errors import NotFound, ValidationFailed


class ItemIn(BaseModel):
    sku: str = Field(min_length=1, max_length=64)
    qty: int = Field(ge=1, le=99)


class Colour(StrEnum):
    BLACK = "black"
    WHITE = "white"


class ListQuery(BaseModel):
    colour: Colour | None = None
    limit: int = Field(default=10, ge=1, le=50)


class ItemOut(BaseModel):
    sku: str
    qty: int
    who: str


router = ApiRouter(tag="test")


@router.post("/items", auth=Auth.CUSTOMER, body=ItemIn, response=ItemOut, status=201)
async def add_item(ctx: ApiContext) -> ItemOut:
    body = ctx.body_as(ItemIn)
    if body.sku == "missing":
        raise NotFound("no such sku", details={"sku": body.sku})
    return ItemOut(sku=body.sku, qty=body.qty, who=ctx.customer_id)


@router.get("/public/{code}", auth=Auth.PUBLIC)
async def public_read(ctx: ApiContext) -> dict[str, str]:
    return {"code": ctx.path["code"]}


@router.get("/items", auth=Auth.PUBLIC, query=ListQuery)
async def list_items(ctx: ApiContext) -> dict[str, object]:
    query = ctx.query_as(ListQuery)
    return {"colour": query.colour, "limit": query.limit}


@router.post("/admin/prices", auth=Auth.STAFF, roles=[Role.CATALOG_MANAGER])
async def change_price(ctx: ApiContext) -> dict[str, bool]:
    return {"changed": True}


@router.get("/boom", auth=Auth.PUBLIC)
async def boom(ctx: ApiContext) -> None:
    raise RuntimeError("secret internal detail")


class FakeTokens:
    """Maps literal tokens to principals: the framework under test, not the token store."""

    async def authenticate(self, request: web.Request) -> Principal:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        return {
            "cust": Principal(kind="customer", customer_id="c1"),
            "agent": Principal(kind="staff", staff_id="s1", roles=frozenset({Role.AGENT})),
            "catalog": Principal(kind="staff", staff_id="s2", roles=frozenset({Role.CATALOG_MANAGER})),
        }.get(token, Principal())


@pytest.fixture
async def client() -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = web.Application(middlewares=[request_context_middleware, json_error_middleware], client_max_size=2048)
    app[AUTHENTICATOR] = FakeTokens()
    router.register(app)
    app.router.add_routes([openapi_route([router])])
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_valid_request_passes(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post("/api/v1/items", json={"sku": "A", "qty": 2}, headers={"Authorization": "Bearer cust"})
    assert response.status == 201
    assert await response.json() == {"sku": "A", "qty": 2, "who": "c1"}
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize(
    ("payload", "path"),
    [({"sku": "A", "qty": -1}, "qty"), ({"sku": "A", "qty": "many"}, "qty"), ({"qty": 1}, "sku")],
)
async def test_bad_body_is_422_with_paths(
    client: TestClient[web.Request, web.Application], payload: dict[str, object], path: str
) -> None:
    response = await client.post("/api/v1/items", json=payload, headers={"Authorization": "Bearer cust"})
    assert response.status == 422
    body = await response.json()
    assert body["error"]["code"] == "validation_failed"
    assert [e["path"] for e in body["error"]["details"]["errors"]] == [path]


async def test_malformed_json_and_huge_payload(client: TestClient[web.Request, web.Application]) -> None:
    auth = {"Authorization": "Bearer cust", "Content-Type": "application/json"}
    response = await client.post("/api/v1/items", data=b"{not json", headers=auth)
    assert response.status == 422
    assert (await response.json())["error"]["message"] == "the request body is not valid JSON"
    response = await client.post("/api/v1/items", data=b"[" + b"1," * 5000 + b"1]", headers=auth)
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "payload_too_large"


async def test_auth_and_roles(client: TestClient[web.Request, web.Application]) -> None:
    assert (await client.post("/api/v1/items", json={"sku": "A", "qty": 1})).status == 401
    staff_as_customer = await client.post(
        "/api/v1/items", json={"sku": "A", "qty": 1}, headers={"Authorization": "Bearer agent"}
    )
    assert staff_as_customer.status == 403  # known, but the wrong kind of token
    denied = await client.post("/api/v1/admin/prices", headers={"Authorization": "Bearer agent"})
    assert denied.status == 403
    assert (await denied.json())["error"]["details"]["required_any_of"] == ["catalog_manager"]
    allowed = await client.post("/api/v1/admin/prices", headers={"Authorization": "Bearer catalog"})
    assert allowed.status == 200
    assert (await client.get("/api/v1/public/P1")).status == 200


async def test_domain_errors_and_crashes_become_json(client: TestClient[web.Request, web.Application]) -> None:
    response = await client.post(
        "/api/v1/items", json={"sku": "missing", "qty": 1}, headers={"Authorization": "Bearer cust"}
    )
    assert response.status == 404
    assert (await response.json())["error"] == {
        "code": "not_found",
        "message": "no such sku",
        "details": {"sku": "missing"},
    }
    crash = await client.get("/api/v1/boom")
    assert crash.status == 500
    text = await crash.text()
    assert "secret internal detail" not in text
    assert "Traceback" not in text
    unknown = await client.get("/api/v1/nothing-here")
    assert unknown.status == 404
    assert (await unknown.json())["error"]["code"] == "not_found"


async def test_openapi_document_is_valid(client: TestClient[web.Request, web.Application]) -> None:
    document = await (await client.get("/api/v1/openapi.json")).json()
    validate_openapi(document)
    assert document["openapi"] == "3.1.0"
    operation = document["paths"]["/api/v1/items"]["post"]
    assert operation["security"] == [{"customerToken": []}]
    assert "ItemIn" in document["components"]["schemas"]
    assert document["paths"]["/api/v1/admin/prices"]["post"]["x-roles"] == ["catalog_manager"]
    assert build_openapi([router]) == document
    colour = next(p for p in document["paths"]["/api/v1/items"]["get"]["parameters"] if p["name"] == "colour")
    assert "Colour" in str(colour["schema"])
    assert "Colour" in document["components"]["schemas"]


async def test_query_validation(client: TestClient[web.Request, web.Application]) -> None:
    assert await (await client.get("/api/v1/items?colour=black&limit=5")).json() == {"colour": "black", "limit": 5}
    bad = await client.get("/api/v1/items?colour=purple&limit=500")
    assert bad.status == 422
    paths = sorted(e["path"] for e in (await bad.json())["error"]["details"]["errors"])
    assert paths == ["colour", "limit"]


def test_cursor_round_trip_and_garbage() -> None:
    position = {"created_at": "2026-11-25T10:00:00Z", "id": "abc"}
    assert decode_cursor(encode_cursor(position)) == position
    assert decode_cursor(None) is None
    for garbage in ["!!!", "bm90IGpzb24", encode_cursor({"a": 1})[:-3] + "@@"]:
        with pytest.raises(ValidationFailed):
            decode_cursor(garbage)
