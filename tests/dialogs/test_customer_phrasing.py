"""Messages written the way shoppers type them, on a catalog the flows were not written for.

Spec values come in whatever language the shop used: Chinese sizes ("小号/大号"), English
colours ("olive"), capacities ("500ml", "30L"), storage ("256GB"). The NLU knows none of these
product names (its vocabulary is the demo's), so the dialog must find the product from the text.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.terminal.runner import ChatRunner
from core.mongo import Database
from tests.dialogs.conftest import Chat, make_engine
from tests.dialogs.fake_shop import FakeShop, _product

CUSTOMER = "C-terminal-u1"

HOME_AND_OUTDOOR = [
    _product(
        "T1",
        "真空保温杯",
        "Vacuum Tumbler",
        "99.00",
        [
            ("TUM-WH-500", {"颜色": "白色", "容量": "500ml"}, 30),
            ("TUM-BK-500", {"颜色": "黑色", "容量": "500ml"}, 25),
            ("TUM-PK-350", {"颜色": "樱花粉", "容量": "350ml"}, 12),
            ("TUM-WH-750", {"颜色": "白色", "容量": "750ml"}, 8),
        ],
        category="drinkware",
    ),
    _product(
        "B1",
        "登山背包",
        "Hiking Backpack",
        "299.00",
        [
            ("BP-BK-30", {"colour": "black", "capacity": "30L"}, 5),
            ("BP-OL-45", {"colour": "olive", "capacity": "45L"}, 5),
        ],
        category="outdoor",
    ),
    _product(
        "K8",
        "竹制砧板",
        "Bamboo Cutting Board",
        "49.00",
        [("BOARD-S", {"尺寸": "小号"}, 10), ("BOARD-L", {"尺寸": "大号"}, 10)],
        category="kitchen",
    ),
    _product(
        "PH",
        "备用手机",
        "Spare Phone",
        "999.00",
        [("PH-128", {"storage": "128GB"}, 4), ("PH-256", {"storage": "256GB"}, 4)],
        category="digital",
    ),
    _product("MUG", "陶瓷马克杯", "Ceramic Mug", "39.00", [("MUG-1", {}, 50)], category="drinkware"),
]


@pytest.fixture
def home_shop() -> FakeShop:
    return FakeShop(catalog=HOME_AND_OUTDOOR)


@pytest.fixture
def home_chat(db: Database, home_shop: FakeShop, nlu: Any) -> Chat:
    return Chat(ChatRunner(make_engine(db, home_shop, nlu), home_shop, home_shop, user="u1"))


def cart(shop: FakeShop) -> dict[str, int]:
    return {sku: qty for sku, qty in shop.carts.get(CUSTOMER, {}).items() if qty}


# --- compound buying messages: product + option + quantity + verb, nothing on screen ------------


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("白色保温杯500的 来两个", {"TUM-WH-500": 2}),
        ("保温杯 黑色 一个", {"TUM-BK-500": 1}),
        ("2 white vacuum tumblers 750ml", {"TUM-WH-750": 2}),
        ("can i get the olive 45L hiking backpack", {"BP-OL-45": 1}),
        ("backpack black 30L x2", {"BP-BK-30": 2}),
        ("大号砧板来一个", {"BOARD-L": 1}),
        ("a large bamboo cutting board please", {"BOARD-L": 1}),
        ("马克杯来俩", {"MUG-1": 2}),
        ("a couple of ceramic mugs", {"MUG-1": 2}),
        ("我想买个马克杯", {"MUG-1": 1}),
        ("樱花粉保温杯要一个", {"TUM-PK-350": 1}),
        ("pink tumbler x3", {"TUM-PK-350": 3}),
    ],
)
async def test_one_message_finds_chooses_and_adds(
    home_chat: Chat, home_shop: FakeShop, message: str, expected: dict[str, int]
) -> None:
    await home_chat(message)
    assert cart(home_shop) == expected, home_chat.text(home_chat.last) if home_chat.last else ""


async def test_a_buying_message_asks_only_for_the_missing_option(home_chat: Chat, home_shop: FakeShop) -> None:
    out = await home_chat("我要买砧板")
    assert cart(home_shop) == {}
    assert any(r.type == "product" for r in out.replies)  # the one board, with its sizes to pick
    await home_chat("大号的")
    assert cart(home_shop) == {"BOARD-L": 1}


async def test_one_search_hit_is_shown_whole_not_as_a_list(home_chat: Chat) -> None:
    out = await home_chat("cutting board")
    assert [r.type for r in out.replies if r.type in ("carousel", "product")] == ["product"]


async def test_the_256_one_picks_the_storage(home_chat: Chat, home_shop: FakeShop) -> None:
    await home_chat("spare phone")
    await home_chat("the 256 one")
    await home_chat("add to cart")
    assert cart(home_shop) == {"PH-256": 1}


async def test_an_option_the_product_lacks_lists_the_real_ones(home_chat: Chat, home_shop: FakeShop) -> None:
    out = await home_chat("红色的保温杯来一个")
    text = home_chat.text(out)
    assert cart(home_shop) == {}
    assert "白色" in text
    assert "黑色" in text
    assert "可选规格：-" not in text


async def test_several_hits_wait_for_the_pick_then_add(home_chat: Chat, home_shop: FakeShop) -> None:
    out = await home_chat("I want to buy 2 drinkware")
    assert any(r.type == "carousel" for r in out.replies)
    await home_chat("the second one")
    assert sum(cart(home_shop).values()) in (0, 2)  # a mug (added) or the tumbler (options asked)


# --- cart edits by description -----------------------------------------------------------------


async def _two_tumblers(chat: Chat) -> None:
    await chat("白色保温杯500的 来一个")
    await chat("黑色保温杯500的 来一个")


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("黑色的改成3个", {"TUM-WH-500": 1, "TUM-BK-500": 3}),
        ("白的改成两个", {"TUM-WH-500": 2, "TUM-BK-500": 1}),
        ("make the black one 2", {"TUM-WH-500": 1, "TUM-BK-500": 2}),
        ("change the white one to 4", {"TUM-WH-500": 4, "TUM-BK-500": 1}),
        ("蓝的不要了", None),  # no blue line: nothing guessed away
        ("白的不要了", {"TUM-BK-500": 1}),
        ("remove the black one", {"TUM-WH-500": 1}),
    ],
)
async def test_cart_lines_changed_by_description(
    home_chat: Chat, home_shop: FakeShop, message: str, expected: dict[str, int] | None
) -> None:
    await _two_tumblers(home_chat)
    before = cart(home_shop)
    await home_chat(message)
    assert cart(home_shop) == (before if expected is None else expected)


async def test_the_first_one_remove_it(home_chat: Chat, home_shop: FakeShop) -> None:
    await _two_tumblers(home_chat)
    await home_chat("看看购物车")
    await home_chat("the first one, remove it")
    assert cart(home_shop) == {"TUM-BK-500": 1}


async def test_an_ambiguous_edit_asks_which_line(home_chat: Chat, home_shop: FakeShop) -> None:
    await home_chat("白色保温杯500的 来一个")
    await home_chat("白色保温杯750的 来一个")
    out = await home_chat("白色的改成3个")
    assert cart(home_shop) == {"TUM-WH-500": 1, "TUM-WH-750": 1}
    assert len([b for r in out.replies for b in r.buttons]) == 2
    await home_chat("2")
    assert cart(home_shop) == {"TUM-WH-500": 1, "TUM-WH-750": 3}


async def test_bought_it_right_after_adding_is_not_a_second_one(home_chat: Chat, home_shop: FakeShop) -> None:
    await home_chat("白色保温杯500的 来一个")
    out = await home_chat("买了")
    assert cart(home_shop) == {"TUM-WH-500": 1}
    assert any(b.payload == "checkout" for r in out.replies for b in r.buttons)
