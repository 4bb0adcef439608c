"""The admin through HTTP: sign-in, CSRF, roles, audit log and every page with real data."""

from __future__ import annotations

import io
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient
from PIL import Image

from commerce.api.principal import Role
from commerce.customers.model import AddressIn, RegionIn
from commerce.money import Money
from tests.admin_web.conftest import DEMO_CATALOG, csrf_of, make_staff, sign_in

Client = TestClient[web.Request, web.Application]


async def _seed_order(container: Any, *, paid: bool = False) -> Any:
    commerce = container.commerce
    customer = await commerce.customers.identify("web_session", "visitor-1", language="zh", name="王小明")
    address = AddressIn(
        recipient="王小明",
        phone="13800138000",
        region=RegionIn(province="上海市", city="上海市", district="浦东新区"),
        detail="世纪大道 100 号",
    )
    order = await commerce.orders.create_order(
        customer.id, shipping_method="express", address=address, lines={"P100-WHT": 1}, channel="webchat"
    )
    if paid:
        outcome = await commerce.payments.confirm_external_payment(
            order.number, provider="test", charge_id="charge-1", amount=order.total
        )
        order = outcome.order
    return order


async def test_pages_need_sign_in(client: Client) -> None:
    response = await client.get("/admin/orders", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"].startswith("/admin/login?next=")


async def test_sign_in_sets_a_safe_cookie_and_sign_out_revokes_it(client: Client, container: Any) -> None:
    await make_staff(container, "owner1", [Role.OWNER])
    response = await sign_in(client, "owner1")
    assert response.status == 303
    assert response.headers["Location"] == "/admin/"
    cookie = response.headers["Set-Cookie"]
    assert "chatcart_admin=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert (await client.get("/admin/")).status == 200
    token = await csrf_of(client)
    out = await client.post("/admin/logout", data={"_csrf": token}, allow_redirects=False)
    assert out.status == 303
    assert (await client.get("/admin/", allow_redirects=False)).status == 303


async def test_login_form_needs_its_csrf_token(client: Client, container: Any) -> None:
    await make_staff(container, "owner1", [Role.OWNER])
    response = await client.post(
        "/admin/login", data={"username": "owner1", "password": "correct horse battery"}, allow_redirects=False
    )
    assert response.status == 403
    assert "chatcart_admin=" not in response.headers.get("Set-Cookie", "")


async def test_failed_sign_ins_are_rate_limited_per_user_and_address(client: Client, container: Any) -> None:
    await make_staff(container, "owner1", [Role.OWNER])
    for _ in range(5):
        assert (await sign_in(client, "owner1", "wrong password!")).status == 401
    blocked = await sign_in(client, "owner1")  # even the right password waits now
    assert blocked.status == 429
    assert (await container.db["admin_login_failures"].count_documents({})) == 1


async def test_changes_without_csrf_token_are_refused(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "cat", [Role.CATALOG_MANAGER])
    await sign_in(client, "cat")
    refused = await client.post("/admin/products/P100/status", data={"status": "off_shelf"})
    assert refused.status == 403
    assert (await container.commerce.catalog.get_product("P100")).status.value == "on_sale"
    token = await csrf_of(client)
    accepted = await client.post("/admin/products/P100/status", data={"status": "off_shelf", "_csrf": token})
    assert accepted.status == 200
    assert (await container.commerce.catalog.get_product("P100")).status.value == "off_shelf"


async def test_an_agent_cannot_edit_prices(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "agent1", [Role.AGENT])
    await sign_in(client, "agent1")
    token = await csrf_of(client, "/admin/products/P100")
    form = {
        "_csrf": token,
        "category": "phones",
        "title_zh": "极光手机",
        "sku": "P100-BLK",
        "sku_specs": "color=black",
        "sku_price": "1.00",
        "status": "on_sale",
    }
    response = await client.post("/admin/products/P100", data=form)
    assert response.status == 403
    product = await container.commerce.catalog.get_product("P100")
    assert product.sku("P100-BLK").price == Money.parse("2999.00", "CNY")
    assert (await client.get("/admin/audit")).status == 403  # owners only
    assert (await client.get("/admin/inventory")).status == 403


async def test_catalog_manager_creates_a_product_and_the_audit_log_shows_it(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "cat", [Role.CATALOG_MANAGER])
    await make_staff(container, "boss", [Role.OWNER])
    await sign_in(client, "cat")
    token = await csrf_of(client, "/admin/products/new")
    form = [
        ("_csrf", token),
        ("code", "P200"),
        ("category", "phones"),
        ("brand", "Acme"),
        ("title_zh", "星河耳机"),
        ("title_en", "Galaxy Earbuds"),
        ("tags", "new, hot"),
        ("status", "on_sale"),
        ("sku", "P200-A"),
        ("sku_specs", "color=white"),
        ("sku_price", "199.00"),
        ("sku_compare_at", ""),
        ("sku_stock", "12"),
        ("sku_weight", "50"),
        ("sku", ""),
        ("sku_specs", ""),
        ("sku_price", ""),
        ("sku_compare_at", ""),
        ("sku_stock", ""),
        ("sku_weight", ""),
    ]
    response = await client.post("/admin/products", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    product = await container.commerce.catalog.get_product("P200")
    assert product.title.en == "Galaxy Earbuds"
    assert product.sku("P200-A").price == Money.parse("199.00", "CNY")
    assert (await container.commerce.inventory.get_levels(["P200-A"]))["P200-A"].available == 12

    token = await csrf_of(client, "/admin/products/P200")
    edit = [(k, v) for k, v in form if k not in ("_csrf", "code", "sku_stock")] + [("_csrf", token)]
    edit = [(k, "249.00" if k == "sku_price" and v == "199.00" else v) for k, v in edit]
    assert (await client.post("/admin/products/P200", data=edit, allow_redirects=False)).status == 303
    assert (await container.commerce.catalog.get_product("P200")).sku("P200-A").price == Money.parse("249.00", "CNY")

    await client.post("/admin/logout", data={"_csrf": await csrf_of(client)})
    await sign_in(client, "boss")
    page = await client.get("/admin/audit")
    text = await page.text()
    assert page.status == 200
    assert "product.create" in text
    assert "product.update" in text
    assert "P200" in text
    entry = await container.db["admin_audit"].find_one({"action": "product.update"})
    assert entry["actor"] == "cat"
    assert entry["before"]["skus"][0]["price"] == "199.00"
    assert entry["after"]["skus"][0]["price"] == "249.00"


async def test_invalid_product_form_reports_the_problem(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "cat", [Role.CATALOG_MANAGER])
    await sign_in(client, "cat")
    token = await csrf_of(client, "/admin/products/new")
    form = {"_csrf": token, "code": "P300", "category": "nope", "title_zh": "坏", "sku": "P300-A", "sku_price": "abc"}
    response = await client.post("/admin/products", data=form)
    assert response.status == 422
    text = await response.text()
    assert "products[0].category" in text
    assert "products[0].skus[0].price" in text
    assert await container.commerce.catalog.repository.get_product("P300") is None


async def test_every_page_renders_with_data(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    order = await _seed_order(container, paid=True)
    await make_staff(container, "boss", [Role.OWNER])
    await sign_in(client, "boss")
    pages = {
        "/admin/": ["2,999.00", "P100-BLK"],
        "/admin/products": ["P100", "极光手机"],
        "/admin/products?q=P100-BLK": ["P100"],
        "/admin/products/P100": ["P100-WHT"],
        "/admin/categories": ["phones"],
        "/admin/inventory": ["P100-BLK"],
        "/admin/inventory?view=low": ["P100-BLK"],
        "/admin/inventory/P100-WHT": ["catalog import"],
        "/admin/orders": [order.number],
        f"/admin/orders/{order.id}": [order.number, "王小明"],
        f"/admin/orders?status=paid&channel=webchat&number={order.number[:8]}": [order.number],
        "/admin/customers": ["王小明"],
        f"/admin/customers/{order.customer_id}": [order.number],
        "/admin/customers?q=13800138000": [],
        "/admin/aftersales": [],
        "/admin/payments": ["sandbox"],
        "/admin/audit": ["auth.sign_in"],
        "/admin/staff": ["boss"],
        "/admin/console": [],
        "/admin/catalog/import": [],
    }
    for path, expected in pages.items():
        response = await client.get(path)
        text = await response.text()
        assert response.status == 200, (path, text[:500])
        for fragment in expected:
            assert fragment in text, (path, fragment)
    export = await client.get("/admin/catalog/export")
    assert export.status == 200
    assert (await export.json())["products"][0]["code"] == "P100"
    other_channel = await (await client.get("/admin/orders?status=paid&channel=telegram")).text()
    assert order.number not in other_channel


async def test_order_manager_ships_cancels_and_notes(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    paid = await _seed_order(container, paid=True)
    unpaid = await _seed_order(container)
    await make_staff(container, "ops", [Role.ORDER_MANAGER])
    await sign_in(client, "ops")
    token = await csrf_of(client, f"/admin/orders/{paid.id}")
    # An open refund request: shipping needs an explicit "ship anyway", the page says why.
    request = await container.commerce.aftersales.request(paid.customer_id, paid.number, "refund", "不想要了")
    ship = {"_csrf": token, "carrier": "SF", "tracking_no": "SF123456"}
    refused = await client.post(f"/admin/orders/{paid.id}/ship", data=ship)
    assert refused.status == 409
    assert "仍然发货" in await refused.text()
    assert (await container.commerce.orders.get(paid.id)).status.value == "paid"
    assert 'id="refund-pending"' in await (await client.get(f"/admin/orders/{paid.id}")).text()
    assert request.id in await (await client.get(f"/admin/orders/{paid.id}")).text()
    shipped = await client.post(f"/admin/orders/{paid.id}/ship", data={**ship, "despite_refund": "true"})
    assert shipped.status == 200
    assert (await container.commerce.orders.get(paid.id)).status.value == "shipped"
    await client.post(f"/admin/orders/{unpaid.id}/cancel", data={"_csrf": token, "reason": "customer asked"})
    assert (await container.commerce.orders.get(unpaid.id)).status.value == "cancelled"
    await client.post(f"/admin/orders/{paid.id}/notes", data={"_csrf": token, "text": "fragile, pack well"})
    assert "fragile, pack well" in await (await client.get(f"/admin/orders/{paid.id}")).text()
    [note] = (await container.commerce.orders.get(paid.id)).notes
    assert (note.text, note.actor) == ("fragile, pack well", "staff:ops")
    events = await container.db["events"].find({"order_id": paid.id, "type": "order.shipped"}).to_list()
    assert len(events) == 1  # the dialogs notifier tells the customer from this event
    actions = {d["action"] async for d in container.db["admin_audit"].find({"actor": "ops"})}
    assert {"order.ship", "order.cancel", "order.note"} <= actions


async def test_after_sales_actions_notify_through_events(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    order = await _seed_order(container, paid=True)
    request = await container.commerce.aftersales.request(order.customer_id, order.id, "refund", "changed my mind")
    await make_staff(container, "ops", [Role.ORDER_MANAGER])
    await sign_in(client, "ops")
    assert order.number in await (await client.get("/admin/aftersales")).text()
    token = await csrf_of(client, f"/admin/aftersales/{request.id}")
    response = await client.post(f"/admin/aftersales/{request.id}/approve", data={"_csrf": token, "note": "ok"})
    assert response.status == 200
    assert (await container.commerce.aftersales.get(request.id)).status.value == "approved"
    event = await container.db["events"].find_one({"type": "aftersale.updated", "payload.status": "approved"})
    assert event is not None
    assert event["customer_id"] == order.customer_id


async def test_stock_adjustment_needs_a_reason_and_lands_in_the_ledger(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "cat", [Role.CATALOG_MANAGER])
    await sign_in(client, "cat")
    token = await csrf_of(client, "/admin/inventory/P100-BLK")
    missing = await client.post("/admin/inventory/P100-BLK/adjust", data={"_csrf": token, "delta": "5", "reason": ""})
    assert missing.status == 422
    ok = await client.post(
        "/admin/inventory/P100-BLK/adjust", data={"_csrf": token, "delta": "5", "reason": "delivery"}
    )
    assert ok.status == 200
    assert (await container.commerce.inventory.get_levels(["P100-BLK"]))["P100-BLK"].available == 8
    assert "delivery" in await (await client.get("/admin/inventory/P100-BLK")).text()


async def test_image_upload_stores_a_thumbnail(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "cat", [Role.CATALOG_MANAGER])
    await sign_in(client, "cat")
    token = await csrf_of(client, "/admin/products/P100")
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), (200, 30, 30)).save(buffer, "PNG")
    from aiohttp import FormData

    form = FormData()
    form.add_field("_csrf", token)
    form.add_field("image", buffer.getvalue(), filename="red.png", content_type="image/png")
    response = await client.post("/admin/products/P100/images", data=form)
    assert response.status == 200, await response.text()
    product = await container.commerce.catalog.get_product("P100")
    url = product.images[-1]
    assert url.startswith("/media/products/P100/")
    assert url.endswith(".jpg")
    thumb = await client.get(url.replace(".jpg", "_thumb.jpg"))
    assert thumb.status == 200
    with Image.open(io.BytesIO(await thumb.read())) as image:
        assert max(image.size) == 320

    bad = FormData()
    bad.add_field("image", b"not an image", filename="x.png", content_type="image/png")
    assert (await client.post("/admin/products/P100/images", data=bad)).status == 403  # no CSRF token


async def test_language_switch(client: Client, container: Any) -> None:
    await make_staff(container, "boss", [Role.OWNER])
    await sign_in(client, "boss")
    assert "商品" in await (await client.get("/admin/")).text()
    await client.get("/admin/lang?lang=en&next=/admin/")
    text = await (await client.get("/admin/")).text()
    assert "Products" in text
    assert "商品" not in text


async def test_a_late_payment_shows_its_payment_refund_and_alert(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    order = await _seed_order(container)
    await container.commerce.orders.cancel(order.id, actor="customer")
    # a provider without a refund API (Telegram card payments): the refund is owed by hand
    await container.commerce.payments.confirm_external_payment(
        order.number, provider="telegram", charge_id="late-1", amount=order.total
    )
    await make_staff(container, "ops", [Role.ORDER_MANAGER])
    await sign_in(client, "ops")
    detail = await (await client.get(f"/admin/orders/{order.id}")).text()
    assert 'data-status="orphaned"' in detail  # the payment
    assert 'data-state="manual"' in detail  # the refund
    assert "迟到的付款" in detail  # the alert
    overview = await (await client.get("/admin/payments")).text()
    assert order.number in overview
    assert 'data-kind="late_payment"' in overview
    [refund] = await container.commerce.payments.refunds.for_order(order.id)
    token = await csrf_of(client, "/admin/payments")
    done = await client.post(f"/admin/payments/refunds/{refund.id}/settled", data={"_csrf": token})
    assert done.status == 200
    [settled] = await container.commerce.payments.refunds.for_order(order.id)
    assert settled.state.value == "succeeded"
    assert (await container.commerce.payments.get(refund.payment_id)).status.value == "refunded"
    event = await container.db["events"].find_one({"type": "payment.refunded", "order_id": order.id})
    assert event is not None  # the customer is told
    actions = {d["action"] async for d in container.db["admin_audit"].find({"actor": "ops"})}
    assert "refund.settled_by_hand" in actions


async def test_an_order_manager_refunds_a_paid_order_through_its_provider(client: Client, container: Any) -> None:
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    order = await _seed_order(container)
    payment = await container.commerce.payments.start(order.number)  # the sandbox, the default provider
    await container.commerce.payments.simulate(payment.id, True)
    await make_staff(container, "ops", [Role.ORDER_MANAGER])
    await sign_in(client, "ops")
    token = await csrf_of(client, f"/admin/orders/{order.id}")
    assert 'id="refund-form"' in await (await client.get(f"/admin/orders/{order.id}")).text()
    too_much = await client.post(f"/admin/orders/{order.id}/refund", data={"_csrf": token, "amount": "99999"})
    assert too_much.status == 422
    part = await client.post(
        f"/admin/orders/{order.id}/refund", data={"_csrf": token, "amount": "1000", "note": "goodwill"}
    )
    assert part.status == 200
    assert (await container.commerce.orders.get(order.id)).refunded == Money.parse("1000", "CNY")
    rest = await client.post(f"/admin/orders/{order.id}/refund", data={"_csrf": token})
    assert rest.status == 200
    refunded = await container.commerce.orders.get(order.id)
    assert refunded.status.value == "refunded"
    refunds = await container.commerce.payments.refunds.for_order(order.id)
    assert [r.state.value for r in refunds] == ["succeeded", "succeeded"]
    assert sum(r.amount.amount for r in refunds) == order.total.amount
    events = await container.db["events"].find({"type": "payment.refunded", "order_id": order.id}).to_list()
    assert len(events) == 2  # each reaches the chat
