"""Price bounds and quantities, in Chinese and English.

Prices need a signal that the number is money (a currency, 以内/以上, under/over, 预算/budget);
"3天以内" or "2-3 days" must stay unannotated. Values are decimal strings in major units.
"""

from __future__ import annotations

import re
from decimal import Decimal

from nlu.extract.candidates import Candidate
from nlu.numerals import EN_NUMBER_WORDS, NUMBER_PATTERN, decimal_to_string, parse_number

EXTRACTOR = "chatcart.numbers"

_NUM = rf"(?P<num>{NUMBER_PATTERN})"
_CUR_PRE = r"(?:[¥￥$]|rmb|cny|usd|us\$)\s?"
_CUR_SUF = r"(?:\s?(?:块钱|块|元|圆|刀|美元|美金|rmb|cny|usd|dollars?|bucks?|yuan|quid))"
_UNIT_AFTER = re.compile(
    r"\s*(?:天|日|号|小时|分钟|周|个月|月|年|件|个|双|台|只|码|cm|mm|kg|斤|克|g\b|gb|tb|寸|inch|%|"
    r"days?\b|weeks?\b|hours?\b|months?\b|years?\b|pcs\b|items?\b|units?\b|pieces?\b|pairs?\b|times?\b|"
    r"inch(?:es)?\b|orders?\b|people\b|stars?\b)"
)


def _amount(tag: str) -> str:
    """A money amount with named groups `<tag>pre`, `<tag>num`, `<tag>suf`."""
    number = _NUM.replace("?P<num>", f"?P<{tag}num>")
    return rf"(?P<{tag}pre>{_CUR_PRE})?{number}(?P<{tag}suf>{_CUR_SUF})?"


_ZH_RANGE = re.compile(
    rf"(?P<kw>价格|价位|预算|价钱|售价|单价)?[在是为:：]?\s*{_amount('a')}\s*(?:到|至|-|~|～|—|–)\s*{_amount('b')}"
    r"(?P<between>\s*(?:之间|以内|区间|范围|左右))?"
)
_ZH_MAX_SUFFIX = re.compile(rf"{_amount('a')}\s*(?:以内|以下|之内|内|封顶|以下的|为上限)")
_ZH_MIN_SUFFIX = re.compile(rf"{_amount('a')}\s*(?:以上|起步|往上|朝上|起)")
_ZH_MAX_PREFIX = re.compile(
    rf"(?:不超过|不要超过|别超过|不能超过|不高于|低于|少于|小于|最多|最高|顶多|预算只有|预算是|预算在|预算|控制在|不到|便宜于)\s*{_amount('a')}"
)
_ZH_MIN_PREFIX = re.compile(rf"(?<![不别])(?:高于|超过|大于|至少|最低|起码|不低于|不少于)\s*{_amount('a')}")

_EN_RANGE = re.compile(
    r"(?P<kw>between|from|price\s*range|budget\s*(?:of|is)?|priced)?"
    rf"\s*{_amount('a')}\s*(?:-|–|~|to|and)\s*{_amount('b')}"
)
_EN_MAX_PREFIX = re.compile(
    r"(?:under|below|less\s+than|lower\s+than|cheaper\s+than|no\s+more\s+than|not\s+more\s+than|"
    r"max(?:imum)?(?:\s+of)?|at\s+most|up\s+to|within|budget(?:\s+is|\s+of)?|no\s+higher\s+than|"
    rf"<=?|≤|not\s+over|nothing\s+over|less\s+then|under\s+like)\s*{_amount('a')}"
)
_EN_MIN_PREFIX = re.compile(
    r"(?:over|above|more\s+than|higher\s+than|at\s+least|starting\s+(?:at|from)|minimum(?:\s+of)?|min|>=?|≥)"
    rf"\s*{_amount('a')}"
)
_EN_MAX_SUFFIX = re.compile(rf"{_amount('a')}\s*(?:or\s+less|or\s+under|or\s+below|or\s+cheaper|max\b|tops\b)")
_EN_MIN_SUFFIX = re.compile(rf"{_amount('a')}\s*(?:or\s+more|and\s+up|and\s+above|or\s+above|plus\b|\+)")


def _value(match: re.Match[str], tag: str) -> str | None:
    number = parse_number(match.group(f"{tag}num"))
    if number is None or number <= 0 or number >= Decimal(100_000_000):
        return None
    return decimal_to_string(number)


def _has_currency(match: re.Match[str], *tags: str) -> bool:
    return any(match.group(f"{tag}pre") or match.group(f"{tag}suf") for tag in tags)


