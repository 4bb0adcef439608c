import asyncio
from datetime import timedelta
from typing import Any

import pytest

from commerce.customers.model import Address
from commerce.errors import ValidationFailed
from commerce.localized import LocalizedText
from commerce.promotions.model import Coupon, CouponKind, CouponRejected, RejectionReason
from commerce.promotions.service import CouponIn, PromotionService, seed_demo_coupons
from commerce.services import Commerce
from commerce.shipping.model import FlatRate, ShippingMethod, WeightRate
from commerce.shipping.service import ShippingBasis, ShippingService
from core.mongo import utcnow

from .conftest import address, cny

SHANGHAI = Address.from_input("a", address())
BEIJING = Address.from_input("b", address(region={"province": "北京市", "city": "北京市", "district": "朝阳区"}))


# --- shipping ----------------------------------------------------------------------------------
def test_weight_rate_counts_started_kilograms() -> None:
    rate = WeightRate(first_kg=1000, additional_kg=500)
    assert [rate.fee_for(g) for g in (0, 1, 1000, 1001, 2500)] == [1000, 1000, 1000, 1500, 2000]


def test_default_methods_by_address_and_free_threshold() -> None:
    shipping = ShippingService()
    assert [m.code for m in shipping.available_methods(SHANGHAI)] == ["express", "same_city", "pickup"]
    assert [m.code for m in shipping.available_methods(BEIJING)] == ["express", "pickup"]
    basis = ShippingBasis(cny("50.00"), 1800)
    assert shipping.quote("express", basis, BEIJING) == cny("15.00")
    assert shipping.quote("express", ShippingBasis(cny("99.00"), 1800), BEIJING) == cny("0.00")
    assert shipping.quote("pickup", basis, BEIJING) == cny("0.00")
    assert shipping.quote("same_city", basis, SHANGHAI) == cny("15.00")
    with pytest.raises(ValidationFailed) as caught:
        shipping.quote("same_city", basis, BEIJING)
    assert caught.value.code == "shipping_not_available"
    with pytest.raises(ValidationFailed):
        shipping.quote("teleport", basis, BEIJING)


@pytest.mark.parametrize(
    "region",
    [
        "Huangpu, Shanghai",
        "88 Nanjing Rd, Huangpu, Shanghai",
        "Pudong New Area, Shanghai Shi",
        "Jing'an, SHANGHAI CITY",
        "上海市黄浦区",
    ],
)
def test_same_city_is_offered_whatever_the_language_of_the_address(region: str) -> None:
    from dialogs.shop_adapter import split_region

    province, city, district = split_region(region.split(", ", 1)[1] if region[0].isdigit() else region)
    address_in = address(region={"province": province, "city": city, "district": district})
    assert "same_city" in [m.code for m in ShippingService().available_methods(Address.from_input("x", address_in))]


@pytest.mark.parametrize(
    ("names", "same"),
    [
        (("上海市", "Shanghai", "shanghai shi", "Shanghai Municipality", "上海"), True),
        (("北京", "Beijing", "Peking"), True),
        (("广东省", "Guangdong Province", "guangdong"), True),
        (("内蒙古自治区", "Inner Mongolia"), True),
        (("西安市", "Xi'an", "Xian"), True),
        (("上海", "Beijing"), False),
        (("Springfield", "springfield city"), False),  # unknown: only the suffix "city" is not stripped
    ],
)
def test_canonical_place_names(names: tuple[str, ...], same: bool) -> None:
    from commerce.shipping.regions import canonical_place

    assert (len({canonical_place(n) for n in names}) == 1) is same


def test_a_province_excluded_in_chinese_excludes_its_english_name() -> None:
    method = ShippingMethod(
        "x", LocalizedText("x", "x"), LocalizedText("", ""), FlatRate(0), excluded_provinces=("西藏",)
    )
    assert not method.serves("Tibet", "Lhasa")
    assert not method.serves("西藏自治区", "拉萨市")
    assert method.serves("Yunnan", "Kunming")
    beijing_english = ShippingMethod("y", LocalizedText("y", "y"), LocalizedText("", ""), FlatRate(0), cities=("北京",))
    assert beijing_english.serves("Beijing", "Beijing")
    assert not beijing_english.serves("Hebei", "Shijiazhuang")


def test_methods_from_config() -> None:
    method = ShippingMethod.from_config(
        {
            "code": "sf",
            "name": {"zh": "顺丰", "en": "SF"},
            "first_kg": 2300,
            "additional_kg": 1000,
            "excluded_provinces": ["西藏"],
        }
    )
    assert isinstance(method.rule, WeightRate)
    assert not method.serves("西藏自治区", "拉萨市")
    assert ShippingMethod.from_config({"code": "x", "flat": 500}).rule == FlatRate(500)


# --- coupons -----------------------------------------------------------------------------------
def coupon(**overrides: Any) -> Coupon:
    """A fixed 20.00 CNY coupon "C", with any field replaced."""
    values: dict[str, Any] = {"code": "C", "kind": CouponKind.FIXED, "value": 2000, "currency": "CNY"}
    return Coupon(**(values | overrides))


