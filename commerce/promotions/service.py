"""Coupons (`coupons`: {_id: CODE, ..., used, used_by: {customer: n}}).

Redemption is one conditional `$inc` whose filter repeats every limit (active, window,
`used < usage_limit`, this customer's count below the per-customer limit), so two customers
racing for the last use cannot both get it. It is part of the checkout's reservation batch and
is given back when an unpaid order is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pymongo import ASCENDING, IndexModel
from pymongo.errors import DuplicateKeyError

from commerce.errors import Conflict, NotFound, ValidationFailed
from commerce.localized import LocalizedText
from commerce.money import Money, MoneyError
from commerce.promotions.model import (
    Coupon,
    CouponKind,
    CouponRejected,
    Discount,
    RejectionReason,
    customer_field,
    is_code_shaped,
    normalize_code,
)
from core.atomic import find_one_and_update
from core.batch import WriteBatch
from core.mongo import CollectionIndexes, Database, Document, as_utc, utcnow

COUPONS = "coupons"
INDEXES = [CollectionIndexes(COUPONS, [IndexModel([("active", ASCENDING), ("ends_at", ASCENDING)])])]


# A plain non-negative decimal ("20", "19.90"): no exponent, no "Infinity"/"NaN" (issue 17).
DECIMAL_AMOUNT = r"^[0-9]{1,13}(\.[0-9]{1,4})?$"
MAX_COUNT = 1_000_000_000  # usage limits: far beyond any real shop, far inside 64 bits


class CouponIn(BaseModel):
    """Admin input for a new coupon. Money as decimal strings in the shop currency."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{2,32}$")
    kind: CouponKind
    value: str = Field(
        pattern=DECIMAL_AMOUNT,
        max_length=20,
        description="percent off (1-100) for percent coupons, an amount like '20.00' for fixed",
    )
    min_subtotal: str = Field(default="0", pattern=DECIMAL_AMOUNT, max_length=20)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    usage_limit: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    per_customer_limit: int | None = Field(default=None, ge=1, le=MAX_COUNT)
    description_zh: str = Field(default="", max_length=200)
    description_en: str = Field(default="", max_length=200)


