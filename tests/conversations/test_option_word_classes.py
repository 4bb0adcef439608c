"""Option values named by a word of their class in the other language, in pinyin, negated, or by
the number they are.

The shop (catalogs/occasions_grades.json) writes occasions in English (cake themes Birthday /
Anniversary / Wedding, balloon sets Love / Graduation / Thank You), tea grades in Chinese (特级 /
一级 / 二级), treat flavours as the cut (鸡胸肉, 牛肉粒), lamp styles as "Single head" / "Dual head",
tool kits as "12件套 基础款" / "30件套 专业款", a pillow "带加热 With heat" / "无加热 Without heat", and
products whose names hold 人 (人体工学脚踏, 双人野餐垫). Customers name the values their own way;
every conversation is checked by the cart it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def classes_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("occasions_grades") as shop:
        yield shop


# --- 1. a word of the value's class in the other language ------------------------------------------

CLASS_WORDS = [
    # occasions
    ("zh", ["定制蛋糕 生日主题的 来一个"], {"CK-BD": 1}),
    ("zh", ["定制蛋糕", "结婚纪念日用的 来一个"], {"CK-AN": 1}),
    ("zh", ["气球布置套装 告白用 一套"], {"BL-LOVE": 1}),
    ("zh", ["气球布置套装", "毕业典礼的 两套"], {"BL-GRAD": 2}),
    ("zh", ["气球布置套装 感谢款 来一套"], {"BL-THX": 1}),
    # a card asked for as 卡片, its occasion in the same words
    ("zh", ["生日主题的定制蛋糕一个 再来张告白的卡片"], {"CK-BD": 1, "GC-LOVE": 1}),
    ("zh", ["烫金贺卡 要生日的 两张"], {"GC-BD": 2}),
    # grades
    ("en", ["longjing tea, premium grade, one tin"], {"TE-TJ": 1}),
    ("en", ["pre-qingming longjing tea", "first grade please"], {"TE-YJ": 1}),
    ("en", ["longjing tea grade 2 x2"], {"TE-EJ": 2}),
    # cuts named by the meat
    ("en", ["freeze-dried cat treats", "chicken one please"], {"PT-CB": 1}),
    ("en", ["2 freeze-dried cat treats, beef"], {"PT-BF": 2}),
    ("en", ["cat treats duck flavour x1"], {"PT-DK": 1}),
    # variant words
    ("zh", ["床头夹子灯 要双头的 一个"], {"CL-2": 1}),
    ("zh", ["床头夹子灯", "单头就行 要一个"], {"CL-1": 1}),
    ("en", ["home tool kit, the basic one"], {"TK-12": 1}),
    ("en", ["home tool kit", "professional version please"], {"TK-30": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), CLASS_WORDS)
async def test_values_named_by_a_word_of_their_class(
    classes_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(classes_shop, lang, lines, who="classes")
    assert talk.cart == expected, talk.transcript()


# --- 2. values typed in pinyin ------------------------------------------------------------------------

PINYIN_VALUES = [
    (["明前龙井 yiji de 一罐"], {"TE-YJ": 1}),
    (["明前龙井", "teji de 来一罐"], {"TE-TJ": 1}),
    (["家用工具箱 zhuanye款 来一个"], {"TK-30": 1}),
    (["家用工具箱", "jichu的就够了 买一个"], {"TK-12": 1}),
]


@pytest.mark.parametrize(("lines", "expected"), PINYIN_VALUES)
async def test_values_typed_in_pinyin(classes_shop: Any, lines: list[str], expected: dict[str, int]) -> None:
    talk = await converse(classes_shop, "zh", lines, who="classes")
    assert talk.cart == expected, talk.transcript()


# --- 3. a value said by what it lacks ----------------------------------------------------------------

NEGATED = [
    ("en", ["I'd like a neck massage pillow, no heat"], {"MP-NH": 1}),
    ("en", ["neck massage pillow", "the one with no heat, add it"], {"MP-NH": 1}),
    ("zh", ["颈部按摩枕 不带加热的 一个"], {"MP-NH": 1}),
    ("zh", ["颈部按摩枕", "没有加热的那款 来一个"], {"MP-NH": 1}),
    ("en", ["neck massage pillow", "with heat please"], {"MP-HT": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), NEGATED)
async def test_a_value_said_by_what_it_lacks(
    classes_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(classes_shop, lang, lines, who="classes")
    assert talk.cart == expected, talk.transcript()


# --- 4. a number that is an option value, not a count ------------------------------------------------

NUMBER_VALUES = [
    ("en", ["20 white tulips please"], {"TU-20": 1}),
    ("en", ["I want 10 pink tulips for my mum"], {"PK-10": 1}),
    ("zh", ["白色郁金香 20枝的 两束"], {"TU-20": 2}),
    # the product named before the number, whose values are written in the other language
    ("zh", ["粉郁金香20枝的来一束"], {"PK-20": 1}),
    ("zh", ["粉郁金香混搭 十枝 一束"], {"PK-10": 1}),
    ("en", ["white tulip bouquet, 10 stems"], {"TU-10": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), NUMBER_VALUES)
async def test_a_number_that_is_a_value(
    classes_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(classes_shop, lang, lines, who="classes")
    assert talk.cart == expected, talk.transcript()


# --- 5. 人 inside a product's words asks for no person -------------------------------------------------

PRODUCTS_WITH_REN = [
    ["人体工学脚踏 来一个"],
    ["人体工学脚踏 一把"],
    ["双人野餐垫 要一个"],
    ["帮我加个人体工学脚踏"],
]


@pytest.mark.parametrize("lines", PRODUCTS_WITH_REN)
async def test_ren_inside_a_product_is_no_handoff(classes_shop: Any, lines: list[str]) -> None:
    talk = await converse(classes_shop, "zh", lines, who="classes")
    assert talk.summary["handoff"] == "none", talk.transcript()
    assert len(talk.cart) == 1, talk.transcript()


async def test_naming_a_product_with_ren_shows_it(classes_shop: Any) -> None:
    talk = await converse(classes_shop, "zh", ["无加热的人体工学脚踏"], who="classes")
    assert talk.summary["handoff"] == "none", talk.transcript()
    assert "人体工学脚踏" in talk.said(), talk.transcript()


@pytest.mark.parametrize("ask", ["转人工", "人体工学脚踏买不了 帮我转人工", "找客服"])
async def test_asking_for_a_person_still_hands_off(classes_shop: Any, ask: str) -> None:
    talk = await converse(classes_shop, "zh", [ask], who="classes")
    assert talk.summary["handoff"] == "waiting", talk.transcript()
