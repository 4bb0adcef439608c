"""Purchases that stall before the order: a sold-out answer acknowledged and another version
taken, option values named in the other language (wood kinds, heart-shaped), flowers counted by
the bouquet (束) - on a small shop of its own (catalogs/wood_and_flowers.json: walnut board and
square jewelry box sold out, acacia board and heart-shaped box in stock, tulips by 10 or 20 stems).

Every conversation is checked by the cart or the order it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from dialogs import go_ahead, goods_and_address
from dialogs.router import _only_names_goods, _settles_for_what_is_left
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def wood_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("wood_and_flowers") as shop:
        yield shop


# --- a sold-out version acknowledged, another one taken --------------------------------------------

SETTLES_FOR_ANOTHER = [
    ("zh", ["实木砧板 要胡桃木的", "缺货啊 那相思木的也可以 来一块"], {"CB-ACA": 1}),
    ("zh", ["丝绒首饰盒 方形的", "方形没货了 那就心形的吧 要一个"], {"JB-HT": 1}),
    ("en", ["cutting board, the walnut one", "out of stock huh. fine, I'll take the acacia one"], {"CB-ACA": 1}),
    ("en", ["velvet jewelry box in square", "sold out, ok give me the heart-shaped one instead"], {"JB-HT": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), SETTLES_FOR_ANOTHER, ids=lambda v: str(v)[:30])
async def test_a_sold_out_answer_acknowledged_and_another_version_taken(
    wood_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(wood_shop, lang, lines, who="settle")
    assert talk.cart == expected, talk.transcript()


def test_a_stock_question_is_still_one() -> None:
    """The exception is narrow: a question about stock stays a stock question."""
    assert not _settles_for_what_is_left("没货了吗 我想买两块")
    assert not _settles_for_what_is_left("when will the walnut one be back in stock? i want to buy it")
    assert _settles_for_what_is_left("没货了啊 那相思木的也行 一块")


# --- values in the other language, bouquets counted ----------------------------------------------

OTHER_WORDS = [
    ("zh", ["相思木砧板来一块"], {"CB-ACA": 1}),
    ("en", ["put the heart jewelry box in my cart"], {"JB-HT": 1}),
    ("zh", ["郁金香20枝的 来三束"], {"TU-20": 3}),
    ("zh", ["郁金香花束10枝 两束"], {"TU-10": 2}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), OTHER_WORDS, ids=lambda v: str(v)[:30])
async def test_values_in_other_words_and_bouquets_counted(
    wood_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(wood_shop, lang, lines, who="words")
    assert talk.cart == expected, talk.transcript()


# --- "checkout" once the address is in: nothing left to ask ---------------------------------------

ADDRESS = {
    "zh": "收货人：周楠\n手机号码：13622223333\n详细地址：湖北省武汉市洪山区珞喻路1037号",
    "en": "Name: Nina Zhou\nPhone: 13622223333\nAddress: 1037 Luoyu Rd, Hongshan District, Wuhan, Hubei",
}
CHECKOUT_AFTER_ADDRESS = [
    ("zh", ["相思木砧板来一块", ADDRESS["zh"], "去结算吧"]),
    ("en", ["one acacia cutting board", ADDRESS["en"], "ok checkout"]),
]


@pytest.mark.parametrize(("lang", "lines"), CHECKOUT_AFTER_ADDRESS, ids=["zh", "en"])
async def test_checkout_said_after_the_pasted_address_places_the_order(
    wood_shop: Any, lang: str, lines: list[str]
) -> None:
    talk = await converse(wood_shop, lang, lines, who="again")
    placed = [order for order in talk.summary["orders"] if order["status"] == "pending_payment"]
    assert [{line["sku"]: line["qty"] for line in order["items"]} for order in placed] == [{"CB-ACA": 1}], (
        talk.transcript()
    )


def test_only_a_bare_checkout_request_is_a_go_ahead() -> None:
    assert go_ahead.asks_for_checkout("checkout pls")
    assert go_ahead.asks_for_checkout("好 结账")
    for not_one in ("checkout?", "can i checkout later", "结账 用SUMMER20", "don't checkout yet", "2 mugs checkout"):
        assert not go_ahead.asks_for_checkout(not_one), not_one


# --- the address sent right under a product chosen down to its version ------------------------------

ADDRESS_UNDER_A_CHOSEN_CARD = [
    ("zh", ["郁金香花束", "20枝的", ADDRESS["zh"], "确认"], {"TU-20": 1}),
    ("en", ["tulip bouquet", "the 10 stem one", ADDRESS["en"], "looks good"], {"TU-10": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), ADDRESS_UNDER_A_CHOSEN_CARD, ids=["zh", "en"])
async def test_an_address_under_a_chosen_product_buys_it(
    wood_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(wood_shop, lang, lines, who="under")
    placed = [order for order in talk.summary["orders"] if order["status"] == "pending_payment"]
    assert [{line["sku"]: line["qty"] for line in order["items"]} for order in placed] == [expected], talk.transcript()


async def test_an_address_under_a_card_with_an_open_option_is_kept(wood_shop: Any) -> None:
    talk = await converse(wood_shop, "en", ["tulip bouquet", ADDRESS["en"]], who="open")
    assert talk.cart == {}, talk.transcript()
    assert talk.summary["orders"] == [], talk.transcript()


# --- goods, receiver and address in one impatient message -------------------------------------------

IMPATIENT = [
    ("zh", ["相思木砧板一块 直接下单 周楠 13622223333 湖北省武汉市洪山区珞喻路1037号 快点"], {"CB-ACA": 1}),
    ("zh", ["郁金香10枝的两束 寄给 周楠 13622223333 湖北省武汉市洪山区珞喻路1037号 发付款链接"], {"TU-10": 2}),
    (
        "en",
        ["3 tulip bouquets 20 stems to Nina Zhou 13622223333 1037 Luoyu Rd Hongshan Wuhan. send me the link"],
        {"TU-20": 3},
    ),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), IMPATIENT, ids=lambda v: str(v)[:30])
async def test_goods_and_address_in_one_message_place_the_order(
    wood_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(wood_shop, lang, lines, who="hurry")
    placed = [order for order in talk.summary["orders"] if order["status"] == "pending_payment"]
    assert [{line["sku"]: line["qty"] for line in order["items"]} for order in placed] == [expected], talk.transcript()


def test_only_goods_before_the_name_are_split_off() -> None:
    found = goods_and_address.split("一块相思木砧板 直接下单 周楠 13622223333 湖北省武汉市洪山区珞喻路1037号 快点")
    assert found is not None
    assert found.goods == "一块相思木砧板", found
    assert "快点" not in found.address, found
    assert "下单" not in found.address, found
    # the address first, the name last: the address reader's, not goods
    assert goods_and_address.split("寄到 湖北省武汉市洪山区珞喻路1037号 收件人 周楠 13622223333") is None
    assert goods_and_address.split("Nina Zhou, 13622223333, 1037 Luoyu Rd, Wuhan") is None


# --- an option chosen with a question about the product ---------------------------------------------

CHOICE_AND_QUESTION = [
    ("en", ["velvet jewelry box", "heart shaped then. does it have a mirror?"], "mirror", "JB-HT"),
    ("zh", ["丝绒首饰盒", "那就心形的吧 有镜子吗"], "镜子", "JB-HT"),
]


@pytest.mark.parametrize(("lang", "lines", "said", "sku"), CHOICE_AND_QUESTION, ids=["en", "zh"])
async def test_an_option_chosen_and_a_question_asked_in_one_message(
    wood_shop: Any, lang: str, lines: list[str], said: str, sku: str
) -> None:
    talk = await converse(wood_shop, lang, [*lines, ADDRESS[lang], "ok"], who="ask")
    assert said in talk.said(1).lower(), talk.transcript()  # the question answered from the catalog
    placed = [order for order in talk.summary["orders"] if order["status"] == "pending_payment"]
    assert [{line["sku"]: line["qty"] for line in order["items"]} for order in placed] == [{sku: 1}], talk.transcript()


# --- a go-ahead in other words under the summary; the link asked for after the order ----------------

UNDER_THE_SUMMARY = [
    ("en", ["one acacia cutting board", "checkout", ADDRESS["en"], "express", "no code", "looks right, go"]),
    ("zh", ["相思木砧板来一块", "结账", ADDRESS["zh"], "快递", "没有券", "对的没错 就这样"]),
]


@pytest.mark.parametrize(("lang", "lines"), UNDER_THE_SUMMARY, ids=["en", "zh"])
async def test_a_go_ahead_under_the_summary_places_the_order(wood_shop: Any, lang: str, lines: list[str]) -> None:
    talk = await converse(wood_shop, lang, lines, who="summary")
    placed = [order for order in talk.summary["orders"] if order["status"] == "pending_payment"]
    assert len(placed) == 1, talk.transcript()


async def test_the_link_asked_for_after_the_order_is_sent_again(wood_shop: Any) -> None:
    lines = ["one acacia cutting board", ADDRESS["en"], "place the order", "yes yes ok just the link"]
    talk = await converse(wood_shop, "en", lines, who="link")
    assert talk.turns[-1]["intent"] == "pay", talk.transcript()
    assert "/pay/" in talk.said(), talk.transcript()


# --- another value named under the card of a sold-out version ---------------------------------------

OTHER_VALUE_UNDER_SOLD_OUT = [
    ("zh", ["方形的丝绒首饰盒", "那心形吧 一样的", "买了"], {"JB-HT": 1}),
    ("en", ["walnut cutting board", "acacia then", "buy it"], {"CB-ACA": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), OTHER_VALUE_UNDER_SOLD_OUT, ids=["zh", "en"])
async def test_another_value_under_a_sold_out_version_is_the_one_wanted(
    wood_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(wood_shop, lang, lines, who="other")
    assert talk.cart == expected, talk.transcript()


def test_goods_named_alone_are_no_after_sales_request() -> None:
    assert _only_names_goods("sand coloured tent")
    assert _only_names_goods("奶油色珐琅锅")
    for trouble in ("tent arrived torn", "the tent is broken", "退货 帐篷", "where is my tent", "tent still not here"):
        assert not _only_names_goods(trouble), trouble
