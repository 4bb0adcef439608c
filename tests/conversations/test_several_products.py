"""Buying messages that name several products, and a product named in the message that is not
the one on screen - on the books / coffee / sneakers catalog (conftest.custom_shop), which the
flows were not written for.

"a samba in 39 and the espresso beans" adds both; a part that lacks an option (三体: 平装 or 精装?)
is asked about after the others are added; "both" / "都来一个" means the products just shown.
"the 1kg one" or "新百伦574藏青色42码的" while another product is on screen means that other product.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conversations.talk import converse

SEVERAL_IN_ONE_MESSAGE = [
    ("zh", ["三体平装和百年孤独各来一本"], {"B1-PB": 1, "B2-1": 1}),
    ("zh", ["来一包耶加雪菲500g，再来一盒胶囊咖啡"], {"C1-500": 1, "C3-1": 1}),
    ("zh", ["百年孤独两本 还有意式浓缩咖啡豆一包"], {"B2-1": 2, "C2-1": 1}),
    ("zh", ["阿迪达斯samba 39码、胶囊咖啡两盒"], {"S2-39": 1, "C3-1": 2}),
    ("zh", ["我要新百伦574灰色42码跟三体精装"], {"S3-GR-42": 1, "B1-HC": 1}),
    ("zh", ["百年孤独两本胶囊咖啡一盒"], {"B2-1": 2, "C3-1": 1}),
    ("zh", ["来两盒胶囊咖啡一本百年孤独"], {"C3-1": 2, "B2-1": 1}),
    ("en", ["a samba in 39 and the espresso beans"], {"S2-39": 1, "C2-1": 1}),
    ("en", ["I'll take one hundred years of solitude and 2 packs of coffee capsules"], {"B2-1": 1, "C3-1": 2}),
    ("en", ["add the yirgacheffe 500g plus the samba in 40"], {"C1-500": 1, "S2-40": 1}),
    ("en", ["new balance 574 navy 42 & adidas samba size 40 pls"], {"S3-NV-42": 1, "S2-40": 1}),
    ("en", ["can i get espresso beans, coffee capsules and a samba size 38"], {"C2-1": 1, "C3-1": 1, "S2-38": 1}),
]


@pytest.mark.parametrize(("lang", "lines", "expected"), SEVERAL_IN_ONE_MESSAGE, ids=lambda v: str(v)[:40])
async def test_one_message_adds_every_product_it_names(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    assert talk.cart == expected, talk.said()
    assert talk.turns[-1]["intent"] == "add_to_cart"
    reply = talk.said()
    assert len(talk.turns[-1]["replies"]) == 1, reply  # one summary, not a reply per product


@pytest.mark.parametrize(
    ("lang", "lines", "answer", "expected"),
    [
        ("zh", ["三体和百年孤独都来一本"], "精装", {"B1-HC": 1, "B2-1": 1}),
        ("en", ["espresso beans and the three body trilogy please"], "平装", {"C2-1": 1, "B1-PB": 1}),
        ("en", ["2 solitude and a nike air max 90 in black"], "42", {"B2-1": 2, "S1-BK-42": 1}),
    ],
)
async def test_a_part_missing_an_option_is_asked_after_the_others_are_added(
    custom_shop: Any, lang: str, lines: list[str], answer: str, expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    added_first = {sku: qty for sku, qty in expected.items() if sku in ("B2-1", "C2-1")}
    assert talk.cart == added_first, talk.said()
    offered = [button["label"] for r in talk.turns[-1]["replies"] for button in r["buttons"]]
    assert answer in offered or answer == "42"
    talk = await converse(custom_shop, lang, [*lines, answer], who="several")
    assert talk.cart == expected, talk.said()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["add a black 42 and a white 44 nike air max 90"], {"S1-BK-42": 1, "S1-WH-44": 1}),
        ("zh", ["耐克Air Max 90 黑色42码一双 白色44码一双"], {"S1-BK-42": 1, "S1-WH-44": 1}),
        ("zh", ["阿迪达斯samba", "38和40的各来一双"], {"S2-38": 1, "S2-40": 1}),
        ("en", ["show me the nike air max 90", "two black 42 and one white 44 please"], {"S1-BK-42": 2, "S1-WH-44": 1}),
        ("zh", ["新百伦574", "灰色和藏青色的42码各一双"], {"S3-GR-42": 1, "S3-NV-42": 1}),
    ],
)
async def test_several_versions_of_one_product(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    assert talk.cart == expected, talk.said()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["add the nike air max 90 black, size 42"], {"S1-BK-42": 1}),
        ("zh", ["耐克Air Max 90 黑色 42码 来一双"], {"S1-BK-42": 1}),
    ],
)
async def test_options_of_different_kinds_are_one_version(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    assert talk.cart == expected, talk.said()


@pytest.mark.parametrize(
    ("lang", "lines"),
    [("en", ["coffee", "the first and the third one please"]), ("zh", ["咖啡", "第一个和第三个都要"])],
)
async def test_the_first_and_the_third_of_a_list(custom_shop: Any, lang: str, lines: list[str]) -> None:
    """ "coffee" lists the yirgacheffe (weights to choose), the espresso and the capsules (in the order
    of the shop's sales so far)."""
    talk = await converse(custom_shop, lang, lines, who="several")
    listed = [b["payload"].partition(":")[2] for r in talk.turns[0]["replies"] for b in r["buttons"]]
    assert len(listed) == 3, talk.said(0)
    skus = {"C2": "C2-1", "C3": "C3-1"}
    meant = [listed[0], listed[2]]
    assert talk.cart == {skus[code]: 1 for code in meant if code in skus}, talk.said()
    if "C1" in meant:
        assert "Weight" in talk.said() or "weight" in talk.said() or "重量" in talk.said()


async def test_more_than_in_stock_is_said_with_what_can_be_had(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "en", ["2 white 44 nike air max 90 and a samba size 40"], who="several")
    assert talk.cart == {"S2-40": 1}, talk.said()
    assert any(b["label"] == "Add 1" for r in talk.turns[-1]["replies"] for b in r["buttons"]), talk.said()


async def test_a_sold_out_part_is_said_and_the_rest_added(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "en", ["fluent python and one hundred years of solitude please"], who="several")
    assert talk.cart == {"B2-1": 1}
    assert "Fluent Python" in talk.said()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("en", ["compare the espresso beans and the coffee capsules", "ok I'll take both"], {"C2-1": 1, "C3-1": 1}),
        ("zh", ["意式浓缩咖啡豆和胶囊咖啡有什么区别", "那两个都来一份"], {"C2-1": 1, "C3-1": 1}),
        ("zh", ["意式浓缩咖啡豆和胶囊咖啡有什么区别", "各来两个"], {"C2-1": 2, "C3-1": 2}),
        (
            "en",
            ["difference between the espresso beans and the coffee capsules", "one of each please"],
            {"C2-1": 1, "C3-1": 1},
        ),
    ],
)
async def test_both_means_the_products_just_shown(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    assert talk.cart == expected, talk.said()


async def test_an_and_inside_one_option_is_not_two_products(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "en", ["yirgacheffe 250g, ground please"], who="several")
    assert talk.cart == {"C1-250G": 1}, talk.said()


# --- a product named in the message beats the one on screen -------------------------------------


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["耐克运动鞋", "那把新百伦574藏青色42码的加购物车"], {"S3-NV-42": 1}),
        ("zh", ["流畅的Python什么时候有货", "那先把意式浓缩咖啡豆加购物车"], {"C2-1": 1}),
        ("zh", ["三体", "那要500g的咖啡豆 加购物车"], {"C1-500": 1}),
        ("en", ["show me the nike air max 90", "actually add the samba in size 38 instead"], {"S2-38": 1}),
        ("en", ["when is fluent python back in stock", "fine, the 1kg one then, add to cart"], {"C2-1": 1}),
        ("en", ["the three body trilogy", "hmm add the capsules instead"], {"C3-1": 1}),
    ],
)
async def test_a_product_named_in_the_message_beats_the_one_on_screen(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    assert talk.cart == expected, talk.said()


@pytest.mark.parametrize(
    ("lang", "lines", "expected"),
    [
        ("zh", ["耐克Air Max 90 黑色42码 来一双", "白的44也来一双"], {"S1-BK-42": 1, "S1-WH-44": 1}),
        ("zh", ["阿迪达斯samba 38码的来一双", "再来一双39的"], {"S2-38": 1, "S2-39": 1}),
        ("en", ["add a nike air max 90 black 42", "a white 44 too"], {"S1-BK-42": 1, "S1-WH-44": 1}),
    ],
)
async def test_only_options_named_stay_on_the_product_just_added(
    custom_shop: Any, lang: str, lines: list[str], expected: dict[str, int]
) -> None:
    talk = await converse(custom_shop, lang, lines, who="several")
    assert talk.cart == expected, talk.said()


async def test_asking_to_be_told_when_it_is_back_stays_on_the_sold_out_product(custom_shop: Any) -> None:
    talk = await converse(
        custom_shop, "en", ["when is fluent python back in stock", "can you let me know when it's back"], who="several"
    )
    assert "Fluent Python" in talk.said()


async def test_an_option_of_the_product_on_screen_stays_on_it(custom_shop: Any) -> None:
    talk = await converse(custom_shop, "en", ["yirgacheffe coffee beans", "the 500g one, add to cart"], who="several")
    assert talk.cart == {"C1-500": 1}, talk.said()
