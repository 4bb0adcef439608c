"""Reading a delivery address from chat text, whole or piece by piece, and checking it.

"张三 13800138000 上海市浦东新区世纪大道100号" or "John Smith, +86 138 0013 8000, Shanghai Pudong,
100 Century Ave" -> name, phone, region, detail. Whatever cannot be found is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from commerce.shipping.regions import MUNICIPALITIES, PLACE_NAMES_ZH, canonical_place

# Provincial-level names (besides the municipalities) and the suffix each takes when typed without it.
_PROVINCE_SUFFIX = {
    **dict.fromkeys(
        [
            *("河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建", "江西", "山东", "河南"),
            *("湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海", "台湾"),
        ],
        "省",
    ),
    **dict.fromkeys(["内蒙古", "西藏"], "自治区"),
    "广西": "壮族自治区",
    "宁夏": "回族自治区",
    "新疆": "维吾尔自治区",
    **dict.fromkeys(["香港", "澳门"], "特别行政区"),
}

# Eleven digits however they are grouped ("138 1234 5678", "1381-234-5678", "138.1234.5678"), after
# +86 / 0086 / (86) or nothing.
PHONE_CN = re.compile(r"(?<![\d*＊])(?:[(（]?(?:\+|00)?86[)）]?[\s.-]?)?(1[3-9](?:[\s.-]?\d){9})(?![\d*＊])")
# A number copied from an order page with its middle hidden ("138****5678"): no number to ship to.
MASKED_PHONE = re.compile(r"(?<!\d)1[3-9]\d[\s-]?[*＊xX]{4}[\s-]?\d{4}(?!\d)")
PHONE_INTL = re.compile(r"(?<![\w+])(\+\d{1,3}[\s-]?\d[\d\s-]{5,14}\d)(?!\d)")
_REGION_ZH = re.compile(
    r"^((?:[^\s,，]{2,7}?(?:省|自治区|特别行政区))?(?:[^\s,，]{2,9}?(?:市|自治州|地区|盟))?"
    r"(?:[^\s,，]{1,9}?(?:区|县|旗|市))?)"
)
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_PERSON_ZH = re.compile(r"[\u4e00-\u9fff]{2,4}|[\u4e00-\u9fff]{1,2}(?:先生|女士|小姐)")
_DIGITS = re.compile(r"\d")
ADDRESS_FIELDS = ("name", "phone", "region", "detail")


@dataclass(frozen=True)
class AddressDraft:
    name: str = ""
    phone: str = ""
    region: str = ""
    detail: str = ""
    phone_invalid: bool = False  # a number was typed but it is not a mobile number

    def missing(self) -> list[str]:
        return [name for name in ADDRESS_FIELDS if not getattr(self, name)]

    def to_dict(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}

    @classmethod
    def from_dict(cls, data: dict[str, str] | None) -> AddressDraft:
        data = data or {}
        return cls(
            name=str(data.get("name") or ""),
            phone=str(data.get("phone") or ""),
            region=str(data.get("region") or ""),
            detail=str(data.get("detail") or ""),
        )


_LONG_NUMBER = re.compile(r"(?<![\d号])\+?\d[\d\s-]{5,}\d(?![\d号])")


def normalize_phone(text: str) -> str | None:
    """A mobile number as digits (with + for international), or None if it is not one."""
    match = PHONE_CN.search(text)
    if match:
        return re.sub(r"\D", "", match.group(1))
    match = PHONE_INTL.search(text)
    if match:
        digits = re.sub(r"[\s-]", "", match.group(1))
        return digits if 8 <= len(digits) <= 16 else None
    return None


# Labels customers put before a field: "我叫李四", "收件人：张三", "my name is Tom", "电话是 138...".
_FIELD_LABEL = re.compile(
    r"^\s*(?:我叫|我是|名字是|名字叫|姓名[:：是]?|收件人[:：是]?|收货人[:：是]?|联系人[:：是]?|电话[:：是]?|手机号?[:：是]?|"
    r"地址[:：是]?|收货地址[:：是]?|详细地址[:：是]?|地区[:：是]?|"
    r"(?:my\s+)?name(?:\s+is|:)|i\s*am|i'm|this\s+is|recipient(?:\s+is|:)|phone(?:\s+number)?(?:\s+is|:)|"
    r"mobile(?:\s+is|:)|(?:my\s+)?address(?:\s+is|:)|region(?:\s+is|:)|it'?s)\s*",
    re.I,
)


def strip_label(text: str) -> str:
    return _FIELD_LABEL.sub("", text, count=1).strip()


def valid_name(text: str) -> str | None:
    name = strip_label(text).strip(",，")
    if (
        1 <= len(name) <= 30
        and not _DIGITS.search(name)
        and not re.search(r"[<>{}@#$%^*=\\/|?？!！]", name)
        and re.search(r"[A-Za-z\u4e00-\u9fff]", name)
    ):
        return name
    return None


_PLACE_SUFFIX_ZH = re.compile(r"[省市区县州旗盟镇乡]")


def valid_region(text: str) -> str | None:
    region = strip_label(text).strip(",，")
    # One token mixing letters and digits ("welcome10", "SAVE20") is a code, not a place.
    if re.fullmatch(r"[A-Za-z]*\d[A-Za-z\d]*|[A-Za-z]+\d+", region):
        return None
    # In Chinese a place has a suffix (省/市/区/县) or is a known province or city ("上海 浦东"):
    # "没有码 直接下单吧" is none.
    if (
        _HAS_CJK.search(region)
        and not _PLACE_SUFFIX_ZH.search(region)
        and not any(region.startswith(name) for name in PLACE_NAMES_ZH)
    ):
        return None
    if 2 <= len(region) <= 60 and re.search(r"[A-Za-z\u4e00-\u9fff]", region):
        return region
    return None


def valid_detail(text: str) -> str | None:
    detail = strip_label(text).strip(",，")
    if 3 <= len(detail) <= 120 and re.search(r"[\w\u4e00-\u9fff]", detail):
        return detail
    return None


def _split_region_zh(text: str) -> tuple[str, str]:
    match = _REGION_ZH.match(text)
    region = match.group(1) if match else ""
    return region, text[len(region) :].strip()


_SPACE_BY_CJK = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")
# What follows a province or city name typed without its suffix when it is one ("北京 朝阳区",
# "江苏南京鼓楼区"), and not when it starts a street ("北京路100号").
_NEXT_LEVEL = re.compile(r"^(?:$|[^\d路街道号巷弄]{1,8}?(?:市|区|县|旗|自治州|地区|盟))")
_STRONG_LEVEL = re.compile(r"省|自治区|特别行政区|市|自治州|盟")
_NOT_REGION = re.compile(r"\d|号")  # "鼓楼区", "道里区", "路桥区" are districts; a number is not


def compact_zh(text: str) -> str:
    """Spaces next to Chinese characters dropped ("北京 朝阳区 望京街道" -> "北京朝阳区望京街道");
    those between Latin words and numbers kept ("望京SOHO T1 1501")."""
    return _SPACE_BY_CJK.sub("", text.strip())


def _suffix_of(name: str) -> str:
    return "市" if name in MUNICIPALITIES else _PROVINCE_SUFFIX.get(name, "市")


def _with_suffixes(text: str) -> str:
    """Province and city names typed without 省/市 get them back: "北京朝阳区" -> "北京市朝阳区",
    "江苏南京鼓楼区" -> "江苏省南京市鼓楼区" (how JD and Taobao write a region, and people too)."""
    out, rest = "", text
    for _ in range(2):
        name = next((n for n in sorted(PLACE_NAMES_ZH, key=len, reverse=True) if rest.startswith(n)), None)
        if name is None:
            break
        after = rest[len(name) :]
        if re.match(r"(?:省|市|自治区|特别行政区|维吾尔|壮族|回族)", after):
            suffix = re.match(r"(?:维吾尔|壮族|回族)?(?:省|市|自治区|特别行政区)", after)
            taken = len(name) + (suffix.end() if suffix else 0)
            out, rest = out + rest[:taken], rest[taken:]
            continue
        if not _NEXT_LEVEL.match(after):
            break
        out, rest = out + name + _suffix_of(name), after
    return out + rest


def leading_region_zh(text: str, *, strong_only: bool = False) -> tuple[str, str]:
    """(region, the rest) of a Chinese place written from the top down, whatever the spacing and
    suffixes: "北京 朝阳区 三环到四环之间 望京街道" -> (北京市朝阳区, 三环到四环之间望京街道).
    `strong_only`: only a region naming a province or city (a district alone is too easily
    part of a street: "科技园区")."""
    compact = _with_suffixes(_dedupe_city(compact_zh(text)))
    region, rest = _split_region_zh(compact)
    if not region or _NOT_REGION.search(region):
        return "", compact
    if strong_only and not (_STRONG_LEVEL.search(region) or any(region.startswith(n) for n in PLACE_NAMES_ZH)):
        return "", compact
    return _dedupe_city(region), rest.strip()


def _place_zh(parts: list[str]) -> tuple[str, str]:
    """(region, detail) of the place parts of a Chinese address in any order: the region line may
    come after the street ("望京SOHO T1 1501 / 北京 朝阳区 望京街道"); what follows the region on its
    line (a street office, a ring road) goes before the other street parts."""
    for index in range(len(parts)):
        region, rest = leading_region_zh(" ".join(parts[index:]), strong_only=True)
        if region:
            detail = " ".join([rest, *(compact_zh(p) for p in parts[:index])])
            return region, compact_zh(detail)
    region, rest = leading_region_zh(" ".join(parts))
    return region, compact_zh(rest)


# "change the address to ...", "地址改成...", "寄到..." before the address itself.
_LEAD_IN = re.compile(
    r"^.{0,24}?(?:(?:address|ship(?:ping)?|deliver(?:y)?|send)\s+(?:it\s+)?(?:to|is)\s*[:：]?|"
    r"(?:改成|改为|换成|寄到|送到|发到|地址是|地址为)\s*[:：]?)\s*",
    re.I,
)


# Labels of the blocks that WeChat, Taobao and JD (and English forms) put in a copied address.
_LABELS: dict[str, str] = {
    "name": r"收货人|收件人|联系人|姓名|名字|recipient|consignee|receiver|full\s+name|name|"
    r"contact(?:\s+(?:name|person))?(?!\s*(?:number|no\b|phone|tel|mobile|\d|\+))",
    "phone": r"手机号码|手机号|手机|联系电话|联系方式|电话号码|电话|contact\s+(?:number|no\.?|phone)|"
    r"mobile(?:\s+(?:number|no\.?))?|phone(?:\s+(?:number|no\.?))?|tel",
    "region": r"所在地区|所在城市|所在地|省市区|省份|城市|区县|地区|region|province|city|district|county",
    "detail": r"详细地址|街道地址|收货地址|地址|address|street|addr",
    "postcode": r"邮政编码|邮编|post\s*code|postal\s+code|zip(?:\s+code)?",
}
# Label words that only count as labels with a colon ("Street: …"): in a street or a city they are
# ordinary words ("88 Nanjing West Street", "Shanghai City").
_COLON_ONLY = re.compile(r"^(?:region|province|city|district|county|street|zip|城市|省份|区县)$", re.I)
_LABEL = re.compile(
    "(?:"
    + "|".join(rf"(?P<{field}>(?<![A-Za-z])(?:{pattern})(?![A-Za-z]))" for field, pattern in _LABELS.items())
    + r")(?P<sep>\s*(?:\bis\b|是|为)?\s*[:：]\s*|\s+(?:is|是|为)\s+|['’]s\s+|\s*(?:是|为)\s*(?=[\u4e00-\u9fff\d+])|"
    r"\s*(?=\+?\d)|\s+|(?=[\u4e00-\u9fff]))",
    re.I,
)
_BOUNDARY_BEFORE = re.compile(r"(?:^|[\s,，;；/|｜、(（\d])$")
_POSTCODE_TAIL = re.compile(r"[\s,，]*(?<!\d)\d{6}(?!\d)\s*$")
_FILLER_TAIL = re.compile(r"(?:[\s,，]+(?:my|and|the|our))+\s*$|(?:我的|还有|和)\s*$", re.I)


def _labels(text: str) -> list[re.Match[str]]:
    """The label words of a pasted block: with a colon anywhere, without one only where a label can
    stand (start of a line or after a space/separator) and only for words that are no place words."""
    found: list[re.Match[str]] = []
    for match in _LABEL.finditer(text):
        field = next((f for f in _LABELS if match.group(f)), None)
        if field is None:
            continue
        sep, word = match.group("sep"), match.group(field)
        if not (":" in sep or "：" in sep):
            if _COLON_ONLY.match(word):
                continue
            glued_phone = not word.isascii() and re.match(r"\+?\d", text[match.end() :])  # "…电话135…"
            if not glued_phone and not _BOUNDARY_BEFORE.search(text[: match.start()]):
                continue
            if word.isascii() and not sep and not re.match(r"\+?\d", text[match.end() :]):
                continue  # "names", "phones": no label glued to a word
        found.append(match)
    return found


def label_spans(text: str) -> list[tuple[int, int]]:
    """Where the label words of a pasted address are ("收货人：", "手机号码 ", "Address: ")."""
    return [(match.start(), match.end()) for match in _labels(text)]


def _label_field(match: re.Match[str]) -> str:
    return next(f for f in _LABELS if match.group(f))


def _dedupe_city(region: str) -> str:
    """ "北京 北京市 朝阳区" (how JD writes a municipality) -> "北京市朝阳区"."""
    return re.sub(r"^([\u4e00-\u9fff]{2,3})市?\s*(?=\1市)", "", region)


def _labelled(text: str) -> AddressDraft | None:
    """A copied block with labels ("收货人：王芳 手机号码：… 所在地区：… 详细地址：…", "收件人 钱多多 电话 …
    地址 …", "Name: …, phone …, address: …"): each value up to the next label, the labels left out.
    What a label does not cover ("phone 138…, name Tom, 88 Nanjing Rd Shanghai") is read as unlabelled."""
    found = _labels(text)
    if len({_label_field(m) for m in found}) < 2:
        return None
    values: dict[str, list[str]] = {}
    leftover: list[str] = [text[: found[0].start()]]
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        value = text[match.end() : end].strip(" ,，;；、/|｜\n\t")
        value = _FILLER_TAIL.sub("", value).strip(" ,，;；、/|｜\n\t")
        if value:
            values.setdefault(_label_field(match), []).append(value)
    first = {field: items[0] for field, items in values.items()}
    leftover += [v for field, items in values.items() if field not in ("region",) for v in items[1:]]
    phone_text = first.get("phone", "")
    phone = normalize_phone(phone_text) or ""
    if phone:
        at = PHONE_CN.search(phone_text) or PHONE_INTL.search(phone_text)
        leftover.append(phone_text[at.end() :] if at else "")
    name_parts = [p for p in _SEPARATORS.split(first.get("name", "")) if p.strip()]
    name = valid_name(name_parts[0]) if name_parts else None
    leftover += name_parts[1:]
    regions = list(dict.fromkeys(values.get("region", [])))  # "Province: Shanghai City: Shanghai District: …"
    joiner = "" if _HAS_CJK.search(" ".join(regions)) else ", "
    region = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", joiner.join(regions))
    detail = _POSTCODE_TAIL.sub("", first.get("detail", "")).strip(" ,，")
    if _HAS_CJK.search(region):
        # "所在地区 北京 朝阳区 三环到四环之间 望京街道": the street office and ring road go with the street.
        top, below = leading_region_zh(region)
        if top and below:
            region, detail = top, compact_zh(f"{below} {detail}")
        elif top:
            region = top
    if detail and not region:
        place = parse_address(detail, with_name=False)  # "77 Tianmu Rd West, Jing'an District, Shanghai"
        region, detail = place.region, place.detail or detail
    draft = AddressDraft(
        name=name or "", phone=phone, region=valid_region(_dedupe_city(region)) or "", detail=valid_detail(detail) or ""
    )
    rest = " , ".join(p.strip(" ,，;；、/|｜\n\t") for p in leftover if p.strip(" ,，;；、/|｜\n\t"))
    if rest and draft.missing():
        other = parse_address(rest, with_name=not draft.name)
        draft = AddressDraft(**{f: getattr(draft, f) or getattr(other, f) for f in ADDRESS_FIELDS})
    if first.get("phone") and not phone:
        draft = replace(draft, phone_invalid=True)
    return draft


# "/" and "|" between the fields ("Li Wei / 138… / Room 502, …", "钱多多/135…/浙江省…"), but not
# inside a street ("3/F", "Unit 5/12").
_SEPARATORS = re.compile(
    r"[,，;；\n|｜]+|\s*(?:(?<![A-Za-z0-9])/|/(?![A-Za-z0-9]))\s*|\s+[-–—]+\s+|"
    # "… Beijing. Tony Li …": a sentence ends (not "No. 88", "Mr. Tan", an initial "J. Smith")
    r"(?<![\s.][A-Z])(?<![Nn]o)(?<!^[A-Z])(?<!\bM[rs])(?<!\bMrs)(?<!\bDr)(?<!\bSt)\.(?:\s+|$)(?=[A-Za-z\u4e00-\u9fff]|$)|"
    # "Ethan Liu at 391 Wensan Rd": the name, then where
    r"\s+at\s+(?=(?:(?i:no\.?|room|rm|apt\.?|unit|flat|building|#)\s*)?\d)"
)
_POSTCODE = re.compile(r"(?<![\d#-])\d{6}(?![\d号室栋楼层])")
_STREET_PART = re.compile(
    r"\d|\b(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|lu|jie|dao|way|hwy|highway|"
    r"room|rm|apt|apartment|unit|building|bldg|floor|fl|block|tower|no)\b",
    re.I,
)


# Words around an address that belong to no field: "好的 王磊 139…", "here you go: Tom Lee, …", "… 谢谢".
_COURTESY_HEAD = re.compile(
    r"^(?:(?:好的|好嘞|好|嗯+|行|可以|收到|hi|hello|hey|ok(?:ay)?|sure|yes|yeah|yep|alright|here(?:'s|\s+is)?(?:\s+it\s+is|"
    r"\s+you\s+go|\s+you\s+are)?|给你|给您|如下|地址如下|发你|发给你|"
    # the go-ahead the address came with ("结算 地址…", "checkout: Tom Lee, …"): no field's text
    r"去?结算|结账|下单|买单|check\s*out|place\s+(?:the\s+|my\s+)?order)(?![A-Za-z\u4e00-\u9fff])[\s,，:：!！.。~～]*)+",
    re.I,
)
_COURTESY_TAIL = re.compile(
    r"[\s,，.。!！~～]*(?:谢谢(?:啦|了|你|您)?|多谢|感谢|麻烦(?:了|你了|您了)|辛苦(?:了|啦)|"
    r"thanks?(?:\s+(?:you|a\s+lot))?|thx|ty|please|pls|cheers)[\s!！。.~～]*$",
    re.I,
)


# The tag a shop's address book shows after the saved address it was copied from ("[默认地址]").
_DEFAULT_TAG = re.compile(
    r"[\s,，]*[\[【(（]?(?:设为)?默认(?:地址)?[\]】)）]?\s*$|[\s,，]*[\[(]?default(?:\s+address)?[\])]?\s*$", re.I
)


def strip_courtesy(text: str) -> str:
    """The message without the acknowledgement before it and the thanks (or a default-address
    tag) after it."""
    stripped = _COURTESY_TAIL.sub("", _COURTESY_HEAD.sub("", _DEFAULT_TAG.sub("", text.strip()))).strip()
    return stripped or text.strip()


# Words around an English address that name nobody and no place: "it's for my mom, Linda Huang, …",
# "to Bruce Xie at …", "…, his mobile is …", "hi! here is my address: …".
_CHATTER = frozenset(
    (
        "a",
        "an",
        "and",
        "at",
        "for",
        "from",
        "he",
        "her",
        "here",
        "here's",
        "hers",
        "hey",
        "hi",
        "his",
        "hello",
        "i",
        "i'm",
        "is",
        "it",
        "it's",
        "its",
        "me",
        "my",
        "our",
        "please",
        "pls",
        "she",
        "send",
        "ship",
        "deliver",
        "that",
        "the",
        "their",
        "them",
        "these",
        "this",
        "those",
        "to",
        "us",
        "we",
        "your",
        "live",
        "lives",
        "number",
        "mom",
        "mum",
        "mother",
        "dad",
        "father",
        "wife",
        "husband",
        "friend",
        "sister",
        "brother",
        "son",
        "daughter",
        "boss",
        "parents",
    )
)


def _without_chatter(part: str) -> str:
    """The part without the chatter words before a name ("to Bruce Xie" -> "Bruce Xie"); "" when
    it is nothing but chatter ("it's for my mom", "his")."""
    if not part.isascii() or _DIGITS.search(part):
        return part
    words = re.findall(r"[A-Za-z'’]+", part)
    if words and all(w.lower() in _CHATTER for w in words):
        return ""
    lead = re.match(r"^(?:[A-Za-z'’]+[\s!,.:]+)+?(?=[A-Z])", part)
    if lead and all(w.lower() in _CHATTER for w in re.findall(r"[A-Za-z'’]+", lead.group(0))):
        return part[lead.end() :]
    return part


def _words_of(chunk: str) -> list[str]:
    """A chunk split on spaces, the Latin words of one name kept together ("Wang Fang 广东省…")."""
    words: list[str] = []
    for word in chunk.split():
        latin = re.fullmatch(r"[A-Za-z][A-Za-z'’.-]*", word)
        if latin and words and re.fullmatch(r"[A-Za-z][A-Za-z'’. -]*", words[-1]):
            words[-1] += f" {word}"
        else:
            words.append(word)
    return words


_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")
_LATIN_NAME = re.compile(r"(?:(?:Mr|Mrs|Ms|Dr)\.?\s+)?[A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+){0,2}")


def _open_brackets(text: str, phone_at: int) -> str:
    """Brackets that held the phone or its label ("Grace Ho (mobile 135…)") or a name next to the
    number ("13312345678（王老师）") become separators; a remark stays ("…1501（望京地铁站旁）")."""

    def opened(match: re.Match[str]) -> str:
        inner = match.group(1).strip(" ,，")
        if not inner:
            return " , "
        near_phone = phone_at >= 0 and min(abs(match.start() - phone_at), abs(match.end() - phone_at)) <= 4
        named = (_PERSON_ZH.fullmatch(inner) or _LATIN_NAME.fullmatch(inner)) and not looks_like_place(inner)
        return f" , {inner} , " if near_phone and named else match.group(0)

    return _BRACKETED.sub(opened, text)


def _distance(text: str, part: str, at: int) -> int:
    where = text.find(part)
    return abs(where - at) if where >= 0 else len(text)


def parse_address(text: str, *, with_name: bool = True) -> AddressDraft:
    """Everything recognisable in one message; fields not found stay empty.

    `with_name=False` reads a place only (the name is known): "Shanghai" is then a city."""
    text = strip_courtesy(text)
    labelled = _labelled(text) if with_name else None
    if labelled is not None:
        return labelled
    text = _LEAD_IN.sub("", text.strip(), count=1).strip() or text.strip()
    draft = AddressDraft()
    phone = normalize_phone(text)
    rest = text
    phone_at = -1  # where the number stood: the name is most often right next to it
    if phone:
        draft = replace(draft, phone=phone)
        match = PHONE_CN.search(rest) or PHONE_INTL.search(rest)
        if match:
            phone_at = match.start()
            rest = (rest[: match.start()] + " , " + rest[match.end() :]).strip()
            # "+86 " left in front of the national number
            rest = re.sub(r"(?:\+|00)?86[\s-]*,", ",", rest)
        rest = _POSTCODE.sub(" , ", rest)  # "… 中关村大街27号 100080", "Shanghai 200070"
    elif masked := MASKED_PHONE.search(rest):
        draft = replace(draft, phone_invalid=True)  # asked for again; the stars are no street
        rest = (rest[: masked.start()] + " , " + rest[masked.end() :]).strip()
    else:
        bad = _LONG_NUMBER.search(rest)
        if bad and len(re.sub(r"\D", "", bad.group(0))) >= 7:
            draft = replace(draft, phone_invalid=True)
            rest = (rest[: bad.start()] + " , " + rest[bad.end() :]).strip()
    # A label word left on its own ("地址 上海市…", "phone 138…") is no part of any field.
    for label in reversed(_labels(rest) if with_name else []):
        rest = rest[: label.start()] + " , " + rest[label.end() :]
    rest = _open_brackets(rest, phone_at)
    parts = [p.strip().rstrip(".。") for p in _SEPARATORS.split(rest) if p.strip().rstrip(".。")]
    if len(parts) <= 2 and _HAS_CJK.search(rest):
        parts = [p for chunk in parts for p in _words_of(chunk)] or parts
    parts = [kept for p in parts if (kept := _without_chatter(p))]
    candidates = [p for p in parts if with_name and valid_name(p) and not looks_like_place(p) and len(p) <= 20]
    # A Chinese name is two to four characters: "李娜" rather than "三环到四环之间" when both stand alone;
    # of several, the one next to the phone number ("…, Wangjing SOHO, … Beijing. Tony Li 133…").
    shaped = [p for p in candidates if _PERSON_ZH.fullmatch(p) or not _HAS_CJK.search(p)]
    if phone_at >= 0 and len(shaped) > 1:
        shaped.sort(key=lambda p: _distance(rest, p, phone_at))
    name = shaped[0] if shaped else (candidates[0] if candidates else "")
    place = list(parts)
    if name:
        place.remove(name)
    if name:
        draft = replace(draft, name=valid_name(name) or "")
    if not place:
        return draft
    joined = "".join(place) if _HAS_CJK.search(" ".join(place)) else ", ".join(place)
    if _HAS_CJK.search(joined):
        region, detail = _place_zh(place)
        if region and detail:
            return replace(draft, region=region, detail=valid_detail(detail) or "")
        joined = compact_zh(" ".join(place))
        return (
            replace(draft, detail=valid_detail(joined) or "")
            if _DIGITS.search(joined)
            else replace(draft, region=valid_region(joined) or "")
        )
    if len(place) >= 2:
        # The street parts (a number, a street or room word) are the detail, the others the region,
        # in either order: "Room 502, 18 Huaihai Rd, Xuhui, Shanghai", "Shanghai, Pudong, 100 Century Ave".
        streets = [p for p in place if _STREET_PART.search(p)]
        places = [p for p in place if p not in streets]
        at_street = [index for index, p in enumerate(place) if p in streets]
        if streets and places and (at_street[-1] < len(place) - 1 or at_street[0] > 0):
            # The region is the run of places at the end (or the start); a place between street
            # parts is a building's name and goes with the street ("Building 3, Wangjing SOHO, 1 …").
            cut = at_street[-1] + 1 if at_street[-1] < len(place) - 1 else at_street[0]
            streets, places = (place[:cut], place[cut:]) if cut > at_street[0] else (place[cut:], place[:cut])
        if streets and places:
            return replace(
                draft, region=valid_region(", ".join(places)) or "", detail=valid_detail(", ".join(streets)) or ""
            )
        street_first = bool(_DIGITS.search(place[0]))
        detail_part = place[0] if street_first else ", ".join(place[1:])
        region_part = ", ".join(place[1:]) if street_first else place[0]
        return replace(draft, region=valid_region(region_part) or "", detail=valid_detail(detail_part) or "")
    single = place[0]
    if _DIGITS.search(single):
        region_part, detail_part = _split_english_place(single)
        if region_part and detail_part:
            return replace(draft, region=valid_region(region_part) or "", detail=valid_detail(detail_part) or "")
        return replace(draft, detail=valid_detail(single) or "")
    return replace(draft, region=valid_region(single) or "")


_STREET_WORD = re.compile(
    r"\b(?:street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|lu|jie|dao|way|hwy|highway)"
    r"\b\.?",
    re.I,
)


def _split_english_place(text: str) -> tuple[str, str]:
    """ "Shanghai Jing'an 1 Nanjing West Rd" -> (Shanghai Jing'an, 1 Nanjing West Rd);
    "100 Century Ave Pudong Shanghai" -> (Pudong Shanghai, 100 Century Ave). ("", "") if unsure."""
    number = re.search(r"(?:\b(?:no\.?|room|rm|apt|unit|#)\s*)?\d", text, re.I)
    if number is None:
        return "", ""
    before, after = text[: number.start()].strip(" ,"), text[number.start() :].strip(" ,")
    words = before.split()
    if len(words) >= 3 and _STREET_WORD.fullmatch(words[-1]):
        # "Shanghai Pudong Century Avenue 100": the street name goes with the number.
        return " ".join(words[:-2]), " ".join([*words[-2:], after])
    if before and re.search(r"[A-Za-z]{2,}", before):
        return before, after
    street = _STREET_WORD.search(after)
    if street and after[street.end() :].strip(" ,"):
        return after[street.end() :].strip(" ,"), after[: street.end()].strip(" ,")
    return "", ""


# Landmarks people add to a Chinese address ("近地铁站", "太古汇旁边", "小区门口").
_LANDMARK = re.compile(
    r"^(?:近|靠近|临近|在)|(?:旁|旁边|附近|对面|隔壁|边上|路口|门口|楼下|站|口|小区|大厦|广场|中心|公寓|花园|大楼|"
    r"商场|学校|医院|公园|园区|酒店|写字楼)$"
)


def looks_like_place(part: str) -> bool:
    """A part of an address that is a place, not a person: "朝阳区", "江苏", "北京 朝阳区", "Nanjing Rd",
    "近地铁站"."""
    compact = compact_zh(part)
    if _LANDMARK.search(compact):
        return True
    if part.isascii() and canonical_place(part) in PLACE_NAMES_ZH:
        return True  # "Beijing", "Hangzhou": a city, not a name
    if compact in PLACE_NAMES_ZH or any(
        compact.startswith(name) and _NEXT_LEVEL.match(compact[len(name) :]) for name in PLACE_NAMES_ZH
    ):
        return True
    return bool(re.search(r"(省|市|区|县|路|街|道|号|镇|村|弄|室|栋|楼)$|(省|市|区|县).+", part)) or bool(
        re.search(r"\b(street|st|road|rd|avenue|ave|district|city|province|lane|building)\b", part, re.I)
    )


def _merge_regions(known: str, new: str) -> str:
    """The region given before and the one that came with the street: "Shanghai" + "Jing'an" ->
    "Jing'an, Shanghai"; "上海市" + "浦东新区" -> "上海市浦东新区"; one inside the other -> the longer."""
    if not known or not new:
        return new or known
    if _region_key(known) in _region_key(new):
        return new
    if _region_key(new) in _region_key(known):
        return known
    if _HAS_CJK.search(known + new):
        higher_first = _STRONG_LEVEL.search(new) and not _STRONG_LEVEL.search(known)
        return new + known if higher_first else known + new
    return f"{new}, {known}"


def _region_key(text: str) -> str:
    return re.sub(r"[\s,，]+", "", text.lower())


def fill_field(draft: AddressDraft, field: str, text: str) -> tuple[AddressDraft, bool]:
    """Answer to "what is the <field>?": the updated draft and whether the answer was valid.

    A full one-line address typed at any step fills every field it contains.
    """
    whole = parse_address(text)
    if not whole.missing():
        return whole, True  # a whole new address
    if field in ("region", "detail"):
        # "浙江省宁波市鄞州区天童南路555号" or "88 Nanjing West Rd, Jing'an, Shanghai" when the place is
        # asked: region and street at once (never a name: "Shanghai" is the city here).
        place = parse_address(text, with_name=False)
        if place.region and place.detail and not place.phone:
            region = _merge_regions(draft.region, place.region) if field == "detail" else place.region
            return replace(draft, region=region, detail=place.detail), True
    # With a phone number in it the message is address data for sure ("郭芙 138-1234-5678" when the
    # name is asked, the street given before): it fills what is missing.
    if (len(whole.missing()) <= 1 or whole.phone) and field in ADDRESS_FIELDS:
        # What was already given stays; the message fills the asked part and any other still missing.
        merged = AddressDraft(**{f: getattr(draft, f) or getattr(whole, f) for f in ADDRESS_FIELDS})
        merged = replace(merged, **{field: getattr(whole, field) or getattr(draft, field)})
        if getattr(merged, field):
            return merged, True
    value: str | None
    if field == "phone":
        value = normalize_phone(text)
    elif field == "name":
        value = valid_name(text)
    elif field == "region":
        value = valid_region(text)
        if value and _HAS_CJK.search(value):
            value = leading_region_zh(value)[0] or value  # "江苏 南京 鼓楼区" -> 江苏省南京市鼓楼区
    else:
        value = valid_detail(text)
    if not value:
        return draft, False
    return AddressDraft(**{**draft.to_dict(), field: value}), True  # type: ignore[arg-type]
