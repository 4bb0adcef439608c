"""Cart lines edited by description, the way shoppers type it, on a catalog the flows were not written for.

A customer points at a line with product words ("杯子", "the gloves"), option words ("白的", "the
green one"), a position or "it", and asks to change its option ("换成黑色的", "make it the 750ml"),
its quantity, to remove it, or to add another variant of the same product ("红色的也来一副").
A line that does not fit what was said is never changed: the bot says so, or asks.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.terminal.runner import ChatRunner
from core.mongo import Database
from tests.dialogs.conftest import Chat, make_engine
from tests.dialogs.fake_shop import FakeShop, _product

CUSTOMER = "C-terminal-u1"

SPORT_AND_KITCHEN = [
    _product(
        "TEE",
        "速干T恤",
        "Quick-dry Running Shirt",
        "79.00",
        [
            ("TEE-WH-M", {"颜色": "白色", "尺码": "M"}, 10),
            ("TEE-WH-L", {"颜色": "白色", "尺码": "L"}, 10),
            ("TEE-BK-M", {"颜色": "黑色", "尺码": "M"}, 10),
            ("TEE-BK-L", {"颜色": "黑色", "尺码": "L"}, 10),
            ("TEE-BL-M", {"颜色": "蓝色", "尺码": "M"}, 10),
            ("TEE-BL-L", {"颜色": "蓝色", "尺码": "L"}, 0),
        ],
        category="apparel",
    ),
    _product(
        "SKL",
        "铸铁煎锅",
        "Cast Iron Skillet",
        "199.00",
        [("SKL-20", {"尺寸": "20cm"}, 5), ("SKL-26", {"尺寸": "26cm"}, 5)],
        category="cookware",
    ),
    _product(
        "BTL",
        "运动水瓶",
        "Sports Bottle",
        "59.00",
        [
            ("BTL-GN-500", {"colour": "green", "capacity": "500ml"}, 10),
            ("BTL-GN-750", {"colour": "green", "capacity": "750ml"}, 10),
            ("BTL-OR-500", {"colour": "orange", "capacity": "500ml"}, 10),
        ],
        category="outdoor",
    ),
    _product(
        "MAT",
        "瑜伽垫",
        "Yoga Mat",
        "129.00",
        [("MAT-MG", {"colour": "mint green"}, 6), ("MAT-DP", {"colour": "dusty pink"}, 6)],
        category="fitness",
    ),
    _product(
        "QLT",
        "保暖睡被",
        "Thermal Quilt",
        "239.00",
        [("QLT-5", {"温标": "5°C"}, 8), ("QLT-M5", {"温标": "-5°C"}, 8)],
        category="camping",
    ),
    _product("CUP", "骨瓷茶杯", "Bone China Teacup", "45.00", [("CUP-1", {}, 20)], category="tableware"),
    _product(
        "GLV",
        "骑行手套",
        "Cycling Gloves",
        "89.00",
        [
            ("GLV-BK-M", {"颜色": "黑色", "尺码": "M"}, 3),
            ("GLV-BK-L", {"颜色": "黑色", "尺码": "L"}, 3),
            ("GLV-RD-M", {"颜色": "红色", "尺码": "M"}, 3),
        ],
        category="outdoor",
    ),
]

# Messages that put things in the cart (checked on their own below).
TEE_WHITE_M = "速干T恤 白色M 一件"
TEE_WHITE_M_EN = "add a quick-dry running shirt, white, size M"
GLOVES_BLACK_M = "骑行手套 黑色M 一副"
SKILLET_20 = "铸铁煎锅20cm来一个"
BOTTLE_GREEN_500 = "i want a green sports bottle 500ml"
CUPS_TWO = "骨瓷茶杯两个"


@pytest.fixture
def kit_shop() -> FakeShop:
    return FakeShop(catalog=SPORT_AND_KITCHEN)


@pytest.fixture
def kit_chat(db: Database, kit_shop: FakeShop, nlu: Any) -> Chat:
    return Chat(ChatRunner(make_engine(db, kit_shop, nlu), kit_shop, kit_shop, user="u1"))


def cart(shop: FakeShop) -> dict[str, int]:
    return {sku: qty for sku, qty in shop.carts.get(CUSTOMER, {}).items() if qty}


async def talk(chat: Chat, lines: list[str]) -> str:
    out = None
    for line in lines:
        out = await chat(line)
    assert out is not None
    return chat.text(out)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (TEE_WHITE_M, {"TEE-WH-M": 1}),
        (TEE_WHITE_M_EN, {"TEE-WH-M": 1}),
        (GLOVES_BLACK_M, {"GLV-BK-M": 1}),
        (SKILLET_20, {"SKL-20": 1}),
        (BOTTLE_GREEN_500, {"BTL-GN-500": 1}),
        (CUPS_TWO, {"CUP-1": 2}),
    ],
)
async def test_the_setup_messages_fill_the_cart(
    kit_chat: Chat, kit_shop: FakeShop, message: str, expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, [message])
    assert cart(kit_shop) == expected, said


# --- 1. an option of a cart line changed: the line's variant, not an after-sales exchange ---------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([TEE_WHITE_M, "算了换成黑色的"], {"TEE-BK-M": 1}),
        ([TEE_WHITE_M, "尺码改成L"], {"TEE-WH-L": 1}),
        ([TEE_WHITE_M, "把颜色换成蓝的"], {"TEE-BL-M": 1}),
        (["速干T恤 白色M 两件", "还是换成L码吧"], {"TEE-WH-L": 2}),  # the quantity is kept
        ([SKILLET_20, "还是换成26的吧"], {"SKL-26": 1}),
        ([SKILLET_20, "改成大号"], {"SKL-26": 1}),
        ([SKILLET_20, "改成26cm的"], {"SKL-26": 1}),
        ([TEE_WHITE_M, GLOVES_BLACK_M, "把手套换成红色的"], {"TEE-WH-M": 1, "GLV-RD-M": 1}),
        ([TEE_WHITE_M, GLOVES_BLACK_M, "T恤换成黑色的"], {"TEE-BK-M": 1, "GLV-BK-M": 1}),
        ([TEE_WHITE_M, GLOVES_BLACK_M, "把白色的换成黑色"], {"TEE-BK-M": 1, "GLV-BK-M": 1}),
        ([BOTTLE_GREEN_500, "actually swap it for the orange one"], {"BTL-OR-500": 1}),
        ([BOTTLE_GREEN_500, "make it the 750ml"], {"BTL-GN-750": 1}),
        ([BOTTLE_GREEN_500, "change the capacity to 750ml"], {"BTL-GN-750": 1}),
        ([TEE_WHITE_M_EN, "switch the size to L"], {"TEE-WH-L": 1}),
        ([TEE_WHITE_M_EN, "can i get it in black instead"], {"TEE-BK-M": 1}),
        (["buy the 20cm cast iron skillet", "change it to the bigger one"], {"SKL-26": 1}),
        ([TEE_WHITE_M_EN, "swap the shirt for a blak one"], {"TEE-BK-M": 1}),
        (["add a mint green yoga mat", "actually i'd rather have the pink one"], {"MAT-DP": 1}),
        (["add a dusty pink yoga mat", "change it to mint"], {"MAT-MG": 1}),
        (["add a dusty pink yoga mat", "i'd prefer the mint one"], {"MAT-MG": 1}),
        ([SKILLET_20, "换大一号的"], {"SKL-26": 1}),
        ([TEE_WHITE_M, "能换大一码吗"], {"TEE-WH-L": 1}),
        ([TEE_WHITE_M_EN, "one size up please"], {"TEE-WH-L": 1}),
        (["速干T恤 黑色L 一件", "换小一号"], {"TEE-BK-M": 1}),
    ],
)
async def test_an_option_change_swaps_the_cart_line(
    kit_chat: Chat, kit_shop: FakeShop, lines: list[str], expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, lines)
    assert cart(kit_shop) == expected, said


async def test_a_swap_says_what_changed(kit_chat: Chat, kit_shop: FakeShop) -> None:
    said = await talk(kit_chat, [TEE_WHITE_M, "算了换成黑色的"])
    assert "黑色" in said
    assert "白色" in said
    assert "订单" not in said


async def test_a_swap_to_a_sold_out_variant_keeps_the_line(kit_chat: Chat, kit_shop: FakeShop) -> None:
    said = await talk(kit_chat, [TEE_WHITE_M, "换成蓝色L的"])
    assert cart(kit_shop) == {"TEE-WH-M": 1}
    assert "售罄" in said


async def test_a_swap_to_a_combination_the_shop_lacks_lists_the_real_ones(kit_chat: Chat, kit_shop: FakeShop) -> None:
    await kit_chat("add an orange sports bottle 500ml")
    out = await kit_chat("make it 750ml")
    assert cart(kit_shop) == {"BTL-OR-500": 1}
    said = kit_chat.text(out)
    assert "750ml" in said
    assert "orange" in said.lower()


@pytest.mark.parametrize("message", ["我要换货", "订单里那件想换成黑色的", "how do exchanges work?"])
async def test_an_exchange_of_an_order_is_no_cart_edit(kit_chat: Chat, kit_shop: FakeShop, message: str) -> None:
    await kit_chat(TEE_WHITE_M)
    await kit_chat(message)
    assert cart(kit_shop) == {"TEE-WH-M": 1}


# --- 2. the line named by its words; never another one -----------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("杯子不要了", {"GLV-BK-M": 1}),
        ("茶杯删掉", {"GLV-BK-M": 1}),
        ("手套不要了", {"CUP-1": 2}),
        ("remove the teacups", {"GLV-BK-M": 1}),
        ("take the gloves out", {"CUP-1": 2}),
        ("杯子改成3个", {"CUP-1": 3, "GLV-BK-M": 1}),
        ("make the teacup 1", {"CUP-1": 1, "GLV-BK-M": 1}),
    ],
)
async def test_product_words_pick_the_line(
    kit_chat: Chat, kit_shop: FakeShop, message: str, expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, [CUPS_TWO, GLOVES_BLACK_M, message])
    assert cart(kit_shop) == expected, said


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("去掉一个杯子", {"CUP-1": 1, "GLV-BK-M": 1}),
        ("杯子删掉一个", {"CUP-1": 1, "GLV-BK-M": 1}),
        ("remove one of the teacups", {"CUP-1": 1, "GLV-BK-M": 1}),
        ("remove 1 teacup", {"CUP-1": 1, "GLV-BK-M": 1}),
        ("remove a teacup pls", {"CUP-1": 1, "GLV-BK-M": 1}),
        ("两个杯子都不要了", {"GLV-BK-M": 1}),
    ],
)
async def test_a_count_removes_that_many(
    kit_chat: Chat, kit_shop: FakeShop, message: str, expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, [CUPS_TWO, GLOVES_BLACK_M, message])
    assert cart(kit_shop) == expected, said


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("T恤都不要了", {"CUP-1": 2}),
        ("T恤都删了", {"CUP-1": 2}),
        ("remove both shirts", {"CUP-1": 2}),
        ("白的黑的都不要了", {"CUP-1": 2}),
    ],
)
async def test_all_lines_the_words_fit_are_removed(
    kit_chat: Chat, kit_shop: FakeShop, message: str, expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, [TEE_WHITE_M, "速干T恤 黑色M 一件", CUPS_TWO, message])
    assert cart(kit_shop) == expected, said


async def test_several_lines_fit_asks_among_those(kit_chat: Chat, kit_shop: FakeShop) -> None:
    out = await kit_chat(TEE_WHITE_M)
    await talk(kit_chat, ["速干T恤 黑色M 一件", CUPS_TWO])
    out = await kit_chat("T恤不要了")
    assert cart(kit_shop) == {"TEE-WH-M": 1, "TEE-BK-M": 1, "CUP-1": 2}
    labels = [b.label for r in out.replies for b in r.buttons]
    assert len(labels) == 2, labels
    assert all("T恤" in label for label in labels)


@pytest.mark.parametrize(
    ("message", "named"),
    [
        ("白色那个不要了", "白色"),
        ("白的删掉", "白"),
        ("remove the white one", "white"),
        ("锅不要了", "锅"),
        ("remove the skillet", "skillet"),
    ],
)
async def test_a_description_no_line_fits_changes_nothing(
    kit_chat: Chat, kit_shop: FakeShop, message: str, named: str
) -> None:
    await kit_chat(GLOVES_BLACK_M)
    out = await kit_chat(message)
    assert cart(kit_shop) == {"GLV-BK-M": 1}
    said = kit_chat.text(out)
    assert named in said
    assert "骑行手套" in said or "Cycling Gloves" in said  # the cart is shown to pick from


async def test_the_first_one_remove_it_after_viewing(kit_chat: Chat, kit_shop: FakeShop) -> None:
    await talk(kit_chat, [CUPS_TWO, GLOVES_BLACK_M, "看看购物车", "the first one, remove it"])
    assert cart(kit_shop) == {"GLV-BK-M": 1}


async def test_it_means_the_one_line(kit_chat: Chat, kit_shop: FakeShop) -> None:
    await talk(kit_chat, [GLOVES_BLACK_M, "算了不要了"])
    assert cart(kit_shop) == {}


# --- 3. another variant of a product already chosen ---------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([GLOVES_BLACK_M, "红色的也来一副"], {"GLV-BK-M": 1, "GLV-RD-M": 1}),
        ([GLOVES_BLACK_M, "黑的L也来一副"], {"GLV-BK-M": 1, "GLV-BK-L": 1}),
        ([GLOVES_BLACK_M, "另外再要一副L的"], {"GLV-BK-M": 1, "GLV-BK-L": 1}),
        ([TEE_WHITE_M, "再来一件L的"], {"TEE-WH-M": 1, "TEE-WH-L": 1}),
        ([TEE_WHITE_M, "蓝色的也要两件"], {"TEE-WH-M": 1, "TEE-BL-M": 2}),
        ([TEE_WHITE_M_EN, "and a large one too"], {"TEE-WH-M": 1, "TEE-WH-L": 1}),
        ([TEE_WHITE_M_EN, "also a black one"], {"TEE-WH-M": 1, "TEE-BK-M": 1}),
        ([BOTTLE_GREEN_500, "one more in orange"], {"BTL-GN-500": 1, "BTL-OR-500": 1}),
        ([BOTTLE_GREEN_500, "and the 750ml as well"], {"BTL-GN-500": 1, "BTL-GN-750": 1}),
        (["add 2 thermal quilts 5°C", "thermal quilt -5°C 1"], {"QLT-5": 2, "QLT-M5": 1}),
        (["保暖睡被 5°C 两条", "-5°C的也来一条"], {"QLT-5": 2, "QLT-M5": 1}),
    ],
)
async def test_another_variant_is_added_next_to_the_first(
    kit_chat: Chat, kit_shop: FakeShop, lines: list[str], expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, lines)
    assert cart(kit_shop) == expected, said


# --- 4. quantities by description -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("黑的改成3件", {"TEE-WH-M": 1, "TEE-BK-M": 3}),
        ("白色那件改成两件", {"TEE-WH-M": 2, "TEE-BK-M": 1}),
        ("make the white one 2", {"TEE-WH-M": 2, "TEE-BK-M": 1}),
        ("the black one, just 2 please... change it to 2", {"TEE-WH-M": 1, "TEE-BK-M": 2}),
        ("黑色的不要了", {"TEE-WH-M": 1}),
    ],
)
async def test_quantities_by_description(
    kit_chat: Chat, kit_shop: FakeShop, message: str, expected: dict[str, int]
) -> None:
    said = await talk(kit_chat, [TEE_WHITE_M, "速干T恤 黑色M 一件", message])
    assert cart(kit_shop) == expected, said


async def test_a_quantity_for_a_line_by_product_words(kit_chat: Chat, kit_shop: FakeShop) -> None:
    said = await talk(kit_chat, [TEE_WHITE_M, GLOVES_BLACK_M, "手套改成2副"])
    assert cart(kit_shop) == {"TEE-WH-M": 1, "GLV-BK-M": 2}, said


async def test_a_value_inside_another_is_not_named(kit_chat: Chat, kit_shop: FakeShop) -> None:
    """ "0°C" is not the end of "-10°C": the line of the value actually named is the one removed."""
    said = await talk(kit_chat, ["add 2 thermal quilts 5°C", "add a thermal quilt -5°C", "drop the -5°C"])
    assert cart(kit_shop) == {"QLT-5": 2}, said
    said = await talk(kit_chat, ["add a thermal quilt -5°C", "drop the 5°C"])
    assert cart(kit_shop) == {"QLT-M5": 1}, said
