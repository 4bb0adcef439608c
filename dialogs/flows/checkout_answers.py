"""What a checkout message says about the shipping method and the coupon, wherever it is typed.

Customers answer the step they are on together with the next ones ("express no code", "快递 不用券",
"standard, and try SUMMER20"), or answer later steps while an address part is still missing
("快递", "不用券"). These readers find each answer in the message so every step takes its own.
Patterns over what customers type, not texts shown to them.
"""

from __future__ import annotations

import re

from dialogs.ports import ShippingOption

NO_COUPON = "none"  # the coupon answer "I have none"

_PICKUP = re.compile(
    r"自提|自取|自己取|自己拿|到店|门店|pick\s*-?\s*up|pick\s+(?:it|them)\s+up|collect|in\s+store", re.I
)
_DELIVERY = re.compile(
    r"快递|配送|送货|邮寄|寄|普通|标准|\b(?:standard|normal|regular|delivery|deliver|ship|shipping|post)\b", re.I
)
# A wish for speed rather than a method's name: the fastest method offered, whatever it is called.
_FASTEST = re.compile(
    r"最快|越快越好|尽快|尽早|尽量快|快点|快一点|加急|急用|急件|赶时间|特快|当天|当日|今天到|今天送|明天要|明天就要|明天到|"
    r"\bby\s+tomorrow\b|"
    r"\bsame[\s-]?day\b|\btoday\b|"
    r"\b(?:fast|faster|fastest|quick|quicker|quickest|asap|urgent|urgently|rush|soonest|earliest|speedy)\b|"
    r"as\s+soon\s+as\s+possible",
    re.I,
)
# A wish to pay least for the delivery: the cheapest method that delivers.
_CHEAPEST = re.compile(
    r"最便宜|便宜的|便宜点|省钱|运费最低|运费低|\b(?:cheap|cheaper|cheapest|lowest|least\s+expensive|budget|economy)\b",
    re.I,
)
_EXPRESS = re.compile(r"\bexpress\b|顺丰", re.I)
# Names of methods (not verbs such as "ship" or "寄"): a message made of them answers the shipping
# question even while the address is still being asked for.
_METHOD_WORD = re.compile(
    _PICKUP.pattern
    + "|"
    + _FASTEST.pattern
    + "|"
    + _CHEAPEST.pattern
    + r"|快递|普通快递|同城|顺丰|\b(?:express|standard|same[\s-]?day|courier)\b",
    re.I,
)
_NO_COUPON = re.compile(
    r"(?:没有?|不用|无|不要|不需要|用不着)(?:优惠)?(?:券|码)|(?:没有?|不用|无)优惠|"
    r"(?:优惠)?(?:券|码)(?:就|也)?(?:没有|不用|没|无)|"
    r"\bno\s+(?:coupons?|codes?|promo(?:\s+codes?)?|discount\s+codes?|vouchers?)\b|"
    r"\b(?:don'?t|do\s+not|dont)\s+have\s+(?:a\s+|any\s+)?(?:coupons?|codes?|promo|vouchers?)\b|"
    r"\bwithout\s+(?:a\s+|any\s+)?(?:coupons?|codes?|promo|vouchers?)\b|\bskip\s+(?:the\s+)?(?:coupons?|codes?)\b",
    re.I,
)
# A coupon code in a sentence: letters and digits in one token ("SUMMER20", "用camp10"), or any
# token right after a word for a code ("code WELCOME").
_CODE_TOKEN = re.compile(
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9_-]*[A-Za-z])(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9][A-Za-z0-9_-]{2,23}(?![A-Za-z0-9])"
)
_CODE_AFTER_WORD = re.compile(
    r"(?:\b(?:code|coupon|promo|voucher)\b|优惠码|优惠券|券码)\s*(?:is|是|[:：])?\s*([A-Za-z][A-Za-z0-9_-]{2,23})(?![A-Za-z0-9])",
    re.I,
)
_NOT_CODES = {"code", "coupon", "coupons", "codes", "none", "thanks", "please", "pls"}


