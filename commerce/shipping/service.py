"""Which shipping methods serve an address, and what they cost for a cart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from commerce.errors import ValidationFailed
from commerce.money import Money
from commerce.shipping.model import ShippingMethod, ShippingQuote, default_methods


class Place(Protocol):
    """Anything with a province and a city (customers.Address, an address input)."""

    @property
    def province(self) -> str: ...

    @property
    def city(self) -> str: ...


@dataclass(frozen=True, slots=True)
class ShippingBasis:
    """What freight depends on: the goods value (after tier prices and coupon) and weight."""

    subtotal: Money
    weight_g: int


class ShippingService:
    def __init__(self, methods: Sequence[ShippingMethod] | None = None, *, currency: str = "CNY") -> None:
        self._methods = tuple(methods) if methods else default_methods()
        codes = [m.code for m in self._methods]
        if len(set(codes)) != len(codes):
            raise ValueError("shipping method codes must be unique")
        self.currency = currency

    @property
    def methods(self) -> tuple[ShippingMethod, ...]:
        return self._methods

    def method(self, code: str) -> ShippingMethod:
        for method in self._methods:
            if method.code == code:
                return method
        raise ValidationFailed(
            "unknown shipping method",
            details={"method": code[:40], "allowed": [m.code for m in self._methods]},
            code="unknown_shipping_method",
        )

    def available_methods(self, address: Place | None) -> list[ShippingMethod]:
        if address is None:
            return [m for m in self._methods if not m.cities]
        return [m for m in self._methods if m.serves(address.province, address.city)]

    def quote(self, method_code: str, basis: ShippingBasis, address: Place | None) -> Money:
        method = self.method(method_code)
        if address is not None and not method.serves(address.province, address.city):
            raise ValidationFailed(
                "this shipping method does not deliver to the address",
                details={"method": method.code, "city": address.city},
                code="shipping_not_available",
            )
        return method.fee(basis.subtotal, basis.weight_g)

    def quotes(self, basis: ShippingBasis, address: Place | None) -> list[ShippingQuote]:
        return [ShippingQuote(m, m.fee(basis.subtotal, basis.weight_g)) for m in self.available_methods(address)]
