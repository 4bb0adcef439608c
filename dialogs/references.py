"""Resolving what the customer points at: "the second one", "第二个", "this one", "黑色的".

These are patterns over what customers type, not texts shown to them, so they live here
rather than in the message catalogs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import yaml

from nlu.numerals import CN_NUMERAL_CHARS, EN_NUMBER_WORDS, parse_chinese_integer
from nlu.pinyin_typing import chinese_for_pinyin
from nlu.vocab import color_aliases

ZH_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
EN_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "1st": 1,
    "2nd": 2,
    "3rd": 3,
    "4th": 4,
    "5th": 5,
    "6th": 6,
    "7th": 7,
    "8th": 8,
    "9th": 9,
    "10th": 10,
}
LAST = -1

_ZH_ORDINAL = re.compile(r"第\s*([一二两三四五六七八九十]|\d{1,2})\s*(?:个|款|件|种|项|条|号|单)?")
_ZH_LAST = re.compile(r"最后(?:一)?(?:个|款|件|种|项|条)")
_EN_ORDINAL = re.compile(r"\b(" + "|".join(EN_ORDINALS) + r")\b(?:\s+(?:one|item|product|option))?", re.I)
_EN_NUMBER = re.compile(r"(?:\b(?:number|no\.?|item|option)\s*|#)(\d{1,2})\b", re.I)
_EN_LAST = re.compile(r"\b(?:the\s+)?last\s+(?:one|item|product)\b", re.I)
_THIS = re.compile(
    r"这个|这款|这件|这一款|就它|它|\bthis\b|\bit\b|\bthat one\b|\bthis one\b|\bthem\b|\bthese\b|\bthose\b", re.I
)


# "first" and "second" that point at no list entry: "wait a second", "ask my wife first", "at
# first", "for the first time", "first of all".
_NO_POSITION = re.compile(
    r"\b(?:a|one|just\s+a)\s+sec(?:ond)?\b|\bat\s+first\b|\bfirst\s+(?:time|of\s+all|things?)\b|"
    r"(?<=[a-z])(?<!\bthe)(?<!\bthat)(?<!\bthis)(?<!\bpick)(?<!\btake)(?<!\bchoose)\s+first(?=\s*(?:[.,!?;]|$))",
    re.I,
)


def ordinal(text: str) -> int | None:
    """1-based position the text refers to, LAST (-1) for "the last one", else None."""
    if _ZH_LAST.search(text) or _EN_LAST.search(text):
        return LAST
    match = _ZH_ORDINAL.search(text)
    if match:
        token = match.group(1)
        return int(token) if token.isdigit() else ZH_NUMBERS.get(token)
    match = _EN_ORDINAL.search(_NO_POSITION.sub(" ", text))
    if match:
        return EN_ORDINALS[match.group(1).lower()]
    match = _EN_NUMBER.search(text)
    if match:
        return int(match.group(1))
    return None


_POINTING_FILLER = re.compile(
    r"我要|要|看看|看一下|就|选|那|这|呢|吧|的|请|\b(?:i'?ll\s+take|i\s+want|show\s+me|give\s+me|the|one|please|"
    r"pick|choose|take|open|details?)\b|[\s,，.。!！?？]+",
    re.I,
)


def bare_ordinal(text: str) -> int | None:
    """A message that only points at a list entry ("第一个", "the 2nd one", "要最后一个")."""
    position = ordinal(text)
    if position is None:
        return None
    rest = _EN_NUMBER.sub("", _EN_ORDINAL.sub("", _ZH_LAST.sub("", _EN_LAST.sub("", _ZH_ORDINAL.sub("", text)))))
    return position if not _POINTING_FILLER.sub("", rest) else None


def without_ordinal(text: str) -> str:
    """The text without the words pointing at a list entry ("第二个吧 买一个" -> " 吧 买一个")."""
    return _EN_NUMBER.sub(" ", _EN_ORDINAL.sub(" ", _ZH_LAST.sub(" ", _EN_LAST.sub(" ", _ZH_ORDINAL.sub(" ", text)))))


def pick(items: list[str], position: int | None) -> str | None:
    if position is None or not items:
        return None
    if position == LAST:
        return items[-1]
    return items[position - 1] if 1 <= position <= len(items) else None


# Chatter whose "it" points at nothing: "while ur at it", "that's it", "go for it".
_IDLE_IT = re.compile(r"\bwhile\s+(?:you'?re|ur|u\s*r|you\s+are)\s+at\s+it\b|\bthat'?s\s+it\b|\bgo\s+for\s+it\b", re.I)


def refers_to_current(text: str) -> bool:
    return bool(_THIS.search(_IDLE_IT.sub(" ", text)))


@cache
def _color_groups() -> list[set[str]]:
    """Sets of words naming the same colour in zh and en, from the NLU vocabulary."""
    groups: list[set[str]] = []
    seen: set[frozenset[str]] = set()
    for canonical, forms in color_aliases().items():
        group = frozenset({str(canonical).lower(), *(str(form).lower() for form in forms)})
        if group not in seen:
            seen.add(group)
            groups.append(set(group))
    return groups


OPTION_WORDS_FILE = Path(__file__).parent / "option_words.yml"
# Sections of option_words.yml whose words are option words wherever they appear (a search for
# "oatmeal wool scarf" looks for the scarf); the others only name a product's own option values.
_EVERYWHERE = ("colours", "sizes")
_NOT_VALUES = ("modifiers", "units")


@cache
def _lexicon() -> dict[str, tuple[frozenset[str], ...]]:
    """option_words.yml by section: groups of words naming the same option value in zh and en."""
    document = yaml.safe_load(OPTION_WORDS_FILE.read_text(encoding="utf-8")) or {}
    lexicon: dict[str, tuple[frozenset[str], ...]] = {}
    for section, groups in document.items():
        # A single Chinese character is never matched alone (粉 in 粉色 is no ground coffee),
        # except units, which only ever follow a number.
        lexicon[str(section)] = tuple(
            frozenset(
                word
                for word in (str(w).strip().lower() for w in group)
                if word and (section == "units" or word.isascii() or len(word) > 1)
            )
            for group in groups or ()
        )
    return lexicon


# Sections whose Chinese words a customer may type in pinyin ("yao heise de", "dahao").
_TYPED_IN_PINYIN = ("colours", "shades", "sizes", "flavours", "styles", "occasions", "grades")


@cache
def pinyin_typed_words() -> tuple[str, ...]:
    """The option lexicon's Chinese colour, size, flavour and style words, for reading them back
    from pinyin (nlu/pinyin_typing.py)."""
    lexicon = _lexicon()
    return tuple(
        word
        for section in _TYPED_IN_PINYIN
        for group in lexicon.get(section, ())
        for word in sorted(group)
        if not word.isascii()
    )


def read_pinyin(text: str, lang: str) -> str:
    """ "订单不yao了" -> "订单不要了", "wo yao liang ge" -> "我要两个" (see nlu/pinyin_typing.py)."""
    return chinese_for_pinyin(text, lang, pinyin_typed_words())


# Size words: a catalog may say "L", "大号" or "large"; customers say any of them ("大码", "big").
# (No bottle or cup words here: "大瓶的" is the bigger capacity, never a clothing size L.)
SIZE_GROUPS: tuple[frozenset[str], ...] = _lexicon()["sizes"]
# Words that qualify a colour or finish inside a several-word option value ("warm nude",
# "smoky grey", "mint green"), with the ways customers say them in either language.
MODIFIER_GROUPS: tuple[frozenset[str], ...] = _lexicon()["modifiers"]
# Units a value's number may be written with ("1米" / "1m", "10包" / "10 pack", "9W" / "9瓦").
UNIT_GROUPS: tuple[frozenset[str], ...] = _lexicon()["units"]


def word_groups() -> list[set[str]]:
    """Groups of words that are option words wherever they appear: colours, shades and sizes."""
    return [*_color_groups(), *(set(g) for section in _EVERYWHERE for g in _lexicon()[section])]


# Shade words that are also everyday or product words ("check out", "a glass of wine", "face
# cream", "clear the cart"): never taken on their own for a colour the customer asked for.
_AMBIGUOUS_SHADES = frozenset(
    {"check", "checked", "wine", "rust", "wood", "clear", "transparent", "solid", "plain", "dots", "cream", "mint"}
    | {"caramel", "mocha", "champagne", "bronze", "peach", "stripe", "stripes", "avocado", "denim", "camo", "white"}
    | {"black", "midnight", "starlight", "camel", "sand"}
)


def shade_words_in(text: str) -> list[str]:
    """Colour and shade words of the option lexicon the text names ("coral", "dusty rose", "藏青"),
    longest first, one per group: what the customer wants a product in, offered or not."""
    lowered = text.lower()
    found: list[str] = []
    taken: list[tuple[int, int]] = []
    for section in ("colours", "shades"):
        for group in _lexicon()[section]:
            for alias in sorted(group, key=len, reverse=True):
                if alias in _AMBIGUOUS_SHADES or (not alias.isascii() and len(alias) < 2):
                    continue
                span = _alias_span(alias, lowered)
                if span is not None and not any(a < span[1] and span[0] < b for a, b in taken):
                    found.append(alias)
                    taken.append(span)
                    break
    return found


@cache
def value_groups() -> tuple[frozenset[str], ...]:
    """Every group of the option lexicon that may name an option value (flavours, materials,
    roasts, packs, ... besides colours and sizes)."""
    sections = [groups for name, groups in _lexicon().items() if name not in _NOT_VALUES]
    return tuple(group for groups in sections for group in groups)


@cache
def _groups_of(value: str) -> tuple[frozenset[str], ...]:
    """The alias groups an option value belongs to; an English word found inside one group's
    alias ("olive" in "olive green") places it there when nothing names it directly."""
    return _tight_groups_of(value) + _broad_groups_of(value)


@cache
def _tight_groups_of(value: str) -> tuple[frozenset[str], ...]:
    """The option lexicon's groups naming the value ("khaki": 卡其, 卡其色)."""
    lowered, core = value.strip().lower(), _core(value)
    return tuple(g for g in value_groups() if lowered in g or core in g)


