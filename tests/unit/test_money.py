from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commerce.money import Money, MoneyError


def test_parse_is_exact() -> None:
    assert Money.parse("2999.00", "CNY") == Money(299900, "CNY")
    assert Money.parse("0.1", "CNY").amount == 10
    assert Money.parse("12", "JPY") == Money(12, "JPY")
    assert Money.parse(3, "USD").amount == 300


@pytest.mark.parametrize("bad", ["1.001", "abc", "NaN", "Infinity", "", "1e400000"])
def test_parse_refuses_inexact_or_garbage(bad: str) -> None:
    with pytest.raises(MoneyError):
        Money.parse(bad, "CNY")


def test_floats_and_unknown_currencies_refused() -> None:
    with pytest.raises(MoneyError):
        Money.parse(1.5, "CNY")  # type: ignore[arg-type]
    with pytest.raises(MoneyError):
        Money(100, "XXX")
    with pytest.raises(MoneyError):
        Money(1, "CNY") + Money(1, "USD")


def test_format_and_decimal_string() -> None:
    assert Money(299900, "CNY").to_decimal_string() == "2999.00"
    assert Money(-5, "USD").format() == "-$0.05"
    assert Money(123456789, "CNY").format() == "¥1,234,567.89"
    assert Money(500, "JPY").to_decimal_string() == "500"


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["CNY", "USD", "JPY"]))
def test_decimal_string_round_trips(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    assert Money.parse(money.to_decimal_string(), currency) == money


@given(
    st.integers(min_value=0, max_value=10**10),
    st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(lambda w: sum(w) > 0),
)
def test_allocate_never_loses_a_cent(amount: int, weights: list[int]) -> None:
    parts = Money(amount, "CNY").allocate(weights)
    assert sum(p.amount for p in parts) == amount
    assert all(p.amount >= 0 for p in parts)


@given(st.integers(min_value=0, max_value=10**10), st.integers(min_value=0, max_value=100))
def test_percent_is_bounded(amount: int, rate: int) -> None:
    share = Money(amount, "CNY").percent(rate)
    assert 0 <= share.amount <= amount
    assert abs(Decimal(share.amount) - Decimal(amount) * rate / 100) <= Decimal("0.5")
