"""Words customers type that are not the catalog's own: pinyin from an input method left in
Latin mode, shade and style names in the other language, compound values named word by word.

The shop (catalogs/beauty_drinks_wear.json) writes its option values in one language each - lip
shades 豆沙色 / 正红 / 奶茶色, jacket colours olive / navy / cream, flavours "Oat Latte" /
"Coconut Latte" / "Americano", cubes "2x2" / "3x3" / "5x5", fans 充电款 / 电池款 - and customers
name them their own way. Every conversation is checked by the cart or the orders it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse

ADDRESS = "王磊 13912345678 江苏省南京市鼓楼区中山路18号"


@pytest.fixture(scope="module")
async def words_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("beauty_drinks_wear") as shop:
        yield shop


# --- 1. Chinese typed in pinyin ---------------------------------------------------------------------

PINYIN_CART = [
    (["短袖T恤 白色的一件", "烟灰色的也来一件", "baise de shandiao"], {"TS-GY": 1}),
    (["唇釉 正红 来一支", "gouwuche li you shenme"], {"LC-ZH": 1}),
    (["纯棉短袖T恤", "baise de yao liang jian"], {"TS-WH": 2}),
    (["工装夹克 藏青 M码", "bu yao le shan le ba"], {}),
]


@pytest.mark.parametrize(("lines", "expected"), PINYIN_CART)
async def test_cart_requests_typed_in_pinyin(words_shop: Any, lines: list[str], expected: dict[str, int]) -> None:
    talk = await converse(words_shop, "zh", lines, who="words")
    assert talk.cart == expected, talk.transcript()


CANCEL_IN_PINYIN = ["那个dingdan quxiao ba", "dingdan bu yao le", "刚下的单 wo bu xiang yao le"]


@pytest.mark.parametrize("cancel", CANCEL_IN_PINYIN)
async def test_cancelling_an_order_in_pinyin(words_shop: Any, cancel: str) -> None:
    lines = ["唇釉 正红 一支", "jiesuan", ADDRESS, "kuaidi", "mei you", "queren", cancel, "shi de"]
    talk = await converse(words_shop, "zh", lines, who="words")
    assert [order["status"] for order in talk.summary["orders"]] == ["cancelled"], talk.transcript()


# --- 2. shades named in the other language or by a near name -------------------------------------

SHADES = [
    ("zh", ["工装夹克 要军绿的 M码 来一件"], {"JK-OL-M": 1}),
    ("zh", ["工装夹克", "奶白色 L码的 拿一件"], {"JK-CR-L": 1}),
    ("zh", ["夹克 藏蓝色 M 一件"], {"JK-NV-M": 1}),
    ("en", ["soft mist lip cream, mauve, one please"], {"LC-DS": 1}),
    ("en", ["I'd like the lip cream", "dusty pink shade"], {"LC-DS": 1}),
    ("en", ["cotton crew tee in olive drab x2"], {"TS-GN": 2}),
    ("en", ["cotton crew tee", "the army green one please"], {"TS-GN": 1}),
    ("en", ["add the soft mist lip cream in the milk tea shade"], {"LC-NC": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), SHADES)
async def test_shades_in_customer_words(words_shop: Any, lang: str, lines: list[str], expected: dict[str, int]) -> None:
    talk = await converse(words_shop, lang, lines, who="words")
    assert talk.cart == expected, talk.transcript()


# A shade the product does not come in: nothing is added and the real shades are listed.
NOT_OFFERED = [
    ("zh", ["丝雾唇釉", "有珊瑚色的吗"], ["豆沙色", "正红", "奶茶色"]),
    ("zh", ["纯棉短袖T恤 要天蓝色的 一件"], ["烟灰色", "白色", "军绿色"]),
    ("en", ["cotton crew tee", "lavender please"], ["烟灰色", "White", "军绿色"]),
    ("en", ["soft mist lip cream in coral x1"], ["豆沙色", "正红", "奶茶色"]),
]


@pytest.mark.parametrize(("lang", "lines", "listed"), NOT_OFFERED)
async def test_a_shade_not_offered_lists_the_real_ones(
    words_shop: Any, lang: str, lines: list[str], listed: list[str]
) -> None:
    talk = await converse(words_shop, lang, lines, who="words")
    assert talk.cart == {}, talk.transcript()
    assert all(shade in talk.said() for shade in listed), talk.transcript()


# --- 3. values of several words, or a number and a notation, across languages ---------------------

COMPOUNDS = [
    ("zh", ["冷萃咖啡液 燕麦拿铁 来两盒"], {"CB-OAT": 2}),
    ("zh", ["冷萃咖啡液", "生椰拿铁的 一盒"], {"CB-COCO": 1}),
    ("zh", ["比赛魔方 要个三阶的"], {"MC-3": 1}),
    ("zh", ["比赛魔方", "五阶 来一个"], {"MC-5": 1}),
    ("en", ["handheld mini fan", "the rechargeable one please"], {"FN-RC": 1}),
    ("en", ["2 battery powered handheld mini fans"], {"FN-BT": 2}),
    ("en", ["cold brew coffee shots", "americano please"], {"CB-AME": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), COMPOUNDS)
async def test_compound_values_across_languages(
    words_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(words_shop, lang, lines, who="words")
    assert talk.cart == expected, talk.transcript()


# --- 4. one product's values named one after another are versions of it, not other products -------

VERSIONS_IN_A_ROW = [
    ("zh", ["冷萃咖啡液 美式一盒 生椰拿铁两盒"], {"CB-AME": 1, "CB-COCO": 2}),
    ("en", ["cold brew coffee shots, 1 oat latte and 2 americano"], {"CB-OAT": 1, "CB-AME": 2}),
    # a notation with a number in it is no count ("5x5" is not "x5")
    ("en", ["a 5x5 puzzle cube and a cotton crew tee in white"], {"MC-5": 1, "TS-WH": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), VERSIONS_IN_A_ROW)
async def test_values_in_a_row_are_versions_of_the_product(
    words_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(words_shop, lang, lines, who="words")
    assert talk.cart == expected, talk.transcript()
