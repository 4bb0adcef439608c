"""Clothing, shoe and storage sizes: XL, M码, 大号, 42码, size 9, EU 42, 256GB."""

from __future__ import annotations

import re

from nlu.extract.candidates import Candidate

EXTRACTOR = "chatcart.sizes"

_LETTER = re.compile(r"(?<![a-z0-9])(xxxl|xxl|xl|xs|xxs|[2-6]xl|s|m|l)(?:\s?(码|号|size))?(?![a-z0-9'’])")
_SIZE_WORD_BEFORE = re.compile(r"(?:size|尺码|尺寸|码数|穿|要|选|换成?|改成?)\s*$")
_ZH_WORD = {
    "特大号": "XXL",
    "加大号": "XL",
    "加大码": "XL",
    "大号": "L",
    "大码": "L",
    "中号": "M",
    "中码": "M",
    "小号": "S",
    "小码": "S",
    "均码": "one size",
    "one size": "one size",
    "free size": "one size",
}
_ZH_WORDS = re.compile(
    "(?:"
    + "|".join(sorted(map(re.escape, _ZH_WORD), key=len, reverse=True))
    + r")(?!\s*(?:bigger|smaller|up|down|larger))"
)
_NUMERIC = re.compile(
    r"(?:(?:size|尺码|码数|eu|us|uk)\s*(?P<a>\d{1,2}(?:\.5)?)(?![\d.])|"
    r"(?<![\d.])(?P<b>\d{2}(?:\.5)?)\s*(?:码|号(?=鞋|的鞋|脚)))"
)
_EN_WORD = re.compile(
    r"(?:size\s+(?P<a>small|medium|large|extra\s+large|x-large)\b|"
    r"(?P<b>small|medium|large|extra\s+large|x-large)\s+size\b|"
    # "exchange for small", "the red one in large please", "add 1 large in black"
    r"(?:\b(?:in|for)\s+|(?<=\d\s))(?P<c>small|medium|large|extra\s+large|x-large)"
    r"(?=\s*(?:$|[,.!?]|please|in\b|and\b)))"
)
_EN_WORD_VALUE = {"small": "S", "medium": "M", "large": "L", "extra large": "XL", "x-large": "XL"}
_STORAGE = re.compile(r"(?<![\d.])(64|128|256|512|1024)\s?(?:g|gb)(?![a-z])|(?<![\d.])([12])\s?(?:t|tb)(?![a-z])")


def find_sizes(text: str, normalized: str) -> list[Candidate]:
    found: list[Candidate] = []
    for match in _LETTER.finditer(normalized):
        letters = match.group(1)
        raw = text[match.start(1) : match.end(1)]
        if len(letters) == 1 and not (
            raw.isupper() or match.group(2) or _SIZE_WORD_BEFORE.search(normalized[: match.start()])
        ):
            continue  # a lone lower-case s/m/l is usually not a size ("i'm", "l8r")
        if len(letters) == 1 and raw.isupper() and not match.group(2):
            before = normalized[max(0, match.start() - 1) : match.start()]
            after = normalized[match.end() : match.end() + 1]
            if before in ("'", "’", "-") or after in ("-", "&"):
                continue
        found.append(Candidate("size", letters.upper(), match.start(), match.end(), EXTRACTOR))
    for match in _ZH_WORDS.finditer(normalized):
        found.append(Candidate("size", _ZH_WORD[match.group(0)], match.start(), match.end(), EXTRACTOR))
    for match in _NUMERIC.finditer(normalized):
        group = "a" if match.group("a") else "b"
        found.append(Candidate("size", match.group(group), match.start(), match.end(), EXTRACTOR))
    for match in _EN_WORD.finditer(normalized):
        group = "a" if match.group("a") else "b" if match.group("b") else "c"
        word = re.sub(r"\s+", " ", match.group(group))
        start, end = (match.start(group), match.end(group)) if group == "c" else match.span()
        found.append(Candidate("size", _EN_WORD_VALUE[word], start, end, EXTRACTOR))
    for match in _STORAGE.finditer(normalized):
        value = f"{match.group(1)}GB" if match.group(1) else f"{match.group(2)}TB"
        found.append(Candidate("size", value, match.start(), match.end(), EXTRACTOR))
    return found
