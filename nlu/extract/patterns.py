"""Fixed-format entities: e-mail, phone, order number, tracking number, coupon code.

All patterns run on the aligned normalised text (lower-case, half-width), so offsets are valid in
the original message; values are taken from the original text where case matters.
"""

from __future__ import annotations

import re

from nlu.extract.candidates import Candidate

EXTRACTOR = "chatcart.regex"

EMAIL = re.compile(
    r"(?<![A-Za-z0-9_.+-])[a-z0-9][a-z0-9._%+-]*@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?![A-Za-z0-9_-])"
)

# Mainland mobile: optional +86/86, 11 digits starting 1[3-9], optionally grouped 3-4-4.
CN_MOBILE = re.compile(r"(?<![\d+])(?:(?:\+|00)?86[\s-]?)?(1[3-9]\d)[\s-]?(\d{4})[\s-]?(\d{4})(?!\d)")
INTL_PHONE = re.compile(r"(?<![A-Za-z0-9_+])(?:\+|00)(\d{1,3})(?:[\s-]?\(?\d{1,4}\)?){2,5}(?!\d)")
CN_LANDLINE = re.compile(r"(?<![\d-])(0\d{2,3})-(\d{7,8})(?![\d-])")

# The shop's order numbers: YYYYMMDD-NNNN.
ORDER_ID = re.compile(r"(?<![A-Za-z0-9_-])(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])-(\d{4,6})(?![A-Za-z0-9_-])")
LONG_DIGITS = re.compile(r"(?<![A-Za-z0-9_-])\d{12,24}(?![A-Za-z0-9_-])")
ORDER_CONTEXT = re.compile(r"订单|单号|order|ord\b|购买记录|买的那")
TRACKING_CONTEXT = re.compile(
    r"快递单号|运单号|物流单号|快递号|物流号|运单|快递|物流|tracking|waybill|\bawb\b|parcel|shipment|courier"
)

CARRIER_TRACKING = re.compile(
    r"(?<![a-z0-9])(?:sf\d{12,13}|yt\d{13,15}|jt\d{13}|jd[a-z]{0,4}\d{10,15}|"
    r"(?:zto|zt|sto|yd|yunda|db|dpk|ems)\d{10,15}|[a-z]{2}\d{9}cn|1z[0-9a-z]{16})(?![a-z0-9])"
)
TRACKING_AFTER_KEYWORD = re.compile(
    r"(?:快递单号|运单号|物流单号|快递号|物流号|tracking\s*(?:number|no\.?|num|code|id|#)?|waybill(?:\s*(?:no\.?|number))?"
    r"|awb)\s*(?:是|为|:|：|#|is|=)?\s*([a-z0-9]{10,20})(?![a-z0-9])"
)

COUPON_CONTEXT = re.compile(
    r"coupon|promo|voucher|discount\s*code|\bcode\b|gift\s*card|优惠码|优惠券|券码|折扣码|兑换码|促销码|代金券|红包码|口令|券"
)
COUPON_TOKEN = re.compile(r"(?<![a-z0-9])[a-z0-9]{4,20}(?![a-z0-9])")
# Codes recognisable without any keyword: SAVE20, NEWUSER10, VIP5 (capitals then 1-3 digits).
BARE_COUPON = re.compile(r"(?<![A-Za-z0-9])[A-Z]{3,12}\d{1,3}(?![A-Za-z0-9])")
_NOT_CODES = {"code", "coupon", "codes", "promo", "voucher", "this", "that", "with", "have", "please"}


def _digits(text: str) -> str:
    return "".join(char for char in text if char.isdigit())


def find_emails(text: str, normalized: str) -> list[Candidate]:
    return [
        Candidate("email", text[m.start() : m.end()], m.start(), m.end(), EXTRACTOR) for m in EMAIL.finditer(normalized)
    ]


def find_phones(text: str, normalized: str) -> list[Candidate]:
    found = [
        Candidate("phone", m.group(1) + m.group(2) + m.group(3), m.start(), m.end(), EXTRACTOR)
        for m in CN_MOBILE.finditer(normalized)
    ]
    for match in INTL_PHONE.finditer(normalized):
        digits = _digits(match.group(0))
        if digits.startswith("00"):
            digits = digits[2:]
        if 8 <= len(digits) <= 15 and not digits.startswith("86"):
            found.append(Candidate("phone", "+" + digits, match.start(), match.end(), EXTRACTOR))
    for match in CN_LANDLINE.finditer(normalized):
        found.append(Candidate("phone", match.group(1) + match.group(2), match.start(), match.end(), EXTRACTOR))
    return found


def find_order_ids(text: str, normalized: str) -> list[Candidate]:
    found = [Candidate("order_id", m.group(0), m.start(), m.end(), EXTRACTOR) for m in ORDER_ID.finditer(normalized)]
    for match in LONG_DIGITS.finditer(normalized):
        before = normalized[max(0, match.start() - 12) : match.start()]
        if TRACKING_CONTEXT.search(before):
            continue
        if ORDER_CONTEXT.search(before) or (
            ORDER_CONTEXT.search(normalized) and not TRACKING_CONTEXT.search(normalized)
        ):
            found.append(Candidate("order_id", match.group(0), match.start(), match.end(), EXTRACTOR))
    return found


def find_tracking_numbers(text: str, normalized: str) -> list[Candidate]:
    found = [
        Candidate("tracking_no", normalized[m.start() : m.end()].upper(), m.start(), m.end(), EXTRACTOR)
        for m in CARRIER_TRACKING.finditer(normalized)
    ]
    for match in TRACKING_AFTER_KEYWORD.finditer(normalized):
        start, end = match.span(1)
        if ORDER_ID.fullmatch(normalized[start:end]):
            continue
        found.append(Candidate("tracking_no", normalized[start:end].upper(), start, end, EXTRACTOR))
    for match in LONG_DIGITS.finditer(normalized):  # bare digits right after 快递/物流/tracking
        before = normalized[max(0, match.start() - 12) : match.start()]
        if TRACKING_CONTEXT.search(before) and not re.search(r"订单|order", before):
            found.append(Candidate("tracking_no", match.group(0), match.start(), match.end(), EXTRACTOR))
    return found


def find_coupon_codes(text: str, normalized: str) -> list[Candidate]:
    found: list[Candidate] = []
    if COUPON_CONTEXT.search(normalized):
        for match in COUPON_TOKEN.finditer(normalized):
            token = match.group(0)
            raw = text[match.start() : match.end()]
            if token in _NOT_CODES or token.isdigit():
                continue
            has_letter = any(char.isalpha() for char in token)
            has_digit = any(char.isdigit() for char in token)
            if has_letter and (has_digit or (raw.isupper() and len(raw) >= 5)):
                found.append(Candidate("coupon_code", token.upper(), match.start(), match.end(), EXTRACTOR))
    else:
        found.extend(
            Candidate("coupon_code", m.group(0), m.start(), m.end(), EXTRACTOR) for m in BARE_COUPON.finditer(text)
        )
    return found


def find_all(text: str, normalized: str) -> list[Candidate]:
    return [
        *find_emails(text, normalized),
        *find_phones(text, normalized),
        *find_order_ids(text, normalized),
        *find_tracking_numbers(text, normalized),
        *find_coupon_codes(text, normalized),
    ]
