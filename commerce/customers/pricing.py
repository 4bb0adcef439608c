"""Member-tier prices: a per-shop percentage of the list price per tier, unless the catalog gives
the SKU an explicit price for that tier."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from commerce.catalog.model import SkuSnapshot
from commerce.customers.model import Tier
from commerce.money import Money

DEFAULT_TIER_PERCENT: dict[str, Decimal] = {"regular": Decimal(100), "vip": Decimal(95), "enterprise": Decimal(90)}


@dataclass(frozen=True)
class TierPricing:
    percent: Mapping[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_TIER_PERCENT))

    def __post_init__(self) -> None:
        for tier, rate in self.percent.items():
            if tier not in Tier._value2member_map_:
                raise ValueError(f"unknown tier {tier!r} in pricing rules")
            if not Decimal(0) < Decimal(rate) <= Decimal(100):
                raise ValueError(f"tier percent for {tier} must be in (0, 100]")

    def unit_price(self, snapshot: SkuSnapshot, tier: Tier | str) -> Money:
        """What one unit costs this customer: explicit tier price > tier percentage > list price.
        Never above the list price."""
        tier_value = Tier(tier).value
        explicit = snapshot.tier_prices.get(tier_value)
        if explicit is not None and explicit.currency == snapshot.price.currency:
            return min(explicit, snapshot.price, key=lambda m: m.amount)
        rate = Decimal(self.percent.get(tier_value, Decimal(100)))
        if rate >= 100:
            return snapshot.price
        return snapshot.price.percent(rate)
