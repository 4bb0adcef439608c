"""Splitting a buying message into the products it names (dialogs/flows/several.py), text only."""

from __future__ import annotations

import pytest

from dialogs.flows.several import buys_several, names_each, split_parts


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("olive tent and a headlamp", ["olive tent", "headlamp"]),
        ("ok i'll get the cleanser and the 200ml micellar water", ["cleanser", "200ml micellar water"]),
        ("那都来一个 精华要30的 防晒要50的", ["精华 30", "防晒 50"]),
        ("三体平装和百年孤独各来一本", ["三体平装", "百年孤独"]),
        ("马克杯两个头灯一个", ["马克杯", "头灯"]),
        ("来两个马克杯一个头灯", ["马克杯", "头灯"]),
        ("a mug, a cutting board & 2 tumblers", ["mug", "cutting board", "tumblers"]),
        ("保温杯、马克杯；砧板", ["保温杯", "马克杯", "砧板"]),
        ("背包 还有 头灯", ["背包", "头灯"]),
        # one product: options, counts and colours around it are not products of their own
        ("冰袖 黑色M 两副", ["冰袖 黑色m"]),
        ("白色保温杯500的 来两个", ["白色保温杯500"]),
        ("black and white tumblers", ["black white tumblers"]),
        ("玻尿酸精华30ml 一瓶", ["玻尿酸精华30ml"]),
    ],
)
def test_parts_name_one_product_each(text: str, words: list[str]) -> None:
    assert [part.words.lower() for part in split_parts(text)] == words


@pytest.mark.parametrize(
    ("text", "several"),
    [
        ("olive tent and a headlamp", True),
        ("tent and headlamp pls", True),
        ("马克杯和头灯各来一个", True),
        ("我要背包跟头灯", True),
        ("do you have tents and headlamps?", False),
        ("show me tents and chairs", False),
        ("有没有帐篷和头灯", False),
        ("保温杯 黑色 一个", False),
        ("tents and headlamps", False),  # a search for both kinds, not a shopping list
    ],
)
def test_a_shopping_list_is_told_from_a_search(text: str, several: bool) -> None:
    assert buys_several(text) is several


@pytest.mark.parametrize(
    ("text", "each"),
    [
        ("那两个都来一份", True),
        ("各来两个", True),
        ("I'll take both", True),
        ("one of each please", True),
        ("都不要了", False),
        ("就要这个", False),
    ],
)
def test_each_words(text: str, each: bool) -> None:
    assert names_each(text) is each
