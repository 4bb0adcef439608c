"""Engine behaviour with the real NLU and an in-memory shop: flows, references, fallbacks, handoff."""

from __future__ import annotations

import asyncio

from dialogs.engine import DialogEngine
from dialogs.messages import IncomingMessage, TextReply
from dialogs.outbound import CollectingSender
from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

CUSTOMER = "C-terminal-u1"


async def test_search_then_second_one_then_colour(chat: Chat, shop: FakeShop) -> None:
    out = await chat("有没有耳机")
    assert out.intent == "search_product"
    assert [r.type for r in out.replies] == ["carousel"]
    out = await chat("第一个")
    assert out.replies[0].type == "product"
    await chat("黑色的加入购物车")
    assert shop.carts[CUSTOMER] == {"P100-BLK": 1}


async def test_english_checkout_with_coupon_and_interruption(chat: Chat, shop: FakeShop) -> None:
    await chat("show me running shoes")
    await chat("add the first one in black size 42")
    assert shop.carts[CUSTOMER] == {"P200-BLK-42": 1}
    await chat("checkout")
    out = await chat("how much is shipping?")
    texts = " ".join(getattr(r, "text", "") for r in out.replies)
    assert "Shipping" in texts
    assert "back to where we were" in texts
    await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    await chat("@Express")
    out = await chat("SAVE10")
    assert any(r.type == "order_summary" for r in out.replies)
    assert not shop.orders_list  # nothing placed before the confirmation
    out = await chat("yes")
    assert any(r.type == "payment_link" for r in out.replies)
    assert shop.orders_list[0].total.to_decimal_string() == "511.00"


async def test_invalid_phone_is_asked_again(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯")
    await chat("加入购物车")
    await chat("结账")
    out = await chat("王五 1380013800 北京市朝阳区建国路88号")
    assert "手机号好像不对" in Chat.text(out)
    out = await chat("13800138000")
    assert "配送方式" in Chat.text(out)


async def test_out_of_stock_is_refused_politely(chat: Chat, shop: FakeShop) -> None:
    await chat("降噪耳机")
    out = await chat("加入购物车")
    assert "售罄" in Chat.text(out)
    assert not shop.carts.get(CUSTOMER)


async def test_two_failures_offer_a_human(chat: Chat) -> None:
    first = await chat("qwpoeiruty zxmcnvb")
    assert first.intent == "nlu_fallback"
    second = await chat("asdkjfh qweqwe")
    assert any(b.payload == "human" for r in second.replies for b in r.buttons)


async def test_handoff_silences_the_bot_until_released(chat: Chat, engine: DialogEngine) -> None:
    out = await chat("转人工")
    assert out.replies[0].type == "handoff"
    queue = await engine.handoff.queue()
    assert [s.id for s in queue] == ["terminal:u1"]
    sender = CollectingSender()
    engine.outbound.register("terminal", sender)
    await engine.handoff.take_over("terminal:u1", "agent-7")
    out = await chat("我的订单到哪了")
    assert out.replies == []  # the agent answers, not the bot
    await engine.handoff.agent_send("terminal:u1", "agent-7", "您好，我来帮您查")
    pushed = sender.collect("u1")
    assert [r.text for r in pushed if isinstance(r, TextReply)] == ["您好，我来帮您查"]
    await engine.handoff.release("terminal:u1", "agent-7")
    out = await chat("你好")
    assert out.replies


async def test_buttons_that_only_show_information_work_while_an_agent_owns_the_chat(
    chat: Chat, engine: DialogEngine, shop: FakeShop
) -> None:
    await chat("转人工")
    engine.outbound.register("terminal", CollectingSender())
    await engine.handoff.take_over("terminal:u1", "agent-7")

    def press(payload: str) -> IncomingMessage:
        return IncomingMessage(
            channel="terminal", channel_user_id="u1", kind="button", payload=payload, text="查看详情"
        )

    details = await engine.handle(press("product:P100"))  # the agent's product card
    assert [r.type for r in details] == ["product"]
    assert await engine.handle(press("add:P100-BLK")) == []  # changing the cart stays with the agent
    assert not shop.carts.get(CUSTOMER)
    state = await engine.handoff.store.get("terminal:u1")
    assert state is not None
    assert state.handoff_status == "agent"


async def test_typed_number_presses_the_shown_button(chat: Chat, shop: FakeShop) -> None:
    await chat("耳机")
    out = await chat("1")
    assert out.replies[0].type == "product"


async def test_clear_cart_needs_confirmation(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯")
    await chat("加入购物车")
    await chat("清空购物车")
    assert shop.carts[CUSTOMER]
    await chat("不用了")
    assert shop.carts[CUSTOMER]
    await chat("清空购物车")
    await chat("确定")
    assert not shop.carts[CUSTOMER]


async def test_simultaneous_messages_are_serialised(engine: DialogEngine, shop: FakeShop) -> None:
    messages = [IncomingMessage.from_text("terminal", "u9", text) for text in ("保温杯", "你好", "购物车")]
    results = await asyncio.gather(*(engine.handle(m) for m in messages))
    assert all(results)
    state = await engine.services.store.get("terminal:u9")
    assert state is not None
    assert state.version == 3


async def test_bad_button_payload_gets_a_polite_answer(engine: DialogEngine) -> None:
    replies = await engine.handle(IncomingMessage.from_button("terminal", "u8", "zz:nothing"))
    assert replies
    assert isinstance(replies[0], TextReply)


async def test_lang_command_switches_language(chat: Chat) -> None:
    out = await chat("/lang en")
    assert "English" in Chat.text(out)
    out = await chat("你好")  # a locked language stays
    assert "Hi!" in Chat.text(out)
