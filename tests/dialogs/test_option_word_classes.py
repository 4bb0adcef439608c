"""Option values named by a word of their class (occasions, grades, editions, parts), in pinyin,
or by what they lack: pure checks of `mentioned_values` on values of an unseen catalog."""

from __future__ import annotations

import pytest

from dialogs.references import mentioned_values, read_pinyin

CLASS_WORDS = [
    # occasions
    ("想要生日的", ["Birthday", "Anniversary", "Wedding"], ["Birthday"]),
    ("结婚纪念日用", ["Birthday", "Anniversary", "Wedding"], ["Anniversary"]),
    ("告白用的", ["Love", "Graduation", "Thank You"], ["Love"]),
    ("感谢老师的", ["Love", "Graduation", "Thank You"], ["Thank You"]),
    ("the birthday one", ["生日款", "圣诞款"], ["生日款"]),
    ("for christmas", ["生日款", "圣诞款"], ["圣诞款"]),
    # grades
    ("premium grade please", ["特级", "一级", "二级"], ["特级"]),
    ("first grade", ["特级", "一级", "二级"], ["一级"]),
    ("一级的", ["Premium", "First Grade"], ["First Grade"]),
    # cuts named by the meat
    ("chicken please", ["鸡胸肉", "牛肉粒", "鸭胸肉"], ["鸡胸肉"]),
    ("duck one", ["鸡胸肉", "牛肉粒", "鸭胸肉"], ["鸭胸肉"]),
    # editions and parts
    ("the basic one", ["12件套 基础款", "30件套 专业款"], ["12件套 基础款"]),
    ("专业版", ["Basic", "Pro"], ["Pro"]),
    ("要双头的", ["Single head", "Dual head"], ["Dual head"]),
    ("two tier", ["单层", "双层"], ["双层"]),
    ("双面的", ["Single sided", "Double sided"], ["Double sided"]),
]


@pytest.mark.parametrize(("text", "values", "named"), CLASS_WORDS)
def test_a_word_of_the_class_names_the_value(text: str, values: list[str], named: list[str]) -> None:
    assert mentioned_values(text, values) == named


PINYIN = [
    ("yiji de", ["特级", "一级", "二级"], ["一级"]),
    ("teji", ["特级", "一级", "二级"], ["特级"]),
    ("jichu款", ["12件套 基础款", "30件套 专业款"], ["12件套 基础款"]),
    ("shengri de", ["Birthday", "Love"], ["Birthday"]),
]


@pytest.mark.parametrize(("text", "values", "named"), PINYIN)
def test_a_value_typed_in_pinyin(text: str, values: list[str], named: list[str]) -> None:
    assert mentioned_values(read_pinyin(text, "zh"), values) == named


NEGATED = [
    ("no heat", ["带加热 With heat", "无加热 Without heat"], ["无加热 Without heat"]),
    ("with no heat", ["带加热 With heat", "无加热 Without heat"], ["无加热 Without heat"]),
    ("不带加热的", ["带加热 With heat", "无加热 Without heat"], ["无加热 Without heat"]),
    ("没有加热的", ["带加热 With heat", "无加热 Without heat"], ["无加热 Without heat"]),
    ("带加热的", ["带加热 With heat", "无加热 Without heat"], ["带加热 With heat"]),
    ("with heat", ["带加热 With heat", "无加热 Without heat"], ["带加热 With heat"]),
    ("no lid", ["with lid", "without lid"], ["without lid"]),
    ("不要盖子的", ["带盖", "无盖"], ["无盖"]),
    ("没盖的", ["带盖", "无盖"], ["无盖"]),
    ("有盖的", ["带盖", "无盖"], ["带盖"]),
    ("without the lid", ["with lid", "without lid"], ["without lid"]),
    ("lid-free", ["with lid", "without lid"], ["without lid"]),
]


@pytest.mark.parametrize(("text", "values", "named"), NEGATED)
def test_a_value_named_by_what_it_lacks(text: str, values: list[str], named: list[str]) -> None:
    assert mentioned_values(text, values) == named
