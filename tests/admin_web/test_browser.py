"""The admin and the web chat in Debian's chromium, against the real app on a loopback port:
sign in, create a product, find it in the web chat, take over the chat and talk both ways live.
Screenshots of the main pages are saved under test-artifacts/admin/."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from commerce.api.principal import Role
from tests.admin_web.conftest import DEMO_CATALOG, PASSWORD, build_admin_app, make_staff
from tests.browser import served_on_loopback

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "admin"


@pytest.fixture
async def served(container: Any) -> AsyncIterator[str]:
    async with served_on_loopback(build_admin_app(container)) as base_url:
        yield base_url


async def test_admin_and_webchat_end_to_end(served: str, browser: Any, container: Any) -> None:
    from playwright.async_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await container.commerce.catalog.import_catalog(DEMO_CATALOG)
    await make_staff(container, "boss", [Role.OWNER])

    admin = await (await browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})).new_page()
    await admin.goto(f"{served}/admin/")
    await admin.fill("input[name=username]", "boss")
    await admin.fill("input[name=password]", PASSWORD)
    await admin.click("button[type=submit]")
    await expect(admin.locator("#gmv-today")).to_be_visible()
    await admin.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # Create a product through the form.
    await admin.goto(f"{served}/admin/products/new")
    await admin.fill("input[name=code]", "FLASK1")
    await admin.select_option("select[name=category]", "phones")
    await admin.fill("input[name=brand]", "Blue Whale")
    await admin.fill("input[name=title_zh]", "蓝鲸保温杯")
    await admin.fill("input[name=title_en]", "Blue Whale Flask")
    first_row = admin.locator("tr.new-sku").first
    await first_row.locator("input[name=sku]").fill("FLASK1-BLU")
    await first_row.locator("input[name=sku_specs]").fill("color=blue")
    await first_row.locator("input[name=sku_price]").fill("129.00")
    await first_row.locator("input[name=sku_stock]").fill("25")
    await admin.screenshot(path=str(ARTIFACTS / "product_form.png"), full_page=True)
    await admin.click("#save-product")
    await expect(admin.locator(".flash.ok")).to_be_visible()
    await admin.goto(f"{served}/admin/products")
    await expect(admin.locator("#product-list")).to_contain_text("蓝鲸保温杯")
    await admin.screenshot(path=str(ARTIFACTS / "products.png"), full_page=True)

    # A shopper finds it in the web chat.
    chat = await (await browser.new_context(locale="zh-CN")).new_page()
    await chat.goto(f"{served}/chat")
    await chat.fill("#text", "保温杯")
    await chat.press("#text", "Enter")
    await expect(chat.locator("#log")).to_contain_text("蓝鲸保温杯", timeout=15_000)

    # ... asks for a person; the agent takes over from the live console.
    await chat.fill("#text", "/human")
    await chat.press("#text", "Enter")
    await admin.goto(f"{served}/admin/console")
    await expect(admin.locator("#live-status.on")).to_be_visible(timeout=10_000)
    waiting = admin.locator("#waiting-list li[data-conversation] a").first
    await expect(waiting).to_be_visible(timeout=10_000)
    await waiting.click()
    # htmx wires the swapped-in panel's buttons a moment after it appears.
    await admin.wait_for_function("() => (document.getElementById('take-over') || {})['htmx-internal-data']")
    await admin.click("#take-over")
    joined = chat.locator("#log .msg.person-line", has_text=re.compile("客服|agent"))
    await expect(joined).to_be_visible(timeout=10_000)
    await admin.fill("#reply-text", "您好，我是客服小李")
    await admin.click("#reply-send")
    await expect(chat.locator("#log")).to_contain_text("您好，我是客服小李", timeout=10_000)
    await chat.fill("#text", "这个杯子能装热水吗")
    await chat.press("#text", "Enter")
    await expect(admin.locator("#transcript")).to_contain_text("这个杯子能装热水吗", timeout=10_000)
    await admin.screenshot(path=str(ARTIFACTS / "console.png"), full_page=True)
    await chat.screenshot(path=str(ARTIFACTS / "webchat.png"), full_page=True)

    for name, path in {
        "orders": "/admin/orders",
        "inventory": "/admin/inventory",
        "customers": "/admin/customers",
        "audit": "/admin/audit",
    }.items():
        await admin.goto(f"{served}{path}")
        await admin.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