def coupon_code_in(text: str) -> str | None:
    """A coupon code typed inside a sentence ("standard, and try SUMMER20", "快递 用SUMMER20")."""
    after = _CODE_AFTER_WORD.search(text)
    if after and after.group(1).lower() not in _NOT_CODES:
        return after.group(1)
    for token in _CODE_TOKEN.findall(text):
        # Three letters at least: "2nd", "24h", "5kg" are no codes; "SUMMER20", "VIP2024", "618SALE" are.
        if sum(ch.isalpha() for ch in token) >= 3:
            return str(token)
    return None


def coupon_answer(text: str) -> str | None:
    """The answer to "do you have a coupon?" inside a message: a code, NO_COUPON, or None."""
    code = coupon_code_in(text)
    if code:
        return code
    return NO_COUPON if _NO_COUPON.search(text) else None


# A method by its name, not by a wish for speed or price ("not buying today" names none).
_METHOD_NAME = re.compile(
    _PICKUP.pattern + r"|快递|同城|顺丰|配送|\b(?:express|standard|same[\s-]?day|courier|delivery|shipping)\b", re.I
)


def names_a_method_by_name(text: str) -> bool:
    return bool(_METHOD_NAME.search(text))


def names_a_method(text: str) -> bool:
    """The message names a shipping method or a wish for speed ("快递", "pick up", "fastest")."""
    return bool(_METHOD_WORD.search(text))


def is_pickup(option: ShippingOption) -> bool:
    return bool(option.pickup_address) or bool(_PICKUP.search(f"{option.code} {option.name}"))


def eta_days(eta: str) -> float:
    """How long a method's delivery time says it takes, in days ("当日达" 0, "次日" 1, "2-4天" 3,
    "48小时内" 2); unknown -> very long, so a method that names its speed wins."""
    text = eta.lower()
    if re.search(r"当日|当天|今天|same[\s-]?day|today", text):
        return 0.0
    hours = re.search(r"(\d+(?:\.\d+)?)\s*(?:小时|h\b|hours?|hrs?)", text)
    if hours:
        return float(hours.group(1)) / 24
    if re.search(r"次日|隔日|明天|next[\s-]?day|tomorrow|overnight", text):
        return 1.0
    span = re.search(r"(\d+(?:\.\d+)?)\s*(?:[-~～至到]|to)\s*(\d+(?:\.\d+)?)", text)
    numbers = [float(span.group(1)), float(span.group(2))] if span else []
    if not numbers:
        single = re.search(r"(\d+(?:\.\d+)?)", text)
        numbers = [float(single.group(1))] if single else []
    if not numbers:
        return 99.0
    days = sum(numbers) / len(numbers)
    return days * 7 if re.search(r"周|星期|week", text) else days


def fastest(options: list[ShippingOption]) -> ShippingOption:
    """The quickest of the methods, the first listed on a tie."""
    return min(options, key=lambda option: eta_days(option.eta))


# Words every method's name may hold; what is left names this method ("同城配送" -> 同城).
_GENERIC = re.compile(r"配送|快递|送货|物流|服务|\b(?:delivery|shipping|service|method)\b", re.I)


def _distinctive(name: str) -> str:
    word = _GENERIC.sub("", name.lower()).strip(" -_")
    return word if len(word) >= 2 and word not in ("in", "to") else ""


