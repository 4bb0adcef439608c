"""Checkouts that finish with every item, on the tea / books / locks catalog
(catalogs/tea_books_locks.json), which the flows were not written for.

* Every item of a one-message shopping list reaches the order, also when its option is named in
  the other language than the catalog's ("premium grade" for 特级, "chinese paperback" for
  中文版/平装, "chicken" for 鸡胸肉, "the longer one" for 加长款): an item left waiting for its
  option question is dropped by the "checkout" that follows.
* After a failed or declined payment, "try again" / "换张卡重新付款" brings a new payment link for
  that order; when the order has closed meanwhile (not paid in time), it is placed again - never
  "no orders waiting".
* A second order in the same conversation, after the first is paid (other goods, another
  address sent with them), is placed and paid like the first.

Every conversation is checked by the orders it ends with.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from chatcart.cli.chat import run_script
from commerce.events import TIMEOUT_ACTOR
from tests.conversations.conftest import OpenCatalogShop, enough_stock
from tests.conversations.talk import Conversation, converse


@pytest.fixture(scope="module")
async def tea_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("tea_books_locks") as shop:
        yield shop


ADDRESS = {
    "en": "Grace Lin, 13911112222, 18 Wuding Rd, Jing'an District, Shanghai",
    "zh": "周婷 13911112222 上海市静安区武定路18号",
}
CHECKOUT = {"en": "checkout", "zh": "结账"}
NO_CODE = {"en": "no coupon", "zh": "不用券"}
CONFIRM = {"en": "confirm", "zh": "确认"}
SKUS = ("BL-TJ", "BL-1", "BL-2", "OM-ZH-PB", "OM-EN-HC", "DT-CK", "DT-BF", "CL-LONG", "WB-1", "CT-1")
ALL_STOCK = dict.fromkeys(SKUS, 50)


def orders_of(talk: Conversation) -> list[tuple[dict[str, int], str]]:
    return [
        ({line["sku"]: int(line["qty"]) for line in order["items"]}, order["status"])
        for order in reversed(talk.summary["orders"])  # oldest first
    ]


# --- every item of a shopping list reaches the order -------------------------------------------------

EVERY_ITEM = [
    ("en", "premium grade biluochun tea x1 and 2 sports water bottles", {"BL-TJ": 1, "WB-1": 2}),
    ("en", "2 copies of the old man and the sea, chinese paperback, for my book club", {"OM-ZH-PB": 2}),
    ("en", "a cat teaser wand and the chicken freeze dried dog treats x2", {"CT-1": 1, "DT-CK": 2}),
    ("en", "english hardcover old man and the sea and one water bottle", {"OM-EN-HC": 1, "WB-1": 1}),
    ("zh", "碧螺春要一级的两罐 再来一个逗猫棒", {"BL-1": 2, "CT-1": 1}),
    ("zh", "老人与海 英文原版 精装 一本", {"OM-EN-HC": 1}),
]


@pytest.mark.parametrize(("lang", "message", "expected"), EVERY_ITEM, ids=lambda v: str(v)[:40])
async def test_every_item_of_a_list_with_options_in_the_other_language_is_paid_for(
    tea_shop: Any, lang: str, message: str, expected: dict[str, int]
) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    lines = [message, CHECKOUT[lang], ADDRESS[lang], NO_CODE[lang], CONFIRM[lang], "!pay"]
    talk = await converse(tea_shop, lang, lines, who="every")
    assert orders_of(talk) == [(expected, "paid")], talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", ["steel cable bike lock, the longer one", "buy now"]),
        ("zh", ["钢缆车锁 要长一点的", "直接买"]),
    ],
)
async def test_a_relative_option_then_buy_now_buys_that_version(tea_shop: Any, lang: str, lines: list[str]) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    talk = await converse(tea_shop, lang, [*lines, ADDRESS[lang], NO_CODE[lang], CONFIRM[lang], "!pay"], who="long")
    assert orders_of(talk) == [({"CL-LONG": 1}, "paid")], talk.transcript()


# --- "no coupon, go ahead" before the address ------------------------------------------------------------

NO_CODE_GO_AHEAD = [
    ("en", "no coupon, go ahead"),
    ("en", "I don't have a code, just place the order"),
    ("zh", "不用券直接下单"),
    ("zh", "没有优惠券 直接下单吧"),
]


@pytest.mark.parametrize(("lang", "go"), NO_CODE_GO_AHEAD, ids=lambda v: str(v)[:30])
async def test_no_code_and_a_go_ahead_after_a_list_places_the_order_once_the_address_is_in(
    tea_shop: Any, lang: str, go: str
) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    goods = "a cat teaser wand and 2 sports water bottles" if lang == "en" else "逗猫棒一个 运动水壶两个"
    talk = await converse(tea_shop, lang, [goods, go, ADDRESS[lang], "!pay"], who="go")
    assert orders_of(talk) == [({"CT-1": 1, "WB-1": 2}, "paid")], talk.transcript()


# --- paying again after a failed payment ---------------------------------------------------------------

RETRY = [
    ("en", "my card got declined?? can I try again"),
    ("en", "payment failed, try again pls"),
    ("en", "it didn't go through, send me a new link, I'll use another card"),
    ("zh", "付款失败了 重新付款"),
    ("zh", "卡被拒了 换个卡再付一次"),
    ("zh", "没付成功 再试一次"),
    ("en", "can i pay with a different card? the payment failed"),
    ("zh", "换个卡付"),
    ("zh", "换张卡再付"),
]


@pytest.mark.parametrize(("lang", "retry"), RETRY, ids=lambda v: str(v)[:30])
async def test_trying_again_after_a_failed_payment_brings_a_new_link(tea_shop: Any, lang: str, retry: str) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    lines = ["2 sports water bottles" if lang == "en" else "运动水壶两个", CHECKOUT[lang], ADDRESS[lang]]
    talk = await converse(tea_shop, lang, [*lines, NO_CODE[lang], CONFIRM[lang], "!fail", retry, "!pay"], who="retry")
    assert any(r["type"] == "payment_link" for r in talk.turns[-2]["replies"]), talk.transcript()
    assert orders_of(talk) == [({"WB-1": 2}, "paid")], talk.transcript()


@pytest.mark.parametrize(("lang", "retry"), [RETRY[0], RETRY[3]], ids=lambda v: str(v)[:30])
async def test_trying_again_after_the_order_closed_places_it_again(tea_shop: Any, lang: str, retry: str) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    user = f"closed-{uuid.uuid4().hex[:8]}"
    goods = "2 sports water bottles" if lang == "en" else "运动水壶两个"
    first = [goods, CHECKOUT[lang], ADDRESS[lang], NO_CODE[lang], CONFIRM[lang], "!fail"]
    *_, final = await run_script(tea_shop, first, user=user, lang=lang)
    number = final["summary"]["orders"][0]["number"]
    # the payment window passes: the shop closes the order, as its timeout worker does
    await tea_shop.commerce.orders.cancel(number, actor=TIMEOUT_ACTOR, reason="payment not received in time")
    results = await run_script(tea_shop, [retry, "!pay"], user=user, lang=lang)
    *turns, final = results
    talk = Conversation(turns, final["summary"])
    said = talk.said(0)
    assert "no orders waiting" not in said, talk.transcript()
    assert "没有待支付" not in said, talk.transcript()
    assert orders_of(talk) == [({"WB-1": 2}, "cancelled"), ({"WB-1": 2}, "paid")], talk.transcript()


# --- a second order in the same conversation -------------------------------------------------------------

SECOND_ORDER = [
    (
        "en",
        [
            "a cat teaser wand please",
            ADDRESS["en"],
            "checkout",
            "!pay",
            "also send my mom a sports water bottle, to a different address:"
            "\nName: Mei Lin\nPhone: 13922223333\nAddress: 9 Hubin Rd, Shangcheng District, Hangzhou, Zhejiang",
            "another order pls, checkout",
            "!pay",
        ],
    ),
    (
        "zh",
        [
            "逗猫棒一个",
            ADDRESS["zh"],
            "结账",
            "!pay",
            "再给我妈买一个运动水壶 寄到另一个地址：\n收货人：林梅\n手机号码：13922223333\n"
            "详细地址：浙江省杭州市上城区湖滨路9号",
            "单独下一单 结账",
            "!pay",
        ],
    ),
]


@pytest.mark.parametrize(("lang", "lines"), SECOND_ORDER, ids=lambda v: str(v)[:20])
async def test_a_second_order_to_another_address_is_placed_too(tea_shop: Any, lang: str, lines: list[str]) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    talk = await converse(tea_shop, lang, lines, who="second")
    assert orders_of(talk) == [({"CT-1": 1}, "paid"), ({"WB-1": 1}, "paid")], talk.transcript()
    second = await tea_shop.commerce.orders.get_by_number(talk.summary["orders"][0]["number"])
    assert "13922223333" in str(second), talk.transcript()  # sent where the message said


# --- "never mind, just place the order" ------------------------------------------------------------------

SHIPPING = {"en": "express", "zh": "快递"}
NEVER_MIND_THEN_ORDER = [
    # at the coupon question
    ("en", False, "never mind, just place the order then"),
    ("zh", False, "算了 直接下单吧"),
    # under the summary
    ("en", True, "oh ok never mind, go ahead and order it"),
    ("zh", True, "算了算了 就这样下单吧"),
]


@pytest.mark.parametrize(("lang", "at_summary", "words"), NEVER_MIND_THEN_ORDER, ids=lambda v: str(v)[:30])
async def test_never_mind_then_a_request_for_the_order_places_it(
    tea_shop: Any, lang: str, at_summary: bool, words: str
) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    goods = "a cat teaser wand and 2 sports water bottles" if lang == "en" else "逗猫棒一个 运动水壶两个"
    steps = [goods, CHECKOUT[lang], ADDRESS[lang], SHIPPING[lang], *([NO_CODE[lang]] if at_summary else [])]
    talk = await converse(tea_shop, lang, [*steps, words, "!pay"], who="nevermind")
    assert orders_of(talk) == [({"CT-1": 1, "WB-1": 2}, "paid")], talk.transcript()


@pytest.mark.parametrize(("lang", "words"), [("en", "never mind, I'll order it another time"), ("zh", "算了不买了")])
async def test_never_mind_without_a_request_for_the_order_still_drops_the_checkout(
    tea_shop: Any, lang: str, words: str
) -> None:
    await enough_stock(tea_shop, ALL_STOCK)
    steps = ["2 sports water bottles" if lang == "en" else "运动水壶两个", CHECKOUT[lang], ADDRESS[lang]]
    talk = await converse(tea_shop, lang, [*steps, SHIPPING[lang], NO_CODE[lang], words], who="giveup")
    assert orders_of(talk) == [], talk.transcript()
    assert talk.cart == {"WB-1": 2}, talk.transcript()
