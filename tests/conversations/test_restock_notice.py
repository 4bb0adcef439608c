"""Back-in-stock notices end to end: a customer asks about a sold-out product, asks to be told
(words or the button), staff book a delivery through the inventory service (what the admin's
stock page and the API call), and the customer's chat receives the notice in their language -
once, however often the stock moves afterwards.

On its own copy of the outsider shop (the grinder K9-1 and the 1L kettle K7-1000 are sold out),
so restocking here changes nothing for the corpus."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.terminal.runner import ChatRunner
from chatcart.bootstrap import Container
from chatcart.cli.chat import make_runner
from commerce.inventory.notices import STOCK_NOTICES
from dialogs.render import render_as_text
from tests.conversations.conftest import OUTSIDER_CATALOG, OpenCatalogShop


@pytest.fixture(scope="module")
async def restock_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop(OUTSIDER_CATALOG) as container:
        yield container


async def _say(runner: ChatRunner, line: str) -> str:
    output = await runner.run_line(line)
    assert output is not None
    return render_as_text(output.replies, await runner.current_lang())


async def _pushed(container: Any, runner: ChatRunner) -> str:
    while await container.commerce.events.dispatch_once():
        pass
    return render_as_text(runner.collector.collect(runner.user), await runner.current_lang())


@pytest.mark.parametrize(
    ("lang", "ask", "tell_me", "expected"),
    [
        ("zh", "电动磨豆机还有货吗", "有货了麻烦提醒我一声", "到货提醒"),
        ("zh", "磨豆机缺货啊", "好的", "到货提醒"),
        ("en", "is the electric coffee grinder sold out?", "pls notify me when it's in", "Back in stock"),
        ("en", "any coffee grinder in stock", "@Notify me", "Back in stock"),
    ],
)
async def test_asked_in_chat_restocked_by_staff_told_once(
    restock_shop: Any, lang: str, ask: str, tell_me: str, expected: str
) -> None:
    container = restock_shop
    inventory = container.commerce.inventory
    await inventory.set_levels({"K9-1": 0}, "test: sold out")
    runner = make_runner(container, user=f"restock-{uuid.uuid4().hex[:8]}", lang=lang)
    answer = await _say(runner, ask)
    assert ("售罄" in answer) or ("sold out" in answer.lower()) or ("out of stock" in answer.lower()), answer
    signed_up = await _say(runner, tell_me)
    assert ("通知您" in signed_up) or ("let you know" in signed_up), signed_up
    again = await _say(runner, "到货通知我" if lang == "zh" else "notify me when it's back")
    assert ("登记过" in again) or ("on the list" in again), again  # asked twice: one notice
    customer = await runner.customer_id()
    assert await container.db[STOCK_NOTICES].count_documents({"customer_id": customer, "status": "waiting"}) == 1

    await inventory.adjust("K9-1", 5, "delivery", "staff:test")
    pushed = await _pushed(container, runner)
    assert expected in pushed, pushed
    assert ("磨豆机" in pushed) or ("Grinder" in pushed), pushed

    await inventory.adjust("K9-1", -5, "sold out again", "staff:test")
    await inventory.adjust("K9-1", 3, "another delivery", "staff:test")
    assert await _pushed(container, runner) == ""  # told once
    await inventory.set_levels({"K9-1": 0}, "test: sold out")


async def test_a_sold_out_version_added_to_the_cart_offers_the_notice_for_that_version(restock_shop: Any) -> None:
    container = restock_shop
    runner = make_runner(container, user=f"restock-{uuid.uuid4().hex[:8]}", lang="zh")
    answer = await _say(runner, "手冲咖啡壶1L的加购物车")
    assert "售罄" in answer, answer
    await _say(runner, "到货了告诉我")
    customer = await runner.customer_id()
    waiting = await container.commerce.stock_notices.waiting(customer)
    assert [doc["sku"] for doc in waiting] == ["K7-1000"]
    await container.commerce.inventory.adjust("K7-1000", 2, "delivery", "staff:test")
    pushed = await _pushed(container, runner)
    assert "到货提醒" in pushed, pushed
    assert "手冲咖啡壶" in pushed, pushed