@cache
def _broad_groups_of(value: str) -> tuple[frozenset[str], ...]:
    """The NLU's colour groups naming the value: wider families ("beige" takes in khaki, oatmeal),
    so a value named by its own word or its lexicon group wins over one of these."""
    lowered, core = value.strip().lower(), _core(value)
    direct = tuple(frozenset(g) for g in _color_groups() if lowered in g or core in g)
    if direct or _tight_groups_of(value) or not lowered.isascii() or " " in lowered or len(lowered) < 3:
        return direct
    inside = [frozenset(g) for g in _color_groups() if any(lowered in alias.split() for alias in g)]
    return tuple(inside[:1])


def _core(word: str) -> str:
    """黑色 -> 黑 so "黑的" matches, 香草味 -> 香草 so "香草的" does; english words unchanged."""
    word = word.strip().lower()
    if len(word) > 1 and word.endswith("色"):
        return word[:-1]
    for suffix in ("口味", "味"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            return word[: -len(suffix)]
    return word


_VALUE_AMOUNT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-\s*)?([^\d\s].*?)\s*$")


_CN_LEADING_NUMBER = re.compile(rf"^\s*([{CN_NUMERAL_CHARS}]+)(?=\S)")


def _number_and_unit(value: str) -> tuple[str, set[str]] | None:
    """ "1米" -> (1, {米}); "三阶" -> (3, {阶}); "3x3" -> (3, {"{n}x{n}"}): the number of a value and
    the units (or notations, see option_words.yml) it is written with."""
    lowered = value.strip().lower()
    for group in UNIT_GROUPS:  # a notation around the number ("3x3")
        for notation in (unit for unit in group if "{n}" in unit):
            pattern = re.escape(notation).replace(re.escape("{n}"), r"(\d+)")
            match = re.fullmatch(pattern, lowered)
            if match and len(set(match.groups())) == 1:
                return match.group(1), {notation}
    chinese = _CN_LEADING_NUMBER.match(lowered)
    if chinese is not None:  # "三阶", "两米": a Chinese numeral before a known unit only (not 三文鱼)
        rest = lowered[chinese.end() :].strip()
        integer = parse_chinese_integer(chinese.group(1))
        if integer is None or not any(rest in group for group in UNIT_GROUPS):
            return None
        lowered = f"{integer}{rest}"
    match = _VALUE_AMOUNT.match(lowered)
    if match is None:
        return None
    number, unit = str(match.group(1)), str(match.group(2))
    units = {unit}
    if unit.endswith("装") and len(unit) > 1:  # "2片装": two pieces in a pack
        units |= {unit[:-1], "pack", "packs", "pk"}
    return number, units


def missing_amounts(text: str, values: list[str]) -> list[str]:
    """Amounts the text names in the unit of these values that none of them is: "五阶" of 三阶 / 四阶,
    "8L" of 4L / 6L, "44码" or "size 44" of sizes 41 to 43 - a version the product does not come in."""
    if len(values) < 2:
        return []
    lowered = spec_text(text)
    reads = [_number_and_unit(value) for value in values]
    if all(read is not None for read in reads):
        numbers = {float(read[0]) for read in reads if read is not None}
        units = {unit for read in reads if read is not None for unit in read[1] if "{n}" not in unit}
        units |= {alt for group in UNIT_GROUPS if units & group for alt in group if "{n}" not in alt}
        if not units:
            return []
        pattern = "|".join(re.escape(unit) for unit in sorted(units, key=len, reverse=True))
        amounts = re.finditer(rf"(?<![\d.])(\d+(?:\.\d+)?)\s*(?:{pattern})(?![a-z])", lowered)
        return [m.group(0) for m in amounts if float(m.group(1)) not in numbers]
    if not all(re.fullmatch(r"\d{1,3}", value.strip()) for value in values):
        return []
    # sizes written as bare numbers (shoes 41-44, waist 27-32): a number said as a size
    sizes = {int(value) for value in values}
    low, high = min(sizes) / 2, max(sizes) * 2
    named = _SIZE_NUMBER.finditer(lowered)
    said = [str(m.group(1) or m.group(2)) for m in named]
    return [number for number in said if low <= int(number) <= high and int(number) not in sizes]


_SIZE_NUMBER = re.compile(r"\b(?:size|in|eu|us|uk)\s+(\d{1,3})(?![\d.])|(?<![\d.])(\d{1,3})\s*(?:码|号)", re.I)


@cache
def unit_spellings(value: str) -> tuple[str, ...]:
    """A value that is a number and a unit in the other units of its group: "1米" -> 1m, 1 meter;
    "10包" -> 10 pack, 10 bags; "2片装" -> 2 pcs, 2 pack; "三阶" -> 3阶, 3x3; "3x3" -> 3阶."""
    read = _number_and_unit(value)
    if read is None:
        return ()
    number, units = read
    alternatives = {alt for group in UNIT_GROUPS if units & group for alt in group}
    forms = {alt.replace("{n}", number) for alt in alternatives if "{n}" in alt}
    alternatives = {alt for alt in alternatives if "{n}" not in alt} - units
    if not any("{n}" in unit for unit in units) and _CN_LEADING_NUMBER.match(value.strip()):
        alternatives |= units  # "三阶" is also written "3阶"
    forms |= {f"{number}{alt}" for alt in alternatives}
    forms |= {f"{number} {alt}" for alt in alternatives if alt.isascii()}
    forms |= {f"{number}-{alt}" for alt in alternatives if alt.isascii()}
    return tuple(sorted(forms - {value.strip().lower()}))


def spellings(value: str) -> list[str]:
    """An option value and the other ways to write it ("黑色" -> 黑, black, ...; "warm nude" -> 暖色, ...;
    "1米" -> 1m; "香草 Vanilla" -> 香草, vanilla, ...)."""
    core = _core(value)
    aliases = [alias for group in _groups_of(value) for alias in group]
    parts = [alias for part in _value_parts(value) for alias in part]
    halves = [spelling for half in _halves(value) for spelling in spellings(half)]
    return [value, core, *unit_spellings(value), *presence_spellings(value), *aliases, *parts, *halves]


# A value made of having or lacking something ("带头枕" / "无头枕", "with lid" / "without lid"): the
# ways either is said. A customer's "no headrest", "不带头枕的" or "没盖的" names the value without it;
# the longer, negated reading beats the "带头枕" inside "不带头枕" (see `_named_spans`).
_ZH_LACKS = ("无", "不带", "没有", "没带", "没", "不要", "不含", "不用", "去掉", "免")
_ZH_HAS = ("带", "有", "含", "加")
_EN_LACKS = ("without", "without the", "without a", "with no", "no", "w/o", "minus the", "not the one with")
_EN_HAS = ("with", "with the", "with a", "has", "has a", "has the")
_ZH_PRESENCE = re.compile(r"^(无|不带|没有|不含|免|带|有|含)([\u4e00-\u9fff]{1,6})$")
_EN_PRESENCE = re.compile(r"^(without|with no|no|with)\s+([a-z][a-z \-]{1,30})$")


