"""Answers at the checkout steps and requests about an order by its state, as customers who never saw
the flows put them, on the outsider kitchenware / outdoor / cosmetics shop (conftest.outsider_shop).

Each step first reads the message as an answer to itself, then as a side question, and only then as
a change of topic; a change of topic never silently throws a half-done checkout away:

1. A go-ahead word behind a negation ("不买了" holds "买了", "don't place it") never places the order.
2. A bare "no" under the order summary is asked about (place it, change something, or not order);
   only words of giving up, or a second "no", drop the checkout - and the cart is kept.
3. Giving up in other words at any step ends the checkout, told, with the cart kept.
4. A method named with a question about it is taken, and its fee and time are the answer.
5. One more item asked for mid-checkout goes into the cart and the checkout goes on with it.
6. A plain "cancel" of a paid order that has not shipped files its refund (asked plainly, no "yes"
   is owed); "cancel" typed in pinyin is still a cancel.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from chatcart.cli.chat import run_script
from tests.conversations.conftest import enough_stock

HEADLAMP, MUG = "O4-1", "K4-1"
ZH_ADDRESS = "孙悦 13598761234 杭州市西湖区文三路200号"
EN_ADDRESS = "Grace Lin, 13698765432, 18 Renmin Rd, Gulou District, Nanjing"
TO_SUMMARY = {
    "zh": ["头灯来一个", "去付款", ZH_ADDRESS, "快递", "没有券"],
    "en": ["put a headlamp in my cart", "ready to pay", EN_ADDRESS, "express", "i have no code"],
}


async def _chat(shop: Any, lang: str, lines: list[str]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    await enough_stock(shop, {HEADLAMP: 50, MUG: 50})
    *turns, final = await run_script(shop, lines, user=f"stepfirst-{uuid.uuid4().hex[:8]}", lang=lang)
    return turns, final["summary"]


def _said(turn: dict[str, Any]) -> str:
    return " ".join(r["text"] for r in turn["replies"])


def _transcript(turns: list[dict[str, Any]]) -> str:
    return "\n".join(f"> {t['input']}\n{_said(t)}" for t in turns)


def _cart(summary: dict[str, Any]) -> dict[str, int]:
    return {line["sku"]: line["qty"] for line in summary["cart"]}


# --- 1-3. no, not now, not at all --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", "想了想还是不买了"),
        ("zh", "先别下单 我再考虑考虑"),
        ("en", "actually don't place it, I changed my mind"),
        ("en", "hold on, not ordering this today"),
    ],
)
async def test_a_go_ahead_word_behind_a_negation_never_places_the_order(
    outsider_shop: Any, lang: str, words: str
) -> None:
    turns, summary = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang], words])
    assert summary["orders"] == [], _transcript(turns)
    assert _cart(summary) == {HEADLAMP: 1}, _transcript(turns)
    assert turns[-1]["intent"].startswith("checkout"), _transcript(turns)


@pytest.mark.parametrize(("lang", "no", "then"), [("zh", "不用", "行 下单吧"), ("en", "nope", "go on then")])
async def test_a_bare_no_under_the_summary_is_asked_about_not_taken_as_cancel(
    outsider_shop: Any, lang: str, no: str, then: str
) -> None:
    turns, summary = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang], no, then])
    question = _said(turns[-2])
    assert ("提交订单" in question) if lang == "zh" else ("place the order" in question), _transcript(turns)
    assert [o["status"] for o in summary["orders"]] == ["pending_payment"], _transcript(turns)


@pytest.mark.parametrize(("lang", "first", "second"), [("zh", "不要", "不"), ("en", "no", "no")])
async def test_a_second_no_drops_the_checkout_and_keeps_the_cart(
    outsider_shop: Any, lang: str, first: str, second: str
) -> None:
    turns, summary = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang], first, second])
    assert summary["orders"] == [], _transcript(turns)
    assert _cart(summary) == {HEADLAMP: 1}, _transcript(turns)
    assert ("购物车" in _said(turns[-1])) if lang == "zh" else ("cart" in _said(turns[-1]).lower())


@pytest.mark.parametrize(
    ("lang", "steps_done", "words"),
    [
        ("zh", 3, "算了 这次先不买了"),  # shipping asked
        ("zh", 2, "不想买了"),  # address asked
        ("en", 4, "forget it, not buying today"),  # coupon asked
        ("en", 2, "never mind, maybe next time"),  # address asked
    ],
)
async def test_giving_up_in_other_words_at_any_step_ends_the_checkout_with_the_cart_kept(
    outsider_shop: Any, lang: str, steps_done: int, words: str
) -> None:
    turns, summary = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang][:steps_done], words])
    assert summary["orders"] == [], _transcript(turns)
    assert _cart(summary) == {HEADLAMP: 1}, _transcript(turns)
    told = _said(turns[-1])
    # "maybe next time" may also be read as keeping the cart for later: either reply says no order was placed
    nothing_ordered = ("没有下单",) if lang == "zh" else ("didn't place", "nothing is ordered")
    assert any(phrase in told for phrase in nothing_ordered), _transcript(turns)


# --- the phone number, however it is written ------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "lines", "digits"),
    [
        ("zh", ["杜娟 0086 136 0000 1111 成都市武侯区科华北路65号"], "13600001111"),
        ("en", ["Ben Hu, 136.0000.2222, 9 Tianfu Ave, Wuhou District, Chengdu"], "13600002222"),
        ("en", ["Ben Hu, 9 Tianfu Ave, Wuhou District, Chengdu", "1360 000 3333"], "13600003333"),
        ("zh", ["杜娟 成都市武侯区科华北路65号", "手机 136 000 04444"], "13600004444"),
    ],
)
async def test_a_mobile_number_grouped_any_way_is_read_whole(
    outsider_shop: Any, lang: str, lines: list[str], digits: str
) -> None:
    turns, _ = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang][:2], *lines])
    told = _said(turns[-1])
    assert digits in told, _transcript(turns)
    assert "0086" not in told, _transcript(turns)
    assert "65号00" not in told, _transcript(turns)
    assert ("配送方式" in told) if lang == "zh" else ("ship" in told), _transcript(turns)


@pytest.mark.parametrize(
    ("lang", "address", "full"),
    [
        ("zh", "邹敏 139****0000 武汉市洪山区珞喻路1037号", "13911110000"),
        ("en", "Amy Zou, 139****0000, 1037 Luoyu Rd, Hongshan District, Wuhan", "13911110000"),
    ],
)
async def test_a_number_with_its_middle_hidden_is_asked_for_in_full(
    outsider_shop: Any, lang: str, address: str, full: str
) -> None:
    turns, _ = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang][:2], address, full])
    asked = _said(turns[2])
    assert ("隐藏" in asked) if lang == "zh" else ("hidden" in asked), _transcript(turns)
    told = _said(turns[3])
    assert full in told, _transcript(turns)
    assert "****" not in told, _transcript(turns)


# --- 4-5. an answer with something more -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"), [("zh", "普通快递吧 大概要几天"), ("en", "standard please, how many days will that take?")]
)
async def test_a_method_named_with_a_question_about_it_is_taken_and_its_time_told(
    outsider_shop: Any, lang: str, words: str
) -> None:
    turns, summary = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang][:3], words, TO_SUMMARY[lang][4], "ok"])
    answer = _said(turns[3])
    assert "2-4" in answer, _transcript(turns)  # the express method's delivery time
    assert ("优惠" in answer) if lang == "zh" else ("coupon" in answer.lower()), _transcript(turns)
    assert [o["status"] for o in summary["orders"]] == ["pending_payment"], _transcript(turns)


@pytest.mark.parametrize(("lang", "words"), [("zh", "顺便再加个马克杯"), ("en", "oh and one mug too")])
async def test_one_more_item_mid_checkout_is_added_and_the_checkout_goes_on(
    outsider_shop: Any, lang: str, words: str
) -> None:
    confirm = "确认" if lang == "zh" else "yes"
    steps = TO_SUMMARY[lang]
    turns, summary = await _chat(outsider_shop, lang, [*steps[:4], words, steps[4], confirm])
    assert len(summary["orders"]) == 1, _transcript(turns)
    assert {i["sku"]: i["qty"] for i in summary["orders"][0]["items"]} == {HEADLAMP: 1, MUG: 1}, _transcript(turns)


# --- 6. an order by its state -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", "订单取消一下"),
        ("zh", "还没发吧？那退款吧 不想要了"),
        ("zh", "没发出去的话直接退钱给我"),  # the shipping named as a condition, not asked about
        ("en", "please call off the order"),
        ("en", "it hasn't gone out yet, has it? refund me please"),
    ],
)
async def test_cancelling_a_paid_unshipped_order_plainly_files_its_refund(
    outsider_shop: Any, lang: str, words: str
) -> None:
    confirm = "确认" if lang == "zh" else "yes"
    turns, summary = await _chat(outsider_shop, lang, [*TO_SUMMARY[lang], confirm, "!pay", words])
    assert [a["kind"] for a in summary["after_sales"]] == ["refund"], _transcript(turns)
    assert summary["handoff"] == "none"


async def test_a_cancel_typed_in_pinyin_cancels_the_unpaid_order(outsider_shop: Any) -> None:
    turns, summary = await _chat(outsider_shop, "zh", [*TO_SUMMARY["zh"], "确认", "帮我quxiao这个订单", "嗯"])
    assert [o["status"] for o in summary["orders"]] == ["cancelled"], _transcript(turns)
