"""Cart edits in customers' own words, on the gadgets / coffee / pets catalog (catalogs/
gadgets_coffee_pets.json), which the flows were not written for.

* A count for a line the customer describes by its option ("蓝的那根要三根", "3 of the blue one"),
  with two lines of the product in the cart, sets that line: it adds no second line of it.
* A count corrected right after adding ("不对 一共要两个", "oops, 2 altogether") is the line just
  added, whatever its description; it is never a new purchase.
* Choosing an option on the card just shown ("let's go with the 2m black") adds that version as a
  line of its own; the version already in the cart stays.
* "下单" with a counted product ("下单一本灰色的点阵笔记本") puts the product in the cart; "下单吧"
  alone still starts the checkout.
* Shade words of the outsider shop's cosmetics (豆沙色 / warm nude) as customers say them
  ("rosewood", "大地色", "earth tone").

Every conversation is checked by the cart it ends with.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from chatcart.cli.chat import run_script
from tests.conversations.conftest import OpenCatalogShop, enough_stock


@pytest.fixture(scope="module")
async def counts_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("gadgets_coffee_pets") as shop:
        yield shop


async def _chat(shop: Any, lang: str, lines: list[str]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    results = await run_script(shop, lines, user=f"counts-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    cart = {line["sku"]: int(line["qty"]) for line in final["summary"]["cart"]}
    return turns, cart


def _said(turns: list[dict[str, Any]]) -> str:
    return "\n".join(
        f"> {turn['input']} [{turn['intent']}] " + " / ".join(r["text"] for r in turn["replies"]) for turn in turns
    )


# --- 1. a count for the line the customer describes by its option --------------------------------

COUNT_FOR_A_DESCRIBED_LINE = [
    ("zh", ["狗狗牵引绳 红色 一根", "蓝色的牵引绳也来一根", "蓝的那根要三根"], {"LS-RD": 1, "LS-BL": 3}),
    ("zh", ["陶瓷手冲滤杯白色一个", "黑色滤杯两个", "白色那个要两个"], {"DR-WH": 2, "DR-BK": 2}),
    ("zh", ["燕麦脆 original 两包", "chocolate的燕麦脆来一包", "巧克力味的要三包"], {"OC-OR": 2, "OC-CH": 3}),
    ("en", ["add a red dog leash", "a blue dog leash as well", "3 of the blue one"], {"LS-RD": 1, "LS-BL": 3}),
    ("en", ["2 green dotted notebooks", "one grey dotted notebook too", "the green ones, 4"], {"NB-GN": 4, "NB-GY": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), COUNT_FOR_A_DESCRIBED_LINE, ids=lambda v: str(v)[:40])
async def test_a_count_for_a_described_line_sets_it(
    counts_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    turns, cart = await _chat(counts_shop, lang, lines)
    assert cart == expected, _said(turns)


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        # a buying word: more of it, not how many in all
        ("zh", ["狗狗牵引绳 红色 一根", "蓝色的牵引绳也来一根", "蓝的再来两根"], {"LS-RD": 1, "LS-BL": 3}),
        (
            "en",
            ["add a red dog leash", "a blue dog leash as well", "add 2 more of the blue one"],
            {"LS-RD": 1, "LS-BL": 3},
        ),
    ],
)
async def test_a_count_with_a_buying_word_still_adds(
    counts_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    turns, cart = await _chat(counts_shop, lang, lines)
    assert cart == expected, _said(turns)


# --- 2. a count corrected right after adding ---------------------------------------------------------

CORRECTED_RIGHT_AFTER_ADDING = [
    ("zh", ["快充充电器 65W 一个", "33W的充电器要一个", "不对 一共要两个"], {"CH-65": 1, "CH-33": 2}),
    ("zh", ["点阵笔记本绿色的两本", "灰色的点阵笔记本来一本", "数量写错了 改成3本"], {"NB-GN": 2, "NB-GY": 3}),
    ("en", ["add a 65w fast charger", "33w fast charger too", "oops, 2 altogether"], {"CH-65": 1, "CH-33": 2}),
    (
        "en",
        ["green dotted notebook x2", "add one grey dotted notebook", "no wait, i need 3 in total"],
        {"NB-GN": 2, "NB-GY": 3},
    ),
    (
        "en",
        ["add a white ceramic dripper", "add a pink ceramic dripper", "set the quantity to 2"],
        {"DR-WH": 1, "DR-PK": 2},
    ),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), CORRECTED_RIGHT_AFTER_ADDING, ids=lambda v: str(v)[:40])
async def test_a_count_corrected_after_adding_sets_the_line_just_added(
    counts_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    turns, cart = await _chat(counts_shop, lang, lines)
    assert cart == expected, _said(turns)


async def test_a_count_change_naming_no_line_later_is_asked_about(counts_shop: Any) -> None:
    """Not right after adding, with two lines of the product: which one? - never a third line."""
    lines = ["狗狗牵引绳 红色 一根", "蓝色的牵引绳也来一根", "看看购物车", "数量改成4"]
    turns, cart = await _chat(counts_shop, "zh", lines)
    assert cart == {"LS-RD": 1, "LS-BL": 1}, _said(turns)
    labels = [b["label"] for r in turns[-1]["replies"] for b in r["buttons"]]
    assert any("红色" in label for label in labels), _said(turns)
    assert any("蓝色" in label for label in labels), _said(turns)


# --- 3. the option picked on the card just shown is a line of its own -----------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["add a white 1m usb-c cable", "show me the usb-c cable in 2m black", "let's go with 2m black"],
            {"CB-1-WH": 1, "CB-2-BK": 1},
        ),
        (["add a red dog leash", "dog leash in blue?", "i'll go with blue then"], {"LS-RD": 1, "LS-BL": 1}),
        # an option of the card and a count: that version bought, no cart line's count set to "2"
        (["add a red dog leash", "dog leash in blue?", "make it blue, 2"], {"LS-RD": 1, "LS-BL": 2}),
    ],
)
async def test_choosing_on_the_card_shown_adds_another_line(
    counts_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    turns, cart = await _chat(counts_shop, "en", lines)
    assert cart == expected, _said(turns)


async def test_a_value_the_card_shares_with_the_line_does_not_name_the_line(counts_shop: Any) -> None:
    """ "white 2m" under the white 2m card names white, which the white 1m line has too: a pick on the
    card, not the white line made 2m."""
    lines = ["add a white 1m usb-c cable", "usb-c cable in white, 2m?", "ok i'll go with white 2m"]
    turns, cart = await _chat(counts_shop, "en", lines)
    assert cart == {"CB-1-WH": 1, "CB-2-WH": 1}, _said(turns)


async def test_changing_a_described_line_under_a_card_still_swaps_it(counts_shop: Any) -> None:
    lines = ["add a red dog leash", "dog leash in blue?", "change the red one to blue"]
    turns, cart = await _chat(counts_shop, "en", lines)
    assert cart == {"LS-BL": 1}, _said(turns)


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        # a line named by its value with the unit spelt out; a count change the NLU may read as removal
        ("en", ["add a white 1m usb-c cable", "add a black 2m usb-c cable", "drop the 2 metre one"], {"CB-1-WH": 1}),
        (
            "en",
            ["add 2 green dotted notebooks", "add 1 grey dotted notebook", "change the green to 5"],
            {"NB-GN": 5, "NB-GY": 1},
        ),
        ("zh", ["绿色点阵笔记本两本", "灰色点阵笔记本一本", "把绿色的数量改成4啊"], {"NB-GN": 4, "NB-GY": 1}),
    ],
)
async def test_a_line_named_by_its_value_is_edited(
    counts_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    turns, cart = await _chat(counts_shop, lang, lines)
    assert cart == expected, _said(turns)


# --- 4. "下单" with a counted product buys it ---------------------------------------------------------


async def test_ordering_a_counted_product_adds_it(counts_shop: Any) -> None:
    lines = ["点阵笔记本 绿色 两本", "下单一本灰色的点阵笔记本", "下单吧"]
    turns, cart = await _chat(counts_shop, "zh", lines)
    assert cart == {"NB-GN": 2, "NB-GY": 1}, _said(turns)
    assert turns[1]["intent"] == "add_to_cart", _said(turns)
    assert turns[2]["intent"] == "checkout", _said(turns)


# --- 5. shade words of the cosmetics (outsider shop) ---------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["velvet matte lipstick", "rosewood shade please"], {"M4-DS": 1}),
        ("en", ["one earth tone eyeshadow palette"], {"M6-WRM": 1}),
        ("zh", ["九色眼影盘 要大地色的"], {"M6-WRM": 1}),
        ("zh", ["口红 正红一支", "豆沙的也来一支", "正红那支不要了"], {"M4-DS": 1}),
        ("zh", ["浅绿色的硅胶铲勺套装一套"], {"K6-MNT": 1}),
        ("zh", ["九色眼影盘 烟熏灰一个"], {"M6-SMK": 1}),
    ],
)
async def test_shade_words_customers_use(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    await enough_stock(outsider_shop, {"M4-DS": 5, "M4-ZH": 5, "M6-WRM": 5, "M6-SMK": 5, "K6-MNT": 5})
    turns, cart = await _chat(outsider_shop, lang, lines)
    assert cart == expected, _said(turns)