@cache
def presence_spellings(value: str) -> tuple[str, ...]:
    """ "无头枕" -> 不带头枕, 没有头枕, ...; "without lid" -> no lid, with no lid, lid-free, ...;
    "带盖" -> 有盖, 含盖; "with lid" -> with the lid: a value that has or lacks a thing said the
    other ways customers say it (nothing for other values)."""
    lowered = " ".join(value.strip().lower().split())
    zh, en = _ZH_PRESENCE.match(lowered), _EN_PRESENCE.match(lowered)
    if zh is not None:
        thing = zh.group(2)
        lacks = zh.group(1) in ("无", "不带", "没有", "不含", "免")
        return tuple(f"{word}{thing}" for word in (_ZH_LACKS if lacks else _ZH_HAS) if f"{word}{thing}" != lowered)
    if en is not None:
        thing = en.group(2)
        if en.group(1) != "with":
            return tuple(
                [f"{word} {thing}" for word in _EN_LACKS if f"{word} {thing}" != lowered]
                + [f"{thing}-free", f"{thing} free", f"{thing}less"]
            )
        return tuple(f"{word} {thing}" for word in _EN_HAS if f"{word} {thing}" != lowered)
    return ()


def same_value(wanted: str, offered: str) -> bool:
    """Does the customer's word `wanted` name the option value `offered` (across languages)?"""
    a, b = _core(wanted), _core(offered)
    if not a or not b:
        return False
    if a == b or _compact(a) == _compact(b):
        return True
    return any({a, wanted.strip().lower()} & group for group in _groups_of(offered))


def _compact(word: str) -> str:
    """ "iPhone 15" and "iphone15" alike (a leading minus stays: -5°C is not 5°C)."""
    return re.sub(r"(?<=[a-z0-9])[\s\-]+(?=[a-z0-9])", "", word)


@cache
def _value_parts(value: str) -> tuple[frozenset[str], ...]:
    """The words of a several-word value ("warm nude" -> warm, nude; "樱花粉" -> 樱花; "磨砂黑" -> 磨砂,
    black), each with its spellings in both languages, for a customer who names only one of them
    ("暖色的", "the grey one", "the black one")."""
    lowered = value.strip().lower()
    if _halves(value):  # "带头枕 With headrest": the words of either half ("the headrest one")
        return tuple(part for half in _halves(value) for part in _value_parts(half))
    groups = [*MODIFIER_GROUPS, *_color_groups(), *value_groups()]
    if lowered.isascii():
        words = lowered.split()
        if len(words) < 2:  # "olive": its colour group already spells it; a modifier may add "橄榄色"
            return tuple(g for g in MODIFIER_GROUPS if lowered in g)
        parts = []
        for word in words:
            found = [g for g in groups if word in g] or [frozenset({word})]
            parts.append(frozenset().union(*found))
        return tuple(parts)
    # A Chinese value: the known words inside it ("樱花" in "樱花粉", "烟熏" in "烟熏灰"), and the
    # colour it ends with ("黑" of "磨砂黑", "蓝" of "远峰蓝").
    inside = [
        g for g in MODIFIER_GROUPS if any(len(alias) >= 2 and not alias.isascii() and alias in lowered for alias in g)
    ]
    # ... and the lexicon's words it is made of ("燕麦" and "拿铁" of "燕麦拿铁": "oat latte")
    if len(lowered) > 2 and not _tight_groups_of(value):
        inside += [g for g in value_groups() if g not in inside and any(_inside_chinese(alias, lowered) for alias in g)]
    if len(lowered) > 2 and not _broad_groups_of(value):
        inside += [frozenset(g) for g in _color_groups() if _ends_with_colour(lowered, g)]
    return tuple(inside)


def _inside_chinese(alias: str, value: str) -> bool:
    """A Chinese lexicon word that is a proper part of a Chinese value ("拿铁" in "燕麦拿铁")."""
    return len(alias) >= 2 and not alias.isascii() and alias in value and alias != value


def _ends_with_colour(value: str, group: set[str]) -> bool:
    """ "磨砂黑" ends with the 黑 of 黑色 (the group's one-character colour, written X色)."""
    return any(len(alias) == 2 and alias.endswith("色") and value.endswith(alias[0]) for alias in group)


_SIGN = re.compile(r"(?:零下|负|\bminus\s*|[−–])(?=\s*[\d" + CN_NUMERAL_CHARS + r"])", re.I)
_CN_SPEC_NUMBER = re.compile(
    rf"[{CN_NUMERAL_CHARS}]+(?=\s*(?:度|摄氏度|℃|毫升|升|厘米|公分|米|寸|码|号|阶|枝|朵|克|千克|公斤|瓦|伏|毫安|ml|l\b|cm|mm|m\b|g\b|kg|w\b))",
    re.I,
)


def spec_text(text: str) -> str:
    """The text lowercased with its spec numbers written one way: "零下十度" -> "-10度", "minus 10"
    -> "-10", "四十二码" -> "42码" (so they meet values like "-10°C", "42")."""

    def arabic(match: re.Match[str]) -> str:
        number = parse_chinese_integer(match.group())
        return str(number) if number is not None else match.group()

    lowered = _CN_SPEC_NUMBER.sub(arabic, text.lower())
    lowered = _SIGN.sub("-", lowered)
    return re.sub(r"-\s+(?=\d)", "-", lowered)


_LEADING_NUMBER = re.compile(r"^\s*(-?\d+(?:\.\d+)?)")


def leading_number(value: str) -> float | None:
    """ "500ml" -> 500, "3.5L" -> 3.5, "42" -> 42, "-10°C" -> -10; None when the value does not start with a number."""
    match = _LEADING_NUMBER.match(value.replace("−", "-"))
    return float(match.group(1)) if match else None


# How many of a dimension's smallest common unit one unit is: "1.2kg" and "750g" are compared as
# 1200 and 750, never as 1.2 and 750. Keys are the units' English spellings in option_words.yml;
# the other spellings of the same group ("千克", "公斤", "升") take the group's scale.
_UNIT_SCALES = {"mm": 0.1, "cm": 1.0, "m": 100.0, "in": 2.54, "ml": 1.0, "l": 1000.0}
_UNIT_SCALES |= {"g": 1.0, "kg": 1000.0, "lb": 453.6, "oz": 28.35, "w": 1.0, "kw": 1000.0}
_LEADING_AMOUNT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-z]+|[\u4e00-\u9fff]+)?")


@cache
def _unit_scale(unit: str) -> float | None:
    for group in UNIT_GROUPS:
        if unit in group:
            scales = [_UNIT_SCALES[alias] for alias in group if alias in _UNIT_SCALES]
            return scales[0] if scales else None
    return None


def scaled_amount(value: str) -> float | None:
    """ "1.2kg 豪华礼盒" -> 1200, "750g 礼盒" -> 750, "1.5升" -> 1500: a value's amount in its
    dimension's small unit; None without a number or a unit of known scale."""
    match = _LEADING_AMOUNT.match(value.replace("−", "-").lower())
    if match is None or not match.group(2):
        return None
    unit = match.group(2)
    # a Chinese unit runs on into the rest of the value ("750克礼盒"): its longest known start
    starts = [unit] if unit.isascii() else [unit[:end] for end in range(len(unit), 0, -1)]
    for start in starts:
        scale = _unit_scale(start)
        if scale is not None:
            return float(match.group(1)) * scale
    return None


# How surely a spelling names a value: its own words (or its number in another unit) first, then
# the option lexicon's group, then the NLU's wide colour families ("khaki" is 卡其 before it is
# 燕麦色, both of which the colour family "beige" takes in).
_OWN, _LEXICON, _FAMILY = 3, 2, 1


def _scored_spellings(value: str) -> list[tuple[str, int]]:
    core = _core(value)
    own = [(core, _OWN), (value.strip().lower(), _OWN), *((form, _OWN) for form in unit_spellings(value))]
    own += [(form, _OWN) for form in presence_spellings(value)]
    tight = [(alias, _LEXICON) for group in _tight_groups_of(value) for alias in group]
    broad = [(alias, _FAMILY) for group in _broad_groups_of(value) for alias in group]
    halves = [spelling for half in _halves(value) for spelling in _scored_spellings(half)]
    return [*own, *tight, *broad, *halves]