def method_in(text: str, options: list[ShippingOption]) -> str | None:
    """The shipping method a message asks for, by speed wish, code, name or kind of method."""
    lowered = text.lower()
    delivered = [o for o in options if not is_pickup(o)]
    pickup = [o for o in options if is_pickup(o)]
    if _PICKUP.search(lowered) and pickup:
        return pickup[0].code
    if _FASTEST.search(lowered) and delivered:
        return fastest(delivered).code  # "快递 越快越好", "fastest shipping pls"
    if _CHEAPEST.search(lowered) and delivered:
        return min(delivered, key=lambda option: option.fee.amount).code  # "最便宜的", "cheapest one"
    named = next((o.code for o in options if o.code.lower() in lowered or o.name.lower() in lowered), None)
    named = named or next((o.code for o in options if _distinctive(o.name) and _distinctive(o.name) in lowered), None)
    if named:
        return named
    if _EXPRESS.search(lowered) and delivered:
        express = [o for o in delivered if _EXPRESS.search(f"{o.code} {o.name}")]
        return (express or [fastest(delivered)])[0].code
    if _DELIVERY.search(lowered) and delivered:
        return delivered[0].code
    return None


_FILLER = re.compile(
    r"\b(?:pls|plz|please|thanks|thank\s+you|thx|and|try|use|using|with|via|by|ok|okay|then|just|it|for|me|"
    r"shipping|delivery|method)\b|用|吧|就行|就好|谢谢|麻烦|发|走|的|要|我|好|了|吗|呢|啊|哦|请|和|还有|然后|也",
    re.I,
)
_SEGMENTS = re.compile(r"[,，;；\n。!！]+|\.(?=\s|$)")


def _only_later_answers(segment: str) -> bool:
    """A piece of a message that says nothing but a shipping method or a coupon answer."""
    if not (names_a_method(segment) or coupon_answer(segment) is not None):
        return False
    rest = _METHOD_WORD.sub(" ", segment)
    rest = _NO_COUPON.sub(" ", rest)
    code = coupon_code_in(rest)
    if code:
        rest = rest.replace(code, " ")
    rest = re.sub(r"\b(?:code|coupon|promo|voucher)s?\b|优惠码|优惠券|券|码", " ", rest, flags=re.I)
    rest = _FILLER.sub(" ", rest)
    return not re.sub(r"[\s+&/^~～、:：\-]+", "", rest)


def says_a_method_apart(text: str) -> bool:
    """A piece of the message is a shipping method and nothing else ("express, how long does it
    take?", "快递 几天能到"): that piece answers the step, whatever the rest asks."""
    pieces = [p for p in _SEGMENTS.split(text) if p.strip()]
    if re.search(r"[\u4e00-\u9fff]", text):
        pieces = [w for piece in pieces for w in piece.split()]
    return len(pieces) > 1 and any(names_a_method(p) and _only_later_answers(p) for p in pieces)


def split_later_answers(text: str) -> tuple[str, str | None]:
    """(the address part, the shipping / coupon part) of a message that ends with answers to the
    next steps: "王磊 139… 南京市鼓楼区中山北路100号 快递 不用券", "Tom Lee, 138…, 88 Nanjing West Rd,
    Shanghai. express, no code". The second is None when there is none."""
    later: list[str] = []
    kept = text.strip()
    while kept:
        pieces = [p for p in _SEGMENTS.split(kept) if p.strip()]
        if len(pieces) > 1 and _only_later_answers(pieces[-1]):
            later.insert(0, pieces[-1].strip())
            kept = kept[: kept.rstrip().rfind(pieces[-1].strip())].rstrip(" ,，;；\n。.!！")
            continue
        words = kept.split()
        if len(words) > 1 and re.search(r"[\u4e00-\u9fff]", words[-1]) and _only_later_answers(words[-1]):
            later.insert(0, words[-1])  # "…中山北路100号 快递 不用券": the words after the street
            kept = kept[: kept.rstrip().rfind(words[-1])].rstrip()
            continue
        break
    return (kept, " ".join(later)) if later and kept else (text, None)


def default_method(options: list[ShippingOption]) -> ShippingOption | None:
    """The method taken when the customer leaves the choice to the shop: the cheapest that
    delivers (the first listed on a tie); pickup only when nothing delivers."""
    delivered = [o for o in options if not is_pickup(o)] or options
    return min(delivered, key=lambda option: option.fee.amount) if delivered else None