class PromotionService:
    def __init__(self, db: Database, *, currency: str = "CNY") -> None:
        self._db = db
        self._coupons = db[COUPONS]
        self.currency = currency

    # --- checking ----------------------------------------------------------------------------
    async def get(self, code: str) -> Coupon | None:
        doc = await self._coupons.find_one({"_id": normalize_code(code)})
        return Coupon.from_doc(doc) if doc else None

    async def validate(self, code: str, customer_id: str, subtotal: Money, *, now: datetime | None = None) -> Discount:
        """The discount `code` gives this customer on `subtotal`, or CouponRejected with the reason."""
        normalized = normalize_code(code)
        coupon = await self.get(normalized)
        if coupon is None:
            raise CouponRejected(RejectionReason.UNKNOWN, normalized)
        return coupon.check(customer_id, subtotal, now)

    async def existing_codes(self, words: Iterable[str]) -> set[str]:
        """Which of `words` are this shop's coupon codes, in any case ("camp10" -> "CAMP10"),
        whether or not they can be used now: an expired code is still one the customer meant."""
        wanted = {word.strip().upper() for word in words if is_code_shaped(word)}
        if not wanted:
            return set()
        cursor = self._coupons.find({"_id": {"$in": sorted(wanted)[:64]}}, {"_id": 1})
        return {str(doc["_id"]) async for doc in cursor}

    # --- redemption (batch building blocks) --------------------------------------------------
    @staticmethod
    def add_redeem(batch: WriteBatch, coupon: Coupon, customer_id: str, now: datetime | None = None) -> int:
        now = now or utcnow()
        who = customer_field(customer_id)
        guard: Document = {"_id": coupon.code, "active": True}
        if coupon.starts_at is not None:
            guard["starts_at"] = {"$lte": now}
        if coupon.ends_at is not None:
            guard["ends_at"] = {"$gt": now}
        if coupon.usage_limit is not None:
            guard["used"] = {"$lt": coupon.usage_limit}
        if coupon.per_customer_limit is not None:
            guard[f"used_by.{who}"] = {"$not": {"$gte": coupon.per_customer_limit}}
        return batch.update_one(COUPONS, guard, {"$inc": {"used": 1, f"used_by.{who}": 1}})

    @staticmethod
    def add_give_back(batch: WriteBatch, code: str, customer_id: str) -> int:
        """Return one use (order cancelled before payment)."""
        who = customer_field(customer_id)
        return batch.update_one(
            COUPONS,
            {"_id": code, f"used_by.{who}": {"$gte": 1}, "used": {"$gte": 1}},
            {"$inc": {"used": -1, f"used_by.{who}": -1}},
        )

    async def redeem(self, code: str, customer_id: str, subtotal: Money) -> Discount:
        """Check and use one redemption now (stand-alone; checkout batches this instead)."""
        normalized = normalize_code(code)
        coupon = await self.get(normalized)
        if coupon is None:
            raise CouponRejected(RejectionReason.UNKNOWN, normalized)
        discount = coupon.check(customer_id, subtotal)
        batch = WriteBatch(self._db)
        index = self.add_redeem(batch, coupon, customer_id)
        if not (await batch.execute())[index].applied:
            raise await self.why_not(normalized, customer_id, subtotal)
        return discount

    async def give_back(self, code: str, customer_id: str) -> bool:
        batch = WriteBatch(self._db)
        index = self.add_give_back(batch, code, customer_id)
        return (await batch.execute())[index].applied

    async def why_not(self, code: str, customer_id: str, subtotal: Money) -> CouponRejected:
        """After a redemption guard failed: re-read and name the reason."""
        try:
            await self.validate(code, customer_id, subtotal)
        except CouponRejected as rejected:
            return rejected
        return CouponRejected(RejectionReason.USED_UP, code)  # a race we lost; the last use went to someone else

    # --- administration ----------------------------------------------------------------------
    async def create(self, data: CouponIn) -> Coupon:
        coupon = self._from_input(data)
        try:
            await self._coupons.insert_one(coupon.to_doc())
        except DuplicateKeyError:
            raise Conflict("a coupon with this code exists", details={"code": coupon.code}) from None
        return coupon

    async def set_active(self, code: str, active: bool) -> Coupon:
        doc = await find_one_and_update(
            self._coupons, {"_id": normalize_code(code)}, {"$set": {"active": active}}, return_document=True
        )
        if doc is None:
            raise NotFound("coupon not found", details={"code": code})
        return Coupon.from_doc(doc)

    async def list_coupons(self, *, active_only: bool = False, limit: int = 100) -> list[Coupon]:
        query: Document = {"active": True} if active_only else {}
        cursor = self._coupons.find(query, {"used_by": 0}).sort("_id", 1).limit(max(1, min(limit, 500)))
        return [Coupon.from_doc(doc) async for doc in cursor]

    def _from_input(self, data: CouponIn) -> Coupon:
        try:
            if data.kind is CouponKind.PERCENT:
                percent = Decimal(data.value)
                if not percent.is_finite() or percent != percent.to_integral_value() or not 1 <= percent <= 100:
                    raise ValidationFailed("percent must be a whole number from 1 to 100", details={"field": "value"})
                value = int(percent)
            else:
                value = Money.parse(data.value, self.currency).amount
            minimum = Money.parse(data.min_subtotal, self.currency).amount
        except (InvalidOperation, MoneyError) as exc:
            raise ValidationFailed(str(exc) or "invalid amount", details={"field": "value"}) from None
        starts = as_utc(data.starts_at) if data.starts_at else None
        ends = as_utc(data.ends_at) if data.ends_at else None
        if starts and ends and ends <= starts:
            raise ValidationFailed("ends_at must be after starts_at", details={"field": "ends_at"})
        try:
            return Coupon(
                code=normalize_code(data.code),
                kind=data.kind,
                value=value,
                currency=self.currency,
                min_subtotal=minimum,
                starts_at=starts,
                ends_at=ends,
                usage_limit=data.usage_limit,
                per_customer_limit=data.per_customer_limit,
                description=LocalizedText(data.description_zh, data.description_en),
            )
        except ValueError as exc:
            raise ValidationFailed(str(exc), details={"field": "value"}) from None


DEMO_COUPONS: list[dict[str, Any]] = [
    {
        "code": "WELCOME10",
        "kind": "percent",
        "value": "10",
        "per_customer_limit": 1,
        "description_zh": "新人专享 9 折（每人限用一次）",
        "description_en": "10% off your first order (once per customer)",
    },
    {
        "code": "SAVE20",
        "kind": "fixed",
        "value": "20.00",
        "min_subtotal": "199.00",
        "description_zh": "满 199 减 20",
        "description_en": "¥20 off orders of ¥199 or more",
    },
]


async def seed_demo_coupons(promotions: PromotionService) -> int:
    """Create the demo coupons that do not exist yet; returns how many were created."""
    created = 0
    for spec in DEMO_COUPONS:
        try:
            await promotions.create(CouponIn.model_validate(spec))
            created += 1
        except Conflict:
            continue
    return created