# A value the catalog writes in both languages at once ("带头枕 With headrest", "S 小号", "香草
# Vanilla"): a customer names one half, in either language.
_ZH_THEN_EN = re.compile(r"([^a-z]*[\u4e00-\u9fff][^a-z]*?)\s+([a-z][a-z0-9 '&.\-]*)")
_EN_THEN_ZH = re.compile(r"([a-z0-9][a-z0-9 '&.\-]*?)\s*([\u4e00-\u9fff][^a-z]*)")


@cache
def _halves(value: str) -> tuple[str, ...]:
    """ "带头枕 With headrest" -> 带头枕, with headrest; "L 大号" -> l, 大号; a one-language value: none."""
    lowered = " ".join(value.strip().lower().split())
    for pattern in (_ZH_THEN_EN, _EN_THEN_ZH):
        match = pattern.fullmatch(lowered)
        if match and re.search(r"[a-z]", lowered):
            return tuple(half.strip() for half in match.groups() if half.strip())
    return ()


Span = tuple[int, int, int]  # strength, start, end


def _best_span(value: str, lowered: str) -> Span | None:
    """Where and how surely the text names the value: its strongest, then longest spelling found."""
    spans = [
        (strength, found[0], found[1])
        for alias, strength in _scored_spellings(value)
        if (found := _alias_span(alias, lowered)) is not None
    ]
    number = _LEADING_NUMBER.match(value.replace("−", "-"))
    if not spans and number is not None:
        match = _standing_number(number.group(1), lowered)
        if match is not None:
            spans.append((_OWN, match.start(), match.end()))
    if not spans:
        return None
    return max(spans, key=lambda span: (span[0], span[2] - span[1], -span[1]))


def _named_spans(lowered: str, values: list[str]) -> dict[str, Span]:
    """The values the text names, each with its span; where two values are named by the same
    words ("iphone 15" inside "iphone 15 pro", "khaki" for 卡其 and for 燕麦色), the surer and
    then the longer reading keeps them."""
    spans = {value: span for value in values if _core(value) and (span := _best_span(value, lowered)) is not None}
    if not spans:
        spans = _partly_named(lowered, values)
    kept: dict[str, Span] = {}
    for value, span in spans.items():
        rivals = [other for other in spans.values() if other is not span and _overlap(span, other)]
        if all((span[0], span[2] - span[1]) >= (other[0], other[2] - other[1]) for other in rivals):
            kept[value] = span
    return kept


def _overlap(a: Span, b: Span) -> bool:
    return a[1] < b[2] and b[1] < a[2]


_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[\u4e00-\u9fff]+")


def _partly_named(lowered: str, values: list[str]) -> dict[str, Span]:
    """Model-like values named by their distinguishing words only: "15pro" for "iPhone 15 Pro"
    among "iPhone 15" / "iPhone 15 Pro" (the word every value shares, "iphone", left out)."""
    if len(values) < 2:
        return {}
    distinct = _distinct_chinese(lowered, values)
    if distinct:
        return distinct
    tokens = {value: _TOKEN.findall(value.lower()) for value in values}
    shared = set.intersection(*(set(t) for t in tokens.values()))
    found: dict[str, Span] = {}
    for value, words in tokens.items():
        key = [w for w in words if not (w in shared and not w[0].isdigit())]
        if len(words) < 2 or not key or key == words or not any(w[0].isdigit() for w in key):
            continue
        match = re.search(_flexible_pattern(key), lowered)
        if match is None or (len(key) == 1 and _standing_number(key[0], lowered) is None):
            continue
        found[value] = (_OWN, match.start(), match.end())
    return found


def _distinct_chinese(lowered: str, values: list[str]) -> dict[str, Span]:
    """The one Chinese value named by what sets it apart from the others (see `_distinct_parts`)."""
    found = _distinct_parts(lowered, values)
    return found if len(found) == 1 else {}


def _distinct_parts(lowered: str, values: list[str]) -> dict[str, Span]:
    """Chinese values that share an ending or a beginning named by the rest ("心形的" for 心形礼盒
    among 圆形礼盒 / 心形礼盒; "豪华" for 豪华套装 among 标准套装 / 豪华套装): at least two characters,
    so the shared part is never read alone."""
    plain = [value.strip().lower() for value in values]
    if len(values) < 2 or not all(_HAN_WORD.fullmatch(value) for value in plain):
        return {}
    prefix = _shared_start(plain)
    suffix = _shared_start([value[::-1] for value in plain])
    found: dict[str, Span] = {}
    for value, low in zip(values, plain, strict=True):
        end = max(len(low) - suffix, prefix + 2)
        key = low[min(prefix, max(0, end - 2)) : end]
        if len(key) < 2 or key == low or (at := lowered.find(key)) < 0:
            continue
        found[value] = (_OWN, at, at + len(key))
    return found


def distinct_part_at(text: str, value: str, values: list[str]) -> int:
    """Where the text names `value` by the part no other of `values` has ("换成心形的": 心形礼盒), -1 if not."""
    span = _distinct_parts(text.lower(), values).get(value)
    return span[1] if span is not None else -1


_HAN_WORD = re.compile(r"[\u4e00-\u9fff]{3,}")


def _shared_start(words: list[str]) -> int:
    """How many first characters all the words share."""
    shortest = min(len(word) for word in words)
    return next((i for i in range(shortest) if len({word[i] for word in words}) > 1), shortest)


def mentioned_values(text: str, values: Iterable[str]) -> list[str]:
    """Option values (colours, sizes, capacities) that appear in the text, directly or as an alias.

    When none does, a value one of whose words is named ("暖色" for "warm nude", "the grey one"
    for "smoky grey") counts, if it is the only value named that way."""
    lowered = spec_text(text)
    values = list(values)
    named = _named_spans(lowered, values)
    if named:
        return [value for value in values if value in named]
    scores = {
        value: sum(any(_alias_in(alias, lowered) for alias in part) for part in _value_parts(value)) for value in values
    }
    best = max(scores.values(), default=0)
    found = [value for value, score in scores.items() if score == best]
    return found if best > 0 and len(found) == 1 else []


def without_named_values(text: str, values: Iterable[str]) -> str:
    """The text (lowercased, spec numbers as digits) with the words naming these values blanked:
    what is left of "dark roast, the 10 pack" once 深烘 and 10包 are read."""
    lowered = spec_text(text)
    for _, start, end in sorted(_named_spans(lowered, list(values)).values(), key=lambda s: -s[1]):
        lowered = lowered[:start] + " " + lowered[end:]
    return lowered


def _alias_in(alias: str, lowered: str) -> bool:
    return _alias_span(alias, lowered) is not None


def _alias_at(alias: str, lowered: str) -> int:
    """Where `alias` stands in the text as a word of its own (-1: not there)."""
    span = _alias_span(alias, lowered)
    return span[0] if span is not None else -1


def _flexible_pattern(words: list[str]) -> str:
    """Words written with or without spaces or hyphens between them ("iphone15", "iPhone 15")."""
    return r"(?<![a-z0-9.'’])" + r"[\s\-]*".join(re.escape(w) for w in words) + r"(?![a-z0-9])"


def _alias_span(alias: str, lowered: str) -> tuple[int, int] | None:
    """Where `alias` stands in the text as a word of its own."""
    if not alias:
        return None
    if alias.isascii():
        # not the "m" of "i'm" or the "l" of "30l"; "iphone15" is "iphone 15"
        words = _TOKEN.findall(alias)
        if len(words) > 1 and "".join(words) == re.sub(r"[\s\-]", "", alias):
            match = re.search(_flexible_pattern(words), lowered)
        else:
            match = re.search(rf"(?<![a-z0-9'’]){re.escape(alias)}(?![a-z0-9])", lowered)
        return match.span() if match else None
    starts, ends = _latin(alias[0]), _latin(alias[-1])
    if starts or ends:
        # "0°C" is not the end of "-10°C", "5L" not the end of "3.5L"
        before = r"(?<![a-z0-9.\-−])" if starts else ""
        after = r"(?![a-z0-9])" if ends else ""
        match = re.search(rf"{before}{re.escape(alias)}{after}", lowered)
        return match.span() if match else None
    at = lowered.find(alias)
    return (at, at + len(alias)) if at >= 0 else None


