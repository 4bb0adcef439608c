"""Money as integer minor units plus an ISO-4217 currency. Never floats.

Decimal strings in the currency's major unit ("2999.00") are parsed exactly; a value with
more fractional digits than the currency allows is refused rather than rounded silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Minor-unit exponents (ISO 4217) for the currencies a shop is likely to use.
CURRENCY_EXPONENTS: dict[str, int] = {
    "CNY": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "HKD": 2,
    "TWD": 2,
    "SGD": 2,
    "AUD": 2,
    "CAD": 2,
    "MOP": 2,
    "CHF": 2,
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
}
CURRENCY_SYMBOLS: dict[str, str] = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


# Far above any real price or order total, far below int64 (BSON) overflow.
MAX_MINOR_UNITS = 10**15


class MoneyError(ValueError):
    """An amount or currency that cannot be represented exactly."""


def exponent_of(currency: str) -> int:
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise MoneyError(f"unsupported currency {currency!r}") from None


@dataclass(frozen=True, slots=True, order=False)
class Money:
    amount: int  # minor units (fen / cents)
    currency: str

    def __post_init__(self) -> None:
        if isinstance(self.amount, bool) or not isinstance(self.amount, int):
            raise MoneyError("Money.amount must be an int of minor units")
        if abs(self.amount) > MAX_MINOR_UNITS:
            raise MoneyError("amount out of range")
        exponent_of(self.currency)

    # --- construction --------------------------------------------------------------------
    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def parse(cls, value: str | Decimal | int, currency: str) -> Money:
        """Parse a major-unit decimal ("12.5", "2999.00", 3) exactly."""
        if isinstance(value, float):
            raise MoneyError("floats are not accepted for money; pass a decimal string")
        text = str(value).strip()
        if len(text) > 40:
            raise MoneyError("amount is too long")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"not a decimal amount: {value!r}") from None
        if not number.is_finite():
            raise MoneyError(f"not a finite amount: {value!r}")
        exponent = exponent_of(currency)
        minor = number.scaleb(exponent)
        if minor != minor.to_integral_value():
            raise MoneyError(f"{value!r} has more than {exponent} decimal places for {currency}")
        return cls(int(minor), currency)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Money:
        return cls(int(doc["amount"]), str(doc["currency"]))

    def to_doc(self) -> dict[str, Any]:
        return {"amount": self.amount, "currency": self.currency}

    # --- arithmetic ----------------------------------------------------------------------
    def _same(self, other: Money) -> None:
        if not isinstance(other, Money):
            raise TypeError(f"cannot combine Money with {type(other).__name__}")
        if other.currency != self.currency:
            raise MoneyError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int):
            raise TypeError("Money can only be multiplied by an int (use .percent for rates)")
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def __bool__(self) -> bool:
        return self.amount != 0

    def percent(self, rate: Decimal | int | str) -> Money:
        """`rate` percent of this amount, rounded half-up to the minor unit."""
        share = (Decimal(self.amount) * Decimal(str(rate)) / 100).quantize(Decimal(1), ROUND_HALF_UP)
        return Money(int(share), self.currency)

    def allocate(self, weights: list[int]) -> list[Money]:
        """Split into parts proportional to `weights`; the parts always sum to the whole."""
        if not weights or any(w < 0 for w in weights) or sum(weights) == 0:
            raise MoneyError("weights must be non-negative and not all zero")
        total = sum(weights)
        parts = [self.amount * w // total for w in weights]
        remainder = self.amount - sum(parts)
        for index in range(remainder):
            parts[index % len(parts)] += 1
        return [Money(p, self.currency) for p in parts]

    @staticmethod
    def sum(values: list[Money], currency: str) -> Money:
        total = Money.zero(currency)
        for value in values:
            total = total + value
        return total

    # --- presentation ----------------------------------------------------------------------
    def to_decimal(self) -> Decimal:
        return Decimal(self.amount).scaleb(-exponent_of(self.currency))

    def to_decimal_string(self) -> str:
        """Major units with exactly the currency's decimals: 299900 CNY -> "2999.00"."""
        exponent = exponent_of(self.currency)
        quantum = Decimal(1).scaleb(-exponent) if exponent else Decimal(1)
        return str(self.to_decimal().quantize(quantum))

    def format(self) -> str:
        symbol = CURRENCY_SYMBOLS.get(self.currency, self.currency + " ")
        sign = "-" if self.amount < 0 else ""
        magnitude = Money(abs(self.amount), self.currency).to_decimal_string()
        whole, _, fraction = magnitude.partition(".")
        grouped = f"{int(whole):,}"
        return f"{sign}{symbol}{grouped}{'.' + fraction if fraction else ''}"

    def __str__(self) -> str:
        return f"{self.to_decimal_string()} {self.currency}"
