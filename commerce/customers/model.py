"""Customers, their channel identities, addresses and member tier.

One customer may be reachable on several channels (Telegram, WeChat, the web chat, phone,
e-mail); each channel identity is a `kind:value` key that belongs to exactly one customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from commerce.errors import ValidationFailed
from commerce.localized import LocalizedText, normalize_language
from core.mongo import Document, as_utc, utcnow


class IdentityKind(StrEnum):
    TELEGRAM = "telegram"
    WECHAT_OPENID = "wechat_openid"
    WECHAT_UNIONID = "wechat_unionid"
    WEB_SESSION = "web_session"
    PHONE = "phone"
    EMAIL = "email"


class Tier(StrEnum):
    REGULAR = "regular"
    VIP = "vip"
    ENTERPRISE = "enterprise"

    @property
    def rank(self) -> int:
        return list(Tier).index(self)

    @property
    def label(self) -> LocalizedText:
        return TIER_LABELS[self]


TIER_LABELS: dict[Tier, LocalizedText] = {
    Tier.REGULAR: LocalizedText("普通会员", "Regular"),
    Tier.VIP: LocalizedText("VIP会员", "VIP"),
    Tier.ENTERPRISE: LocalizedText("企业客户", "Enterprise"),
}

# --- phone / e-mail ----------------------------------------------------------------------------
_CN_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,24}$")
PHONE_RULE = "a mainland China mobile number (11 digits starting with 1) or an international number like +85291234567"


def normalize_phone(value: str) -> str:
    """Mainland mobiles and international numbers to E.164 (`+8613800138000`); raises ValueError."""
    compact = re.sub(r"[\s\-().]", "", str(value))
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    mobile = _CN_MOBILE.match(compact)
    if mobile:
        return "+86" + mobile.group(1)
    if _E164.match(compact) and not compact.startswith("+86"):
        return compact
    raise ValueError(f"phone must be {PHONE_RULE}")


def display_phone(e164: str) -> str:
    return e164[3:] if e164.startswith("+86") else e164


def normalize_email(value: str) -> str:
    text = str(value).strip()
    if not _EMAIL.match(text):
        raise ValueError("not a valid e-mail address")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def normalize_identity(kind: IdentityKind, value: str) -> str:
    text = str(value).strip()
    if not text or len(text) > 200 or not text.isprintable():
        raise ValidationFailed("invalid identity value", details={"kind": kind.value})
    try:
        if kind is IdentityKind.PHONE:
            return normalize_phone(text)
        if kind is IdentityKind.EMAIL:
            return normalize_email(text).lower()
    except ValueError as exc:
        raise ValidationFailed(str(exc), details={"kind": kind.value}) from None
    return text


def identity_key(kind: IdentityKind, value: str) -> str:
    return f"{kind.value}:{value}"


# --- addresses ---------------------------------------------------------------------------------
class RegionIn(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    province: str = Field(min_length=1, max_length=30, description="省 / state")
    city: str = Field(min_length=1, max_length=30, description="市 / city")
    district: str = Field(default="", max_length=30, description="区/县 / district")


class AddressIn(BaseModel):
    """A delivery address as entered by a customer or agent (validated at the edge)."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    recipient: str = Field(min_length=1, max_length=40)
    phone: str = Field(min_length=5, max_length=24, description=PHONE_RULE)
    region: RegionIn
    detail: str = Field(min_length=2, max_length=200, description="street, building, room")
    postcode: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalize_phone(value)

    @field_validator("recipient", "detail")
    @classmethod
    def _printable(cls, value: str) -> str:
        if not value.isprintable():
            raise ValueError("must not contain control characters")
        return value


