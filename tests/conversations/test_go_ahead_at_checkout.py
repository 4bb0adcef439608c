"""A go-ahead once the address is known places the order, on the outsider kitchenware / outdoor /
cosmetics shop (conftest.outsider_shop: coupons SUMMER20 from 100, CAMP10; express, same-city in
Shanghai, pickup).

Customers who see their address read back rarely answer every question left: "that's correct",
"可以的 直接付款吧" under "How should we ship it?", "ok go on" under the coupon question, or
"express is fine, and place the order". What they mean is: the default shipping method (or the one
they named), the coupon they gave earlier (or none), and the order placed - the summary and the
payment link in one reply. Step-by-step answers keep their steps, and a question or a "not yet"
places nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversations.conftest import enough_stock
from tests.conversations.talk import Conversation, converse

ADDRESS = {
    "en": "Lena Park, 13912340001, 25 Jinqiao Rd, Pudong, Shanghai",
    "zh": "周敏 13912340002 北京市朝阳区建国路88号5号楼1201",
}
MUG = {"en": "one ceramic mug please", "zh": "来一个陶瓷马克杯"}
PAN = {"en": "put the 24cm frying pan in my cart", "zh": "把24的不粘平底锅加到购物车"}


def _placed(conversation: Conversation) -> list[dict[str, Any]]:
    return [order for order in conversation.summary["orders"] if order["status"] == "pending_payment"]


def _items(order: dict[str, Any]) -> dict[str, int]:
    return {line["sku"]: int(line["qty"]) for line in order["items"]}


def _last_reply_types(conversation: Conversation) -> list[str]:
    return [reply["type"] for reply in conversation.turns[-1]["replies"]]


def _pickup(conversation: Conversation) -> bool:
    return any(word in conversation.said() for word in ("Pick up at", "自提"))


@pytest.mark.parametrize(
    ("lang", "go_ahead"),
    [
        ("en", "that's correct"),
        ("en", "all good, go for it"),
        ("en", "sounds good, send me the payment link"),
        ("zh", "没错 就这样"),
        ("zh", "可以的 直接付款吧"),
        ("zh", "好嘞 提交"),
    ],
)
async def test_a_go_ahead_to_the_shipping_question_places_the_order(
    outsider_shop: Any, lang: str, go_ahead: str
) -> None:
    await enough_stock(outsider_shop, {"K4-1": 50})
    conversation = await converse(outsider_shop, lang, [MUG[lang], "checkout", ADDRESS[lang], go_ahead], who="goahead")
    assert [_items(order) for order in _placed(conversation)] == [{"K4-1": 1}], conversation.transcript()
    assert {"order_summary", "payment_link"} <= set(_last_reply_types(conversation)), conversation.transcript()
    assert not _pickup(conversation), conversation.transcript()  # the default delivers to the address


@pytest.mark.parametrize(
    ("lang", "answer"),
    [("en", "express is fine, and place the order"), ("zh", "快递就行 帮我下单")],
)
async def test_a_method_named_with_a_request_to_order_is_used_and_the_order_placed(
    outsider_shop: Any, lang: str, answer: str
) -> None:
    await enough_stock(outsider_shop, {"K4-1": 50})
    conversation = await converse(outsider_shop, lang, [MUG[lang], "checkout", ADDRESS[lang], answer], who="goahead")
    assert len(_placed(conversation)) == 1, conversation.transcript()
    assert "payment_link" in _last_reply_types(conversation), conversation.transcript()


@pytest.mark.parametrize(
    ("lang", "coupon", "go_ahead"),
    [("en", "i've got a voucher: SUMMER20", "perfect, go ahead"), ("zh", "我有优惠码SUMMER20", "对 没问题")],
)
async def test_the_coupon_given_before_checkout_is_used_by_the_go_ahead(
    outsider_shop: Any, lang: str, coupon: str, go_ahead: str
) -> None:
    await enough_stock(outsider_shop, {"K1-24": 20})
    conversation = await converse(
        outsider_shop, lang, [PAN[lang], coupon, "checkout", ADDRESS[lang], go_ahead], who="goahead"
    )
    assert len(_placed(conversation)) == 1, conversation.transcript()
    assert "SUMMER20" in conversation.said(), conversation.transcript()  # the discount line of the summary
    assert "payment_link" in _last_reply_types(conversation), conversation.transcript()


@pytest.mark.parametrize(("lang", "go_on"), [("en", "okay carry on"), ("zh", "行 继续吧")])
async def test_a_go_ahead_to_the_coupon_question_places_the_order_without_one(
    outsider_shop: Any, lang: str, go_on: str
) -> None:
    await enough_stock(outsider_shop, {"K4-1": 50})
    lines = [MUG[lang], "checkout", ADDRESS[lang], "express" if lang == "en" else "快递", go_on]
    conversation = await converse(outsider_shop, lang, lines, who="goahead")
    assert len(_placed(conversation)) == 1, conversation.transcript()
    assert "payment_link" in _last_reply_types(conversation), conversation.transcript()


@pytest.mark.parametrize(("lang", "have_one"), [("en", "yeah i do"), ("zh", "有的")])
async def test_a_plain_yes_to_the_coupon_question_still_asks_for_the_code(
    outsider_shop: Any, lang: str, have_one: str
) -> None:
    await enough_stock(outsider_shop, {"K4-1": 50})
    lines = [MUG[lang], "checkout", ADDRESS[lang], "express" if lang == "en" else "快递", have_one]
    conversation = await converse(outsider_shop, lang, lines, who="goahead")
    assert _placed(conversation) == [], conversation.transcript()
    assert any(word in conversation.said() for word in ("type the code", "输入")), conversation.transcript()


@pytest.mark.parametrize(
    ("lang", "steps"),
    [("en", ["pickup", "no code needed"]), ("zh", ["到店自取", "没券"])],
)
async def test_step_by_step_answers_keep_their_steps(outsider_shop: Any, lang: str, steps: list[str]) -> None:
    await enough_stock(outsider_shop, {"K4-1": 50})
    conversation = await converse(outsider_shop, lang, [MUG[lang], "checkout", ADDRESS[lang], *steps], who="goahead")
    assert _placed(conversation) == [], conversation.transcript()  # the summary waits for the customer's yes
    assert "order_summary" in _last_reply_types(conversation), conversation.transcript()
    assert _pickup(conversation), conversation.transcript()  # the method named was kept


@pytest.mark.parametrize(
    ("lang", "not_yet"),
    [
        ("en", "ok but what does express cost?"),
        ("en", "hold on, not yet"),
        ("zh", "好的 自提要多久？"),
        ("zh", "等等 先别下单"),
    ],
)
async def test_a_question_or_a_hold_places_nothing(outsider_shop: Any, lang: str, not_yet: str) -> None:
    await enough_stock(outsider_shop, {"K4-1": 50})
    conversation = await converse(outsider_shop, lang, [MUG[lang], "checkout", ADDRESS[lang], not_yet], who="goahead")
    assert _placed(conversation) == [], conversation.transcript()
