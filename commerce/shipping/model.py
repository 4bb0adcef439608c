"""Shipping methods and their freight rules (pure configuration, no storage).

Rules: a flat fee, or by weight (first kilogram + each additional started kilogram), each
optionally free from a subtotal threshold. `same_city` is offered only in the shop's cities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.shipping.regions import MUNICIPALITIES, canonical_place


@dataclass(frozen=True, slots=True)
class FlatRate:
    fee: int  # minor units

    def fee_for(self, weight_g: int) -> int:
        return self.fee


@dataclass(frozen=True, slots=True)
class WeightRate:
    first_kg: int  # minor units for the first (started) kilogram
    additional_kg: int  # minor units for each additional started kilogram

    def fee_for(self, weight_g: int) -> int:
        kilos = max(1, -(-max(weight_g, 0) // 1000))  # started kilograms, at least one
        return self.first_kg + (kilos - 1) * self.additional_kg


FreightRule = FlatRate | WeightRate


@dataclass(frozen=True, slots=True)
class ShippingMethod:
    code: str
    name: LocalizedText
    eta: LocalizedText
    rule: FreightRule
    free_over: int | None = None  # minor units: free when the (tier-priced, after coupon) subtotal reaches it
    cities: tuple[str, ...] = ()  # non-empty: only for addresses in these cities (same-city delivery)
    excluded_provinces: tuple[str, ...] = ()
    needs_delivery: bool = True  # False for pickup in store
    # Pickup in store: where and when (a customer must know both before choosing it).
    pickup_address: LocalizedText = field(default_factory=LocalizedText)
    pickup_hours: LocalizedText = field(default_factory=LocalizedText)

    def serves(self, province: str | None, city: str | None) -> bool:
        """Place names match in any language (上海 == Shanghai); a municipality may come as the
        province alone ("Huangpu, Shanghai" -> province Shanghai)."""
        if self.cities:
            shop_cities = {canonical_place(c) for c in self.cities}
            places = {canonical_place(city), *({canonical_place(province)} & MUNICIPALITIES)} - {""}
            if not places & shop_cities:
                return False
        return not (province and canonical_place(province) in {canonical_place(p) for p in self.excluded_provinces})

    def fee(self, subtotal: Money, weight_g: int) -> Money:
        if self.free_over is not None and subtotal.amount >= self.free_over:
            return Money.zero(subtotal.currency)
        return Money(self.rule.fee_for(weight_g), subtotal.currency)

    def to_dict(self, currency: str) -> dict[str, Any]:
        rule: dict[str, Any]
        if isinstance(self.rule, FlatRate):
            rule = {"kind": "flat", "fee": Money(self.rule.fee, currency).to_decimal_string()}
        else:
            rule = {
                "kind": "weight",
                "first_kg": Money(self.rule.first_kg, currency).to_decimal_string(),
                "additional_kg": Money(self.rule.additional_kg, currency).to_decimal_string(),
            }
        return {
            "code": self.code,
            "name": self.name.to_doc(),
            "eta": self.eta.to_doc(),
            "rule": rule,
            "free_over": Money(self.free_over, currency).to_decimal_string() if self.free_over is not None else None,
            "pickup_address": self.pickup_address.to_doc() if self.pickup_address else None,
            "pickup_hours": self.pickup_hours.to_doc() if self.pickup_hours else None,
        }

    @classmethod
    def from_config(cls, data: Mapping[str, Any]) -> ShippingMethod:
        """From settings/YAML: {code, name: {zh, en}, eta: {zh, en}, flat: 1000 | first_kg + additional_kg,
        free_over, cities, excluded_provinces, needs_delivery, pickup_address: {zh, en}, pickup_hours: {zh, en}}.
        Amounts in minor units."""
        rule: FreightRule
        if "flat" in data:
            rule = FlatRate(int(data["flat"]))
        else:
            rule = WeightRate(int(data["first_kg"]), int(data.get("additional_kg", 0)))
        free_over = data.get("free_over")
        return cls(
            code=str(data["code"]),
            name=LocalizedText.from_doc(data.get("name")),
            eta=LocalizedText.from_doc(data.get("eta")),
            rule=rule,
            free_over=int(free_over) if free_over is not None else None,
            cities=tuple(data.get("cities") or ()),
            excluded_provinces=tuple(data.get("excluded_provinces") or ()),
            needs_delivery=bool(data.get("needs_delivery", True)),
            pickup_address=LocalizedText.from_doc(data.get("pickup_address")),
            pickup_hours=LocalizedText.from_doc(data.get("pickup_hours")),
        )


@dataclass(frozen=True, slots=True)
class ShippingQuote:
    method: ShippingMethod
    fee: Money


DEFAULT_STORE_ADDRESS = LocalizedText("上海市黄浦区南京东路100号", "100 East Nanjing Road, Huangpu, Shanghai")
DEFAULT_STORE_HOURS = LocalizedText("每天 10:00-21:00", "daily 10:00-21:00")


def default_methods(
    shop_cities: Sequence[str] = ("上海",),
    store_address: LocalizedText = DEFAULT_STORE_ADDRESS,
    store_hours: LocalizedText = DEFAULT_STORE_HOURS,
) -> tuple[ShippingMethod, ...]:
    """express ¥10 first kg + ¥5/kg, free from ¥99; pickup free (at `store_address`, `store_hours`);
    same-city ¥15 flat, free from ¥199."""
    return (
        ShippingMethod(
            "express",
            LocalizedText("快递", "Express delivery"),
            LocalizedText("2-4天", "2-4 days"),
            WeightRate(1000, 500),
            free_over=9900,
            excluded_provinces=(),
        ),
        ShippingMethod(
            "same_city",
            LocalizedText("同城配送", "Same-city delivery"),
            LocalizedText("当日达", "same day"),
            FlatRate(1500),
            free_over=19900,
            cities=tuple(shop_cities),
        ),
        ShippingMethod(
            "pickup",
            LocalizedText("门店自提", "Pick up in store"),
            LocalizedText("次日可取", "ready next day"),
            FlatRate(0),
            needs_delivery=False,
            pickup_address=store_address,
            pickup_hours=store_hours,
        ),
    )


@dataclass(frozen=True)
class ShippingConfig:
    methods: tuple[ShippingMethod, ...] = field(default_factory=default_methods)
