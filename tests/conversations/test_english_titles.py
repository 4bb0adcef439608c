"""English product names as customers write them, on a catalog of books, jewellery and snacks
(catalogs/english_titles.json) the flows were not written for.

* A title named by its distinctive words with the option words around it ("jane eyre
  english paperback pls") finds the book and its version, however long the English reads.
* A book's language and binding are option values in either language ("the english one",
  "hardcover" for 精装).
* Option words that also stand in another product's title ("rose gold bracelet" beside a
  "Hair Clip Set (Rose Gold)") do not take the customer to that other product.
* "the big one" among amounts in different units (500g / 1.5kg) is the larger amount.
* A number that measures the product or says what it is made of ("41 inch guitar", "the 6 colour
  highlighter set", "3 tier shoe rack") is no count (catalogs bilingual_options and numbered_names).

Every conversation is checked by the cart it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def english_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("english_titles") as shop:
        yield shop


NAMED = [
    (["jane eyre english paperback pls", "add it"], {"PP-EN-PB": 1}),
    (["one rose gold bracelet please"], {"CB-RG": 1}),
    (["2 charm bracelets in rose gold"], {"CB-RG": 2}),
    (["the bigger almond tin, just one"], {"AL-1500": 1}),
    (["roasted almonds, the large one please"], {"AL-1500": 1}),
    (["jane eyre hardcover in chinese", "add to cart"], {"PP-ZH-HC": 1}),
    (["the chinese paperback of jane eyre x2"], {"PP-ZH-PB": 2}),
    (["add the sherlock holmes box set"], {"SH-SET": 1}),
    # vegetables and herbs, natural wood: option values written in Chinese, named in English
    (["2 packets of herb seeds, spinach"], {"HS-SPN": 2}),
    (["add the kitchen herb seeds in coriander"], {"HS-COR": 1}),
    (["add a bamboo chopping board in natural"], {"BB-NAT": 1}),
    # the words to write on a card name no option ("love" in the message is no Love card)
    (['add a birthday note card, can you write "with love from all of us" on it?'], {"GC-BDAY": 1}),
]


@pytest.mark.parametrize(("lines", "expected"), NAMED, ids=lambda v: str(v)[:40])
async def test_an_english_title_named_in_own_words_is_bought(
    english_shop: Any, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(english_shop, "en", lines, who="entitle")
    assert talk.cart == expected, talk.transcript()


async def test_a_sold_out_binding_then_the_other_one(english_shop: Any) -> None:
    talk = await converse(
        english_shop, "en", ["jane eyre in english, hardcover", "oh that's sold out? paperback then", "add it"]
    )
    assert talk.cart == {"PP-EN-PB": 1}, talk.transcript()


MEASURED = [
    ("bilingual_options", ["add a 41 inch mahogany guitar in black"], {"M1-41-BK": 1}),
    (
        "bilingual_options",
        ["36 inch mahogany guitar in black + 2 pairs of white sport ankle socks size L"],
        {"M1-36-BK": 1, "W1-WH-L": 2},
    ),
    ("numbered_names", ["I need the 6 colour highlighter set"], {"HL-1": 1}),
    ("numbered_names", ["the 3 tier shoe rack in white"], {"SH-WH": 1}),
    ("numbered_names", ["2 three-tier shoe racks in black"], {"SH-BK": 2}),
]


@pytest.mark.parametrize(("catalog", "lines", "expected"), MEASURED, ids=lambda v: str(v)[:40])
async def test_a_number_that_measures_the_product_is_no_count(
    open_catalog_shop: OpenCatalogShop, catalog: str, lines: list[str], expected: dict[str, int]
) -> None:
    async with open_catalog_shop(catalog) as shop:
        talk = await converse(shop, "en", lines, who="measured")
    assert talk.cart == expected, talk.transcript()