def _followed_by_unit(normalized: str, match: re.Match[str]) -> bool:
    return bool(_UNIT_AFTER.match(normalized, match.end()))


def _span(match: re.Match[str], tag: str) -> tuple[int, int]:
    start = match.start(f"{tag}pre") if match.group(f"{tag}pre") else match.start(f"{tag}num")
    end = match.end(f"{tag}suf") if match.group(f"{tag}suf") else match.end(f"{tag}num")
    return start, end


def _bound(match: re.Match[str], entity: str, tag: str = "a") -> Candidate | None:
    value = _value(match, tag)
    if value is None:
        return None
    start, end = _span(match, tag)
    return Candidate(entity, value, start, end, EXTRACTOR)


def find_prices(normalized: str) -> list[Candidate]:
    found: list[Candidate | None] = []
    for match in _ZH_RANGE.finditer(normalized):
        if not _has_currency(match, "b") and _followed_by_unit(normalized, match):
            continue  # 3到5天, 38到40码
        low, high = parse_number(match.group("anum")), parse_number(match.group("bnum"))
        bare_range = low is not None and high is not None and 10 <= low < high  # 三千到五千的电脑
        if _has_currency(match, "a", "b") or match.group("kw") or match.group("between") or bare_range:
            found += [_bound(match, "price_min", "a"), _bound(match, "price_max", "b")]
    for match in _EN_RANGE.finditer(normalized):
        if _followed_by_unit(normalized, match) and not _has_currency(match, "b"):
            continue
        if _has_currency(match, "a", "b") or (match.group("kw") or "").strip() in {"between", "price range", "priced"}:
            found += [_bound(match, "price_min", "a"), _bound(match, "price_max", "b")]
    for pattern, entity in (
        (_ZH_MAX_SUFFIX, "price_max"),
        (_ZH_MIN_SUFFIX, "price_min"),
        (_ZH_MAX_PREFIX, "price_max"),
        (_ZH_MIN_PREFIX, "price_min"),
    ):
        for match in pattern.finditer(normalized):
            if pattern in (_ZH_MAX_PREFIX, _ZH_MIN_PREFIX) and _followed_by_unit(normalized, match):
                continue
            if pattern is _ZH_MIN_SUFFIX and match.group(0).endswith("起") and not _has_currency(match, "a"):
                continue  # 一起 = together; 100元起 needs its currency
            found.append(_bound(match, entity))
    for pattern, entity in (
        (_EN_MAX_PREFIX, "price_max"),
        (_EN_MIN_PREFIX, "price_min"),
        (_EN_MAX_SUFFIX, "price_max"),
        (_EN_MIN_SUFFIX, "price_min"),
    ):
        for match in pattern.finditer(normalized):
            if _followed_by_unit(normalized, match) and not _has_currency(match, "a"):
                continue
            value = _value(match, "a")
            if value is None or (not _has_currency(match, "a") and Decimal(value) < 10):
                continue  # "more than 2" is a count, not a price
            found.append(_bound(match, entity))
    return [candidate for candidate in found if candidate is not None]


