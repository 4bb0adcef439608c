"""Every product of a shopping list is added or asked about, on catalogs the flows were not written
for (catalogs/gadgets_coffee_pets.json, catalogs/beauty_drinks_wear.json, the books / coffee /
sneakers shop of conftest.custom_shop).

* a part whose words hold more than the product's name (a count in a unit the search does not know,
  "一沓", "一束"; a greeting before the name, "hey") still finds its product, and the other parts are
  not dropped for it;
* several versions of the product on screen, each with its own count ("豆沙色来两支 正红一支"), are each
  added, also when their values are words no alias list knows;
* a product named in place of a line taken out ("围巾不要了 换成黑色T恤 两件") is added, not looked
  for among the cart's lines;
* the parts of a list that wait for an option are asked one after the other: answering the first
  question brings up the next, none is forgotten;
* a part sold out in the version asked for is said with the versions still in stock, and waits:
  "make it the 42 then" adds the count asked for in that version;
* slang for taking a line out ("nvm scrap the tote", "ditch the fan") takes it out, so the cart
  does not keep a product the customer dropped from the list.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="session")
async def gadgets(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("gadgets_coffee_pets") as shop:
        yield shop


@pytest.fixture(scope="session")
async def beauty(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("beauty_drinks_wear") as shop:
        yield shop


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["绿色点阵笔记本一沓 还有不锈钢狗碗"], {"NB-GN": 1, "BO-1": 1}),
        ("zh", ["狗狗牵引绳蓝色一条 加一束婴儿湿巾"], {"LS-BL": 1, "BW-1": 1}),
        ("en", ["hey grey dotted notebook, plus a dog bowl"], {"NB-GY": 1, "BO-1": 1}),
    ],
)
async def test_a_part_with_words_around_its_name_still_counts(
    gadgets: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(gadgets, lang, lines, who="parts")
    assert talk.cart == expected, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["丝雾唇釉", "豆沙色来两支 正红一支"], {"LC-DS": 2, "LC-ZH": 1}),
        ("zh", ["手持小风扇", "电池款两个 充电款一个"], {"FN-BT": 2, "FN-RC": 1}),
        ("en", ["utility jacket", "olive in M x2, and one navy L"], {"JK-OL-M": 2, "JK-NV-L": 1}),
    ],
)
async def test_versions_in_words_no_alias_list_knows(
    beauty: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(beauty, lang, lines, who="parts")
    assert talk.cart == expected, talk.transcript()


async def test_two_bindings_of_the_book_on_screen(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "zh", ["三体", "那平装来俩 精装一套"], who="parts")
    assert talk.cart == {"B1-PB": 2, "B1-HC": 1}, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        (
            "zh",
            ["充电款手持小风扇一个 加一支豆沙色丝雾唇釉", "风扇不要了 换成烟灰色T恤 两件"],
            {"LC-DS": 1, "TS-GY": 2},
        ),
        (
            "en",
            ["a rechargeable 充电款 mini fan and a 豆沙色 lip cream", "remove the fan, get 2 white crew tees instead"],
            {"LC-DS": 1, "TS-WH": 2},
        ),
    ],
)
async def test_a_product_named_in_place_of_a_removed_line_is_added(
    beauty: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(beauty, lang, lines, who="parts")
    assert talk.cart == expected, talk.transcript()


@pytest.mark.parametrize("dropping", ["nvm scrap the fan", "ditch the mini fan pls"])
async def test_slang_for_taking_a_line_out(beauty: Any, dropping: str) -> None:
    talk = await converse(beauty, "en", ["a 充电款 handheld mini fan and a 豆沙色 lip cream", dropping], who="parts")
    assert talk.cart == {"LC-DS": 1}, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        (
            "en",
            ["a samba in 39 and a nike air max 90 black size 43", "oh 43 is gone? ok make it the 42 then"],
            {"S2-39": 1, "S1-BK-42": 1},
        ),
        ("en", ["a samba in 39 and 2 nike air max 90 black size 43", "fine, 42 then"], {"S2-39": 1, "S1-BK-42": 2}),
        (
            "zh",
            ["阿迪达斯samba 39码 还有耐克Air Max 90黑色43码两双", "那换成42码的吧 还是两双"],
            {"S2-39": 1, "S1-BK-42": 2},
        ),
    ],
)
async def test_a_sold_out_part_waits_for_another_version(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="parts")
    assert "43" in talk.said(0), talk.transcript()  # the sold-out version is said, with what is left
    assert "42" in talk.said(0), talk.transcript()
    assert talk.cart == expected, talk.transcript()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["三体和耐克Air Max 90各来一个", "平装", "黑色 42码"], {"B1-PB": 1, "S1-BK-42": 1}),
        (
            "en",
            ["the three body trilogy plus a nike air max 90 please", "平装", "black, 42"],
            {"B1-PB": 1, "S1-BK-42": 1},
        ),
    ],
)
async def test_every_part_waiting_for_an_option_is_asked_in_turn(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="parts")
    assert talk.cart == expected, talk.transcript()
