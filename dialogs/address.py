"""Reading a delivery address from chat text, whole or piece by piece, and checking it.

"张三 13800138000 上海市浦东新区世纪大道100号" or "John Smith, +86 138 0013 8000, Shanghai Pudong,
100 Century Ave" -> name, phone, region, detail. Whatever cannot be found is asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

PHONE_CN = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d[\s-]?\d{4}[\s-]?\d{4})(?!\d)")
PHONE_INTL = re.compile(r"(?<![\w+])(\+\d{1,3}[\s-]?\d[\d\s-]{5,14}\d)(?!\d)")
_REGION_ZH = re.compile(
    r"^((?:[^\s,，]{2,7}?(?:省|自治区|特别行政区))?(?:[^\s,，]{2,9}?(?:市|自治州|地区|盟))?"
    r"(?:[^\s,，]{1,9}?(?:区|县|旗|市))?)"
)
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEPARATORS = re.compile(r"[,，;；\n]+")
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
        return re.sub(r"[\s-]", "", match.group(1))
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


def valid_region(text: str) -> str | None:
    region = strip_label(text).strip(",，")
    # One token mixing letters and digits ("welcome10", "SAVE20") is a code, not a place.
    if re.fullmatch(r"[A-Za-z]*\d[A-Za-z\d]*|[A-Za-z]+\d+", region):
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


# "change the address to ...", "地址改成...", "寄到..." before the address itself.
_LEAD_IN = re.compile(
    r"^.{0,24}?(?:(?:address|ship(?:ping)?|deliver(?:y)?|send)\s+(?:it\s+)?(?:to|is)\s*[:：]?|"
    r"(?:改成|改为|换成|寄到|送到|发到|地址是|地址为)\s*[:：]?)\s*",
    re.I,
)


# Labels of the blocks that WeChat, Taobao and JD (and English forms) put in a copied address.
_LABELS: dict[str, str] = {
    "name": r"收货人|收件人|联系人|姓名|名字|recipient|consignee|receiver|full\s+name|name",
    "phone": r"手机号码|手机号|手机|联系电话|电话号码|电话|"
    r"mobile(?:\s+(?:number|no\.?))?|phone(?:\s+(?:number|no\.?))?|tel",
    "region": r"所在地区|所在地|省市区|地区|region|province|city",
    "detail": r"详细地址|街道地址|收货地址|地址|address|street|addr",
    "postcode": r"邮政编码|邮编|post\s*code|postal\s+code|zip(?:\s+code)?",
}
_LABEL = re.compile(
    "(?:"
    + "|".join(rf"(?P<{field}>(?<![A-Za-z])(?:{pattern})(?![A-Za-z]))" for field, pattern in _LABELS.items())
    + r")\s*(?:[:：]\s*|(?=\s*\+?\d))",
    re.I,
)
_POSTCODE_TAIL = re.compile(r"[\s,，]*(?<!\d)\d{6}(?!\d)\s*$")


def _labelled(text: str) -> AddressDraft | None:
    """A copied block with labels ("收货人：王芳 手机号码：… 所在地区：… 详细地址：…", "Name: …, phone …,
    address: …"): each value up to the next label, the labels themselves left out."""
    found = [m for m in _LABEL.finditer(text) if m.lastgroup]
    if len({m.lastgroup for m in found}) < 2:
        return None
    values: dict[str, str] = {}
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        value = text[match.end() : end].strip(" ,，;；、/|\n\t")
        if match.lastgroup and value and match.lastgroup not in values:
            values[match.lastgroup] = value
    phone = normalize_phone(values.get("phone", "")) or ""
    name = valid_name(values.get("name", "")) or ""
    region = re.sub(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])", "", values.get("region", ""))
    detail = _POSTCODE_TAIL.sub("", values.get("detail", "")).strip(" ,，")
    if detail and not region:
        place = parse_address(detail, with_name=False)  # "77 Tianmu Rd West, Jing'an District, Shanghai"
        region, detail = place.region, place.detail or detail
    draft = AddressDraft(name=name, phone=phone, region=valid_region(region) or "", detail=valid_detail(detail) or "")
    if values.get("phone") and not phone:
        draft = replace(draft, phone_invalid=True)
    return draft


