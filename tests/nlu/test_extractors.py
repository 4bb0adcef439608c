"""Each extractor on its own, through EntityExtractor (the same path parse() uses)."""

from __future__ import annotations

from typing import Any

import pytest

from nlu.extract import EntityExtractor
from nlu.training_data import load_files, training_files
from nlu.vocab import color_aliases


@pytest.fixture(scope="module")
def extractor() -> EntityExtractor:
    data = load_files(training_files())
    return EntityExtractor(data.lookups, data.synonyms)


def found(extractor: EntityExtractor, text: str, entity: str) -> list[Any]:
    return [e.value for e in extractor.extract(text) if e.entity == entity]


@pytest.mark.parametrize(
    ("text", "price_min", "price_max"),
    [
        ("有没有两百块以内的蓝牙耳机", [], ["200"]),
        ("200以内的耳机", [], ["200"]),
        ("100到300元的充电宝", ["100"], ["300"]),
        ("500以上的手机", ["500"], []),
        ("预算不超过1500", [], ["1500"]),
        ("三千到五千的电脑", ["3000"], ["5000"]),
        ("under $50 please", [], ["50"]),
        ("headphones below 200 dollars", [], ["200"]),
        ("between 100 and 300 dollars", ["100"], ["300"]),
        ("$100-$300 laptops", ["100"], ["300"]),
        ("budget is 2k", [], ["2000"]),
        ("over $500", ["500"], []),
        ("49.99 or less", [], ["49.99"]),
    ],
)
def test_prices(extractor: EntityExtractor, text: str, price_min: list[str], price_max: list[str]) -> None:
    assert found(extractor, text, "price_min") == price_min
    assert found(extractor, text, "price_max") == price_max


@pytest.mark.parametrize("text", ["3天以内能到吗", "2-3 days shipping?", "more than 2 items", "一起结算", "38到40码"])
def test_numbers_that_are_not_prices(extractor: EntityExtractor, text: str) -> None:
    assert found(extractor, text, "price_min") == []
    assert found(extractor, text, "price_max") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("来两件", [2]),
        ("我要三个", [3]),
        ("十二个", [12]),
        ("买2双42码的", [2]),
        ("要5盒", [5]),
        ("数量改成3", [3]),
        ("add 2 of the black one", [2]),
        ("i'll take three pairs", [3]),
        ("add x2", [2]),
        ("buy 4 bottles", [4]),
        ("add one more", [1]),
        ("第二个不要了", []),
        ("帮我选一个", []),
        ("三个月了还没到", []),
        ("两百块以内", []),
        ("马克杯给我来一打", [12]),
        ("来两打鸡蛋杯", [24]),
        ("半打就够了", [6]),
        ("能打折吗", []),
        ("a dozen mugs please", [12]),
        ("half a dozen mugs", [6]),
        ("two dozen cups for the office", [24]),
        ("a couple of mugs", [2]),
        ("two tubes of sunscreen", [2]),
        ("3 jars of the cream", [3]),
    ],
)
def test_quantities(extractor: EntityExtractor, text: str, expected: list[int]) -> None:
    assert found(extractor, text, "quantity") == expected


def test_chinese_quantity_span_includes_measure_word(extractor: EntityExtractor) -> None:
    [quantity] = [e for e in extractor.extract("来两件XL的") if e.entity == "quantity"]
    assert (quantity.raw, quantity.value, quantity.start, quantity.end) == ("两件", 2, 1, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("where is my order 20261125-0042?", ["20261125-0042"]),
        ("订单20261125-0042怎么还没发货", ["20261125-0042"]),
        ("订单号 202611250042123", ["202611250042123"]),
        ("my order number is 1234567890123", ["1234567890123"]),
        ("20261325-0042", []),  # month 13
        ("call 13800138000", []),  # a phone, not an order
    ],
)
def test_order_ids(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "order_id") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("快递单号SF1234567890123怎么没更新", ["SF1234567890123"]),
        ("tracking number yt1234567890123", ["YT1234567890123"]),
        ("check 1Z999AA10123456784", ["1Z999AA10123456784"]),
        ("运单号：7890123456789", ["7890123456789"]),
        ("EA123456789CN到哪了", ["EA123456789CN"]),
    ],
)
def test_tracking_numbers(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "tracking_no") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("用优惠码SAVE20", ["SAVE20"]),
        ("can I use code newuser10?", ["NEWUSER10"]),
        ("SAVE20能用吗", ["SAVE20"]),
        ("券码：VIP2026", ["VIP2026"]),
        ("RTX4090有货吗", []),
        ("I like this coupon thing", []),
    ],
)
def test_coupon_codes(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "coupon_code") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我的手机号13800138000", ["13800138000"]),
        ("电话 138-0013-8000", ["13800138000"]),
        ("+86 138 0013 8000", ["13800138000"]),
        ("call me at +1 415-555-0123", ["+14155550123"]),
        ("座机 010-62345678", ["01062345678"]),
        ("订单号 202611250042123", []),
    ],
)
def test_phones(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "phone") == expected


