"""English changes of mind, on the games / fitness / home catalog (catalogs/games_fitness_home.json).

* "forget the baskets" drops that cart line, whatever else the message says ("too much money this
  month" is no refund request, "too pricey" no haggling).
* "never mind" that goes on to ask for the order takes back what was being said (no coupon after
  all), not the purchase: the order is placed. Alone, or with "cancel", it still gives up.
* "scratch that, the 20kg one instead" replaces the line just added.

Every conversation is checked by the cart or the orders it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def home_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("games_fitness_home") as shop:
        yield shop


DROPPED = [
    (
        [
            "add a 10mm yoga mat",
            "and a 30cm cotton rope basket",
            "hmm no forget the baskets, too much money this month",
        ],
        {"F2-10": 1},
    ),
    (["add a 10mm yoga mat", "and the 20kg adjustable dumbbell", "forget the yoga mat, too pricey"], {"F1-20": 1}),
    (["the 10kg adjustable dumbbell", "add it", "actually scratch that, make it the 20kg one instead"], {"F1-20": 1}),
    # the line said again a question later, "first" an adverb ("ask my brother first"): kept, not added
    (
        [
            "the standard werewolf game",
            "add it",
            "how much is it?",
            "ok put it in my cart, not buying yet. ask my brother first",
        ],
        {"G1-STD": 1},
    ),
]


@pytest.mark.parametrize(("lines", "expected"), DROPPED, ids=lambda v: str(v)[:40])
async def test_a_line_taken_back_leaves_the_cart(home_shop: Any, lines: list[str], expected: dict[str, int]) -> None:
    talk = await converse(home_shop, "en", lines, who="mind")
    assert talk.cart == expected, talk.transcript()


CHECKOUT = ["the deluxe werewolf game", "checkout", "Li Lei, 13800001111, 100 Century Ave, Pudong, Shanghai"]


@pytest.mark.parametrize(
    ("last", "placed"),
    [
        ("hmm never mind, just place my order", True),
        ("forget it, place the order then", True),
        ("never mind, cancel everything", False),
        ("never mind", False),
    ],
)
async def test_never_mind_then_the_order_places_it(home_shop: Any, last: str, placed: bool) -> None:
    talk = await converse(home_shop, "en", [*CHECKOUT, "cheapest shipping", last], who="nvm")
    assert bool(talk.summary["orders"]) is placed, talk.transcript()
