"""Addresses, ordinals, quantities, colours and language detection from what customers type."""

from __future__ import annotations

import pytest

from dialogs.address import AddressDraft, fill_field, parse_address
from dialogs.engine import detect_language
from dialogs.references import LAST, mentioned_values, ordinal, quantity_in, strip_filler


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("张三 13800138000 上海市浦东新区世纪大道100号", ("张三", "13800138000", "上海市浦东新区", "世纪大道100号")),
        (
            "李四，13912345678，广东省深圳市南山区科技园路1号",
            ("李四", "13912345678", "广东省深圳市南山区", "科技园路1号"),
        ),
        (
            "John Smith, +86 138 0013 8000, 100 Century Ave, Pudong, Shanghai",
            ("John Smith", "13800138000", "Pudong, Shanghai", "100 Century Ave"),
        ),
    ],
)
def test_one_line_addresses(text: str, expected: tuple[str, str, str, str]) -> None:
    draft = parse_address(text)
    assert (draft.name, draft.phone, draft.region, draft.detail) == expected
    assert not draft.missing()


def test_bad_phone_is_flagged_not_swallowed() -> None:
    draft = parse_address("王五 1380013800 北京市朝阳区建国路88号")
    assert draft.phone == ""
    assert draft.phone_invalid
    assert draft.region == "北京市朝阳区"
    assert draft.detail == "建国路88号"


def test_step_by_step_fields() -> None:
    draft, ok = fill_field(AddressDraft(), "phone", "12345")
    assert not ok
    draft, ok = fill_field(draft, "phone", "138 0013 8000")
    assert ok
    assert draft.phone == "13800138000"
    draft, ok = fill_field(draft, "name", "13800")
    assert not ok


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("第二个", 2),
        ("第2款", 2),
        ("the second one", 2),
        ("#3", 3),
        ("最后一个", LAST),
        ("the last one", LAST),
        ("add number 4", 4),
        ("我要这个", None),
        ("iphone 15", None),
    ],
)
def test_ordinals(text: str, position: int | None) -> None:
    assert ordinal(text) == position


@pytest.mark.parametrize(("text", "qty"), [("要两件", 2), ("3 pcs", 3), ("x2", 2), ("来2个", 2), ("第二个", None)])
def test_quantities(text: str, qty: int | None) -> None:
    assert quantity_in(text) == qty


def test_colours_across_languages() -> None:
    assert mentioned_values("要黑色的", ["黑色", "白色"]) == ["黑色"]
    assert mentioned_values("in black please", ["黑色", "白色"]) == ["黑色"]
    assert mentioned_values("黑的", ["Black", "White"]) == ["Black"]
    assert mentioned_values("blackberry", ["Black"]) == []


def test_filler_is_stripped() -> None:
    assert strip_filler("我想买蓝牙耳机") == "蓝牙耳机"
    assert strip_filler("do you have running shoes?") == "running shoes"


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("你好", "zh"),
        ("I want headphones", "en"),
        ("airpods pro", None),
        ("2", None),
        ("ok", "en"),
    ],
)
def test_language_detection(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


def test_quantities_customers_type() -> None:
    from dialogs.references import asks_for_more, only_quantity, page_request, price_extreme, quantity_in

    assert quantity_in("两件") == 2
    assert only_quantity("两件")
    assert quantity_in("a couple more") == 2
    assert asks_for_more("a couple more")
    assert quantity_in("再来一双") == 1
    assert asks_for_more("再来一双")
    assert quantity_in("the second one") is None
    assert not only_quantity("有没有两个装的袜子")
    assert page_request("下一页") == 1
    assert page_request("previous page") == -1
    assert page_request("下一页的衣服") == 0
    assert price_extreme("最便宜的") == "min"
    assert price_extreme("the most expensive one") == "max"


def test_address_labels_and_english_one_line() -> None:
    from dialogs.address import AddressDraft, fill_field, parse_address

    assert fill_field(AddressDraft(), "name", "我叫李四")[0].name == "李四"
    assert not fill_field(AddressDraft(), "region", "welcome10")[1]  # a coupon code is not a region
    draft = parse_address("Amy Wang 13911112222 Shanghai Jing'an 1 Nanjing West Rd")
    assert (draft.name, draft.phone, draft.region, draft.detail) == (
        "Amy Wang",
        "13911112222",
        "Shanghai Jing'an",
        "1 Nanjing West Rd",
    )
    moved = parse_address("change the delivery address to 李雷 13800001111 北京市朝阳区建国路88号")
    assert (moved.name, moved.region, moved.detail) == ("李雷", "北京市朝阳区", "建国路88号")
