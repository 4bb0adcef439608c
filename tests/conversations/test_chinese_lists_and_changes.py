"""Chinese shopping lists, counts and changes of mind on the health / kitchen / herbs catalog
(catalogs/health_kitchen_herbs.json), which the flows were not written for.

* A count in a product's title ("维生素C咀嚼片 100粒") or in an option value ("90粒", "9盆") is
  not the number of items asked for, and does not make another product's name point at the
  product on screen: "藻油90粒的也要两瓶" after the chewables is two of the algae oil's 90-count
  bottle, not 90 chewables (the "0粒" of "90粒" is no word of the title "…100粒").
* A change of mind about the line just put in ("算了还是3盆的吧 9盆太多了", "12kg太重了 还是8kg的吧",
  "计数款不要了 要标准款") swaps that line's version; it adds no second line. The old value named
  with what is wrong with it ("9盆太多了") is the one that goes. "还是再来一个" still adds.
* "亲 在吗" before a purchase is a greeting, not a question: "亲 在吗 电动牙刷粉色的要两支" adds two.
* "有没有那种X" with no word of a discount asks for goods, not for promotions.
* Among products a looser reading finds, the one whose title holds most of the customer's words
  ("圆砧板": the round board, not the square one that only shares 砧板) is the one bought.
* "大的那个" / "小的那个" after a product is which of its sizes (compared in one unit: 1kg > 500g),
  not a product of its own; "送长辈的" says who it is for and is not looked for.
* A conversation typed in pinyin ("you diandong yashua ma", "yao fense de liang zhi") buys.

Every conversation is checked by the cart it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="session")
async def herbs_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("health_kitchen_herbs") as shop:
        yield shop


COUNTS_IN_NAMES = [
    (["维生素C咀嚼片来两瓶", "藻油90粒的也要两瓶"], {"VC-1": 2, "AO-90": 2}),
    (["维生素C咀嚼片来两瓶", "DHA 30粒的也来一瓶"], {"VC-1": 2, "AO-30": 1}),
    (["维生素C咀嚼片来两瓶", "软胶囊90粒的要两瓶"], {"VC-1": 2, "AO-90": 2}),
    (["维生素C咀嚼片来两瓶", "钙镁锌200片的也要两瓶"], {"VC-1": 2, "CA-200": 2}),
    (["维生素C咀嚼片来三瓶", "钙镁锌片60片的也来一瓶"], {"VC-1": 3, "CA-60": 1}),
    (["维生素C咀嚼片来两瓶", "香草盆栽9盆的也要一份"], {"VC-1": 2, "HB-9": 1}),
]


@pytest.mark.parametrize(("lines", "expected"), COUNTS_IN_NAMES, ids=lambda v: str(v)[:40])
async def test_a_count_inside_a_name_is_no_count_and_no_name(
    herbs_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(herbs_shop, "zh", lines, who="countname")
    assert talk.cart == expected, talk.transcript()


CHANGES_OF_MIND = [
    (["香草盆栽9盆的来一份", "算了还是3盆的吧 9盆太多了"], {"HB-3": 1}),
    (["跳绳计数款来一根", "算了 还是标准款吧"], {"JR-STD": 1}),
    (["壶铃12kg来一个", "12kg太重了 还是8kg的吧"], {"KB-8": 1}),
    (["跳绳计数款来一根", "计数款不要了 要标准款"], {"JR-STD": 1}),
    (["壶铃8kg一个", "瑜伽砖紫色来两块", "还是要蓝色的吧"], {"KB-8": 1, "YB-BL": 2}),
    # more of another version is no change of mind
    (["壶铃8kg一个", "还是再来一个12kg的吧"], {"KB-8": 1, "KB-12": 1}),
    # nor is taking a line out: "紫色的删掉 不要了" removes the purple blocks, it turns no line purple
    (["瑜伽砖紫色一块，蓝色一块", "蓝色那个改成两块", "紫色的删掉 不要了"], {"YB-BL": 2}),
]


@pytest.mark.parametrize(("lines", "expected"), CHANGES_OF_MIND, ids=lambda v: str(v)[:40])
async def test_a_change_of_mind_swaps_the_line_just_added(
    herbs_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(herbs_shop, "zh", lines, who="mind")
    assert talk.cart == expected, talk.transcript()


OPENED_WITH_A_GREETING = [
    # "在吗" opens the message; it is no question about the goods: the count and colour are bought
    (["亲 在吗 电动牙刷粉色的要两支", "好滴 直接下单吧"], {"TS-PK": 2}),
    (["你好 在不在 壶铃12kg来两个"], {"KB-12": 2}),
    (["亲 在吗 壶铃8kg一个 瑜伽砖蓝色俩"], {"KB-8": 1, "YB-BL": 2}),
    # a real question after the greeting still only asks
    (["在吗 电动牙刷有几种颜色"], {}),
]


@pytest.mark.parametrize(("lines", "expected"), OPENED_WITH_A_GREETING, ids=lambda v: str(v)[:40])
async def test_are_you_there_before_a_purchase_asks_nothing(
    herbs_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(herbs_shop, "zh", lines, who="greeting")
    assert talk.cart == expected, talk.transcript()


async def test_asking_for_a_kind_of_goods_is_a_search_not_a_promotion(herbs_shop: Any) -> None:
    talk = await converse(herbs_shop, "zh", ["有没有那种计数的跳绳", "来一根"], who="kind")
    assert talk.turns[0]["intent"] == "search_product", talk.transcript()
    assert talk.cart == {"JR-CNT": 1}, talk.transcript()
    asked = await converse(herbs_shop, "zh", ["最近有什么活动吗"], who="kind")
    assert asked.turns[0]["intent"] == "ask_promotion", asked.transcript()


MOST_SPECIFIC_WORDS = [
    # 砧板 is in both boards' titles; 圆 / 方 only in one: the title holding most of the words wins
    (["圆砧板来一个"], {"RB-1": 1}),
    (["圆砧板一个 壶铃8kg两个"], {"RB-1": 1, "KB-8": 2}),
    (["方砧板要一个大号的，跳绳计数款来两根"], {"CB-L": 1, "JR-CNT": 2}),
]


@pytest.mark.parametrize(("lines", "expected"), MOST_SPECIFIC_WORDS, ids=lambda v: str(v)[:40])
async def test_the_product_named_by_the_most_words_is_bought(
    herbs_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(herbs_shop, "zh", lines, who="specific")
    assert talk.cart == expected, talk.transcript()


WHICH_SIZE_AND_WHO_FOR = [
    # "大的那个" is the size of the product before it, not a product: the largest of its values,
    # compared in one unit ("1kg" is more than "500g", "750ml" less than "1.5L")
    (["保温饭盒墨绿的要一个 大的那个"], {"LB-L-GN": 1}),
    (["蜂蜜大的那个来一瓶"], {"HN-1K": 1}),
    (["水壶要小的那个"], {"WB-750": 1}),
    # "送长辈的" says who the goods are for; it is no product to look for
    (["送长辈的 壶铃8kg一个 瑜伽砖蓝色两块"], {"KB-8": 1, "YB-BL": 2}),
    (["送朋友的 跳绳要计数款 再来个保温饭盒 大的那个 米白"], {"JR-CNT": 1, "LB-L-WH": 1}),
]


@pytest.mark.parametrize(("lines", "expected"), WHICH_SIZE_AND_WHO_FOR, ids=lambda v: str(v)[:40])
async def test_which_size_and_who_it_is_for_name_no_product(
    herbs_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(herbs_shop, "zh", lines, who="size")
    assert talk.cart == expected, talk.transcript()
    assert "没找到" not in " ".join(talk.texts()), talk.transcript()


async def test_a_conversation_typed_in_pinyin_buys(herbs_shop: Any) -> None:
    talk = await converse(herbs_shop, "zh", ["you diandong yashua ma", "yao fense de liang zhi"], who="pinyin")
    assert talk.cart == {"TS-PK": 2}, talk.transcript()
