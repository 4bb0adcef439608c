"""Choosing a product and its options from what the customer says while products are on screen.

A buying message does everything it says (choose, add) and asks only what is really missing:
options named in customer words and in either language, whatever language the shop wrote its
spec values in ("暖色" for "warm nude", "零下10度" for "-10°C", "the warmer one", "大瓶的"),
comparatives resolved against the options on screen, a search list narrowed by the options
named, and a count or a purchase after a question about a product meaning that product.

These conversations are our own (not the outsider corpus's), on the outsider shop's catalog
(tests/conversations/outsider/catalog.json): kitchenware, outdoor gear and cosmetics whose
spec values are partly Chinese (白色, 小号, 温标 0°C) and partly English (warm nude, olive).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversations.conftest import enough_stock
from tests.conversations.talk import converse

# --- every option named: add, don't ask again ------------------------------------------------

ALL_NAMED = [
    ("en", ["how much is the hiking backpack", "I'll take the black 45L one"], {"O3-45-BK": 1}),
    ("en", ["vacuum tumbler", "add the white 750ml one to my cart"], {"K3-WH-750": 1}),
    ("en", ["is the dutch oven dishwasher safe?", "fine, the red 5L one please"], {"K2-RED-5": 1}),
    ("zh", ["保温杯有哪些颜色", "白色750的加购物车"], {"K3-WH-750": 1}),
    ("zh", ["铸铁锅多少钱", "红色5L的 要一个"], {"K2-RED-5": 1}),
    ("zh", ["防晒冰袖", "白色L码的来两副"], {"O8-WH-L": 2}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), ALL_NAMED)
async def test_all_options_named_adds_without_asking(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(outsider_shop, lang, lines, who="pick")
    assert talk.cart == expected, talk.transcript()


# --- option words in customer words, across languages ------------------------------------------

OPTION_WORDS = [
    # a word of a several-word value, in the other language or in English
    ("zh", ["九色眼影盘", "暖色调的 加购"], {"M6-WRM": 1}),
    ("zh", ["眼影盘", "灰色那款来一个"], {"M6-SMK": 1}),
    ("en", ["eyeshadow palette", "the grey one please"], {"M6-SMK": 1}),
    ("en", ["silicone utensil set", "the mint one, add it"], {"K6-MNT": 1}),
    # temperatures: 零下 / minus / a Chinese numeral
    ("zh", ["羽绒睡袋", "零下10度的 来一个"], {"O5-M10": 1}),
    ("zh", ["睡袋", "要零下十度那款 买一个"], {"O5-M10": 1}),
    ("en", ["down sleeping bag", "the minus 10 one please"], {"O5-M10": 1}),
    ("en", ["sleeping bag", "i'll take the 0 degree one"], {"O5-0": 1}),
    # comparatives against the options on screen
    ("en", ["sleeping bag", "I'll take the warmer one"], {"O5-M10": 1}),
    ("zh", ["睡袋", "要暖和一点的那款 来一个"], {"O5-M10": 1}),
    ("zh", ["卸妆水", "大瓶的来一瓶"], {"M8-400": 1}),
    ("en", ["micellar water", "the bigger bottle please"], {"M8-400": 1}),
    ("zh", ["玻尿酸精华", "小瓶的 两支"], {"M2-30": 2}),
    ("en", ["frying pan", "the smaller one", "add to cart"], {"K1-24": 1}),
    ("en", ["hyaluronic serum", "the cheaper one please"], {"M2-30": 1}),
    ("zh", ["玻尿酸精华", "便宜的那个来一瓶"], {"M2-30": 1}),
    # after comparing two versions
    ("zh", ["平底锅24和28有什么不同", "那就小的吧", "加入购物车"], {"K1-24": 1}),
    (
        "en",
        ["what's the difference between the 30L and 45L backpack", "the bigger one in black please"],
        {"O3-45-BK": 1},
    ),
    ("en", ["compare the 0°C and -10°C sleeping bags", "ok the warmer one", "add it"], {"O5-M10": 1}),
    # British and American spellings
    ("en", ["trail water bottle", "gray one please"], {"O6-GRY": 1}),
    ("en", ["silicone utensil set", "grey colour please"], {"K6-GRY": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), OPTION_WORDS)
async def test_option_words_in_customer_words(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(outsider_shop, lang, lines, who="pick")
    assert talk.cart == expected, talk.transcript()


async def test_a_bottle_word_is_no_clothing_size(outsider_shop: Any) -> None:
    """ "大瓶的" under a list of a sunscreen (50ml/100ml) and arm sleeves (M/L) means the sunscreen."""
    talk = await converse(outsider_shop, "zh", ["防晒", "要大瓶的 来三支"], who="pick")
    assert talk.cart == {"M3-100": 3}, talk.transcript()


# --- a list on screen: the options named pick the product ------------------------------------

LISTS = [
    ("en", ["sunscreen 100ml", "add it"], {"M3-100": 1}),
    ("zh", ["防晒 100ml", "就这个 加购"], {"M3-100": 1}),
    ("zh", ["防晒霜 100ml的", "加入购物车"], {"M3-100": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), LISTS)
async def test_options_named_pick_from_the_search(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(outsider_shop, lang, lines, who="pick")
    assert talk.cart == expected, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["sunscreen", "add it", "the first one", "100ml"], {"M3-100": 1}),
        ("zh", ["防晒", "买它", "第一个", "大瓶的"], {"M3-100": 1}),
        # both listed products come in 50ml: which one is still a question
        ("en", ["sun protection in 50ml", "buy it", "Light Sunscreen SPF50", "50ml"], {"M3-50": 1}),
    ],
)
async def test_add_it_under_a_list_asks_which_naming_them(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(outsider_shop, lang, lines, who="pick")
    asked = talk.turns[1]
    labels = [b["label"] for r in asked["replies"] for b in r["buttons"]]
    said = " ".join(r["text"] for r in asked["replies"])
    assert any("SPF50" in label for label in labels), talk.transcript()  # the candidates, by name
    assert "Search for it first" not in said, talk.transcript()
    assert "先搜索" not in said, talk.transcript()
    assert talk.cart == expected, talk.transcript()


# --- a count or a purchase about the product just asked about ---------------------------------

IN_CONTEXT = [
    ("en", ["do you do a discount on the led headlamp if I take 3?", "fine, 3 please"], {"O4-1": 3}),
    ("en", ["any promo on the ceramic mug?", "ok I'll take two anyway"], {"K4-1": 2}),
    ("zh", ["头灯能便宜点吗 我要买四个", "那就原价买四个吧"], {"O4-1": 4}),
    ("zh", ["马克杯有优惠吗", "行吧 来两个"], {"K4-1": 2}),
    ("zh", ["帐篷有橄榄色的吗", "那来一顶"], {"O1-OLV": 1}),
    ("zh", ["冰袖有黑色L码的吗", "那黑色M的吧 来两副"], {"O8-BK-M": 2}),
    ("en", ["do you have the tent in sand?", "ok the olive then, one please"], {"O1-OLV": 1}),
    ("zh", ["磨豆机有货吗", "那先把冰袖白色M的加购物车"], {"O8-WH-M": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), IN_CONTEXT)
async def test_a_purchase_about_the_product_in_context(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    await enough_stock(outsider_shop, {sku: 20 for sku in expected})
    talk = await converse(outsider_shop, lang, lines, who="pick")
    assert talk.cart == expected, talk.transcript()
