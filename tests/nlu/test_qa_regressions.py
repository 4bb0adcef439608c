"""Misreadings found by the QA pass through real conversations, plus unseen variants of each.

Each case asserts the intent lies in an acceptable set: the point is that the message is never
read as the clearly wrong intent (paging as goodbye, "a couple" as a coupon, an address as tracking).
"""

from __future__ import annotations

import pytest

from nlu.builtin import BuiltinNluEngine
from nlu.catalog_only import is_catalog_reference
from nlu.emoji import sentiment_tokens
from nlu.engine import Entity
from nlu.noise import is_repetitive

SEARCH = {"search_product"}
PRODUCT = {"product_info", "search_product"}
CART = {"add_to_cart"}
CART_EDIT = {"add_to_cart", "view_cart"}
SPEC = {"product_info", "add_to_cart"}
ADDRESS = {"change_address", "nlu_fallback"}
AFTERSALES = {"refund", "return_goods"}
PAY = {"pay"}  # the intent whose training data covers "which payment methods"

CASES: list[tuple[str, set[str]]] = [
    # paging continues a product listing (the dialog layer pages); never goodbye
    ("下一页", SEARCH | {"nlu_fallback"}),
    ("next page", SEARCH | {"nlu_fallback"}),
    ("再下一页", SEARCH | {"nlu_fallback"}),
    ("show the next page", SEARCH | {"nlu_fallback"}),
    ("再来一双", CART),
    ("再来三个", CART),
    ("one more pair please", CART),
    ("新百伦 574", SEARCH),
    ("阿迪达斯 4D", SEARCH),
    ("Anta 2024", SEARCH),
    ("what payment methods do you accept?", PAY),
    ("cash on delivery", PAY),
    ("可以货到付款么", PAY),
    ("the cheaper one", PRODUCT),
    ("the cheapest one?", PRODUCT),
    ("a couple", CART),
    ("a couple please", CART),
    ("白色 M码", SPEC),
    ("black, size L", SPEC),
    ("粉色 XL码", SPEC),
    ("green, size 40", SPEC),
    ("i changed my mind, add the espresso one instead", CART),
    ("王五 13600001234 北京市海淀区中关村大街1号", ADDRESS),
    ("科技园南区深南大道10000号", ADDRESS),
    ("成都市武侯区人民南路四段12号", ADDRESS),
    ("电话是 1381234", ADDRESS),
    ("快递", {"shipping_info"}),
    ("售后进度怎么样了", AFTERSALES),
    ("我的售后处理到哪了", AFTERSALES),
    ("第二件改成3件", CART_EDIT),
    ("第一个改成两件", CART_EDIT),
    ("absolutely furious 😡", {"complaint"}),
    ("really angry 😠", {"complaint"}),
    ("return my payment", {"refund"}),
    ("kill my order", {"cancel_order"}),
    ("nihao", {"greet"}),
    ("gouwuche", {"view_cart"}),
]


@pytest.mark.parametrize(("text", "acceptable"), CASES)
def test_qa_misreadings_are_fixed(engine: BuiltinNluEngine, text: str, acceptable: set[str]) -> None:
    result = engine.parse_sync(text)
    assert result.intent.name in acceptable, (text, result.intent)


@pytest.mark.parametrize("text", ["下一页", "next page", "再来一双", "新百伦 574"])
def test_follow_ups_are_never_goodbye(engine: BuiltinNluEngine, text: str) -> None:
    assert engine.parse_sync(text).intent.name != "goodbye"


def test_stuck_key_message_falls_back(engine: BuiltinNluEngine) -> None:
    assert engine.parse_sync("我" * 300).intent.name == "nlu_fallback"
    assert engine.parse_sync("啊啊 " * 40).intent.name == "nlu_fallback"


def test_repetition_check_keeps_ordinary_messages() -> None:
    assert is_repetitive("我" * 30)
    assert not is_repetitive("我" * 29)
    assert not is_repetitive("我想买一双白色的跑步鞋，预算五百块左右，有推荐的吗？谢谢你们")


def test_emoji_sentiment_tokens() -> None:
    assert sentiment_tokens("气死了😡🤬") == ["neg", "neg"]
    assert sentiment_tokens("好的👍") == ["pos"]
    assert sentiment_tokens("plain text") == []


def _brand(start: int, end: int) -> Entity:
    return Entity("brand", "x", start, end, "lookup", "x")


def test_catalog_reference_shape() -> None:
    assert is_catalog_reference("新百伦 574", [_brand(0, 3)])
    assert is_catalog_reference("Nike Air Max 90", [_brand(0, 4)])
    assert not is_catalog_reference("新百伦 574", [])
    assert not is_catalog_reference("新百伦坏了", [_brand(0, 3)])
    assert not is_catalog_reference("nike ok", [_brand(0, 4)])
