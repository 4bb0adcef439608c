"""After-sales by the order's state, questions that are not requests, and the conversation's language.

- A paid order that has not shipped: a return is not what applies - say so and offer a refund or
  cancelling, before collecting reasons and photos; what the customer gave is kept.
- An open request is a known conflict with its own reply, never "please try again".
- "请问退款多久到账？" while waiting for a person, "can you do a better price": answered.
- The reply language changes only on a clear signal, never on code, SQL-like text or a name.
"""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

CUSTOMER = "C-terminal-u1"


async def _paid_order(chat: Chat, lang: str = "zh") -> None:
    if lang == "zh":
        await chat("保温杯来一个")
        await chat("结账")
        await chat("张三 13800138000 上海市浦东新区世纪大道100号")
        await chat("快递")
        await chat("没券 直接下单")
    else:
        await chat("one insulated mug please")
        await chat("checkout")
        await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
        await chat("standard")
        await chat("no code, just place it")
    await chat("!pay")


@pytest.mark.parametrize(("lang", "ask"), [("zh", "我要退货"), ("zh", "我想换货"), ("en", "I want to return it")])
async def test_an_unshipped_order_offers_a_refund_not_a_return(chat: Chat, shop: FakeShop, lang: str, ask: str) -> None:
    await _paid_order(chat, lang)
    out = await chat(ask)
    text = chat.text(out)
    payloads = [b.payload for r in out.replies for b in r.buttons]
    assert any(p.startswith("aftersales:refund.") for p in payloads), text
    assert any(p.startswith("cancel_order:") for p in payloads)
    assert not any(p.startswith(("aftersales:return.", "aftersales:exchange.")) for p in payloads)
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    assert state.flow is None  # no reason or photo asked for a request that would be refused
    assert shop.requests == []


async def test_the_order_card_offers_only_what_its_state_allows(chat: Chat) -> None:
    await _paid_order(chat)
    out = await chat("我的订单")
    if not any(r.type == "order_summary" for r in out.replies):
        out = await chat("1")
    payloads = [b.payload for r in out.replies for b in r.buttons]
    assert any(p.startswith("aftersales:refund.") for p in payloads)
    assert not any(p.startswith(("aftersales:return.", "aftersales:exchange.")) for p in payloads)


async def test_a_second_request_is_told_it_is_open_already(chat: Chat, shop: FakeShop) -> None:
    await _paid_order(chat)
    await chat("我要退款")
    await chat("不想要了")
    await chat("确认")
    assert len(shop.requests) == 1
    await chat("我要退款")
    await chat("不想要了")
    out = await chat("确认")
    text = chat.text(out)
    assert "已经有一个处理中的售后申请" in text
    assert "请再试一次" not in text
    assert len(shop.requests) == 1


async def test_while_waiting_for_a_person_a_refund_question_is_answered(chat: Chat, shop: FakeShop) -> None:
    await _paid_order(chat)
    await chat("转人工")
    out = await chat("请问退款多久到账？")
    assert "工作日" in chat.text(out)  # the refund-time answer
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    assert state.flow is None
    assert shop.requests == []


@pytest.mark.parametrize(
    ("ask", "expected"), [("能便宜点吗", "统一标价"), ("can you do a better price?", "same for everyone")]
)
async def test_bargaining_gets_an_honest_answer(chat: Chat, ask: str, expected: str) -> None:
    if ask.isascii():
        await chat("show me running shoes")
    else:
        await chat("有没有跑鞋")
    out = await chat(ask)
    assert expected in chat.text(out)


@pytest.mark.parametrize(
    "text",
    ["SELECT * FROM orders WHERE id=1", "ok", "airpods pro", "DROP TABLE users;", "https://example.com/p/1"],
)
async def test_code_names_and_short_words_keep_the_language(chat: Chat, text: str) -> None:
    await chat("你好")
    await chat(text)
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    assert state.lang == "zh"


async def test_a_full_sentence_in_the_other_language_switches(chat: Chat) -> None:
    await chat("你好")
    await chat("Could you show me my cart please")
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    assert state.lang == "en"
    await chat("王芳")  # a name does not switch back
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    assert state.lang == "en"


# --- comparisons ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("search", "ask"), [("有没有耳机", "这两个有什么区别"), ("audio", "compare the first two")])
async def test_two_listed_products_are_compared(chat: Chat, search: str, ask: str) -> None:
    await chat(search)
    out = await chat(ask)
    text = chat.text(out)
    assert out.intent == "compare"
    assert "299.00" in text  # the earbuds' price
    assert "1,299.00" in text  # the headphones' price
    assert ("库存" in text) or ("Stock" in text)


async def test_two_versions_of_one_product_are_compared(chat: Chat) -> None:
    await chat("show me running shoes")
    out = await chat("what's the difference between 42 and 43")
    text = chat.text(out)
    assert out.intent == "compare"
    assert "42" in text
    assert "43" in text
    assert "Out of stock" in text or "out of stock" in text.lower()  # 43 is sold out


# --- stock questions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ask", "expected"),
    [
        ("降噪耳机什么时候有货", "售罄"),
        ("when will the noise cancelling headphones be back in stock?", "no restock date"),
        ("跑鞋43码什么时候补货", "43"),
    ],
)
async def test_a_restock_question_gets_the_real_stock(chat: Chat, ask: str, expected: str) -> None:
    out = await chat(ask)
    assert out.intent == "stock_question"
    assert expected in chat.text(out)
