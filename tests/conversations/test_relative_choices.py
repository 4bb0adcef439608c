"""Relative choices over one product's versions: "the bigger size", "贵的那个", "deluxe then",
"还是要大的吧 来两只", after a product is on screen or its versions were compared, and
"whichever is cheaper" at checkout's shipping step.

On a catalog the dialogs were not written for (catalogs/games_fitness_home.json): a party game
in standard / deluxe, a board game in 标准版 / 豪华版, a dumbbell in 10kg / 20kg, a storage
stool whose sizes are written "S 小号" / "L 大号" next to a colour.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def versions_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("games_fitness_home") as shop:
        yield shop


# --- a relative word over the product on screen ---------------------------------------------

ON_SCREEN = [
    ("en", ["folding storage stool", "grey", "the bigger size", "ok add it"], {"H1-GY-L": 1}),
    ("en", ["folding storage stool", "beige please", "the smaller one", "add it"], {"H1-BG-S": 1}),
    ("en", ["storage stool in grey", "the larger size please", "add to cart"], {"H1-GY-L": 1}),
    ("zh", ["收纳凳", "灰色", "大的", "加入购物车"], {"H1-GY-L": 1}),
    ("zh", ["收纳凳 米色", "要小一点的", "加购"], {"H1-BG-S": 1}),
    ("en", ["werewolf party game", "the cheaper one", "add it"], {"G1-STD": 1}),
    ("zh", ["狼人杀桌游", "贵的那个 来一个"], {"G1-DLX": 1}),
    ("en", ["cotton rope basket", "the bigger one please", "add it"], {"H2-40": 1}),
    ("zh", ["瑜伽垫", "厚一点的 来一张"], {"F2-10": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), ON_SCREEN)
async def test_a_relative_word_chooses_among_the_products_versions(
    versions_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(versions_shop, lang, lines, who="rel")
    assert talk.cart == expected, talk.transcript()
    assert not talk.summary["after_sales"], talk.transcript()


# --- comparing two versions of one product, then choosing one -------------------------------

AFTER_COMPARING = [
    (
        "en",
        ["whats the difference between the standard and deluxe werewolf game", "ok deluxe then, get me one"],
        {"G1-DLX": 1},
    ),
    (
        "en",
        ["whats the difference between the standard and deluxe werewolf game", "the cheaper one", "add it"],
        {"G1-STD": 1},
    ),
    (
        "zh",
        ["可调哑铃10公斤和20公斤的有啥区别 价格差多少", "我想练久一点 还是要大的吧 来两只凑一对"],
        {"F1-20": 2},
    ),
    ("zh", ["可调哑铃10kg和20kg有什么区别", "要20的 来一个"], {"F1-20": 1}),
    ("zh", ["卡坦岛标准版和豪华版有啥不同", "第二个吧 买一个"], {"G2-DLX": 1}),
    ("zh", ["卡坦岛标准版和豪华版有啥不同", "那就豪华版 来一套"], {"G2-DLX": 1}),
    ("en", ["compare the 10kg and 20kg adjustable dumbbell", "the lighter one, two please"], {"F1-10": 2}),
    # the shop wrote its versions in the other language
    (
        "en",
        ["whats the difference between the standard and deluxe settlers board game", "deluxe then, one please"],
        {"G2-DLX": 1},
    ),
    ("zh", ["狼人杀桌游标准版和豪华版有啥区别", "便宜的那个吧 来两套"], {"G1-STD": 2}),
    # two products compared: the cheaper / the second of them
    ("en", ["compare the yoga mat and the cotton rope basket", "the cheaper one, add it"], {"H2-30": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), AFTER_COMPARING)
async def test_choosing_after_comparing_versions(
    versions_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(versions_shop, lang, lines, who="rel")
    assert talk.cart == expected, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines"),
    [
        ("en", ["difference between standard and deluxe werewolf game?"]),
        ("en", ["werewolf game standard vs deluxe"]),
        ("zh", ["狼人杀标准版和豪华版有什么区别"]),
    ],
)
async def test_versions_named_by_option_values_are_compared(versions_shop: Any, lang: str, lines: list[str]) -> None:
    talk = await converse(versions_shop, lang, lines, who="rel")
    said = " ".join(r["text"] for r in talk.turns[-1]["replies"])
    assert "39" in said, talk.transcript()
    assert "89" in said, talk.transcript()


async def test_a_question_between_comparing_and_choosing_is_answered(versions_shop: Any) -> None:
    lines = [
        "whats the difference between the standard and deluxe werewolf game",
        "we usually play with 12-15 people, price diff?",
        "ok deluxe then, get me one",
    ]
    talk = await converse(versions_shop, "en", lines, who="rel")
    said = " ".join(r["text"] for r in talk.turns[1]["replies"])
    assert "50" in said or ("39" in said and "89" in said), talk.transcript()
    assert talk.cart == {"G1-DLX": 1}, talk.transcript()


# --- a relative choice of the shipping method at checkout ------------------------------------

SHANGHAI = "Tom Lee, 13800002222, 88 Nanjing West Rd, Jing'an District, Shanghai"
SHANGHAI_ZH = "王磊 13912345678 上海市静安区南京西路88号"


@pytest.mark.parametrize(
    ("lang", "answer", "method"),
    [
        ("en", "whichever is cheaper", "express"),
        ("en", "the cheapest", "express"),
        ("en", "whichever's cheapest is fine", "express"),
        ("en", "the cheaper one", "express"),
        ("zh", "便宜的那个", "express"),
        ("zh", "哪个便宜用哪个", "express"),
        ("zh", "最快的", "same_city"),
        ("en", "whichever is faster", "same_city"),
    ],
)
async def test_a_relative_choice_of_shipping_method(versions_shop: Any, lang: str, answer: str, method: str) -> None:
    if lang == "en":
        lines = ["adjustable dumbbell 10kg", "add it", "checkout", SHANGHAI, answer, "no coupon", "yes"]
    else:
        lines = ["可调哑铃 10kg", "加入购物车", "结账", SHANGHAI_ZH, answer, "不用券", "确认"]
    talk = await converse(versions_shop, lang, lines, who="rel")
    orders = [await versions_shop.commerce.orders.get_by_number(o["number"]) for o in talk.summary["orders"]]
    assert len(orders) == 1, talk.transcript()
    assert orders[0].shipment.method == method, talk.transcript()