def test_coupon_rules_give_reasons() -> None:
    now = utcnow()
    assert coupon().check("u", cny("50.00")).amount == cny("20.00")
    assert coupon().check("u", cny("5.00")).amount == cny("5.00")  # never more than the subtotal
    assert coupon(kind=CouponKind.PERCENT, value=15).check("u", cny("33.33")).amount == cny("5.00")

    def reason(c: Coupon, subtotal: str = "100.00") -> RejectionReason:
        with pytest.raises(CouponRejected) as caught:
            c.check("u", cny(subtotal), now)
        return caught.value.reason

    assert reason(coupon(ends_at=now - timedelta(seconds=1))) is RejectionReason.EXPIRED
    assert reason(coupon(starts_at=now + timedelta(hours=1))) is RejectionReason.NOT_STARTED
    assert reason(coupon(min_subtotal=19900), "198.99") is RejectionReason.MIN_SPEND
    assert reason(coupon(usage_limit=3, used=3)) is RejectionReason.USED_UP
    assert reason(coupon(per_customer_limit=1, used_by={"u": 1})) is RejectionReason.CUSTOMER_LIMIT
    assert reason(coupon(active=False)) is RejectionReason.INACTIVE


def test_rejection_texts_are_bilingual() -> None:
    with pytest.raises(CouponRejected) as caught:
        coupon(code="SAVE20", min_subtotal=19900).check("u", cny("150.00"))
    assert caught.value.text("zh") == "订单满 ¥199.00 才能使用 SAVE20（还差 ¥49.00）"
    assert "at least ¥199.00" in caught.value.text("en")
    assert caught.value.code == "coupon_min_spend"


async def test_demo_coupons_and_validation(commerce: Commerce) -> None:
    assert await seed_demo_coupons(commerce.promotions) == 2
    assert await seed_demo_coupons(commerce.promotions) == 0
    discount = await commerce.promotions.validate("welcome10", "u1", cny("80.00"))
    assert discount.amount == cny("8.00")
    with pytest.raises(CouponRejected) as caught:
        await commerce.promotions.validate("SAVE20", "u1", cny("100.00"))
    assert caught.value.reason is RejectionReason.MIN_SPEND
    with pytest.raises(CouponRejected) as caught:
        await commerce.promotions.validate("NOPE", "u1", cny("100.00"))
    assert caught.value.reason is RejectionReason.UNKNOWN


async def test_existing_codes_are_found_in_any_case_even_when_unusable(commerce: Commerce) -> None:
    promotions = commerce.promotions
    await promotions.create(CouponIn(code="AUTUMN5", kind=CouponKind.PERCENT, value="5"))
    await promotions.create(CouponIn(code="GONE", kind=CouponKind.FIXED, value="1.00"))
    await promotions.set_active("GONE", False)
    words = ["autumn5", "Gone", "tent", "the", "a b", "NOPE7"]
    assert await promotions.existing_codes(words) == {"AUTUMN5", "GONE"}
    assert await promotions.existing_codes([]) == set()


async def test_redemption_is_atomic_under_races(commerce: Commerce) -> None:
    promotions: PromotionService = commerce.promotions
    await promotions.create(CouponIn(code="LAST3", kind=CouponKind.FIXED, value="1.00", usage_limit=3))

    results = await asyncio.gather(
        *(promotions.redeem("LAST3", f"customer{i}", cny("10.00")) for i in range(12)), return_exceptions=True
    )
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(results) - len(refused) == 3
    assert all(isinstance(r, CouponRejected) and r.reason is RejectionReason.USED_UP for r in refused)
    stored = await promotions.get("LAST3")
    assert stored is not None
    assert stored.used == 3


async def test_per_customer_limit_and_give_back(commerce: Commerce) -> None:
    promotions = commerce.promotions
    await promotions.create(CouponIn(code="ONCE", kind=CouponKind.PERCENT, value="10", per_customer_limit=1))
    results = await asyncio.gather(
        *(promotions.redeem("ONCE", "same", cny("10.00")) for _ in range(5)), return_exceptions=True
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert await promotions.give_back("ONCE", "same")
    assert not await promotions.give_back("ONCE", "same")  # nothing left to give back
    await promotions.redeem("ONCE", "same", cny("10.00"))


async def test_coupon_input_validation(commerce: Commerce) -> None:
    with pytest.raises(ValidationFailed):
        await commerce.promotions.create(CouponIn(code="BAD", kind=CouponKind.PERCENT, value="150"))
    with pytest.raises(ValidationFailed):
        await commerce.promotions.create(CouponIn(code="BAD2", kind=CouponKind.FIXED, value="1.001"))
    now = utcnow()
    with pytest.raises(ValidationFailed):
        await commerce.promotions.create(
            CouponIn(code="BAD3", kind=CouponKind.FIXED, value="1", starts_at=now, ends_at=now - timedelta(days=1))
        )
