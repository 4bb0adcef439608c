"""A customer's cart as stored (SKU + quantity only) and as shown (priced now, with warnings).

Prices are never stored in the cart: every view re-reads the catalog and applies the
customer's tier, so a price change is visible immediately and cannot be gamed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from commerce.catalog.model import SkuSnapshot
from commerce.customers.model import Tier
from commerce.customers.pricing import TierPricing
from commerce.inventory.model import StockLevel
from commerce.localized import LocalizedText
from commerce.money import Money
from core.mongo import as_utc, utcnow


class LineWarning(StrEnum):
    UNAVAILABLE = "unavailable"  # the SKU no longer exists
    NOT_ON_SALE = "not_on_sale"  # draft / off the shelf
    OUT_OF_STOCK = "out_of_stock"
    INSUFFICIENT_STOCK = "insufficient_stock"  # fewer available than in the cart

    @property
    def blocks_price(self) -> bool:
        """Lines that cannot be bought at all are left out of the subtotal."""
        return self in (LineWarning.UNAVAILABLE, LineWarning.NOT_ON_SALE)

    def message(self, lang: str | None, *, available: int = 0) -> str:
        return WARNING_TEXTS[self].get(lang).format(available=available)


WARNING_TEXTS: dict[LineWarning, LocalizedText] = {
    LineWarning.UNAVAILABLE: LocalizedText("该商品已不存在", "This item no longer exists"),
    LineWarning.NOT_ON_SALE: LocalizedText("该商品已下架", "This item is not on sale"),
    LineWarning.OUT_OF_STOCK: LocalizedText("暂时缺货", "Out of stock"),
    LineWarning.INSUFFICIENT_STOCK: LocalizedText("库存仅剩 {available} 件", "Only {available} left in stock"),
}


@dataclass(frozen=True, slots=True)
class CartItem:
    sku: str
    quantity: int
    added_at: datetime = field(default_factory=utcnow)

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> CartItem:
        added = doc.get("added_at")
        return cls(sku=str(doc["sku"]), quantity=int(doc["qty"]), added_at=as_utc(added) if added else utcnow())


@dataclass(frozen=True, slots=True)
class CartLine:
    sku: str
    quantity: int
    snapshot: SkuSnapshot | None
    list_unit_price: Money  # catalog price
    unit_price: Money  # after the member tier
    line_total: Money  # unit_price * quantity (zero when the line cannot be bought)
    available: int | None  # None when stock was not looked up
    warnings: tuple[LineWarning, ...] = ()

    @property
    def list_line_total(self) -> Money:
        return self.list_unit_price * self.quantity if self.priced else Money.zero(self.unit_price.currency)

    @property
    def priced(self) -> bool:
        return not any(w.blocks_price for w in self.warnings)

    @property
    def purchasable(self) -> bool:
        return not self.warnings

    @property
    def weight_g(self) -> int:
        return (self.snapshot.weight_g or 0) * self.quantity if self.snapshot else 0

    def title(self, lang: str | None) -> str:
        return self.snapshot.title.get(lang) if self.snapshot else self.sku

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        snap = self.snapshot
        return {
            "sku": self.sku,
            "quantity": self.quantity,
            "product_code": snap.product_code if snap else None,
            "title": snap.title.to_doc() if snap else None,
            "specs": dict(snap.specs) if snap else {},
            "image": snap.image if snap else None,
            "list_unit_price": self.list_unit_price.to_decimal_string(),
            "unit_price": self.unit_price.to_decimal_string(),
            "line_total": self.line_total.to_decimal_string(),
            "available": self.available,
            "warnings": [
                {"code": w.value, "message": w.message(lang, available=self.available or 0)} for w in self.warnings
            ],
        }


@dataclass(frozen=True, slots=True)
class CartView:
    customer_id: str
    tier: Tier
    currency: str
    lines: tuple[CartLine, ...]

    @property
    def empty(self) -> bool:
        return not self.lines

    @property
    def items_subtotal(self) -> Money:
        """List-price total of the lines that can be bought."""
        return Money.sum([line.list_line_total for line in self.lines], self.currency)

    @property
    def subtotal(self) -> Money:
        """What the items cost this customer (tier prices)."""
        return Money.sum([line.line_total for line in self.lines], self.currency)

    @property
    def tier_discount(self) -> Money:
        return self.items_subtotal - self.subtotal

    @property
    def weight_g(self) -> int:
        return sum(line.weight_g for line in self.lines if line.priced)

    @property
    def quantity(self) -> int:
        return sum(line.quantity for line in self.lines)

    @property
    def has_warnings(self) -> bool:
        return any(line.warnings for line in self.lines)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "lines": [line.to_dict(lang) for line in self.lines],
            "currency": self.currency,
            "tier": self.tier.value,
            "items_subtotal": self.items_subtotal.to_decimal_string(),
            "tier_discount": self.tier_discount.to_decimal_string(),
            "subtotal": self.subtotal.to_decimal_string(),
            "quantity": self.quantity,
            "has_warnings": self.has_warnings,
        }


@dataclass(frozen=True, slots=True)
class CartAddResult:
    sku: str
    quantity: int  # now in the cart
    requested: int
    capped: bool  # the per-line maximum limited the quantity
    available: int
    warnings: tuple[LineWarning, ...] = ()


def price_lines(
    items: Sequence[CartItem],
    snapshots: Mapping[str, SkuSnapshot],
    tier: Tier,
    pricing: TierPricing,
    currency: str,
    levels: Mapping[str, StockLevel] | None = None,
) -> tuple[CartLine, ...]:
    """Price cart items from fresh catalog snapshots (and stock, when given)."""
    lines: list[CartLine] = []
    zero = Money.zero(currency)
    for item in items:
        snapshot = snapshots.get(item.sku)
        available = levels[item.sku].available if levels is not None and item.sku in levels else None
        warnings: list[LineWarning] = []
        if snapshot is None or snapshot.price.currency != currency:
            warnings.append(LineWarning.UNAVAILABLE)
        elif not snapshot.purchasable:
            warnings.append(LineWarning.NOT_ON_SALE)
        if available is not None and not warnings:
            if available <= 0:
                warnings.append(LineWarning.OUT_OF_STOCK)
            elif item.quantity > available:
                warnings.append(LineWarning.INSUFFICIENT_STOCK)
        if snapshot is None or any(w.blocks_price for w in warnings):
            list_price = snapshot.price if snapshot is not None and snapshot.price.currency == currency else zero
            lines.append(
                CartLine(item.sku, item.quantity, snapshot, list_price, list_price, zero, available, tuple(warnings))
            )
            continue
        unit = pricing.unit_price(snapshot, tier)
        lines.append(
            CartLine(
                item.sku,
                item.quantity,
                snapshot,
                snapshot.price,
                unit,
                unit * item.quantity,
                available,
                tuple(warnings),
            )
        )
    return tuple(lines)
