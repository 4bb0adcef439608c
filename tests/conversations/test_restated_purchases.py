"""A purchase said again is understood, not added again, on the games / fitness / home catalog
(catalogs/games_fitness_home.json), which the flows were not written for.

* Right after a line went in (or a turn or two later, after a question or some haggling), the
  customer restating it ("行吧 那就原价两个", "ok the 10mm mats, 2 please", "先放购物车 月底再买")
  keeps the line as it is and is told it is in the cart already.
* "just one", "一张就够了", "actually only 2" after an add set the line just added to that count.
* A count for a line changed under another version's card ("10mm的有货吗" then "那6mm的改成三张")
  sets the line; it adds no second one.
* A shopping list that names again a line just put in ("so 2 yoga mats 10mm and one 20kg dumbbell")
  adds only what is new; "再来两张" in it still adds.
* The count of a list of versions ("two grey stools, one small and one large") is their total.
* Words of more ("再来一个", "再拿一张", "one more", "another") still add, on the next turn or later.
* In the middle of the checkout, "一张就够" / "wait, only one werewolf game" is the count of the cart
  line (set, or kept), never a name, a street or one more; the checkout goes on where it was.

Every conversation is checked by the cart it ends with.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="session")
async def home_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("games_fitness_home") as shop:
        yield shop


RESTATED = [
    ("zh", ["可调哑铃20kg的来两个", "能不能便宜点 两个300行不", "行吧 那就原价两个20kg的"], {"F1-20": 2}),
    ("zh", ["收纳凳 灰色大号 一个", "这个能坐人吗", "好的 灰色大号的要一个 先放着"], {"H1-GY-L": 1}),
    # "先放购物车 月底再买" alone keeps the cart for later (tests/dialogs/test_coupons_in_passing.py)
    ("zh", ["棉麻收纳篮40cm两个", "好 40cm的两个 月底再买"], {"H2-40": 2}),
    ("en", ["2 yoga mats, 10mm", "are they non-slip?", "ok the 10mm yoga mats, 2 please"], {"F2-10": 2}),
    ("en", ["add the deluxe werewolf party game", "fine, i'll take the deluxe one"], {"G1-DLX": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), RESTATED, ids=lambda v: str(v)[:40])
async def test_a_purchase_said_again_keeps_the_line(
    home_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(home_shop, lang, lines, who="restated")
    assert talk.cart == expected, talk.transcript()
    assert ("已经在购物车" if lang == "zh" else "already in your cart") in talk.said(), talk.transcript()


COUNT_SAID_AGAIN = [
    ("zh", ["瑜伽垫 6mm 两张", "一张就够了"], {"F2-6": 1}),
    ("zh", ["瑜伽垫6mm的两张", "10mm的有货吗", "那6mm的改成三张吧"], {"F2-6": 3}),
    ("zh", ["两个灰色收纳凳 一个大号一个小号"], {"H1-GY-L": 1, "H1-GY-S": 1}),
    ("en", ["the 10kg adjustable dumbbell please", "just one"], {"F1-10": 1}),
    ("en", ["3 cotton rope baskets 40cm", "actually only 2 baskets"], {"H2-40": 2}),
    ("en", ["two deluxe werewolf party games", "hmm one is enough"], {"G1-DLX": 1}),
    ("en", ["3 cotton rope baskets 30cm", "no wait, i only need one"], {"H2-30": 1}),
    ("en", ["two standard werewolf party games", "one's enough actually"], {"G1-STD": 1}),
    ("zh", ["收纳篮30cm三个", "只需要一个"], {"H2-30": 1}),
    ("en", ["two grey storage stools, one small and one large"], {"H1-GY-S": 1, "H1-GY-L": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), COUNT_SAID_AGAIN, ids=lambda v: str(v)[:40])
async def test_a_count_said_again_sets_the_line(
    home_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(home_shop, lang, lines, who="recount")
    assert talk.cart == expected, talk.transcript()


MORE = [
    ("zh", ["哑铃10kg一个", "再来一个10kg的"], {"F1-10": 2}),
    ("zh", ["瑜伽垫10mm一张", "能防滑吗", "10mm的再拿一张"], {"F2-10": 2}),
    ("en", ["i'll buy the deluxe werewolf party game", "one more of those"], {"G1-DLX": 2}),
    ("en", ["add a 30cm cotton rope basket", "how big is it?", "add another 30cm basket"], {"H2-30": 2}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), MORE, ids=lambda v: str(v)[:40])
async def test_words_of_more_still_add(home_shop: Any, lang: str, lines: list[str], expected: dict[str, int]) -> None:
    talk = await converse(home_shop, lang, lines, who="more")
    assert talk.cart == expected, talk.transcript()


ZH_ADDRESS = "王磊 13800138000 上海市徐汇区漕溪北路88号"
EN_ADDRESS = "Tom Lee 13800138000 88 Caoxi North Rd, Xuhui District, Shanghai"
AT_CHECKOUT = [
    ("zh", ["瑜伽垫6mm两张", "去结算", "一张就够"], {"F2-6": 1}),
    ("zh", ["可调哑铃20kg一个", "去结算", ZH_ADDRESS, "快递", "一个就行"], {"F1-20": 1}),
    ("en", ["two deluxe werewolf games", "checkout", EN_ADDRESS, "wait, only one werewolf game"], {"G1-DLX": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), AT_CHECKOUT, ids=lambda v: str(v)[:40])
async def test_a_count_said_at_checkout_is_the_lines_count(
    home_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(home_shop, lang, lines, who="checkout-count")
    assert talk.cart == expected, talk.transcript()
    assert ("继续刚才的步骤" if lang == "zh" else "back to where we were") in talk.said(), talk.transcript()


LISTS = [
    ("en", ["add 2 yoga mats 10mm", "so 2 yoga mats 10mm and one 20kg dumbbell"], {"F2-10": 2, "F1-20": 1}),
    ("zh", ["瑜伽垫10mm两张", "瑜伽垫10mm两张 再加一个20kg的哑铃"], {"F2-10": 2, "F1-20": 1}),
    ("zh", ["瑜伽垫10mm两张", "瑜伽垫10mm再来两张 还有一个20kg的哑铃"], {"F2-10": 4, "F1-20": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), LISTS, ids=lambda v: str(v)[:40])
async def test_a_list_adds_only_what_is_new(
    home_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(home_shop, lang, lines, who="relist")
    assert talk.cart == expected, talk.transcript()
