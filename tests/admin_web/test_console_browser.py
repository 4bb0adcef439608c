"""The agent console and the admin pages as staff see them, in Debian's chromium against the
real app: times in the shop's zone (the browser sits in New York on purpose), one join
notice, the transcript opened at its newest message and free of raw codes, an agent's product
card that opens during the handoff, the staff note of an after-sales approval reaching the
customer's chat, the category tree, a readable order page and audit log, and the warning before
shipping an order with an open refund. Screenshots (1280x800, both languages; the console at
390 px too) go to docs/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from commerce.api.principal import Role
from commerce.customers.model import AddressIn
from core.mongo import utcnow
from core.shop_time import ShopClock
from tests.admin_web.conftest import PASSWORD, make_staff
from tests.admin_web.test_browser import browser, served  # noqa: F401 - fixtures
from tests.screenshots import screenshot_dir

pytestmark = pytest.mark.browser
SCREENSHOTS = screenshot_dir()
CATALOG = {
    "categories": [
        {"code": "food", "name": {"zh": "食品", "en": "Food"}, "sort": 1},
        {"code": "clothes", "name": {"zh": "服装", "en": "Clothes"}, "sort": 2},
        {"code": "digital", "name": {"zh": "数码", "en": "Digital"}, "sort": 3},
        {"code": "snacks", "name": {"zh": "零食", "en": "Snacks"}, "parent": "food"},
        {"code": "tops", "name": {"zh": "上衣", "en": "Tops"}, "parent": "clothes"},
        {"code": "phones", "name": {"zh": "手机", "en": "Phones"}, "parent": "digital"},
    ],
    "products": [
        {
            "code": "P100",
            "category": "phones",
            "brand": "Acme",
            "title": {"zh": "极光手机", "en": "Aurora Phone"},
            "skus": [
                {"sku": "P100-BLK", "specs": {"color": "black"}, "price": "2999.00", "stock": 30},
                {"sku": "P100-WHT", "specs": {"color": "white"}, "price": "2999.00", "stock": 40},
            ],
        },
    ],
}
JOINED = "已接入对话"  # 人工客服已接入对话 / 客服{name}已接入对话
NOTE = "款项将在1-3个工作日原路退回，请留意"


async def _sign_in(page: Any, base: str) -> None:
    await page.goto(f"{base}/admin/login")
    await page.fill("input[name=username]", "boss")
    await page.fill("input[name=password]", PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(re.compile(r"/admin/?$"))


async def _say(chat: Any, text: str) -> None:
    await chat.fill("#text", text)
    await chat.press("#text", "Enter")


async def _shot(page: Any, name: str, width: int = 1280, height: int = 800) -> None:
    await page.set_viewport_size({"width": width, "height": height})
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


async def test_console_and_admin_pages_read_right(served: str, browser: Any, container: Any) -> None:  # noqa: F811
    from playwright.async_api import expect

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await container.commerce.catalog.import_catalog(CATALOG)
    await make_staff(container, "boss", [Role.OWNER])
    admin_context = await browser.new_context(
        locale="zh-CN", timezone_id="America/New_York", viewport={"width": 1280, "height": 800}
    )
    admin = await admin_context.new_page()
    await _sign_in(admin, served)

    # Category dropdowns follow the tree: each subcategory right under its own parent.
    await admin.goto(f"{served}/admin/products/new")
    names = [n.strip(" —") for n in await admin.locator("select[name=category] option").all_inner_texts()]
    names = [re.sub(r"\s*\(.*\)$", "", n) for n in names]
    for parent, child in (("食品", "零食"), ("服装", "上衣"), ("数码", "手机")):
        assert names.index(child) == names.index(parent) + 1, names

    # A customer chats, presses buttons, asks for a person and says why.
    chat = await (await browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})).new_page()
    await chat.goto(f"{served}/chat")
    for line in ("手机", "极光手机", "有白色的吗", "多少钱", "能便宜点吗"):
        await _say(chat, line)
        await chat.wait_for_timeout(300)
    await _say(chat, "/human")
    await _say(chat, "屏幕有划痕想换一台")
    await expect(chat.locator("#log")).to_contain_text("屏幕有划痕想换一台", timeout=10_000)

    await admin.goto(f"{served}/admin/console")
    await expect(admin.locator("#live-status.on")).to_be_visible(timeout=10_000)
    waiting = admin.locator("#waiting-list li[data-conversation]").first
    await expect(waiting).to_be_visible(timeout=10_000)
    # The queue shows what the customer said last and a waiting time that keeps counting.
    await expect(waiting.locator(".preview")).to_have_text("屏幕有划痕想换一台", timeout=10_000)
    first_wait = await waiting.locator(".wait").inner_text()
    await admin.wait_for_timeout(2100)
    assert await waiting.locator(".wait").inner_text() != first_wait
    conversation = await waiting.get_attribute("data-conversation")
    state = await container.dialogs.handoff.store.get(conversation)
    customer_id = state.customer_id
    await container.commerce.customers.add_address(
        customer_id,
        AddressIn.model_validate(
            {
                "recipient": "Amy Wang",
                "phone": "13911112222",
                "region": {"province": "Shanghai", "city": "Shanghai", "district": "Huangpu"},
                "detail": "88 Nanjing Rd",
            }
        ),
    )
    await waiting.locator("a").click()
    transcript = admin.locator("#transcript")
    await expect(transcript).to_contain_text("屏幕有划痕想换一台")
    # Opened at the newest message: the reason for the handoff is in view.
    at_bottom = "() => { const el = document.getElementById('transcript');"
    at_bottom += " return el && el.scrollTop + el.clientHeight >= el.scrollHeight - 4; }"
    await admin.wait_for_function(at_bottom, timeout=5_000)
    assert await transcript.evaluate("el => el.scrollHeight > el.clientHeight"), "the transcript should scroll"

    await admin.click("#take-over")
    await expect(chat.locator("#log")).to_contain_text(JOINED, timeout=10_000)
    await admin.fill("#reply-text", "您好，我来帮您看看")
    await admin.click("#reply-send")
    await expect(chat.locator("#log")).to_contain_text("您好，我来帮您看看", timeout=10_000)
    await _say(chat, "好的谢谢")
    newest = transcript.locator("li").last
    await expect(newest).to_contain_text("好的谢谢", timeout=10_000)
    # One join notice, although it arrived with the panel and again live.
    await admin.wait_for_timeout(500)
    assert await transcript.locator("li", has_text=JOINED).count() == 1
    # Live messages: shop-zone time (the browser is in New York) and labels in the UI's language.
    clock = ShopClock(container.commerce.config.timezone)
    meta = await newest.locator("small").inner_text()
    now = utcnow()
    assert meta.split(" · ")[0] in {clock.format(now, "time"), clock.format(now.replace(second=0), "time")}
    assert meta.endswith("客户")
    assert not re.search(r"\[(p|product|rsn|photos|add|opt):", await transcript.inner_text())
    await expect(transcript).to_contain_text("极光手机 ¥2,999.00 · Acme")  # the bot's product card by its title
    heading = await admin.locator("#conversation h2").inner_text()
    assert "Amy Wang" in heading  # the customer by name/phone, not the chat's hash

    # The agent's product card opens while the agent still owns the conversation.
    await admin.fill("#conversation input[name=product]", "P100")
    await admin.locator("#conversation form[hx-post$='/card'] button").click()
    details = chat.locator(".msg.agent button[data-payload^='product:']").last
    await expect(details).to_be_visible(timeout=10_000)
    bot_cards = chat.locator(".msg.bot[data-type=product]")
    before = await bot_cards.count()
    await details.click()
    await expect(bot_cards).to_have_count(before + 1, timeout=10_000)
    assert (await container.dialogs.handoff.store.get(conversation)).handoff_status == "agent"
    await admin.wait_for_timeout(500)
    await _shot(admin, "console-zh")
    await _shot(admin, "console-zh-phone", 390, 844)
    await admin_context.add_cookies([{"name": "chatcart_admin_lang", "value": "en", "url": served}])
    await admin.reload()
    await expect(admin.locator("#transcript")).to_contain_text("· Customer")
    await _shot(admin, "console-en")

    # An order with a refund request: the order page reads properly and warns before shipping.
    commerce = container.commerce
    order = await commerce.orders.create_order(customer_id, shipping_method="express", lines={"P100-BLK": 1})
    payment = await commerce.payments.start(order.number)
    await commerce.payments.simulate(payment.id, True)
    request = await commerce.aftersales.request(customer_id, order.number, "refund", "不想要了")
    await admin_context.add_cookies([{"name": "chatcart_admin_lang", "value": "zh", "url": served}])

    # The staff note on the approval reaches the customer in the chat.
    await admin.goto(f"{served}/admin/aftersales/{request.id}")
    approve = admin.locator("form:has(button[data-action=approve])")
    await approve.locator("input[name=note]").fill(NOTE)
    await approve.locator("button").click()
    await expect(admin.locator("#aftersale-status")).to_have_text("已同意")
    while await commerce.events.dispatch_once():
        pass
    await expect(chat.locator("#log")).to_contain_text(NOTE, timeout=10_000)

    await admin.goto(f"{served}/admin/orders/{order.id}")
    await expect(admin.locator("#order-address")).to_contain_text("88 Nanjing Rd, Huangpu, Shanghai")
    await expect(admin.locator("#order-customer")).to_contain_text("Amy Wang")
    await expect(admin.locator("#order-shipment")).to_contain_text("快递")
    await expect(admin.locator("main, body").first).to_contain_text("颜色: 黑色")
    await expect(admin.locator("#order-payments tr[data-status=succeeded]")).to_have_count(1)
    await expect(admin.locator("#order-payments")).to_contain_text("模拟支付")  # the provider's name, not its code
    assert customer_id not in await admin.locator("main").inner_text()  # not in the history either
    await expect(admin.locator("#refund-pending")).to_be_visible()
    await admin.fill("#ship-form input[name=carrier]", "顺丰")
    await admin.fill("#ship-form input[name=tracking_no]", "SF1234567890")
    await _shot(admin, "order-zh")
    await admin.locator("#ship-form button[type=submit]").click()
    assert (await commerce.orders.get(order.id)).status.value == "paid", "shipped without the confirmation"
    await admin.check("#despite-refund")
    await admin.locator("#ship-form button[type=submit]").click()
    await expect(admin.locator("#order-status")).to_have_text("已发货")
    await admin_context.add_cookies([{"name": "chatcart_admin_lang", "value": "en", "url": served}])
    await admin.reload()
    await expect(admin.locator("#order-shipment")).to_contain_text("Express")
    await _shot(admin, "order-en")

    # The audit log shows the Chinese it stored.
    await admin.goto(f"{served}/admin/audit")
    audit = admin.locator("#audit-list")
    await expect(audit).to_contain_text(NOTE)
    await expect(audit).to_contain_text("顺丰")
    assert "\\u" not in await audit.inner_text()
    await _shot(admin, "admin-audit-en")
