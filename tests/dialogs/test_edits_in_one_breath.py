"""Cart edits customers type in one breath, on a toys / scarves / trousers / snacks catalog the flows
were not written for.

* two edits in one message ("白的那个改成两条吧 粉色的换成灰色") each change their own line;
* the words describing a line pick it, the value after "make / 改成 / instead" or before "not" is
  the new one ("make the navy ones M instead", "the black pair should be XL not M");
* a cart edit is done while another product's option question is open (the question is kept);
* a line is found by an option word in another language than its value ("原味" ~ "Original").
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.terminal.runner import ChatRunner
from core.mongo import Database
from tests.dialogs.conftest import Chat, make_engine
from tests.dialogs.fake_shop import FakeShop, _product

CUSTOMER = "C-terminal-u1"

TOYS_AND_SNACKS = [
    _product(
        "SCF",
        "羊绒围巾",
        "Cashmere Scarf",
        "159.00",
        [("SCF-WH", {"颜色": "白色"}, 10), ("SCF-PK", {"颜色": "粉色"}, 10), ("SCF-GY", {"颜色": "灰色"}, 10)],
        category="accessories",
    ),
    _product(
        "JOG",
        "休闲长裤",
        "Jogger Pants",
        "129.00",
        [
            (f"JOG-{c[:2].upper()}-{s}", {"colour": c, "size": s}, 10)
            for c in ("Navy", "Black")
            for s in ("M", "L", "XL")
        ],
        category="apparel",
    ),
    _product(
        "SHB",
        "柴犬毛绒公仔",
        "Shiba Inu Plush",
        "89.00",
        [("SHB-30", {"size": "30cm"}, 10), ("SHB-50", {"size": "50cm"}, 10)],
        category="toys",
    ),
    _product(
        "RCC",
        "遥控特技车",
        "RC Stunt Car",
        "259.00",
        [("RCC-RD", {"colour": "red"}, 10), ("RCC-BL", {"colour": "blue"}, 10)],
        category="toys",
    ),
    _product(
        "CUB",
        "速拧魔方",
        "Speed Cube",
        "49.00",
        [
            ("CUB-3-ST", {"阶数": "3x3", "finish": "stickerless"}, 10),
            ("CUB-3-BK", {"阶数": "3x3", "finish": "black"}, 10),
            ("CUB-4-ST", {"阶数": "4x4", "finish": "stickerless"}, 10),
            ("CUB-4-BK", {"阶数": "4x4", "finish": "black"}, 10),
        ],
        category="toys",
    ),
    _product(
        "NUT",
        "每日坚果",
        "Daily Mixed Nuts",
        "69.00",
        [("NUT-1", {}, 20)],
        category="snacks",
    ),
    _product(
        "SFS",
        "焦糖瓜子",
        "Sunflower Seeds",
        "19.00",
        [("SFS-OR", {"flavour": "Original"}, 20), ("SFS-CR", {"flavour": "Caramel"}, 20)],
        category="snacks",
    ),
]


@pytest.fixture
def toy_shop() -> FakeShop:
    return FakeShop(catalog=TOYS_AND_SNACKS)


@pytest.fixture
def toy_chat(db: Database, toy_shop: FakeShop, nlu: Any) -> Chat:
    return Chat(ChatRunner(make_engine(db, toy_shop, nlu), toy_shop, toy_shop, user="u1"))


def cart(shop: FakeShop) -> dict[str, int]:
    return {sku: qty for sku, qty in shop.carts.get(CUSTOMER, {}).items() if qty}


async def talk(chat: Chat, lines: list[str]) -> str:
    said = []
    for line in lines:
        out = await chat(line)
        said.append(f"> {line} [{out.intent}]\n{chat.text(out)}")
    return "\n".join(said)


SNACKS_ZH = ["每日坚果一盒", "焦糖瓜子 Original 一包", "焦糖瓜子 Caramel 一包"]
SCARVES_ZH = ["羊绒围巾 白色 一条", "羊绒围巾 粉色 一条"]
SCARVES_EN = ["add a white cashmere scarf", "and a pink cashmere scarf"]
JOGGERS_EN = ["2 navy jogger pants size L", "and black jogger pants in M"]
JOGGERS_ZH = ["休闲长裤 Navy L 两条", "休闲长裤 Black M 一条"]


async def test_the_setup_messages_fill_the_cart(toy_chat: Chat, toy_shop: FakeShop) -> None:
    said = await talk(toy_chat, [*SCARVES_ZH, *JOGGERS_EN])
    assert cart(toy_shop) == {"SCF-WH": 1, "SCF-PK": 1, "JOG-NA-L": 2, "JOG-BL-M": 1}, said


async def test_the_setup_messages_fill_the_cart_in_english(toy_chat: Chat, toy_shop: FakeShop) -> None:
    said = await talk(toy_chat, [*SCARVES_EN, *JOGGERS_ZH])
    assert cart(toy_shop) == {"SCF-WH": 1, "SCF-PK": 1, "JOG-NA-L": 2, "JOG-BL-M": 1}, said


# --- 1. two edits in one message ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "message", "expected"),
    [
        (SCARVES_ZH, "白的那个改成两条吧 粉色的换成灰色", {"SCF-WH": 2, "SCF-GY": 1}),
        (SCARVES_ZH, "粉色的换成灰色，白色的要两条", {"SCF-WH": 2, "SCF-GY": 1}),
        (SCARVES_ZH, "白色的改成3条 然后粉色的不要了", {"SCF-WH": 3}),
        (SCARVES_EN, "make the white one 2 and change the pink one to grey", {"SCF-WH": 2, "SCF-GY": 1}),
        (SCARVES_EN, "swap the pink for grey, also make the white one 3", {"SCF-WH": 3, "SCF-GY": 1}),
        (SCARVES_EN, "remove the pink one and make the white one 2", {"SCF-WH": 2}),
    ],
)
@pytest.mark.xfail(reason="clauses of one message not split yet", strict=True)
async def test_two_edits_in_one_message_each_change_their_line(
    toy_chat: Chat, toy_shop: FakeShop, setup: list[str], message: str, expected: dict[str, int]
) -> None:
    said = await talk(toy_chat, [*setup, message])
    assert cart(toy_shop) == expected, said


# --- 2. the line described vs. the value wanted ---------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "message", "expected"),
    [
        (JOGGERS_EN, "wait make the navy ones M instead", {"JOG-NA-M": 2, "JOG-BL-M": 1}),
        (JOGGERS_EN, "and the black pair should be XL not M, its for my dad", {"JOG-NA-L": 2, "JOG-BL-XL": 1}),
        (JOGGERS_EN, "the black ones in XL instead of M", {"JOG-NA-L": 2, "JOG-BL-XL": 1}),
        (JOGGERS_ZH, "Navy的改成M", {"JOG-NA-M": 2, "JOG-BL-M": 1}),
        (JOGGERS_ZH, "黑色那条要XL的 不是M", {"JOG-NA-L": 2, "JOG-BL-XL": 1}),
    ],
)
async def test_the_described_line_takes_the_new_value(
    toy_chat: Chat, toy_shop: FakeShop, setup: list[str], message: str, expected: dict[str, int]
) -> None:
    said = await talk(toy_chat, [*setup, message])
    assert cart(toy_shop) == expected, said


# --- 3. a cart edit while another product's option question is open --------------------------------

TOYS_EN = "shiba plush 50cm, the red rc car and a 4x4 speed cube"
TOYS_ZH = "柴犬公仔50cm 红色遥控车 还有一个魔方 4x4"


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([TOYS_EN, "hmm the car is too pricey, take it out"], {"SHB-50": 1}),
        ([TOYS_EN, "and make it 2 plushies actually"], {"SHB-50": 2, "RCC-RD": 1}),
        (
            [TOYS_EN, "hmm the car is too pricey, take it out", "and make it 2 plushies actually", "stickerless"],
            {"SHB-50": 2, "CUB-4-ST": 1},
        ),
        ([TOYS_ZH, "车太贵了 不要了"], {"SHB-50": 1}),
        ([TOYS_ZH, "公仔改成两个"], {"SHB-50": 2, "RCC-RD": 1}),
        ([TOYS_ZH, "遥控车换成蓝色的", "black"], {"SHB-50": 1, "RCC-BL": 1, "CUB-4-BK": 1}),
    ],
)
async def test_a_cart_edit_under_an_open_option_question(
    toy_chat: Chat, toy_shop: FakeShop, lines: list[str], expected: dict[str, int]
) -> None:
    said = await talk(toy_chat, lines)
    assert cart(toy_shop) == expected, said


async def test_the_open_question_is_asked_again_after_the_edit(toy_chat: Chat, toy_shop: FakeShop) -> None:
    said = await talk(toy_chat, [TOYS_EN])
    assert cart(toy_shop) == {"SHB-50": 1, "RCC-RD": 1}, said
    out = await toy_chat("hmm the car is too pricey, take it out")
    said = toy_chat.text(out)
    assert cart(toy_shop) == {"SHB-50": 1}, said
    assert "Speed Cube" in said or "速拧魔方" in said, said


# --- 4. a line found by an option word in another language -------------------------------------------


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            [
                "每日坚果一盒",
                "焦糖瓜子 Original 一包",
                "焦糖瓜子 Caramel 一包",
                "算了坚果不要了 删掉",
                "原味的改成两包",
            ],
            {"SFS-OR": 2, "SFS-CR": 1},
        ),
        (
            [*SNACKS_ZH, "原味的不要了"],
            {"NUT-1": 1, "SFS-CR": 1},
        ),
        (
            ["add sunflower seeds original", "add sunflower seeds caramel", "make the plain ones 3"],
            {"SFS-OR": 3, "SFS-CR": 1},
        ),
    ],
)
async def test_an_option_word_in_another_language_finds_the_line(
    toy_chat: Chat, toy_shop: FakeShop, lines: list[str], expected: dict[str, int]
) -> None:
    said = await talk(toy_chat, lines)
    assert cart(toy_shop) == expected, said
