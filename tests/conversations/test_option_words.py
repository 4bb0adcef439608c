"""Option words as customers write them, on a catalog the dialogs were not written for.

The shop (catalogs/pantry_pets_phone.json) writes its option values in one language - some
Chinese (鸡肉 / 三文鱼, 牛皮色, 透明, 浅烘 / 深烘, 纯棉, 陶瓷, 燕麦色, 1米), some English
(original / vanilla / hazelnut, light / medium / dark, stainless steel / glass, 9W) - and customers
answer in the other one, run words together ("iphone15", "15pro"), put numbers in that are no
count ("the 10 pack", "宝宝7个月了"), name a product that another product's options mention
("钢化膜 iphone 15 pro"), and chat around an option answer ("M i think, he's a beagle").
Every conversation is checked by the cart it ends with.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def options_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("pantry_pets_phone") as shop:
        yield shop


# --- 1. option values in the other language than the catalog's -----------------------------------

OTHER_LANGUAGE = [
    # flavours
    ("zh", ["咖啡糖浆", "香草味的 两瓶"], {"SY-VA": 2}),
    ("zh", ["我要买咖啡糖浆", "榛子味"], {"SY-HZ": 1}),
    ("en", ["chicken treats x1"], {"PT-CK": 1}),
    ("en", ["pet treats", "the salmon one please"], {"PT-SM": 1}),
    # colours and shades
    ("en", ["kraft notebooks, 2 please"], {"NB-KR": 2}),
    ("en", ["phone case", "clear case for iphone 15 please"], {"PC-15-CL": 1}),
    ("en", ["wool scarf", "oatmeal please"], {"SC-OT": 1}),
    ("en", ["I'd like the navy wool scarf"], {"SC-NV": 1}),
    ("en", ["wool scarf", "the khaki one, add it"], {"SC-KH": 1}),
    # roasts
    ("en", ["drip coffee bags", "dark roast 20 pack please"], {"DB-DK-20": 1}),
    ("zh", ["咖啡豆", "深烘的来一包"], {"BN-D": 1}),
    ("zh", ["我要买咖啡豆", "中烘"], {"BN-M": 1}),
    # materials
    ("en", ["bath towel", "cotton one please"], {"TW-CT": 1}),
    ("zh", ["随行水杯", "不锈钢的 来两个"], {"WB-SS": 2}),
    ("en", ["breakfast cup", "ceramic please"], {"MG-CR": 1}),
    ("en", ["breakfast cup", "the glass one please"], {"MG-GL": 1}),
    ("en", ["bath towel", "bamboo please"], {"TW-BM": 1}),
    ("zh", ["玻璃的随行水杯 来一个"], {"WB-GL": 1}),
    ("zh", ["中度烘焙的咖啡豆 来一袋"], {"BN-M": 1}),
    ("en", ["light roast drip coffee bags 20 pack x2"], {"DB-LT-20": 2}),
    # units
    ("en", ["charging cable", "the 2m one please"], {"CB-2": 1}),
    ("zh", ["LED灯泡", "12瓦的 来三个"], {"LB-12": 3}),
    ("en", ["I need a 9 watt led bulb"], {"LB-9": 1}),
    ("en", ["2 meter charging cable please"], {"CB-2": 1}),
    ("zh", ["两米的数据线 来一根"], {"CB-2": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), OTHER_LANGUAGE)
async def test_option_values_in_the_other_language(
    options_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(options_shop, lang, lines, who="opt")
    assert talk.cart == expected, talk.transcript()


# --- 2. spacing and case --------------------------------------------------------------------------

SPACING = [
    ("en", ["phone case", "iphone15 clear please"], {"PC-15-CL": 1}),
    ("zh", ["手机壳", "15pro 透明的 来一个"], {"PC-15P-CL": 1}),
    ("zh", ["钢化膜", "iphone15pro的 加购"], {"SP-15P": 1}),
    ("en", ["screen protector", "IPHONE 15 please"], {"SP-15": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), SPACING)
async def test_values_written_without_spaces_or_case(
    options_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(options_shop, lang, lines, who="opt")
    assert talk.cart == expected, talk.transcript()


# --- 3. numbers that are part of a value or a description are no quantity -----------------------

NOT_A_COUNT = [
    ("en", ["dark roast drip bags, the 10 pack", "add to cart"], {"DB-DK-10": 1}),
    ("en", ["I want the drip coffee bags", "dark roast, the 10 pack"], {"DB-DK-10": 1}),
    ("zh", ["我要买婴儿连体衣", "73的吧 宝宝7个月了"], {"RM-73": 1}),
    ("zh", ["婴儿连体衣 来一件", "80的 孩子1岁了"], {"RM-80": 1}),
    ("en", ["baby romper please", "73, she's 8 months old"], {"RM-73": 1}),
    ("en", ["I'll buy the baby romper", "66 please, he is 3 weeks"], {"RM-66": 1}),
    ("zh", ["深烘挂耳咖啡 20包的 来两盒"], {"DB-DK-20": 2}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), NOT_A_COUNT)
async def test_numbers_in_values_and_descriptions_are_no_count(
    options_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(options_shop, lang, lines, who="opt")
    assert talk.cart == expected, talk.transcript()


# --- 4. a product's own name beats another product's option values -------------------------------

OWN_NAME = [
    ("zh", ["钢化膜 iphone 15 pro的 两盒"], {"SP-15P": 2}),
    ("en", ["screen protector for iphone 15", "add it"], {"SP-15": 1}),
    ("en", ["tempered glass for iphone 15 pro, 2 please"], {"SP-15P": 2}),
    ("en", ["a clear phone case for iphone 15 pro", "add it"], {"PC-15P-CL": 1}),
    ("en", ["I want a screen protector for iphone 15 pro"], {"SP-15P": 1}),
    ("en", ["any discount on the iphone 15 screen protector?", "ok I'll take two"], {"SP-15": 2}),
    ("zh", ["iphone15的钢化膜多少钱", "那来两盒"], {"SP-15": 2}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), OWN_NAME)
async def test_a_products_own_name_beats_other_products_options(
    options_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(options_shop, lang, lines, who="opt")
    assert talk.cart == expected, talk.transcript()


async def test_screen_protector_search_goes_straight_to_it(options_shop: Any) -> None:
    talk = await converse(options_shop, "en", ["screen protector for iphone 15"], who="opt")
    cards = [r for r in talk.turns[0]["replies"] if r.get("product_id") or r.get("items")]
    said = json.dumps(talk.turns[0]["replies"], ensure_ascii=False)
    assert "Phone Case" not in said, talk.transcript()
    assert cards, talk.transcript()


# --- 5. an option answer with chatter around it --------------------------------------------------

CHATTER = [
    ("en", ["I want the dog harness", "M i think, he's a beagle"], {"DH-M": 1}),
    ("en", ["dog harness", "M i think, he's a beagle", "add to cart"], {"DH-M": 1}),
    ("zh", ["婴儿连体衣", "73吧 宝宝七个月", "加入购物车"], {"RM-73": 1}),
    ("en", ["thermos flask", "the blue, it's for my mum", "add it"], {"TH-BL": 1}),
    ("en", ["I'll take a thermos flask", "the blue, it's for my mum"], {"TH-BL": 1}),
    ("zh", ["保温壶 买一个", "粉色吧 送给我妈妈的"], {"TH-PK": 1}),
    ("en", ["I want the dog harness", "L please, she's a big girl"], {"DH-L": 1}),
    ("zh", ["我要买婴儿连体衣", "那就80吧 孩子一岁多了 长得快"], {"RM-80": 1}),
    # chatter that clearly names another product is a new search
    ("en", ["dog harness", "actually show me the pet bed, size L", "add it"], {"PB-L": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), CHATTER)
async def test_an_option_answer_with_chatter_selects_it(
    options_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(options_shop, lang, lines, who="opt")
    assert talk.cart == expected, talk.transcript()


NOT_AN_ANSWER = [
    # a question or a refusal naming a value is not its choice
    ("en", ["I want the dog harness", "is M big enough for a beagle?"]),
    ("en", ["I want the dog harness", "M is too small for him"]),
    ("en", ["I'll take a thermos flask", "blue is nice but do you have it in green"]),
    ("zh", ["保温壶 买一个", "蓝色的保温效果好吗"]),
]


@pytest.mark.parametrize(("lang", "lines"), NOT_AN_ANSWER)
async def test_a_question_or_refusal_naming_a_value_chooses_nothing(
    options_shop: Any, lang: str, lines: list[str]
) -> None:
    talk = await converse(options_shop, lang, lines, who="opt")
    assert talk.cart == {}, talk.transcript()
