"""Issue 17, item 3: bad input is a 4xx with the JSON error shape, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from chatcart.bootstrap import Container
from commerce.api.principal import Role

from .test_http_api import Client, app_client, bearer

__all__ = ["app_client"]
DEEP = b"[" * 50_000 + b"]" * 50_000


async def _error(response: Any, status: int) -> dict[str, Any]:
    body = await response.json()
    assert response.status == status, body
    assert set(body["error"]) == {"code", "message", "details"}
    return dict(body["error"])


@pytest.fixture
async def staff_token(app_client: tuple[Container, Client]) -> str:
    container, _ = app_client
    owner = await container.access.create_staff("owner", "a-long-password-1", [Role.OWNER])
    return (await container.access.create_api_token(owner.id, "t")).token


async def test_deeply_nested_json_without_credentials_is_422(app_client: tuple[Container, Client]) -> None:
    _, client = app_client
    response = await client.post("/api/v1/session", data=DEEP, headers={"Content-Type": "application/json"})
    assert (await _error(response, 422))["code"] == "json_too_deep"


@pytest.mark.parametrize(
    "change",
    [
        {"usage_limit": 1e20},
        {"usage_limit": 2**63},
        {"per_customer_limit": 2**64},
        {"value": "Infinity"},
        {"value": "NaN"},
        {"value": "1e30"},
        {"min_subtotal": "-Infinity"},
        {"kind": "percent", "value": "Infinity"},
        {"kind": "percent", "value": "250"},
    ],
)
async def test_out_of_range_coupon_numbers_are_422(
    app_client: tuple[Container, Client], staff_token: str, change: dict[str, Any]
) -> None:
    _, client = app_client
    body = {"code": "BIG", "kind": "fixed", "value": "10.00", **change}
    response = await client.post("/api/v1/admin/coupons", json=body, headers=bearer(staff_token))
    await _error(response, 422)


async def test_dates_at_the_edges_are_answered(app_client: tuple[Container, Client], staff_token: str) -> None:
    _, client = app_client
    listed = await client.get(
        "/api/v1/admin/orders",
        params={"created_from": "0001-01-01T00:00:00Z", "created_to": "9999-12-31T23:59:59+14:00"},
        headers=bearer(staff_token),
    )
    assert listed.status == 200, await listed.text()
    coupon = {
        "code": "EDGE",
        "kind": "fixed",
        "value": "1.00",
        "starts_at": "0001-01-01T00:00:00Z",
        "ends_at": "9999-12-31T23:59:59+14:00",
    }
    created = await client.post("/api/v1/admin/coupons", json=coupon, headers=bearer(staff_token))
    assert created.status == 201, await created.text()
    assert (await client.get("/api/v1/admin/coupons", headers=bearer(staff_token))).status == 200


async def test_huge_quantities_are_422(app_client: tuple[Container, Client]) -> None:
    _, client = app_client
    token = (await (await client.post("/api/v1/session", json={})).json())["token"]
    for quantity in (1e20, 2**63, -1):
        response = await client.post(
            "/api/v1/orders",
            json={"shipping_method": "express", "lines": {"P100-BLK": quantity}},
            headers=bearer(token),
        )
        await _error(response, 422)