def parse_address(text: str, *, with_name: bool = True) -> AddressDraft:
    """Everything recognisable in one message; fields not found stay empty.

    `with_name=False` reads a place only (the name is known): "Shanghai" is then a city."""
    labelled = _labelled(text) if with_name else None
    if labelled is not None:
        return labelled
    text = _LEAD_IN.sub("", text.strip(), count=1).strip() or text.strip()
    text = _POSTCODE_TAIL.sub("", text) if normalize_phone(text) else text  # "… 中关村大街27号 100080"
    draft = AddressDraft()
    phone = normalize_phone(text)
    rest = text
    if phone:
        draft = replace(draft, phone=phone)
        match = PHONE_CN.search(rest) or PHONE_INTL.search(rest)
        if match:
            rest = (rest[: match.start()] + " , " + rest[match.end() :]).strip()
            # "+86 " left in front of the national number
            rest = re.sub(r"\+?86[\s-]*,", ",", rest)
    else:
        bad = _LONG_NUMBER.search(rest)
        if bad and len(re.sub(r"\D", "", bad.group(0))) >= 7:
            draft = replace(draft, phone_invalid=True)
            rest = (rest[: bad.start()] + " , " + rest[bad.end() :]).strip()
    parts = [p.strip() for p in _SEPARATORS.split(rest) if p.strip()]
    if len(parts) <= 2 and _HAS_CJK.search(rest):
        parts = [p for chunk in parts for p in chunk.split()] or parts
    name = ""
    place: list[str] = []
    for part in parts:
        if with_name and not name and valid_name(part) and not _looks_like_place(part) and len(part) <= 20:
            name = part
        else:
            place.append(part)
    if name:
        draft = replace(draft, name=valid_name(name) or "")
    if not place:
        return draft
    joined = "".join(place) if _HAS_CJK.search(" ".join(place)) else ", ".join(place)
    if _HAS_CJK.search(joined):
        region, detail = _split_region_zh(joined)
        if region and detail:
            return replace(draft, region=region, detail=valid_detail(detail) or "")
        return (
            replace(draft, detail=valid_detail(joined) or "")
            if _DIGITS.search(joined)
            else replace(draft, region=valid_region(joined) or "")
        )
    if len(place) >= 2:
        # English order is usually street first, city last: "100 Century Ave, Pudong, Shanghai".
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


def _looks_like_place(part: str) -> bool:
    return bool(re.search(r"(省|市|区|县|路|街|道|号|镇|村|弄|室|栋|楼)$|(省|市|区|县).+", part)) or bool(
        re.search(r"\b(street|st|road|rd|avenue|ave|district|city|province|lane|building)\b", part, re.I)
    )


def fill_field(draft: AddressDraft, field: str, text: str) -> tuple[AddressDraft, bool]:
    """Answer to "what is the <field>?": the updated draft and whether the answer was valid.

    A full one-line address typed at any step fills every field it contains.
    """
    whole = parse_address(text)
    if len(whole.missing()) <= 1 and field in ADDRESS_FIELDS:
        merged = AddressDraft(**{f: getattr(whole, f) or getattr(draft, f) for f in ADDRESS_FIELDS})
        if getattr(merged, field):
            return merged, True
    value: str | None
    if field == "phone":
        value = normalize_phone(text)
    elif field == "name":
        value = valid_name(text)
    elif field == "region":
        value = valid_region(text)
    else:
        value = valid_detail(text)
    if not value:
        return draft, False
    return AddressDraft(**{**draft.to_dict(), field: value}), True  # type: ignore[arg-type]
