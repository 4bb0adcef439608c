"""Each step first reads a message as an answer to itself, then as a side question, and only then
as a change of topic - and a change of topic never throws away a half-done checkout."""

from __future__ import annotations

import pytest

from tests.dialogs.conftest import Chat
from tests.dialogs.fake_shop import FakeShop

CUSTOMER = "C-terminal-u1"


async def _to_coupon_step(chat: Chat, *, lang: str = "zh") -> None:
    if lang == "zh":
        await chat("保温杯来一个")
        await chat("结账")
        await chat("张三 13800138000 上海市浦东新区世纪大道100号")
        out = await chat("快递")
    else:
        await chat("one insulated mug please")
        await chat("checkout")
        await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
        out = await chat("standard")
    assert out.intent == "checkout:shipping", out.intent  # the step took it as its answer


async def _state(chat: Chat) -> tuple[str | None, str | None]:
    state = await chat.runner.engine.services.store.get("terminal:u1")
    assert state is not None
    return state.flow, state.step


@pytest.mark.parametrize(
    ("lang", "answer"),
    [
        ("zh", "没券 直接下单"),
        ("zh", "好了就这样下单吧"),
        ("zh", "啊过期了啊 那不用了 直接下单"),
        ("en", "no code, just place it"),
        ("en", "ok place it"),
        ("en", "none, go ahead and place the order"),
    ],
)
async def test_no_coupon_and_place_it_places_the_order(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_coupon_step(chat, lang=lang)
    out = await chat(answer)
    assert len(shop.orders_list) == 1, chat.text(out)
    assert any(r.type == "payment_link" for r in out.replies)
    assert any(r.type == "order_summary" for r in out.replies)  # what was ordered is shown with it


@pytest.mark.parametrize(
    ("lang", "answer"), [("zh", "没有"), ("zh", "无"), ("zh", "不用"), ("en", "none"), ("en", "skip")]
)
async def test_no_coupon_shows_the_summary_and_waits(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_coupon_step(chat, lang=lang)
    out = await chat(answer)
    assert any(r.type == "order_summary" for r in out.replies)
    assert shop.orders_list == []
    assert await _state(chat) == ("checkout", "confirm")


@pytest.mark.parametrize(("lang", "answer"), [("zh", "确认"), ("zh", "提交订单"), ("en", "confirm"), ("en", "yes")])
async def test_the_summary_is_confirmed_in_words(chat: Chat, shop: FakeShop, lang: str, answer: str) -> None:
    await _to_coupon_step(chat, lang=lang)
    await chat("没有" if lang == "zh" else "no")
    await chat(answer)
    assert len(shop.orders_list) == 1


async def test_checkout_said_again_mid_checkout_continues_it(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯来一个")
    await chat("结账")
    await chat("张三 13800138000 上海市浦东新区世纪大道100号")
    out = await chat("结账")  # at the shipping question: go on with the default, never start over
    assert await _state(chat) == ("checkout", "confirm")
    assert any(r.type == "order_summary" for r in out.replies)
    assert shop.orders_list == []
    assert len(shop.addresses_by_customer[CUSTOMER]) == 1


async def test_a_side_question_is_answered_and_the_step_asked_again(chat: Chat) -> None:
    await _to_coupon_step(chat)
    out = await chat("运费怎么算？")
    assert await _state(chat) == ("checkout", "coupon")
    assert len(out.replies) >= 2  # the answer, then the coupon question again


async def test_a_change_of_topic_keeps_the_checkout(chat: Chat, shop: FakeShop) -> None:
    await _to_coupon_step(chat)
    await chat("我要退货")  # nothing to return: answered, then back to the coupon
    flow, _ = await _state(chat)
    assert flow == "checkout"
    await chat("没券 直接下单")
    assert len(shop.orders_list) == 1


@pytest.mark.parametrize("answer", ["skip", "just the normal delivery", "快递就行"])
async def test_shipping_answered_in_the_customers_words(chat: Chat, answer: str) -> None:
    await chat("one insulated mug please")
    await chat("checkout")
    await chat("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    await chat(answer)
    assert await _state(chat) == ("checkout", "coupon")


async def test_the_same_address_as_last_time(chat: Chat, shop: FakeShop) -> None:
    await _to_coupon_step(chat)
    await chat("没券 直接下单")
    await chat("保温杯来一个")
    await chat("结账")
    await chat("地址还是刚才那个")
    assert await _state(chat) in (("checkout", "shipping"), ("checkout", "coupon"))
    assert len(shop.addresses_by_customer[CUSTOMER]) == 1


async def test_a_yes_with_more_words_confirms(chat: Chat, shop: FakeShop) -> None:
    await chat("保温杯来一个")
    await chat("耳机 黑色 一个")
    await chat("购物车清空")
    await chat("对 全删了")
    assert not shop.carts.get(CUSTOMER)