def _latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _standing_number(number: str, lowered: str) -> re.Match[str] | None:
    """The number standing alone in the text, not a count ("500的", "the 256 one"; not "2件")."""
    pattern = rf"(?<![\d.x×*\-−]){re.escape(number)}(?![\d.])(?!\s*(?:{_ZH_UNITS}|pcs|pieces|units|x\b))"
    return re.search(pattern, lowered)


def value_position(text: str, value: str) -> int:
    """Where the text first names the option value (any spelling, or its number), -1 when it does not.

    "把白色的换成黑色": 白色 comes first, so it describes the line and 黑色 is what it becomes."""
    lowered = text.lower()
    spots = [_alias_at(alias, lowered) for alias, _ in _scored_spellings(value)]
    number = _LEADING_NUMBER.match(value)
    if number is not None:
        match = _standing_number(number.group(1), lowered)
        spots.append(match.start() if match else -1)
    found = [spot for spot in spots if spot >= 0]
    return min(found) if found else -1


_ZH_UNITS = "个|件|份|台|双|瓶|盒|只|支|条|套|本|包|袋|罐|杯|斤|箱|把|张|对|副|顶|口|块|听|提|卷|片|枚|颗|款|根|桶|束"
# A number before 个月 / 小时 / 星期 is a duration or an age ("宝宝7个月了", "三个星期"), never a count.
# "四件套", "12支装", "两片装": a set or pack of that many (a name or a spec), not how many are wanted.
_NOT_A_COUNT_AFTER = r"(?!月|小时|钟头|钟|星期|礼拜|工作日|年|装|套)"
_QUANTITY = re.compile(
    rf"(\d{{1,3}})\s*(?:(?:{_ZH_UNITS}){_NOT_A_COUNT_AFTER}|pcs|pieces|units|items|packs?|bottles?|boxes|pairs?|sets?|x\b|×)|"
    r"\b(?:ok|okay|fine|sure|yes|yeah|alright|just|only)[,\s]+(\d{1,2})(?![\d.])"
    r"(?!\s*(?:cm|mm|ml|l|g|kg|gb|tb|°|度|码|号|inch)\b)(?!\s*(?:one|size)\b)|"
    r"(?:(?<![a-z0-9])x|(?<!\d)×|\*)\s*(\d{1,3})\b",
    re.I,
)
# Colloquial numerals: "来俩" (two), "仨" (three), "来一个", "两副".
_ZH_COLLOQUIAL = {"俩": 2, "仨": 3}
_ZH_QUANTITY = re.compile(rf"([一二两三四五六七八九十])\s*(?:{_ZH_UNITS}){_NOT_A_COUNT_AFTER}|(俩|仨)")
# Two to ten from the NLU's number words ("one" is left out: "the red one" is no count), and the
# colloquial counts customers use.
EN_NUMBERS = {word: value for word, value in EN_NUMBER_WORDS.items() if 2 <= value <= 10} | {
    "a couple": 2,
    "couple": 2,
    "a pair": 2,
    "a dozen": 12,
    "dozen": 12,
}
# "two", "a couple of", "one more" - but not the "one" of "the second one" / "this one".
# "he's eight months old", "two weeks": an age or a duration, not a count.
_EN_DURATION = r"(?!\s*(?:-\s*)?(?:months?|years?|yrs?|weeks?|wks?|days?|hours?|hrs?|minutes?|mins?)\b)"
_EN_QUANTITY = re.compile(
    r"\b(" + "|".join(EN_NUMBERS) + r")\b" + _EN_DURATION + r"|"
    r"\b(?:just|only)\s+one\b|\bone\s+(?:more|of|piece|unit)\b",
    re.I,
)
# A bare number before a product word is a quantity too ("2 gray water bottles") unless it is
# a spec ("500ml", "30L", "24cm", "size 42").
# "21 inch ukulele", "3 piece tool set", "5 litre jug": a measure or a make-up of the product, no count.
_EN_MEASURE = (
    r"(?!\s*(?:-\s*)?(?:inch(?:es)?|cm|mm|m|meters?|metres?|kg|kilos?|g|grams?|lbs?|pounds?|oz|ml|l|"
    r"lit(?:er|re)s?|w|watts?|mah|v|volts?|piece|pc|ply|tier|seater|person|colou?r)\b)"
)
_BARE_LEADING_NUMBER = re.compile(
    r"^\s*(?:i'?d like|i want|get me|give me|add|buy|(?:oh\s+)?and|plus|also|with|\+|&)?\s*(\d{1,2})\s+(?=[a-z])"
    + _EN_DURATION
    + _EN_MEASURE,
    re.I,
)


def counted_away(text: str, start: int) -> bool:
    """Does a word starting at `start` begin with the measure word of a count before it ("一口红色
    珐琅锅": the 口 of 一口, so no 口红 starts there)?"""
    if not 0 < start < len(text) or text[start] not in _ZH_UNITS.split("|"):
        return False
    return bool(re.search(r"(?:\d|[一二两三四五六七八九十])$", text[:start]))


def quantity_in(text: str) -> int | None:
    """A quantity typed with a unit ("2件", "两个", "来俩", "3 pcs", "x2", "a couple") when the NLU found none."""
    match = _QUANTITY.search(text)
    if match:
        return int(next(group for group in match.groups() if group))
    colloquial = None  # "家里俩狗子 狗碗要一个": a count with its unit says how many, 俩 only when none does
    for match in _ZH_QUANTITY.finditer(text):
        if text[max(0, match.start() - 1) : match.start()] == "第":
            continue
        if not match.group(2):
            return ZH_NUMBERS[match.group(1)]
        colloquial = colloquial or _ZH_COLLOQUIAL[match.group(2)]
    if colloquial is not None:
        return colloquial
    match = _EN_QUANTITY.search(text)
    if match:
        return EN_NUMBERS.get((match.group(1) or "").lower(), 1)
    match = _BARE_LEADING_NUMBER.match(text) or _COUNT_AT_THE_END.search(text)
    if match:
        return int(match.group(1))
    return None


# "kraft notebooks, 2 please": a number set apart at the end of a buying message is its count.
_COUNT_AT_THE_END = re.compile(r"[,，;；]\s*(\d{1,2})\s*(?:please|pls|plz|thanks|thx)?\s*[.!。！]?\s*$", re.I)


def without_quantity(text: str) -> str:
    """The text with the count `quantity_in` reads blanked out ("2 pairs of the sneakers in black" ->
    " of the sneakers in black"); the text itself when it has none."""
    for pattern in (_QUANTITY, _ZH_QUANTITY, _EN_QUANTITY, _BARE_LEADING_NUMBER, _COUNT_AT_THE_END):
        match = pattern.search(text)
        if match:
            return f"{text[: match.start()]} {text[match.end() :]}"
    return text


_MORE = re.compile(r"再来|再加|再要|再买|多来|多加|\banother\b|\bmore\b|\bextra\b|\badditional\b", re.I)
# "等发工资再买", "晚点再付", "下次再来": the 再 of "later", not of "one more".
_LATER = re.compile(
    r"(?:等|晚点|晚些|晚一点|回头|以后|下次|下回|改天|过几天|过两天|明天|月底|下个月)[^，,。.!！?？;；]{0,8}?再"
    r"(?:买|付|下单|结算|来|要|拍)"
)


def without_later(text: str) -> str:
    """The text without "等发工资再买" / "晚点再付": the 再 of a later time is not one of more."""
    return _LATER.sub(" ", text)


def asks_for_more(text: str) -> bool:
    """ "再来一双" / "one more" / "add two more": on top of what is already in the cart."""
    return bool(_MORE.search(without_later(text)))


# A count that is all the customer wants ("just 1", "only one", "one is enough", "一件就够",
# "两个就行", "只要一个"): said of a line already there it sets (or keeps) it, never adds to it.
_ENOUGH = re.compile(
    rf"(\d{{1,2}}|[一二两三四五六七八九十俩仨])\s*(?:{_ZH_UNITS})?\s*(?:就够|就行|就好|就可以|够了|即可)|只要|只需要?|只买|只拿|"
    r"\b(?:just|only)\s+(?:(?:need|want|get|take)\s+)?(\d{1,2}|one|two|three|four|five|a\s+couple)\b(?!\s+more)|"
    r"(?:^|[,.;!?]\s*|\b(?:ok|okay|actually|no|nah|hmm|well|then|yeah|yes)[,\s]+)(\d{1,2}|one|two|three|four|five)"
    r"(?:\s+\w+)?(?:'s|\s+(?:is|are|will|should|would))\s*(?:be\s+)?(?:do|enough|fine|plenty)\b",
    re.I,
)
_ENOUGH_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "a couple": 2, **_ZH_COLLOQUIAL}