_MEASURE_WORDS = "个件双条台只盒瓶包套支把副部份袋箱张本杯罐桶组对片顶枚颗根提听粒卷册束"
# "选一个" / "换一件" use 一 as an article; it is a count only after a buying/removing verb.
_ONE_AS_COUNT_BEFORE = re.compile(r"(?:来|要|买|加|拿|订|购|减|掉|少|删|退|再|多|数量|共)\s*$")
_ZH_QUANTITY = re.compile(
    rf"(?<![第\d.])(?P<num>\d{{1,3}}|[零一二两俩三四五六七八九十百]+)\s*(?:[{_MEASURE_WORDS}])(?!月|小时|钟|工作日)"
)
_ZH_QUANTITY_SET = re.compile(
    r"(?:数量|个数|件数)\s*(?:改成|改为|换成|调成|设为|设成|减到|加到|改到|减为|为|是|要|:|：)?\s*(?P<num>\d{1,3}|[一二两三四五六七八九十]+)"
)
_EN_NUMBER = r"\d{1,3}|" + "|".join(sorted(EN_NUMBER_WORDS, key=len, reverse=True))
_EN_QUANTITY_VERB = re.compile(
    r"(?:\badd|\bbuy|\bget|\border|\bwant|\bneed|\btake|\bgrab|\bpurchase|\bremove|\bdelete|\bmake\s+it|"
    r"\bbuying|\badding|\bordering|\bgetting|\bput|\breduce\s+(?:it\s+)?by|\bchange\s+(?:it\s+)?to|"
    r"\bupdate\s+(?:it\s+)?to|\bset\s+(?:it\s+)?to|\bqty|\bquantity(?:\s+to|\s+of)?|"
    rf"\bjust|\bonly)\s*:?\s*(?P<num>(?<![A-Za-z0-9_.])(?:{_EN_NUMBER}))(?![A-Za-z0-9_.%$-])"
)
_EN_QUANTITY_UNIT = re.compile(
    rf"(?<![A-Za-z0-9_.$-])(?P<num>{_EN_NUMBER})\s*"
    r"(?:x\b|pcs\b|pieces?\b|units?\b|items?\b|pairs?\b|packs?\b|boxes\b|box\b|"
    r"bottles?\b|sets?\b|bags?\b|cans?\b|tubes?\b|jars?\b|pots?\b|tins?\b|rolls?\b|packets?\b|cases?\b|"
    r"copies\b|more\b|of\s+(?:them|these|those|this|that|the|it|each|em)\b)"
)
_EN_QUANTITY_ONES = re.compile(rf"(?<![A-Za-z0-9_.$-])(?P<num>{_EN_NUMBER})\s+(?:[a-z]+\s+)?ones\b")
# Counted in dozens or couples: 一打 / 两打 / 半打, "a dozen", "half a dozen", "two dozen", "a couple (of)".
# 打 is also a verb (打折, 打包, 打电话), so it counts only right after a numeral and not before those.
_ZH_DOZEN = re.compile(r"(?<![第\d.])(?P<num>[一两二三四五六七八九十半]|\d{1,2})\s*打(?![折包电车开印算])")
_EN_DOZEN = re.compile(rf"(?<![A-Za-z0-9_.$-])(?P<num>half\s+a|a|an|{_EN_NUMBER})\s+dozen\b")
_EN_COUPLE = re.compile(r"(?<![A-Za-z0-9_.$-])a\s+couple(?:\s+of)?\b")
_MULTIPLY = re.compile(r"(?:[x×*]|乘以?)\s*(?P<num>\d{1,3})(?![A-Za-z0-9_.])")
_EN_NOT_QUANTITY_AFTER = re.compile(
    r"\s*(?:%|dollars?|bucks?|usd|rmb|yuan|gb|tb|inch|days?|weeks?|hours?|months?|years?)"
)


def _quantity(match: re.Match[str], *, whole_match: bool = False) -> Candidate | None:
    """A quantity; Chinese spans include the measure word (两件), matching jieba's tokens."""
    number = parse_number(match.group("num"))
    if number is None or number <= 0 or number > 999 or number != number.to_integral_value():
        return None
    start, end = (match.start(), match.end()) if whole_match else (match.start("num"), match.end("num"))
    return Candidate("quantity", int(number), start, end, EXTRACTOR)


def _dozen(match: re.Match[str]) -> Candidate | None:
    word = re.sub(r"\s+", " ", match.group("num").lower())
    count = {"半": 0.5, "half a": 0.5, "a": 1, "an": 1}.get(word)
    if count is None:
        number = parse_number(word)
        count = float(number) if number is not None else None
    if count is None or not 0 < count * 12 <= 999:
        return None
    return Candidate("quantity", int(count * 12), match.start(), match.end(), EXTRACTOR)


def find_quantities(normalized: str) -> list[Candidate]:
    found: list[Candidate | None] = [
        _dozen(match) for match in (*_ZH_DOZEN.finditer(normalized), *_EN_DOZEN.finditer(normalized))
    ]
    found.extend(Candidate("quantity", 2, m.start(), m.end(), EXTRACTOR) for m in _EN_COUPLE.finditer(normalized))
    for match in _ZH_QUANTITY.finditer(normalized):
        if match.group("num") == "一" and not _ONE_AS_COUNT_BEFORE.search(
            normalized[max(0, match.start() - 3) : match.start()]
        ):
            continue
        found.append(_quantity(match, whole_match=True))
    for pattern in (_ZH_QUANTITY_SET, _MULTIPLY, _EN_QUANTITY_UNIT, _EN_QUANTITY_ONES):
        found.extend(_quantity(match) for match in pattern.finditer(normalized))
    for match in _EN_QUANTITY_VERB.finditer(normalized):
        if _EN_NOT_QUANTITY_AFTER.match(normalized, match.end()):
            continue
        if match.group("num") == "one" and re.match(
            r"\s+(?:of\s+(?:my|your|the|our)\b|size\b)", normalized[match.end() :]
        ):
            continue  # "remove one of the items": a reference, not a count
        found.append(_quantity(match))
    return [candidate for candidate in found if candidate is not None]
