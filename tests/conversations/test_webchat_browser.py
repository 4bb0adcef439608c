"""End to end in a real browser: search, add to cart, check out, pay on the sandbox page, and
see the payment confirmation pushed into the open chat."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from chatcart.embedded_db import free_port
from chatcart.settings import Settings
from core.mongo import Document
from tests.browser import CHROMIUM, launched_chromium, running_web_shop

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian chromium (make test-deps)"),
]


async def test_buy_and_pay_in_the_web_chat(
    mongo_uri: str, tmp_path: Path, mongo_client: AsyncMongoClient[Document]
) -> None:
    settings = Settings(
        mongodb_uri=mongo_uri,
        db_name=f"e2e_{uuid.uuid4().hex[:8]}",
        data_dir=tmp_path,
        host="127.0.0.1",
        port=free_port(),
        payment_sandbox_secret="browser-test-secret-123",
    )
    async with running_web_shop(settings) as (base_url, _), launched_chromium() as browser:
        page = await (await browser.new_context(locale="zh-CN")).new_page()
        await page.goto(f"{base_url}/chat")

        async def say(text: str) -> None:
            await page.fill("#text", text)
            await page.press("#text", "Enter")

        await say("有没有蓝牙耳机")
        headphones = page.locator(".card", has_text="声悦降噪蓝牙耳机").first
        await headphones.locator("button", has_text="查看详情").click()
        await page.locator(".card.single button", has_text="黑色").last.click()
        await page.locator(".card.single .sel", has_text="黑色").last.wait_for()
        await page.locator(".card.single button", has_text="加入购物车").last.click()
        await page.locator("button.btn", has_text="去结算").last.click()
        await page.locator(".msg.bot", has_text="请发送收货地址").last.wait_for()
        await say("张三 13800138000 上海市浦东新区世纪大道100号")
        await page.locator("button.btn", has_text="快递").last.click()
        await page.locator("button.btn", has_text="不用优惠券").last.click()
        await page.locator(".msg .summary").last.wait_for()
        await page.locator("button.btn", has_text="提交订单").last.click()
        pay_link = page.locator("a.btn.primary", has_text="立即支付").last
        await pay_link.wait_for()
        href = await pay_link.get_attribute("href")
        assert href
        assert href.startswith(f"{base_url}/pay/sandbox/")

        pay_page = await browser.new_page()
        await pay_page.goto(href)
        await pay_page.locator("button.pay").click()
        await pay_page.wait_for_load_state()

        confirmation = page.locator(".msg.bot", has_text="已支付成功")
        await confirmation.wait_for(timeout=20_000)
    await mongo_client.drop_database(settings.db_name)