@dataclass(frozen=True, slots=True)
class Address:
    id: str
    recipient: str
    phone: str  # E.164
    province: str
    city: str
    district: str
    detail: str
    postcode: str | None = None

    @classmethod
    def from_input(cls, address_id: str, data: AddressIn) -> Address:
        return cls(
            id=address_id,
            recipient=data.recipient,
            phone=data.phone,
            province=data.region.province,
            city=data.region.city,
            district=data.region.district,
            detail=data.detail,
            postcode=data.postcode,
        )

    def region_line(self) -> str:
        """Chinese addresses read province-city-district without separators; skip repeats
        (上海市上海市浦东新区 -> 上海市浦东新区)."""
        parts: list[str] = []
        for part in (self.province, self.city, self.district):
            if part and part not in parts:
                parts.append(part)
        return "".join(parts)

    def one_line(self) -> str:
        return f"{self.recipient} {display_phone(self.phone)} {self.region_line()}{self.detail}"

    def same_place(self, other: Address) -> bool:
        return (self.recipient, self.phone, self.region_line(), self.detail) == (
            other.recipient,
            other.phone,
            other.region_line(),
            other.detail,
        )

    def to_doc(self) -> Document:
        return {
            "id": self.id,
            "recipient": self.recipient,
            "phone": self.phone,
            "province": self.province,
            "city": self.city,
            "district": self.district,
            "detail": self.detail,
            "postcode": self.postcode,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Address:
        return cls(
            id=str(doc["id"]),
            recipient=str(doc["recipient"]),
            phone=str(doc["phone"]),
            province=str(doc.get("province") or ""),
            city=str(doc.get("city") or ""),
            district=str(doc.get("district") or ""),
            detail=str(doc.get("detail") or ""),
            postcode=doc.get("postcode"),
        )

    def to_dict(self) -> dict[str, Any]:
        return self.to_doc()


# --- the customer ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Identity:
    kind: IdentityKind
    value: str

    @property
    def key(self) -> str:
        return identity_key(self.kind, self.value)

    def to_doc(self, at: datetime | None = None) -> Document:
        return {"kind": self.kind.value, "value": self.value, "key": self.key, "linked_at": at or utcnow()}


@dataclass(frozen=True, slots=True)
class PurchaseStats:
    orders: int = 0
    spent_minor: int = 0
    last_order_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    identities: tuple[Identity, ...] = ()
    name: str = ""
    language: str = "zh"
    phone: str | None = None
    email: str | None = None
    tier: Tier = Tier.REGULAR
    addresses: tuple[Address, ...] = ()
    default_address_id: str | None = None
    viewed: tuple[str, ...] = ()  # product codes, most recent first
    purchases: PurchaseStats = field(default_factory=PurchaseStats)
    created_at: datetime = field(default_factory=utcnow)
    merged_into: str | None = None

    @property
    def default_address(self) -> Address | None:
        for address in self.addresses:
            if address.id == self.default_address_id:
                return address
        return self.addresses[0] if self.addresses else None

    def address(self, address_id: str) -> Address | None:
        return next((a for a in self.addresses if a.id == address_id), None)

    def identity(self, kind: IdentityKind) -> str | None:
        return next((i.value for i in self.identities if i.kind is kind), None)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Customer:
        purchases = doc.get("purchases") or {}
        last = purchases.get("last_order_at")
        return cls(
            id=str(doc["_id"]),
            identities=tuple(
                Identity(IdentityKind(i["kind"]), str(i["value"]))
                for i in doc.get("identities") or []
                if i.get("kind") in IdentityKind._value2member_map_
            ),
            name=str(doc.get("name") or ""),
            language=normalize_language(doc.get("language")),
            phone=doc.get("phone"),
            email=doc.get("email"),
            tier=Tier(doc["tier"]) if doc.get("tier") in Tier._value2member_map_ else Tier.REGULAR,
            addresses=tuple(Address.from_doc(a) for a in doc.get("addresses") or []),
            default_address_id=doc.get("default_address_id"),
            viewed=tuple(doc.get("viewed") or ()),
            purchases=PurchaseStats(
                orders=int(purchases.get("orders") or 0),
                spent_minor=int(purchases.get("spent_minor") or 0),
                last_order_at=as_utc(last) if last else None,
            ),
            created_at=as_utc(doc["created_at"]) if doc.get("created_at") else utcnow(),
            merged_into=doc.get("merged_into"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The customer's own view of their profile (API `/me`)."""
        return {
            "id": self.id,
            "name": self.name,
            "language": self.language,
            "phone": display_phone(self.phone) if self.phone else None,
            "email": self.email,
            "tier": self.tier.value,
            "tier_label": self.tier.label.get(self.language),
            "default_address_id": self.default_address.id if self.default_address else None,
            "addresses": [a.to_dict() for a in self.addresses],
            "linked": sorted({i.kind.value for i in self.identities}),
        }
