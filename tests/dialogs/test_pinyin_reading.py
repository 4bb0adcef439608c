"""Chinese words typed in pinyin are read back in Chinese before the message is understood."""

from __future__ import annotations

import pytest

from dialogs.references import read_pinyin

READ_BACK = [
    # glued to Chinese
    ("那个dingdan取消吧", "那个订单取消吧"),
    ("白色的shandiao", "白色的删掉"),
    ("黑色的haiyao一个", "黑色的还要一个"),
    ("要3个 jiezhang", "要3个 结账"),
    ("yao5支红色的", "要5支红色的"),
    # a whole message in pinyin in a Chinese conversation
    ("ni hao wo xiang mai dongxi", "你好我想买东西"),
    ("bu xu yao le", "不需要了"),
    ("wo de dingdan dao na le", "我的订单到哪了"),
    # option words of the lexicon
    ("要junlvse的", "要军绿色的"),
    ("xiaohao 两件", "小号 两件"),
    ("要zangqing的 L码", "要藏青的 L码"),
]

LEFT_AS_TYPED = [
    "thank you 谢谢",  # English around Chinese
    "我要iphone 15 pro",  # a product name
    "M码 ok",  # sizes and "ok"
    "3x3的魔方",  # a value written with digits
    "Li Na 13812345678 北京市朝阳区",  # a name with capitals
    "you有货吗",  # an English word that is also pinyin, alone
]


@pytest.mark.parametrize(("typed", "read"), READ_BACK)
def test_pinyin_words_are_read_in_chinese(typed: str, read: str) -> None:
    assert read_pinyin(typed, "zh") == read


@pytest.mark.parametrize("typed", LEFT_AS_TYPED)
def test_what_is_not_surely_pinyin_stays(typed: str) -> None:
    assert read_pinyin(typed, "zh") == typed


@pytest.mark.parametrize("typed", ["hao de", "bu yong", "i want two", "make it two please", "dark roast"])
def test_an_english_conversation_is_never_rewritten(typed: str) -> None:
    assert read_pinyin(typed, "en") == typed


def test_english_words_in_a_chinese_conversation_stay() -> None:
    for typed in ("ok", "checkout", "i want two", "nope", "dark roast"):
        assert read_pinyin(typed, "zh") == typed


def test_pinyin_mixed_with_product_words_keeps_them_for_the_search() -> None:
    assert read_pinyin("wo yao liang ge lu ying shui hu", "zh").startswith("我要两个")


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # a whole message in pinyin: "you" / "ma" around a product name in pinyin are 有 / 吗
        ("you diandong yashua ma", "有 diandong yashua 吗"),
        # a count's two syllables read together though the words after it are not listed
        ("yao yi tao ji yong", "要一套 ji yong"),
        ("yao liang ge bisai mofang", "要两个 bisai mofang"),
    ],
)
def test_a_message_all_in_pinyin_reads_its_listed_words(typed: str, read: str) -> None:
    assert read_pinyin(typed, "zh") == read


@pytest.mark.parametrize("typed", ["you can pan", "hello you there", "thank you"])
def test_only_english_looking_words_are_no_pinyin_message(typed: str) -> None:
    assert read_pinyin(typed, "zh") == typed
