"""Option values named the way customers name them, on a catalog whose values are written in one
language, the other, or both at once ("带夜灯 With night light", "36寸 Travel"):

- one half of a two-language value names it ("the night light version", "带夜灯的");
- "一样大小" / "same size" keeps the option on screen while another is chosen, and the option
  words of the product on screen find no other product ("那红色的吧" is not the red mug);
- two values weighed against each other ("36和41寸哪个适合") choose neither, unless one of them is
  asked for ("那要1.7L的 我本来就在1L和1.7L之间纠结");
- a Chinese value is named by the part the other values lack ("星空的" for 星空礼盒);
- "thank you" closing a message names no "Thank You" postcard; "plushies" is the "Plush" line;
- a correction ("the white pair should be L not M") changes the line it describes, not the one
  edited last;
- a version the product lacks ("有2L的吗", "do you have them in 45") is answered with the real ones.

catalogs/bilingual_options.json is our own, not an outsider's.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from chatcart.bootstrap import Container
from tests.conversations.conftest import OpenCatalogShop
from tests.conversations.talk import converse


@pytest.fixture(scope="module")
async def bilingual_shop(open_catalog_shop: OpenCatalogShop) -> AsyncIterator[Container]:
    async with open_catalog_shop("bilingual_options") as shop:
        yield shop


CONVERSATIONS = [
    # one half of a value written in both languages
    ("en", ["eye-care desk lamp", "I'll go with the night light version please"], {"L1-NL": 1}),
    ("en", ["desk lamp", "the one without night light, add it"], {"L1-NO": 1}),
    ("zh", ["护眼台灯", "带夜灯的 来一个"], {"L1-NL": 1}),
    # keeping the other option; the card's option words are no other product
    ("zh", ["薄荷色的电水壶1L有吗", "那红色的吧 一样大小"], {"K1-RD-1": 1}),
    ("en", ["mint retro kettle 1L", "ok red then, same size please"], {"K1-RD-1": 1}),
    # weighing two sizes chooses neither; the pick after it does
    ("zh", ["桃花心木吉他", "36和41寸哪个适合初学者", "好的 那就41寸的吧", "黑色", "加入购物车"], {"M1-41-BK": 1}),
    (
        "en",
        ["mahogany guitar", "36 or 41 inch, which one is better for a teen?", "ok the 41 then", "black", "add it"],
        {"M1-41-BK": 1},
    ),
    # thanks are no product, plurals name the singular title
    ("en", ["retro electric kettle", "red 1.7L", "just one please, thank you"], {"K1-RD-17": 1}),
    (
        "en",
        ["corgi plush", "add to cart", "wooden blocks", "add to cart", "make it 2 plushies"],
        {"T1-40": 2, "T2-100": 1},
    ),
    # a Chinese value named by the part the others lack, before and after the verb of changing
    ("zh", ["香薰蜡烛礼盒", "森林礼盒来一个", "诶 还是星空的好看 换成星空的 要两个"], {"G1-STAR": 2}),
    # the value asked for among values weighed
    ("zh", ["薄荷色电水壶1L", "没货了？那要1.7L的 我本来就在1L和1.7L之间纠结"], {"K1-GN-17": 1}),
    # typos of the words of an edit ("droop teh" is "drop the")
    ("en", ["corgi plush", "add to cart", "wooden blocks", "add to cart", "droop teh blocks"], {"T1-40": 1}),
    # a correction changes the line it describes
    (
        "en",
        [
            "sport ankle socks navy L x2 and one white M",
            "make the navy ones M instead",
            "and the white pair should be L not M",
        ],
        {"W1-NV-M": 2, "W1-WH-L": 1},
    ),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), CONVERSATIONS)
async def test_the_option_the_customer_names_is_the_one_chosen(
    bilingual_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(bilingual_shop, lang, lines, who="named")
    assert talk.cart == expected, talk.transcript()


# A version the product does not come in, asked for in a unit of its options: said plainly, with
# the real ones, whether the card is on screen or not - never another product searched for.
MISSING = [
    ("zh", ["复古电水壶", "有2L的吗"], "1L / 1.7L"),
    ("zh", ["电水壶有没有2升的"], "1L / 1.7L"),
    ("en", ["retro electric kettle", "do you have a 2l one?"], "1L / 1.7L"),
    ("en", ["canvas sneakers", "do you have them in 45"], "41 / 42 / 43"),
    ("zh", ["帆布鞋有45码的吗"], "41 / 42 / 43"),
]


@pytest.mark.parametrize(("lang", "lines", "real"), MISSING)
async def test_a_missing_version_is_answered_with_the_real_ones(
    bilingual_shop: Any, lang: str, lines: list[str], real: str
) -> None:
    talk = await converse(bilingual_shop, lang, lines, who="missing")
    said = talk.said()
    assert real in said, talk.transcript()
    assert ("没有" if lang == "zh" else "doesn't come in") in said, talk.transcript()
    assert talk.cart == {}, talk.transcript()
