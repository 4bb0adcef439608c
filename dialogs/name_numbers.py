"""Numbers that belong to a product's name, read from the catalog's own titles.

"Nine-Shade Eyeshadow Palette", "Two-Person Tent", "Light Sunscreen SPF50", "Gel Pens (12-pack)",
"纯棉四件套", "钢化膜（两片装）": a customer who types the name types its number too ("1 nine-shade
palette", "Two-Person Tent pls", "sunscreen spf50 the 100ml one", "四件套来两套"), and that number is
neither how many they want nor an option value. A title's number is a name number where it stands
beside the same neighbour as in the title ("nine" before "shade", "50" glued to "spf", 四 before 件),
in any spelling of the number (nine / 9, two / 2, 四 / 4); the same number elsewhere ("two olive
Two-Person Tents": the first "two") is still a count. Nothing here knows a catalog: any title works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from nlu.numerals import CN_NUMERAL_CHARS, EN_NUMBER_WORDS, parse_chinese_integer

# Words customers count in: "2 packs" of a "(2-pack)" product are two of them, not its name.
_COUNTING_WORDS = frozenset(
    {"pack", "piece", "pc", "unit", "item", "set", "pair", "box", "bottle", "bag", "can", "roll", "tube", "jar"}
)
# Words too common to tell a name: "the" of "The Three-Body Problem" is beside "three" in any sentence.
_NOT_NEIGHBOURS = frozenset({"the", "a", "an", "of", "and", "for", "with", "in", "on", "to", "by", "x", "or"})
_WORD_NUMBERS = {word: value for word, value in EN_NUMBER_WORDS.items() if " " not in word}
_LATIN_CHUNK = re.compile(r"[a-z0-9]+(?:\.\d+)?")
_HAN_NUMERAL = re.compile(rf"\d+|[{CN_NUMERAL_CHARS}]+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class NameNumber:
    """A number of a title and the word beside it there: (9, "shade", after) for "Nine-Shade",
    ("spf", 50) glued for "SPF50", (4, "件", after) for "四件套"."""

    value: int
    neighbour: str
    after: bool  # the neighbour follows the number ("nine-shade"); else it precedes it ("max 90")
    glued: bool = False  # written as one word in the title ("spf50", "a5")


def _number_value(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token in _WORD_NUMBERS:
        return _WORD_NUMBERS[token]
    return parse_chinese_integer(token)


@cache
def title_numbers(title: str) -> tuple[NameNumber, ...]:
    """The numbers of one title with their neighbours (cached: a shop has a bounded set of titles)."""
    lowered = title.lower()
    found: list[NameNumber] = []
    chunks = [m.group() for m in _LATIN_CHUNK.finditer(lowered)]
    for index, chunk in enumerate(chunks):
        glued = re.fullmatch(r"([a-z]+)(\d+)|(\d+)([a-z]+)", chunk)
        if glued and glued.group(1):
            found.append(NameNumber(int(glued.group(2)), glued.group(1), after=False, glued=True))
            continue
        if glued:
            found.append(NameNumber(int(glued.group(3)), glued.group(4), after=True, glued=True))
            continue
        value = _number_value(chunk)
        if value is None:
            continue
        if index + 1 < len(chunks) and chunks[index + 1] not in _NOT_NEIGHBOURS:
            found.append(NameNumber(value, chunks[index + 1], after=True))
        if index > 0 and chunks[index - 1] not in _NOT_NEIGHBOURS:
            found.append(NameNumber(value, chunks[index - 1], after=False))
    for match in _HAN_NUMERAL.finditer(lowered):
        value = _number_value(match.group())
        if value is None:
            continue
        after, before = lowered[match.end() : match.end() + 1], lowered[match.start() - 1 : match.start()]
        if after and _HAN.match(after):
            found.append(NameNumber(value, after, after=True))
        if before and _HAN.match(before):
            found.append(NameNumber(value, before, after=False))
    return tuple(dict.fromkeys(found))


def _number_spelling(value: int) -> str:
    """A pattern for the value written any way: 9, nine, 九."""
    words = [word for word, number in _WORD_NUMBERS.items() if number == value]
    han = [char for char in CN_NUMERAL_CHARS if parse_chinese_integer(char) == value]
    if value == 2:
        han.append("两")
    if 10 < value < 20:
        han.append("十" + next((c for c in CN_NUMERAL_CHARS if parse_chinese_integer(c) == value - 10), ""))
    options = [str(value), *words, *sorted(set(han), key=len, reverse=True)]
    return "(?:" + "|".join(re.escape(option) for option in options) + ")"


@cache
def number_pattern(value: int) -> str:
    """The value written as a word of its own in any spelling ("2", "two", "两"), for a text lowercased."""
    return rf"(?<![a-z0-9.]){_number_spelling(value)}(?![a-z0-9.])"


@cache
def _pattern(number: NameNumber) -> re.Pattern[str]:
    """Where the customer writes this name number: "nine-shade", "9 shades", "spf 50", "四件"."""
    value = _number_spelling(number.value)
    word = re.escape(number.neighbour)
    if _HAN.match(number.neighbour):
        # a Han neighbour sits right beside the numeral, never across another numeral ("十四件" is 14)
        if number.after:
            return re.compile(rf"(?<![{CN_NUMERAL_CHARS}\d]){value}\s?{word}")
        return re.compile(rf"{word}\s?{value}(?![{CN_NUMERAL_CHARS}\d])")
    plural = "" if number.neighbour in _COUNTING_WORDS or number.neighbour.endswith("s") else "s?"
    gap = r"[\s\-]?" if number.glued else r"[\s\-]*"
    if number.after:
        return re.compile(rf"(?<![a-z0-9.]){value}{gap}{word}{plural}(?![a-z0-9])")
    return re.compile(rf"(?<![a-z0-9]){word}{gap}{value}(?![a-z0-9.])")


def name_number_spans(text: str, titles: Iterable[str]) -> list[tuple[int, int]]:
    """Where the text writes a number of one of these titles as part of the name."""
    lowered = text.lower()
    spans: list[tuple[int, int]] = []
    for title in titles:
        for number in title_numbers(title):
            spans.extend(match.span() for match in _pattern(number).finditer(lowered))
    return sorted(set(spans))


def without_name_numbers(text: str, titles: Iterable[str]) -> str:
    """The text with the name numbers of these titles blanked (same length, so places stay):
    what is left to read a count or an option value from."""
    for start, end in name_number_spans(text, titles):
        text = text[:start] + " " * (end - start) + text[end:]
    return text