def says_enough(text: str) -> bool:
    """ "just 1", "一件就够", "two is enough": the count is the whole of what is wanted."""
    return bool(_ENOUGH.search(text))


def tells_how_many_in_all(text: str) -> bool:
    """ "一张就够", "wait, only one of the mats" - not a question ("only one left?")."""
    return says_enough(text) and not re.search(r"[?？吗]", text)


def enough_count(text: str) -> int | None:
    """The count of "just 1", "one is enough", "两个就行", "只要一个" (None when the text says none)."""
    match = _ENOUGH.search(text)
    if match is None:
        return None
    word = next((group for group in match.groups() if group), None)
    if word is None:
        return quantity_in(text)  # "只要" + a count somewhere in the message
    word = re.sub(r"\s+", " ", word.lower())
    if word.isdigit():
        return int(word)
    return _ENOUGH_WORDS.get(word) or ZH_NUMBERS.get(word)


def without_more_words(text: str) -> str:
    """ "再来两袋猫砂" -> " 两袋猫砂": what is left to name a product once "more" is gone."""
    return _SAME.sub(" ", _MORE.sub(" ", text))


_SAME = re.compile(r"一样的?|同样的?|同款|\bsame(?:\s+(?:one|thing|again))?\b|\bagain\b", re.I)


_ONLY_QUANTITY = re.compile(
    rf"^\s*(?:要|来|买|拿|给我|我要|就)?\s*(?:\d{{1,3}}|[一二两三四五六七八九十])\s*(?:{_ZH_UNITS})?\s*(?:吧|就好|就行|即可|就够了?|够了)?"
    r"\s*[.。!！]?\s*$|^\s*(?:\d{1,3}|two|three|four|five|six|seven|eight|nine|ten|a couple|a pair)"
    r"(?:\s+(?:pcs|pieces|units|items|please|of them|of those))*\s*[.!]?\s*$",
    re.I,
)


def only_quantity(text: str) -> bool:
    """The whole message is a quantity ("两件", "3", "two please")."""
    return bool(_ONLY_QUANTITY.match(text))


_NEXT_PAGE = re.compile(
    r"^\s*(?:下一页|下页|翻页|往后翻|后一页|更多|看看更多|还有吗|还有别的吗|还有其他的吗|再看看|换一批|"
    r"next|next page|more|show more|"
    r"more please|see more|any more|anything else)\s*[?？.!。！]*\s*$",
    re.I,
)
_PREV_PAGE = re.compile(
    r"^\s*(?:上一页|上页|前一页|往前翻|previous|prev|previous page|back|go back)\s*[?？.!。！]*\s*$", re.I
)


def page_request(text: str) -> int:
    """+1 for "下一页" / "next page" / "more", -1 for "上一页" / "previous page", else 0."""
    if _NEXT_PAGE.match(text):
        return 1
    if _PREV_PAGE.match(text):
        return -1
    return 0


# "便宜点那个" / "便宜些的那款" point at one of the goods shown (the cheaper), unlike "便宜点吧" (haggling).
_CHEAPEST = re.compile(
    r"最便宜|便宜的那|便宜点的|便宜(?:点|些|一点|一些)的?(?:那|这)(?:个|款|种|件|只|双|副|套|条|瓶)|价格最低|最实惠|"
    r"\bcheap(?:est|er)\b|\blowest\s+price|\bleast\s+expensive",
    re.I,
)
_PRICIEST = re.compile(
    r"最贵|贵的那|贵(?:点|些|一点|一些)的?(?:那|这)(?:个|款|种|件|只|双|副|套|条|瓶)|价格最高|"
    r"\bmost\s+expensive|\bpricie(?:st|r)\b|\bmore\s+expensive\s+one|\bhighest\s+price",
    re.I,
)


_PRICE_TALK = re.compile(
    r"便宜|优惠|打折|折扣|砍价|还价|多少钱|价格|价钱|原价|"
    r"\b(?:cheap(?:er)?|discount|deal|promo(?:tion)?|price|bargain|each|knock|off)\b|\bcan\s+you\s+do\s+\d",
    re.I,
)


def asks_about_price(text: str) -> bool:
    """A question about what something costs or a discount on it ("能便宜点吗", "can you do 60 each?")."""
    return bool(_PRICE_TALK.search(text))


def price_extreme(text: str) -> str | None:
    """ "最便宜的" / "the cheaper one" -> "min"; "最贵的" / "the most expensive" -> "max"."""
    if _CHEAPEST.search(text):
        return "min"
    if _PRICIEST.search(text):
        return "max"
    return None


_FILLER = re.compile(
    r"我想买|我想要|我要买|我要|想买|想要|有没有|有什么|帮我找|帮我|找一下|找找|搜一下|搜索|推荐|看看|看一下|给我|来一个|来个|"
    r"一个|一款|一下|请问|麻烦|你们|这里|卖|吗|呢|吧|啊|呀|的|[?？!！。，,.]|"
    r"\b(?:i\s+want(?:\s+to\s+buy)?|i'?m\s+looking\s+for|looking\s+for|do\s+you\s+(?:have|sell)|show\s+me|"
    r"search(?:\s+for)?|find(?:\s+me)?|i\s+need|buy|some|any|please|can\s+you|a|an|the|me|for)\b",
    re.I,
)


def strip_filler(text: str) -> str:
    """ "我想买蓝牙耳机" -> "蓝牙耳机", "do you have running shoes?" -> "running shoes"."""
    return re.sub(r"\s+", " ", _FILLER.sub(" ", text)).strip()


_SET_QUANTITY = re.compile(
    r"改成|改为|换成|调成|变成|数量|\bchange\b.*\bto\b|"
    r"\bmake\s+(?:it|that|them|those|the\s+.{1,40}?)\s+(?:\d|one\b|two|three|four|five|a couple|just|only)|"
    r"\bmake\s+it\b|\bset\b.*\bto\b|\bquantity\b|\bi\s+(?:only\s+)?(?:want|need)\s+(?:\d|two|three)\s+of\b|"
    # "no, i need 2 in total", "一共要三个": how many altogether, not how many more
    r"\bin\s+total\b|\ball\s+together\b|\baltogether\b|一共|总共|总数",
    re.I,
)


_TRAILING_NUMBER = re.compile(
    r"(?:^|\s|改成|改为|换成|to)\s*(\d{1,2})\s*(?:pcs|pieces|please|pls)?\s*(?:in\s+total|altogether)?\s*[.!。！]?\s*$",
    re.I,
)


def trailing_number(text: str) -> int | None:
    """ "make the blue one 2", "actually make it 3": the number that ends a quantity change."""
    match = _TRAILING_NUMBER.search(text)
    return int(match.group(1)) if match else None


# "just 1 of the original", "only one original please", "原味的只要一个": a limit on a line already there.
_LIMIT = re.compile(
    r"^\s*(?:just|only)\s+(?:\d{1,2}|one|two|three|four|five)\b(?!\s+more)|只要|只留|只买|留一个|\bonly\s+(?:want|need)\b",
    re.I,
)


def limits_a_line(text: str) -> bool:
    """ "just 1 of the original", "手机壳只要一个": how many of a described line to keep (when one is described)."""
    return bool(_LIMIT.search(text))


def asks_to_set_quantity(text: str) -> bool:
    return bool(_SET_QUANTITY.search(text))


_SIMILAR = re.compile(r"类似|相似|同款|差不多|similar|like this|alternative|same kind", re.I)


def asks_for_similar(text: str) -> bool:
    return bool(_SIMILAR.search(text))


_BUY = re.compile(
    r"买|来[一二两三四五六七八九十俩仨个\d]|带[一二两三四五六七八九十俩仨个\d上]|要[一二两三四五六七八九十俩仨个\d]|加入购物车|加购|加到购物车|放进购物车|下单|拍[一下个]|入手|"
    r"\b(?:buy|purchase|add|i'?ll\s+(?:take|get|have)|i'?d\s+like|can\s+i\s+(?:get|have)|get\s+me|give\s+me|"
    r"i\s+want|i\s+need|order\s+(?:a|an|one|two|some|\d))\b|^\s*(?:a|an|one)\s+[a-z].*\b(?:please|pls|plz)\b|"
    r"^\s*(?:one|1|just\s+one)\s*(?:please|pls|plz)?\s*[.!]?\s*$|\b(?:also|too|as\s+well)\b|也要|也来|还要|再要|再来",
    re.I,
)


