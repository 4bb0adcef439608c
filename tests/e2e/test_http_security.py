"""Issue 17, items 5 and 6: CSRF on the staff JSON API, security headers, 403 for the wrong kind
of token - on the app as the composition root wires it."""

from __future__ import annotations

from typing import Any

import pytest

from chatcart.bootstrap import Container
from commerce.access.service import ADMIN_SESSION_COOKIE
from commerce.api.principal import Role

from .test_http_api import Client, app_client, bearer

__all__ = ["app_client"]
ADJUST = "/api/v1/admin/inventory/adjust"
BODY = '{"sku": "P100-BLK", "delta": 5, "reason": "found in the back"}'


@pytest.fixture
async def staff(app_client: tuple[Container, Client]) -> dict[str, Any]:
    container, client = app_client
    owner = await container.access.create_staff("boss", "a-long-password-1", [Role.OWNER])
    session = await container.access.create_admin_session(owner.id)
    api_token = await container.access.create_api_token(owner.id, "script")
    return {"client": client, "container": container, "cookie": session.token, "token": api_token.token}


async def _available(container: Container) -> int:
    return (await container.commerce.inventory.get_levels(["P100-BLK"]))["P100-BLK"].available


async def test_cookie_post_from_a_foreign_origin_is_refused(staff: dict[str, Any]) -> None:
    client, container = staff["client"], staff["container"]
    before = await _available(container)
    response = await client.post(
        ADJUST,
        data=BODY,
        headers={
            "Content-Type": "text/plain",
            "Origin": "https://evil.example",
            "Cookie": f"{ADMIN_SESSION_COOKIE}={staff['cookie']}",
        },
    )
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "csrf_failed"
    assert await _available(container) == before


async def test_cookie_post_without_origin_or_token_is_refused(staff: dict[str, Any]) -> None:
    response = await staff["client"].post(
        ADJUST,
        data=BODY,
        headers={"Content-Type": "application/json", "Cookie": f"{ADMIN_SESSION_COOKIE}={staff['cookie']}"},
    )
    assert response.status == 403


async def test_cookie_post_from_this_site_and_bearer_posts_are_accepted(staff: dict[str, Any]) -> None:
    client, container = staff["client"], staff["container"]
    before = await _available(container)
    own_origin = f"http://{client.server.host}:{client.server.port}"
    same_site = await client.post(
        ADJUST,
        data=BODY,
        headers={
            "Content-Type": "application/json",
            "Origin": own_origin,
            "Cookie": f"{ADMIN_SESSION_COOKIE}={staff['cookie']}",
        },
    )
    assert same_site.status == 200, await same_site.text()
    scripted = await client.post(
        ADJUST, data=BODY, headers={"Content-Type": "application/json", **bearer(staff["token"])}
    )
    assert scripted.status == 200, await scripted.text()
    assert await _available(container) == before + 10


async def test_customer_token_on_a_staff_endpoint_is_forbidden(app_client: tuple[Container, Client]) -> None:
    _, client = app_client
    session = await (await client.post("/api/v1/session", json={"language": "en"})).json()
    response = await client.get("/api/v1/admin/orders", headers=bearer(session["token"]))
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "forbidden"


async def test_api_responses_are_not_sniffed_and_personal_ones_not_stored(app_client: tuple[Container, Client]) -> None:
    _, client = app_client
    public = await client.get("/api/v1/products")
    assert public.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in public.headers.get("Cache-Control", "")
    created = await client.post("/api/v1/session", json={"language": "en"})
    assert created.headers["Cache-Control"] == "no-store"  # carries a session token
    token = (await created.json())["token"]
    for path in ("/api/v1/orders", "/api/v1/me", "/api/v1/addresses"):
        mine = await client.get(path, headers=bearer(token))
        assert mine.status == 200, (path, await mine.text())
        assert mine.headers["Cache-Control"] == "no-store", path
        assert mine.headers["X-Content-Type-Options"] == "nosniff", path
    missing = await client.get("/api/v1/nothing-here")
    assert missing.headers["X-Content-Type-Options"] == "nosniff"
