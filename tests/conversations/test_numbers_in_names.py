"""Product names with numbers in them, and several products in one message, as unseen customers
type them - on a home / outdoor / stationery catalog the flows were not written for
(catalogs/numbered_names.json: "Three-Person Hammock", "Kids Sunscreen Lotion SPF30" in 30ml and
60ml, "AA Batteries (8-pack)", "Cotton Socks (5 pairs)", 亚麻四件套, 六色荧光笔, 五号电池（8节装）).

* a number the title has beside the same word ("three-person", "spf30", "8-pack", 四件套, 五号) is
  part of the name: never the count, never an option value ("spf30" picks no 30ml);
* the same number elsewhere in the message still counts ("2 three person hammocks");
* a count typed beside the option words under the card ("the 60ml, 3 of them") is the count;
* a checkout word or 下单 with goods named adds them first;
* several products in one message, and another one later ("and a toothbrush"), are each added;
  another product named under a card is that product, never the one on the card (the outsider
  shop: "can i have a 100ml sunscreen too" under the arm sleeves; 菜板, "makeup remover").
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from chatcart.cli.chat import run_script
from dialogs.name_numbers import title_numbers, without_name_numbers
from tests.conversations.conftest import OpenCatalogShop, enough_stock


@pytest.fixture(scope="session")
async def numbered_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("numbered_names") as shop:
        yield shop


async def _chat(shop: Any, lang: str, lines: list[str]) -> tuple[list[dict[str, Any]], dict[str, int], str]:
    results = await run_script(shop, lines, user=f"numbered-{uuid.uuid4().hex[:8]}", lang=lang)
    *turns, final = results
    cart = {line["sku"]: line["qty"] for line in final["summary"]["cart"]}
    said = "\n---\n".join(
        f"> {turn.get('input', '')} [{turn.get('intent')}]\n"
        + "\n".join(r["text"] + " " + " ".join(b["label"] for b in r["buttons"]) for r in turn["replies"])
        for turn in turns
    )
    return turns, cart, said


NUMBERS_IN_NAMES = [
    ("en", ["i'd like the three-person hammock in olive"], {"HM-OLV": 1}),
    ("en", ["Three Person Hammock, grey one thx"], {"HM-GRY": 1}),
    ("en", ["2 three person hammocks, grey"], {"HM-GRY": 2}),
    ("en", ["grab me 3 of the 8-pack AA batteries"], {"BT-1": 3}),
    ("en", ["i'll take the kids sunscreen spf30, the 60ml"], {"KS-60": 1}),
    ("en", ["linen bedding set 4 pcs in oatmeal x2"], {"BC-OAT": 2}),
    ("en", ["cotton socks 5 pairs, size L, two packs"], {"SK-L": 2}),
    ("zh", ["三人吊床 灰色的 来两个"], {"HM-GRY": 2}),
    ("zh", ["四件套雾蓝色的要一套"], {"BC-BLU": 1}),
    ("zh", ["五号电池8节装拿3盒"], {"BT-1": 3}),
    ("zh", ["儿童防晒乳SPF30 60毫升的两瓶"], {"KS-60": 2}),
    ("zh", ["六色荧光笔来一盒"], {"HL-1": 1}),
    ("zh", ["纯棉袜子5双装 L码 两包"], {"SK-L": 2}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), NUMBERS_IN_NAMES, ids=lambda v: str(v)[:40])
async def test_a_number_of_the_name_is_neither_count_nor_option(
    numbered_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    _, cart, said = await _chat(numbered_shop, lang, lines)
    assert cart == expected, said


@pytest.mark.parametrize(
    ("lang", "lines", "answer", "expected"),
    [
        ("en", ["need the spf30 kids sunscreen x2"], "60ml", {"KS-60": 2}),
        ("zh", ["儿童防晒乳SPF30来两支"], "30毫升的", {"KS-30": 2}),
    ],
)
async def test_a_number_of_the_name_chooses_no_option(
    numbered_shop: Any, lang: str, lines: list[str], answer: str, expected: dict[str, int]
) -> None:
    turns, cart, said = await _chat(numbered_shop, lang, lines)
    assert cart == {}, said  # 30ml is not chosen by "spf30": the size is asked
    assert any(b["label"] in ("30ml", "60ml") for r in turns[-1]["replies"] for b in r["buttons"]), said
    _, cart, said = await _chat(numbered_shop, lang, [*lines, answer])
    assert cart == expected, said


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["kids sunscreen", "the 60ml, 3 of them"], {"KS-60": 3}),
        ("en", ["shoe rack", "black pls 2"], {"SH-BK": 2}),
        ("zh", ["三层鞋架", "黑色 2"], {"SH-BK": 2}),
    ],
)
async def test_a_count_beside_the_option_words_counts(
    numbered_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    _, cart, said = await _chat(numbered_shop, lang, lines)
    assert cart == expected, said


@pytest.mark.parametrize(
    ("lang", "lines", "expected", "checkout"),
    [
        ("zh", ["陶瓷皂碟拿一个", "下单两个黑色的三层鞋架"], {"SD-1": 1, "SH-BK": 2}, False),
        ("zh", ["竹柄牙刷三支 结账"], {"TB-1": 3}, True),
        ("en", ["2 soap dishes then checkout"], {"SD-1": 2}, True),
    ],
)
async def test_goods_named_with_the_checkout_are_added_first(
    numbered_shop: Any, lang: str, lines: list[str], expected: dict[str, int], checkout: bool
) -> None:
    turns, cart, said = await _chat(numbered_shop, lang, lines)
    assert cart == expected, said
    asks_address = any("13800138000" in r["text"] for r in turns[-1]["replies"])
    assert asks_address == checkout, said


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        (
            "en",
            ["a couple of soap dishes plus one bamboo toothbrush, and the shoe rack in black too"],
            {"SD-1": 2, "TB-1": 1, "SH-BK": 1},
        ),
        ("en", ["i'll have the 3-tier shoe rack in white", "oh and a toothbrush"], {"SH-WH": 1, "TB-1": 1}),
        ("en", ["2 olive hammocks and a kraft notebook"], {"HM-OLV": 2, "NB-1": 1}),
        ("zh", ["竹柄牙刷两支，陶瓷皂碟一个，还有白色三层鞋架"], {"TB-1": 2, "SD-1": 1, "SH-WH": 1}),
        ("zh", ["六色荧光笔一盒", "再加个牛皮纸笔记本"], {"HL-1": 1, "NB-1": 1}),
    ],
)
async def test_several_products_in_one_message_or_one_after_another(
    numbered_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    _, cart, said = await _chat(numbered_shop, lang, lines)
    assert cart == expected, said


def test_the_numbers_of_a_title_are_read_from_the_title_alone() -> None:
    assert {(n.value, n.neighbour) for n in title_numbers("Three-Person Hammock")} == {(3, "person")}
    assert {(n.value, n.neighbour) for n in title_numbers("Kids Sunscreen Lotion SPF30")} == {(30, "spf")}
    assert (4, "件") in {(n.value, n.neighbour) for n in title_numbers("亚麻四件套")}
    assert title_numbers("Bamboo Toothbrush") == ()
    hammock = ["Three-Person Hammock"]
    assert without_name_numbers("two 3-person hammocks", hammock).split() == ["two", "hammocks"]
    assert without_name_numbers("3 olive hammocks", hammock) == "3 olive hammocks"
    assert without_name_numbers("四件套来两套", ["亚麻四件套"]).split() == ["套来两套"]


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["white L arm sleeves x2", "can i have a 100ml sunscreen too"], {"O8-WH-L": 2, "M3-100": 1}),
        ("zh", ["白色L冰袖两副", "再要个100毫升的防晒霜"], {"O8-WH-L": 2, "M3-100": 1}),
        ("en", ["400ml makeup remover, two bottles"], {"M8-400": 2}),
        ("zh", ["来个大号菜板"], {"K8-L": 1}),
    ],
)
async def test_another_product_named_under_a_card_is_that_product(
    outsider_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    await enough_stock(outsider_shop, dict.fromkeys(expected, 20))
    _, cart, said = await _chat(outsider_shop, lang, lines)
    assert cart == expected, said