# A message that goes on with a shopping list: "+ the black dripper", "and a tin of longjing",
# "oh and baby wipes", "还有龙井", "另外再加个滤杯", "顺便来3包湿巾".
_CONTINUES = re.compile(
    r"^\s*(?:(?:oh|ah|ok|okay|and)\s*,?\s*)?(?:\+|&|\band\b|\bplus\b|\balso\b|\bwith\b|还有|另外|再加|外加|加上|以及|顺便|"
    r"还要|再要|再来)",
    re.I,
)


def continues_a_list(text: str) -> bool:
    """The message starts like the next item of a shopping list ("+ the black dripper", "还有龙井")."""
    return bool(_CONTINUES.search(text))


# A greeting that opens a message ("亲 在吗", "你好 在不在", "hi are you there?"): asking whether
# someone is there is not the question of the message that follows it.
_OPENING_GREETING = re.compile(
    r"^\s*(?:(?:亲亲?|亲爱的|你好|您好|哈喽|嗨|老板|掌柜的?|hi|hello|hey|hiya)[\s,，.。!！~～]*)*"
    r"(?:在吗|在嘛|在么|在不在|有人吗|are\s+(?:you|u)\s+there|anyone\s+there)[\s,，.。!！?？~～]*",
    re.I,
)


def without_greeting(text: str) -> str:
    """ "亲 在吗 蓝牙耳机要两副" -> "蓝牙耳机要两副": the opening "are you there" is no question."""
    rest = _OPENING_GREETING.sub("", text, count=1)
    return rest if rest.strip() else text


def asks_to_buy(text: str) -> bool:
    """A buying verb ("我想买", "来一个", "加购", "buy", "add", "I'll take") or a counted item ("2 mugs")."""
    patterns = (_BUY, _QUANTITY, _ZH_QUANTITY, _EN_QUANTITY, _COUNT_AT_THE_END)
    return any(pattern.search(text) is not None for pattern in patterns) or bool(_BARE_LEADING_NUMBER.match(text))


# "要这个", "就它了", "I'll take it", "buy": the product on screen is the one wanted.
_TAKE_SHOWN = re.compile(
    r"(?:就要|要|就|买|拿|选)(?:这|那)(?:一)?(?:个|款|件|双|只|套|种|支|瓶|把|条)?|就它|就要它|要它|买它|拿下|要了|买了|下单|"
    r"(?:这|那)(?:个|款)吧|来一个|来一件|"
    r"\b(?:this|that)\s+one\b|\b(?:take|buy|get|want|grab|order|add)\s+(?:it|this|that|one)\b|"
    r"\bi'?ll\s+(?:take|have|get)\b|\b(?:buy|purchase)\b|\bsold\b",
    re.I,
)


def takes_the_one_shown(text: str) -> bool:
    """A message that only says "this one, I'll have it" - no product, option or question of its own."""
    if not _TAKE_SHOWN.search(text) or re.search(r"[?？]|吗|\b(?:how|what|which|when|where|why)\b", text, re.I):
        return False
    return not product_words(_TAKE_SHOWN.sub(" ", text))


# Words of a buying message that are not the product ("来两个", "add ... to my cart", "x2", "please").
# (The 拿 of 拿铁, latte, is no "take".)
_PURCHASE_WORDS = re.compile(
    rf"(?:\d{{1,3}}|[一二两三四五六七八九十])\s*(?:{_ZH_UNITS})(?![装套])|俩|仨|(?:加入|加到|加进|放进|加)?购物车|加购|下单|入手|"
    # "白的L也来一副", "另外再要一副": another one, not a product word
    r"另外|(?:也|再|还|又)(?:再)?(?=买|要|来|拿|加|拍|\s|$)|"
    r"那?(?:先|就|再|帮我|给我)把|那就|那先|那么|^\s*那|(?:按|就)?原价|"
    r"\bat\s+(?:the\s+)?(?:normal|regular|full|original|usual|listed)\s+price\b|\banyway\b|"
    r"(?:我想|我要|想|帮我|给我)?(?:买|要|来|拿(?!铁)|带(?=[个一两三上])|上(?<=带上)|加(?![\u4e00-\u9fff])|加(?=[个一二两三四五六七八九十俩仨上入到进购])|"
    r"(?<![\u4e00-\u9fff])拍(?![\u4e00-\u9fff])|拍(?=[个一两下]))(?:个|一个|一下|[盒包袋瓶罐杯根支条件份只](?=[\u4e00-\u9fff]{2}))?|我想要|我要|帮我|给我|吧|呢|啊|的|了|啦|嘛|就它|它|那款|这款|那个|这个|那种|这种|一下|"
    rf"(?<![\d.])\d{{1,2}}\s*(?:pcs|pieces|units|items|x\b|×)|(?:(?<![a-z0-9])x|(?<!\d)×|\*)\s*\d{{1,3}}\b|"
    r"\bas\s+well\b|\bwhile\s+(?:you'?re|ur|u\s*r|you\s+are)\s+at\s+it\b|\b(?:by\s+the\s+way|btw|oh|ah|um+)\b|顺便|"
    r"\b(?:add|buy|purchase|get|take|have|like|want|need|order|i'?ll|i'?d|i|can|me|my|to|the|a|an|one|two|three|"
    r"couple|pair|of|please|pls|plz|cart|basket|it|this|that|them|these|those|ones?|some|just|also|and|too|ok|okay|fine|then|actually|"
    r"in|size|colou?r)\b|[\s,，。!！?？~]+|\.(?!\d)",
    re.I,
)


# "那先把手冲壶…加购物车": the lead-in of a 把 sentence is no product word (and jieba would read 把手).
_BA_LEAD_IN = re.compile(r"^\s*(?:那|那就|那我|就|我)?\s*(?:先|再|也)?\s*把(?=\S\S)")
# Chinese units written the way catalogs write them: "600毫升" -> "600ml".
_METRIC_UNITS = (
    ("毫升", "ml"),
    ("公斤", "kg"),
    ("千克", "kg"),
    ("厘米", "cm"),
    ("毫米", "mm"),
    ("克", "g"),
    ("升", "l"),
)
_METRIC = re.compile(r"(\d(?:[\d.]*\d)?)\s*(" + "|".join(zh for zh, _ in _METRIC_UNITS) + ")")


def metric_units(text: str) -> str:
    """ "手冲壶600毫升" -> "手冲壶600ml": amounts in the units the catalog's option values use."""
    units = dict(_METRIC_UNITS)
    return _METRIC.sub(lambda m: m.group(1) + units[m.group(2)], text)


_AMOUNT = re.compile(r"(?<![0-9a-z.])(\d+(?:\.\d+)?)\s*(ml|l|g|kg|cm|mm|oz|lbs?|gb|tb|inch)(?![a-z])", re.I)


def spec_amounts(text: str) -> list[str]:
    """Amounts with a unit ("600ml", "1kg", "3.5L", "600毫升"): option values that tell products apart."""
    return [f"{m.group(1)}{m.group(2).lower()}" for m in _AMOUNT.finditer(metric_units(text))]


# "家里俩狗子", "我家有两只猫", "we have two dogs": who it is for, no item of the list.
_CONTEXT_CLAUSE = re.compile(
    r"(?:我们家|我家|咱家|家里|家中|我们|我)\s*(?:里)?\s*(?:有|养了?|俩|仨|[一二两三四五六七八九十]只)|"
    # who it is a present for ("送长辈的", "送人用的", "给朋友的"): a clause of its own, ending in 的
    r"(?:送给?|给)[\u4e00-\u9fff]{1,5}?(?:用)?的(?=[\s,，;；。.!！~～]|$)|"
    # not "can i have two ...", "could we get": a request, not who it is for
    r"(?<!can\s)(?<!could\s)(?<!may\s)(?:we|i|my\s+\w+|our\s+\w+)\s+(?:have|has|got|'ve\s+got|own)\b",
    re.I,
)


_CLAUSE_START = re.compile(r"(?:^|(?<=[,，;；。.!！\s]))\S")  # where a clause may begin
_BUYING_VERB = re.compile(r"买|要|来|拿|加|带|\b(?:buy|add|get|want|need|take|order)\b", re.I)


