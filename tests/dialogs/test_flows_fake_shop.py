"""Dialog flows end to end through the engine with the real NLU and an in-memory shop."""

from __future__ import annotations

from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop


async def test_search_pick_second_and_add_in_black(chat: Chat, shop: FakeShop) -> None:
    out = await chat("有没有耳机")
    assert out.intent == "search_product"
    assert any(r.type == "carousel" for r in out.replies)
    out = await chat("第一个")
    out = await chat("黑色的加入购物车")
    assert "P100-BLK" in shop.carts["C-terminal-u1"]


async def test_checkout_happy_path_en(chat: Chat, shop: FakeShop) -> None:
    await chat("show me running shoes")
    await chat("add the first one in black size 42")
    assert shop.carts["C-terminal-u1"] == {"P200-BLK-42": 1}
    out = await chat("checkout")
    assert out.replies[0].type == "text"
    out = await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    out = await chat("@Express")
    out = await chat("SAVE10")
    assert any(r.type == "order_summary" for r in out.replies)
    out = await chat("yes")
    assert any(r.type == "payment_link" for r in out.replies)
    assert shop.orders_list[0].total.to_decimal_string() == "511.00"
    summary = await chat.runner.summary()
    assert summary["summary"]["orders"][0]["status"] == "pending_payment"


async def test_the_payment_link_offers_the_other_providers(chat: Chat, shop: FakeShop) -> None:
    shop.providers = ["wechatpay", "alipay"]  # CHATCART_PAYMENT_PROVIDERS order: the first is the default
    await chat("show me running shoes")
    await chat("add the first one in black size 42")
    await chat("checkout")
    await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    await chat("@Express")
    await chat("no coupon")
    out = await chat("yes")
    [link] = [r for r in out.replies if r.type == "payment_link"]
    assert "/wechatpay/" in link.url
    labels = [b.label for b in link.buttons]
    assert "Pay with Alipay" in labels
    assert "Pay with WeChat Pay" not in labels  # that is the link itself
    out = await chat("@Pay with Alipay")
    [alipay] = [r for r in out.replies if r.type == "payment_link"]
    assert "/alipay/" in alipay.url
    assert "Pay with WeChat Pay" in [b.label for b in alipay.buttons]
