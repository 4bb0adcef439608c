"""Numbers as customers write them: 12, 1,299.00, 两百五, 十二, 一千五, 1.5万, 2k, twenty."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "壹": 1,
    "幺": 1,
    "二": 2,
    "贰": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "萬": 10_000, "亿": 100_000_000}

CN_NUMERAL_CHARS = "".join([*_CN_DIGITS, *_CN_UNITS, *_CN_BIG])
# Arabic digits with an optional multiplier ("1,299.00", "1.5万", "2k"), or a Chinese numeral.
ARABIC_NUMBER_PATTERN = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?[kKwW](?![a-zA-Z])|[十百千万])?"
CHINESE_NUMBER_PATTERN = rf"[{CN_NUMERAL_CHARS}]+"
NUMBER_PATTERN = rf"(?<![a-zA-Z0-9.]){ARABIC_NUMBER_PATTERN}|{CHINESE_NUMBER_PATTERN}"
_ARABIC = re.compile(r"^((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s?([kKwW十百千万])?$")

EN_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "a dozen": 12,
    "dozen": 12,
}
_MULTIPLIERS = {"k": 1000, "w": 10_000, "十": 10, "百": 100, "千": 1000, "万": 10_000}


def parse_chinese_integer(text: str) -> int | None:
    """Parse a pure Chinese numeral; None when it is not one.

    Handles the colloquial shortenings: 两百五 = 250, 一千五 = 1500, 一万二 = 12000, and
    digit-by-digit readings such as 二零二六 = 2026.
    """
    if not text or any(char not in CN_NUMERAL_CHARS for char in text):
        return None
    if all(char in _CN_DIGITS for char in text):
        value = 0
        for char in text:
            value = value * 10 + _CN_DIGITS[char]
        return value
    total = 0
    section = 0
    number: int | None = None
    last_unit = 0
    previous_was_unit = False
    digit_after_unit = False
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
            if digit == 0:  # 一百零五: an explicit zero cancels the 两百五-style shortening
                number, last_unit, previous_was_unit, digit_after_unit = None, 0, False, False
                continue
            number = digit
            digit_after_unit = previous_was_unit
            previous_was_unit = False
        elif char in _CN_UNITS:
            section += (number if number is not None else 1) * _CN_UNITS[char]
            number, last_unit, previous_was_unit, digit_after_unit = None, _CN_UNITS[char], True, False
        else:
            section += number or 0
            total += (section or 1) * _CN_BIG[char]
            section, number = 0, None
            last_unit, previous_was_unit, digit_after_unit = _CN_BIG[char], True, False
    if number is not None and digit_after_unit and last_unit >= 10:
        # 两百五 / 一万二: a trailing digit right after a unit is one order of magnitude lower.
        number *= last_unit // 10
    return total + section + (number or 0)


def parse_number(text: str) -> Decimal | None:
    """Parse Arabic (with thousands separators and k/w/万 multipliers) or Chinese numerals."""
    text = text.strip()
    if not text:
        return None
    match = _ARABIC.match(text)
    if match:
        try:
            value = Decimal(match.group(1).replace(",", ""))
        except InvalidOperation:
            return None
        suffix = (match.group(2) or "").lower()
        return value * _MULTIPLIERS[suffix] if suffix else value
    lowered = text.lower()
    if lowered in EN_NUMBER_WORDS:
        return Decimal(EN_NUMBER_WORDS[lowered])
    integer = parse_chinese_integer(text)
    return Decimal(integer) if integer is not None else None


def decimal_to_string(value: Decimal) -> str:
    """Plain decimal string without exponent or needless trailing zeros: 200, 49.9, 15000."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")