def test_phone_number_words_are_not_a_category(extractor: EntityExtractor) -> None:
    assert found(extractor, "我的手机号13800138000", "category") == []
    assert found(extractor, "我手机13912345678", "category") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("邮箱abc.def@qq.com", ["abc.def@qq.com"]),
        ("mail John.Doe+shop@Example.co.uk now", ["John.Doe+shop@Example.co.uk"]),
        ("not an email: a@b", []),
    ],
)
def test_emails(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "email") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有XL的吗", ["XL"]),
        ("要M码", ["M"]),
        ("大号的", ["L"]),
        ("42码的鞋", ["42"]),
        ("size 9 please", ["9"]),
        ("256G的", ["256GB"]),
        ("I'm here", []),
        ("exchange for small", ["S"]),
    ],
)
def test_sizes(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "size") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("黑色的T恤", ["黑色"]),
        ("要黑的", ["黑色"]),
        ("the black one", ["black"]),
        ("深蓝色外套", ["藏青色"]),
        ("蓝牙耳机", []),
        ("black friday deals", []),
        ("red packet 红包", ["red"]),
        ("space grey please", ["gray"]),
    ],
)
def test_colors(extractor: EntityExtractor, text: str, expected: list[str]) -> None:
    assert found(extractor, text, "color") == expected


def test_lookups_and_synonyms(extractor: EntityExtractor) -> None:
    assert found(extractor, "有没有无线耳机", "product") == ["蓝牙耳机"]
    assert found(extractor, "any wireless earbuds?", "product") == ["bluetooth headphones"]
    assert found(extractor, "苹果手机", "brand") == ["Apple"]
    assert found(extractor, "show me phone cases", "product") == ["phone case"]
    assert found(extractor, "ordered", "color") == []  # "red" inside a word


def test_catalog_vocabulary_update(extractor: EntityExtractor) -> None:
    own = EntityExtractor({}, {})
    version = own.version
    own.update_vocabulary(["Sony WH-1000XM5", "小米手环9"], ["Sony"], ["耳机"], {"索尼降噪耳机": "Sony WH-1000XM5"})
    assert own.version == version + 1
    assert found(own, "sony wh-1000xm5 有货吗", "product") == ["Sony WH-1000XM5"]
    assert found(own, "索尼降噪耳机多少钱", "product") == ["Sony WH-1000XM5"]
    assert found(own, "小米手环9", "product") == ["小米手环9"]
    [entity] = own.extract("小米手环9")
    assert entity.extractor == "chatcart.catalog"


def test_offsets_point_into_the_original_text(extractor: EntityExtractor) -> None:
    text = "ＳＡＶＥ２０优惠码，订单２０２６１１２５－００４２"  # full-width input
    for entity in extractor.extract(text):
        assert text[entity.start : entity.end] == entity.raw
    assert found(extractor, text, "order_id") == ["20261125-0042"]  # values are normalised
    assert found(extractor, text, "coupon_code") == ["SAVE20"]


def test_color_aliases_cover_both_languages() -> None:
    aliases = color_aliases()
    assert aliases["black"] == aliases["黑色"]
    assert {"黑色", "black", "黑的", "纯黑"} <= aliases["black"]
    assert "navy" in aliases["藏青色"]
    assert "深蓝" in aliases["navy"]
    assert all(canonical in forms for canonical, forms in aliases.items())
