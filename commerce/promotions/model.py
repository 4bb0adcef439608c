"""Coupon codes: rules, the discount they give, and why one does not apply.

Rejections carry a stable reason code (`coupon_expired`, `coupon_min_spend`, ...) and a
bilingual text, so a chat can explain politely and an API client can branch on the code.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from commerce.errors import ValidationFailed
from commerce.localized import LocalizedText
from commerce.money import Money
from core.mongo import Document, as_utc, utcnow

_CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
_SAFE_FIELD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class CouponKind(StrEnum):
    PERCENT = "percent"  # value: percent off (1-100)
    FIXED = "fixed"  # value: minor units off


class RejectionReason(StrEnum):
    UNKNOWN = "coupon_unknown"
    INACTIVE = "coupon_inactive"
    NOT_STARTED = "coupon_not_started"
    EXPIRED = "coupon_expired"
    MIN_SPEND = "coupon_min_spend"
    USED_UP = "coupon_used_up"
    CUSTOMER_LIMIT = "coupon_customer_limit"
    CURRENCY = "coupon_currency"


REJECTION_TEXTS: dict[RejectionReason, LocalizedText] = {
    RejectionReason.UNKNOWN: LocalizedText("优惠码 {code} 不存在", "The coupon code {code} does not exist"),
    RejectionReason.INACTIVE: LocalizedText("优惠码 {code} 已停用", "The coupon {code} is no longer active"),
    RejectionReason.NOT_STARTED: LocalizedText("优惠码 {code} 尚未开始使用", "The coupon {code} is not valid yet"),
    RejectionReason.EXPIRED: LocalizedText("优惠码 {code} 已过期", "The coupon {code} has expired"),
    RejectionReason.MIN_SPEND: LocalizedText(
        "订单满 {min_subtotal} 才能使用 {code}（还差 {missing}）",
        "{code} needs a subtotal of at least {min_subtotal} ({missing} to go)",
    ),
    RejectionReason.USED_UP: LocalizedText("优惠码 {code} 已被领完", "The coupon {code} has been used up"),
    RejectionReason.CUSTOMER_LIMIT: LocalizedText("您已使用过优惠码 {code}", "You have already used the coupon {code}"),
    RejectionReason.CURRENCY: LocalizedText(
        "优惠码 {code} 不适用于该币种", "The coupon {code} does not apply to this currency"
    ),
}


class CouponRejected(ValidationFailed):
    """A coupon that does not apply; `reason` says why (also the error code)."""

    def __init__(self, reason: RejectionReason, code: str, **params: str) -> None:
        self.reason = reason
        self.params = {"code": code, **params}
        super().__init__(
            REJECTION_TEXTS[reason].en.format(**self.params),
            details={"reason": reason.value, **self.params},
            code=reason.value,
        )

    def text(self, lang: str | None) -> str:
        return REJECTION_TEXTS[self.reason].get(lang).format(**self.params)


def is_code_shaped(text: str) -> bool:
    """Upper-cased, `text` could be a coupon code (letters, digits, "-" and "_")."""
    return bool(_CODE.match(text.strip().upper()))


def normalize_code(code: str) -> str:
    text = str(code).strip().upper()
    if not _CODE.match(text):
        raise CouponRejected(RejectionReason.UNKNOWN, text[:32])
    return text


def customer_field(customer_id: str) -> str:
    """Customer ids become field names in `used_by`; anything unusual is hashed."""
    if _SAFE_FIELD.match(customer_id):
        return customer_id
    return "h" + hashlib.sha256(customer_id.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Coupon:
    code: str
    kind: CouponKind
    value: int  # percent (1-100) or minor units
    currency: str
    min_subtotal: int = 0  # minor units
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = None
    per_customer_limit: int | None = None
    used: int = 0
    used_by: Mapping[str, int] = field(default_factory=dict)
    active: bool = True
    description: LocalizedText = field(default_factory=LocalizedText)

    def __post_init__(self) -> None:
        if self.kind is CouponKind.PERCENT and not 0 < self.value <= 100:
            raise ValueError("a percent coupon takes 1-100")
        if self.kind is CouponKind.FIXED and self.value <= 0:
            raise ValueError("a fixed coupon needs a positive amount")

    def used_by_customer(self, customer_id: str) -> int:
        return int(self.used_by.get(customer_field(customer_id), 0))

    def discount_for(self, subtotal: Money) -> Money:
        """Never more than the subtotal."""
        if self.kind is CouponKind.PERCENT:
            amount = subtotal.percent(Decimal(self.value))
        else:
            amount = Money(self.value, subtotal.currency)
        return amount if amount <= subtotal else subtotal

    def check(self, customer_id: str, subtotal: Money, now: datetime | None = None) -> Discount:
        """The discount this coupon gives now, or CouponRejected explaining why not."""
        now = now or utcnow()
        if not self.active:
            raise CouponRejected(RejectionReason.INACTIVE, self.code)
        if self.starts_at is not None and now < self.starts_at:
            raise CouponRejected(RejectionReason.NOT_STARTED, self.code)
        if self.ends_at is not None and now >= self.ends_at:
            raise CouponRejected(RejectionReason.EXPIRED, self.code)
        if subtotal.currency != self.currency:
            raise CouponRejected(RejectionReason.CURRENCY, self.code)
        if subtotal.amount < self.min_subtotal:
            minimum = Money(self.min_subtotal, self.currency)
            raise CouponRejected(
                RejectionReason.MIN_SPEND,
                self.code,
                min_subtotal=minimum.format(),
                missing=(minimum - subtotal).format(),
            )
        if self.usage_limit is not None and self.used >= self.usage_limit:
            raise CouponRejected(RejectionReason.USED_UP, self.code)
        if self.per_customer_limit is not None and self.used_by_customer(customer_id) >= self.per_customer_limit:
            raise CouponRejected(RejectionReason.CUSTOMER_LIMIT, self.code)
        return Discount(self.code, self.discount_for(subtotal), self.kind, self.value, self.description)

    def to_doc(self) -> Document:
        return {
            "_id": self.code,
            "kind": self.kind.value,
            "value": self.value,
            "currency": self.currency,
            "min_subtotal": self.min_subtotal,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "usage_limit": self.usage_limit,
            "per_customer_limit": self.per_customer_limit,
            "used": self.used,
            "used_by": dict(self.used_by),
            "active": self.active,
            "description": self.description.to_doc(),
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Coupon:
        starts, ends = doc.get("starts_at"), doc.get("ends_at")
        return cls(
            code=str(doc["_id"]),
            kind=CouponKind(doc["kind"]),
            value=int(doc["value"]),
            currency=str(doc.get("currency") or "CNY"),
            min_subtotal=int(doc.get("min_subtotal") or 0),
            starts_at=as_utc(starts) if starts else None,
            ends_at=as_utc(ends) if ends else None,
            usage_limit=doc.get("usage_limit"),
            per_customer_limit=doc.get("per_customer_limit"),
            used=int(doc.get("used") or 0),
            used_by={str(k): int(v) for k, v in (doc.get("used_by") or {}).items()},
            active=bool(doc.get("active", True)),
            description=LocalizedText.from_doc(doc.get("description")),
        )

    def to_dict(self) -> dict[str, Any]:
        """Admin view (without the per-customer usage map)."""
        value = (
            str(self.value) if self.kind is CouponKind.PERCENT else Money(self.value, self.currency).to_decimal_string()
        )
        return {
            "code": self.code,
            "kind": self.kind.value,
            "value": value,
            "currency": self.currency,
            "min_subtotal": Money(self.min_subtotal, self.currency).to_decimal_string(),
            "starts_at": self.starts_at.isoformat() if self.starts_at else None,
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "usage_limit": self.usage_limit,
            "per_customer_limit": self.per_customer_limit,
            "used": self.used,
            "active": self.active,
            "description": self.description.to_doc(),
        }


@dataclass(frozen=True, slots=True)
class Discount:
    code: str
    amount: Money
    kind: CouponKind
    value: int
    description: LocalizedText = field(default_factory=LocalizedText)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "amount": self.amount.to_decimal_string(),
            "currency": self.amount.currency,
            "kind": self.kind.value,
            "description": self.description.to_doc(),
        }
