"""What arrived, said before asking; choosing by price among goods just shown; counts in pairs and
words of approval that name nothing - on catalogs the flows were not written for (trousers, glasses,
goggles, sprays: `catalogs/optics_and_trousers.json`; a jacket in three colours:
`catalogs/beauty_drinks_wear.json`).

* After a delivery, "the jacket came but the zipper sticks" / "收到了 拉链老是卡住" asks nothing yet:
  it is no purchase of the jacket again, nor a case for a person; a return or exchange is offered
  and the request that follows ("i'd like to send it back", "能换成藏青色的吗") is filed at once with
  those words as its reason. "got the trousers, fit is great, thanks" is only thanked.
* "the cheaper one, black M" / "便宜点那个吧 黑色M" under a list of look-alike products chooses that
  product in that version (never haggling); the checkout that follows takes it.
* "2 pairs of the +1.50 ones" of glasses is two glasses; "no case needed" after it is no second item.
* "quick-dry hiking trousers black M how much" shows that version's card, price and all.
* "cool buy" under a card buys the product on the card, whatever other title has "cool" in it.

Every conversation is checked by its end state (cart, orders, after-sales requests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse

EN_CHECKOUT = ["checkout", "Mia Zhang, 13900007777, 3 Xinhua Road, Changning, Shanghai", "place order"]
ZH_CHECKOUT = ["结账", "周八 13700003333 四川省成都市武侯区天府大道100号", "下单"]
DELIVERED = ["!pay", "!ship", "!deliver"]
EN_JACKET = ["utility jacket olive M", "add to cart", *EN_CHECKOUT, *DELIVERED]
ZH_JACKET = ["工装夹克 olive M", "加入购物车", *ZH_CHECKOUT, *DELIVERED]
EN_TROUSERS = ["quick-dry hiking trousers black L", "add to cart", *EN_CHECKOUT, *DELIVERED]


@pytest.fixture(scope="module")
async def optics_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("optics_and_trousers") as shop:
        yield shop


@pytest.fixture(scope="module")
async def wear_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("beauty_drinks_wear") as shop:
        yield shop


ARRIVED = [
    (
        "en",
        [
            *EN_JACKET,
            "the jacket came but the zipper sticks all the time, oiled it for a week and still stuck",
            "i'd like to send it back",
        ],
        "return",
        "zipper sticks",
    ),
    ("zh", [*ZH_JACKET, "收到了 拉链老是卡住 用了一周还是卡", "我要退掉"], "return", "拉链老是卡住"),
    (
        "en",
        [
            *EN_JACKET,
            "jacket arrived but the olive colour looks way too dull on me",
            "could i swap it for the navy one",
        ],
        "exchange",
        "too dull",
    ),
    ("zh", [*ZH_JACKET, "夹克收到了 军绿色穿着显黑", "能换成navy的吗"], "exchange", "显黑"),
]


@pytest.mark.parametrize(("lang", "lines", "kind", "words"), ARRIVED, ids=lambda v: str(v)[-30:])
async def test_what_arrived_said_first_is_the_reason_of_the_request_that_follows(
    wear_shop: Any, lang: str, lines: list[str], kind: str, words: str
) -> None:
    talk = await converse(wear_shop, lang, lines, who="arrived")
    (order,) = talk.summary["orders"]
    assert talk.summary["after_sales"] == [{"order": order["number"], "kind": kind, "status": "requested"}], (
        talk.transcript()
    )
    assert talk.cart == {}, talk.transcript()  # the jacket named again is no purchase
    assert talk.summary["handoff"] == "none", talk.transcript()
    (request,) = await wear_shop.commerce.aftersales.list_for_customer(talk.summary["customer"])
    assert words in request.reason, request.reason


async def test_a_return_button_after_the_story_files_it_with_the_story(optics_shop: Any) -> None:
    talk = await converse(
        optics_shop, "en", [*EN_TROUSERS, "the trousers arrived but the fabric itches like crazy", "Return"], who="btn"
    )
    assert [r["kind"] for r in talk.summary["after_sales"]] == ["return"], talk.transcript()
    (request,) = await optics_shop.commerce.aftersales.list_for_customer(talk.summary["customer"])
    assert "itches" in request.reason, request.reason


async def test_goods_arrived_and_liked_are_only_thanked(optics_shop: Any) -> None:
    talk = await converse(optics_shop, "en", [*EN_TROUSERS, "got the trousers, fit is great, thanks"], who="liked")
    assert talk.summary["after_sales"] == [], talk.transcript()
    assert talk.cart == {}, talk.transcript()
    assert "return" not in talk.said().lower(), talk.transcript()


BY_PRICE = [
    ("en", ["show me hiking trousers", "the cheaper one, black M", *EN_CHECKOUT[:1]], {"HT1-BK-M": 1}),
    ("zh", ["徒步裤有哪些", "便宜点那个吧 黑色M", *ZH_CHECKOUT[:1]], {"HT1-BK-M": 1}),
    (
        "en",
        ["hiking trousers", "whats the difference between them", "idk the cheaper one i guess, khaki L", "checkout"],
        {"HT1-KH-L": 1},
    ),
    ("zh", ["徒步裤", "这两个有什么区别", "贵一点的那款吧 灰色", "结账"], {"HT2-GY": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), BY_PRICE, ids=lambda v: str(v)[:50])
async def test_the_cheaper_or_dearer_one_in_a_colour_is_that_version_of_that_product(
    optics_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(optics_shop, lang, lines, who="byprice")
    assert talk.cart == expected, talk.transcript()


COUNTS = [
    ("en", ["reading glasses", "are they ok for driving?", "2 pairs of the +1.50 ones"], {"RG1-150": 2}),
    ("en", ["reading glasses", "ok 2 pairs of the +2.00 ones, no case needed"], {"RG1-200": 2}),
    ("zh", ["老花镜", "+1.50的来两副"], {"RG1-150": 2}),
    ("en", ["anti-fog spray", "does it work on swim goggles?", "cool buy"], {"FS1": 1}),
    ("en", ["anti-fog spray", "nice, i'll take 2"], {"FS1": 2}),
    # the price asked beside the name: the card (with its price), then taken
    ("en", ["quick-dry hiking trousers black M how much", "fine fine i'll take it"], {"HT1-BK-M": 1}),
    ("en", ["how much is the anti-fog spray?", "ok add it"], {"FS1": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), COUNTS, ids=lambda v: str(v)[:50])
async def test_pairs_of_glasses_and_words_of_approval_buy_what_was_meant(
    optics_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(optics_shop, lang, lines, who="count")
    assert talk.cart == expected, talk.transcript()