# Words to write on a card or a cake ("can you write "happy birthday my love" on it"): no request.
_QUOTED = re.compile(r'"[^"]{3,}"|“[^”]{3,}”|「[^」]{3,}」|『[^』]{3,}』')


def without_quoted(text: str) -> str:
    """The text with words quoted to be written blanked out (same length)."""
    return _QUOTED.sub(lambda match: " " * len(match.group()), text)


def without_context(text: str) -> str:
    """The text with clauses about who it is for, and words quoted to be written, blanked out
    (same length, so places stay)."""
    text = without_quoted(text)
    for start in [m.start() for m in _CLAUSE_START.finditer(text)]:
        if not _CONTEXT_CLAUSE.match(text, start):
            continue
        stop = re.compile(r"[,，;；。.!！]|\s" if _HAN_CHAR.match(text, start) else r"[,，;；。.!！]")
        end_match = stop.search(text, start)
        end = end_match.start() if end_match else len(text)
        if not _BUYING_VERB.search(text[start:end]):
            text = text[:start] + " " * (end - start) + text[end:]
    return text


_HAN_CHAR = re.compile(r"[\u4e00-\u9fff]")


TYPOS_FILE = Path(__file__).parent / "typos.yml"


# The words that say what an after-sales or cart request is: one keystroke off ("rteurn", "refnud",
# "exchnage", "cancle") they are still read as meant, since none of those spellings is a word of
# its own (tests/dialogs/test_keyword_typos.py checks that against an English word list).
ONE_EDIT_KEYWORDS = ("return", "refund", "exchange", "cancel")


def one_edit_typos(word: str) -> set[str]:
    """A letter dropped or two neighbours swapped ("retrun", "retun"); the first letter kept."""
    dropped = {word[:i] + word[i + 1 :] for i in range(1, len(word))}
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1)}
    return (dropped | swapped) - {word}


@cache
def _typos() -> tuple[re.Pattern[str], dict[str, str]]:
    document = yaml.safe_load(TYPOS_FILE.read_text(encoding="utf-8")) or {}
    meant = {typo: word for word in ONE_EDIT_KEYWORDS for typo in one_edit_typos(word)}
    meant |= {str(typo).lower(): str(word) for word, typos in document.items() for typo in typos or []}
    words = "|".join(re.escape(typo) for typo in sorted(meant, key=len, reverse=True))
    return re.compile(rf"(?<![\w'’-])(?:{words})(?![\w'’-])", re.I), meant


def without_typos(text: str) -> str:
    """ "droop teh car" -> "drop the car", "sur thx" -> "sure thx" (dialogs/typos.yml)."""
    if not text.isascii() and not re.search(r"[a-z]", text, re.I):
        return text
    pattern, meant = _typos()
    return pattern.sub(lambda match: meant[match.group(0).lower()], text)


# "cool buy", "nice, i'll take it", "perfect, add it": a word of approval before the buying verb
# names no product ("cool mist humidifier" keeps its "cool": no buying verb follows it).
_APPROVAL = re.compile(
    r"^\s*(?:cool|nice|great|awesome|perfect|sweet|alright|lovely|good|neat|excellent|yay|yep|yup|sure)\b[\s,!.~]*"
    r"(?=(?:i'?ll\s+|i\s+will\s+|let'?s\s+|then\s+)?(?:buy|take|get|order|add|grab|want|have)\b)",
    re.I,
)


def product_words(text: str) -> str:
    """What is left of a buying message for a catalog search: "白色保温杯500的 来两个" -> "白色保温杯500"."""
    text = _APPROVAL.sub(" ", text)
    decimal = "\u2024"  # keeps "3.5L" whole through the punctuation clean-up
    cleaned = re.sub(r"(?<=\d)\.(?=\d)", decimal, metric_units(_BA_LEAD_IN.sub(" ", without_context(text))))
    cleaned = _PURCHASE_WORDS.sub(" ", _FILLER.sub(" ", _THANKS.sub(" ", cleaned)))
    cleaned = re.sub(r"^\s*\d{1,2}\s+(?=[a-z])", " ", cleaned)  # "2 gray water bottles": the count
    cleaned = re.sub(r"(?:^|\s)个(?=\S)", " ", cleaned)  # what is left of "买个头灯"
    cleaned = _LONE_PARTICLE.sub(" ", cleaned)  # the 也 of "白的L也来一副", the 再 of "再来一个红色的"
    cleaned = re.sub(r"\s+", " ", cleaned).strip().replace(decimal, ".")
    return "" if re.fullmatch(r"\d{1,2}", cleaned) else cleaned  # "fine, 3 please": only a count


# Thanks closing a message ("Just one, thank you.", "要两个 谢谢"): politeness, not a product's name
# (a "Thank You" card is still found by "thank you card").
_THANKS = re.compile(
    r"(?:(?:^|(?<=[\s,，.。!！~]))(?:thanks?\s*(?:you|u)?|thx|ty|cheers)|谢谢(?:你|您|啦|了)?|多谢|感谢|辛苦了?)"
    r"(?:\s*(?:so\s+much|very\s+much|a\s+lot|a\s+bunch))?\s*[.。!！~]*\s*$",
    re.I,
)


# One-character adverbs left standing alone once purchase words are gone ("也", "再", "还", "都").
_LONE_PARTICLE = re.compile(r"(?<![\u4e00-\u9fff])[也还再都又就先那各](?![\u4e00-\u9fff])")


# "冬天去长白山够用吗", "is it warm enough for winter camping?", "适合敏感肌吗": whether the product
# suits a use. "哪个适合夏天用" / "which one is good for…" picks among products (a recommendation).
_FIT = re.compile(
    r"够用|够不够|够暖|够大|够结实|暖和吗|暖不暖|保暖吗|适合|适不适合|合适吗|适用|能用吗|可以用吗|能不能用|"
    r"好不好用|扛得住|抗得住|顶得住|受得了|会不会冷|会冷吗|冷不冷|防水吗|防不防水|耐用吗|结实吗|装得下|"
    r"\b(?:warm|big|strong|large|durable|good|waterproof)\s+enough\b|\benough\s+for\b|\bgood\s+for\b|"
    r"\bsuitable\b|\bsuit(?:s)?\s+(?:me|my|a|an|the)\b|\bwork\s+(?:for|in|on)\b|\bok(?:ay)?\s+for\b|"
    r"\bhandle\b|\b(?:will|would|does|can)\s+(?:it|this|that)\s+(?:be|keep|work|fit|last|survive|hold|handle)\b",
    re.I,
)
_FIT_QUESTION = re.compile(r"[?？]|吗|么|不够|不住|不冷|不用|\b(?:will|would|is|are|does|do|can|could)\b", re.I)
_PICKS_AMONG = re.compile(r"哪个|哪款|哪种|哪一|推荐|有没有|\bwhich\b|\brecommend|\bany\b", re.I)


def asks_about_fit(text: str) -> bool:
    """A question whether the product in view suits what the customer has in mind."""
    return bool(_FIT.search(text) and _FIT_QUESTION.search(text) and not _PICKS_AMONG.search(text))


_PAYMENT_QUESTION = re.compile(
    r"方式|怎么付|如何付|能用|支持|可以用|支付宝|微信支付|信用卡|method|option|accept|"
    r"card|alipay|wechat ?pay|paypal|how (?:can|do) i pay",
    re.I,
)


# A payment that did not go through, or another card / way asked for to pay again: "card
# declined", "付款失败", "换张卡付", "can I use a different card".
PAYS_ANOTHER_WAY = re.compile(
    r"失败|没成功|不成功|没付成|付不了|付不成|被拒|拒付|扣款失败|"
    r"换(?:个|张|一个|一张)?(?:卡|银行卡|信用卡|储蓄卡)|换(?:个|一个|一种)?(?:支付|付款)方式|"
    r"\b(?:declined|failed|rejected|bounced|did\s*n[o']?t\s+go\s+through|did\s+not\s+go\s+through|"
    r"(?:another|a\s+different|a\s+new|my\s+other|the\s+other|other)\s+(?:card|bank\s+card|credit\s+card))\b",
    re.I,
)


def asks_how_paying_works(text: str) -> bool:
    """ "what payment methods do you accept?", "能用信用卡吗": a question about paying, not a report
    that a payment failed nor a request to pay (another card for a failed payment)."""
    return bool(_PAYMENT_QUESTION.search(text)) and not PAYS_ANOTHER_WAY.search(text)
