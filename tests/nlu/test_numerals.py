from __future__ import annotations

from decimal import Decimal

import pytest

from nlu.numerals import decimal_to_string, parse_chinese_integer, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十", 20),
        ("两百", 200),
        ("两百五", 250),
        ("一千五", 1500),
        ("一千五百", 1500),
        ("一百零五", 105),
        ("一万二", 12000),
        ("三万五千", 35000),
        ("二零二六", 2026),
        ("两", 2),
        ("壹佰", 100),
    ],
)
def test_chinese_integers(text: str, expected: int) -> None:
    assert parse_chinese_integer(text) == expected


def test_non_numerals_are_rejected() -> None:
    assert parse_chinese_integer("你好") is None
    assert parse_chinese_integer("") is None
    assert parse_number("abc") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("200", "200"),
        ("1,299.00", "1299"),
        ("49.90", "49.9"),
        ("2k", "2000"),
        ("1.5万", "15000"),
        ("3千", "3000"),
        ("两百", "200"),
        ("twenty", "20"),
    ],
)
def test_parse_number_to_decimal_string(text: str, expected: str) -> None:
    value = parse_number(text)
    assert value is not None
    assert decimal_to_string(value) == expected


def test_decimal_to_string_has_no_exponent() -> None:
    assert decimal_to_string(Decimal("1E+3")) == "1000"
