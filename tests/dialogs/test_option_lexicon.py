"""The option lexicon (dialogs/option_words.yml) read the way customers write option words.

Pure checks of `mentioned_values` and `quantity_in`: each row is a customer's words, the values
one option of an unseen catalog offers, and the value (or count) those words name.
"""

from __future__ import annotations

import pytest

from dialogs.references import mentioned_values, quantity_in, spellings, unit_spellings, without_named_values

OTHER_LANGUAGE = [
    # flavours
    ("香草味的 两瓶", ["original", "vanilla", "hazelnut"], ["vanilla"]),
    ("原味就好", ["original", "vanilla", "hazelnut"], ["original"]),
    ("hazelnut please", ["原味", "香草", "榛子"], ["榛子"]),
    ("chicken treats x1", ["鸡肉", "三文鱼"], ["鸡肉"]),
    ("三文鱼味的", ["chicken", "salmon"], ["salmon"]),
    ("抹茶的", ["matcha", "strawberry"], ["matcha"]),
    ("sugar free one", ["无糖", "全糖"], ["无糖"]),
    # colours and shades
    ("kraft notebooks", ["牛皮色", "黑色"], ["牛皮色"]),
    ("clear case", ["透明", "磨砂黑"], ["透明"]),
    ("the black one", ["透明", "磨砂黑"], ["磨砂黑"]),
    ("oatmeal please", ["燕麦色", "藏青", "卡其"], ["燕麦色"]),
    ("the khaki one", ["燕麦色", "藏青", "卡其"], ["卡其"]),
    ("navy", ["燕麦色", "藏青", "米色"], ["藏青"]),
    ("米色的", ["oatmeal", "beige", "navy"], ["beige"]),
    ("藏青色", ["oatmeal", "beige", "navy"], ["navy"]),
    # roasts
    ("浅烘的", ["light", "medium", "dark"], ["light"]),
    ("dark roast", ["浅烘", "中烘", "深烘"], ["深烘"]),
    ("medium please", ["浅烘", "中烘", "深烘"], ["中烘"]),
    # materials
    ("cotton one", ["纯棉", "竹纤维"], ["纯棉"]),
    ("不锈钢的", ["stainless steel", "glass"], ["stainless steel"]),
    ("ceramic", ["陶瓷", "玻璃"], ["陶瓷"]),
    ("玻璃的", ["ceramic", "glass"], ["glass"]),
    ("真皮的", ["leather", "canvas"], ["leather"]),
    # units
    ("the 2m one", ["1米", "2米"], ["2米"]),
    ("两米的", ["1m", "2m"], ["2m"]),
    ("12瓦的", ["9W", "12W"], ["12W"]),
    ("the 10 pack", ["10包", "20包"], ["10包"]),
    ("20袋的", ["10 bags", "20 bags"], ["20 bags"]),
    ("500毫升", ["350ml", "500ml"], ["500ml"]),
    ("256G的", ["128GB", "256GB"], ["256GB"]),
]


@pytest.mark.parametrize(("text", "values", "named"), OTHER_LANGUAGE)
def test_values_named_in_either_language(text: str, values: list[str], named: list[str]) -> None:
    assert mentioned_values(text, values) == named


SPACING = [
    ("iphone15 clear please", ["iPhone 15", "iPhone 15 Pro"], ["iPhone 15"]),
    ("15pro 透明的", ["iPhone 15", "iPhone 15 Pro"], ["iPhone 15 Pro"]),
    ("iphone 15 pro的", ["iPhone 15", "iPhone 15 Pro"], ["iPhone 15 Pro"]),
    ("IPHONE 15", ["iPhone 15", "iPhone 15 Pro"], ["iPhone 15"]),
    ("s24 ultra", ["Galaxy S24", "Galaxy S24 Ultra"], ["Galaxy S24 Ultra"]),
    ("off white", ["Off-White", "Black"], ["Off-White"]),
]


@pytest.mark.parametrize(("text", "values", "named"), SPACING)
def test_values_written_with_other_spacing_or_case(text: str, values: list[str], named: list[str]) -> None:
    assert mentioned_values(text, values) == named


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("73的吧 宝宝7个月了", None),
        ("宝宝七个月 来两件", 2),
        ("he's eight months old", None),
        ("two weeks old, two please", 2),
        ("kraft notebooks, 2 please", 2),
        ("3 pcs", 3),
    ],
)
def test_ages_and_durations_are_no_count(text: str, quantity: int | None) -> None:
    assert quantity_in(text) == quantity


def test_the_count_beside_a_value_with_a_number() -> None:
    rest = without_named_values("深烘挂耳咖啡 20包的 来两盒", ["10包", "20包"])
    assert "20" not in rest
    assert quantity_in(rest) == 2


def test_a_number_and_unit_in_other_units() -> None:
    assert {"1m", "1 m", "1 meter"} <= set(unit_spellings("1米"))
    assert {"10 pack", "10-pack", "10袋"} <= set(unit_spellings("10包"))
    assert "9瓦" in spellings("9W")
