"""Property tests: the order state machine on the real database, and price arithmetic."""

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commerce.carts.model import CartItem, price_lines
from commerce.catalog.model import SkuSnapshot
from commerce.customers.model import Tier
from commerce.customers.pricing import TierPricing
from commerce.errors import InvalidTransition
from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.orders.checkout import coupon_shares, order_lines
from commerce.orders.model import TRANSITIONS, OrderStatus, PriceBreakdown
from commerce.promotions.model import Coupon, CouponKind
from commerce.services import Commerce

from .conftest import Shop

ACTIONS = ["pay", "cancel", "ship", "deliver", "complete", "refund"]
TARGET = {
    "pay": OrderStatus.PAID,
    "cancel": OrderStatus.CANCELLED,
    "ship": OrderStatus.SHIPPED,
    "deliver": OrderStatus.DELIVERED,
    "complete": OrderStatus.COMPLETED,
    "refund": OrderStatus.REFUNDED,
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=8))
async def test_random_transition_sequences_stay_valid(shop: Shop, commerce: Commerce, actions: list[str]) -> None:
    if await commerce.catalog.get_sku_snapshots(["A"]) == {}:
        await shop.add_product("P1", [("A", "10.00")], stock=10_000)
    customer = await shop.customer("prop")
    order = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    expected = OrderStatus.PENDING_PAYMENT
    for action in actions:
        target = TARGET[action]
        allowed = target in TRANSITIONS[expected]
        try:
            await _perform(commerce, order.id, order.number, action)
        except InvalidTransition:
            assert not allowed, f"{action} refused from {expected}"
        else:
            assert allowed, f"{action} accepted from {expected}"
            expected = target
        current = await commerce.orders.get(order.id)
        assert current.status is expected
        chain = current.history
        assert chain[0].from_status is None
        assert chain[0].to_status is OrderStatus.PENDING_PAYMENT
        for before, after in itertools.pairwise(chain):
            assert after.from_status is before.to_status
            assert after.to_status in TRANSITIONS[before.to_status]
        assert chain[-1].to_status is current.status
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert level.reserved >= 0
    assert level.available >= 0


async def _perform(commerce: Commerce, order_id: str, number: str, action: str) -> None:
    if action == "pay":
        payment = await commerce.payments.start(number)
        await commerce.payments.simulate(payment.id, True)
    elif action == "cancel":
        await commerce.orders.cancel(number, actor="prop")
    elif action == "ship":
        await commerce.orders.ship(number, carrier="SF", tracking_no="1", actor="prop")
    elif action == "deliver":
        await commerce.orders.deliver(number, actor="prop")
    elif action == "complete":
        await commerce.orders.complete(number, actor="prop")
    else:
        order = await commerce.orders.get(order_id)
        await commerce.orders.add_refund(order_id, order.total, actor="prop", reason="prop")


# --- price arithmetic --------------------------------------------------------------------------
def _snapshot(sku: str, price: int, tier_price: int | None) -> SkuSnapshot:
    from commerce.catalog.model import ProductStatus

    return SkuSnapshot(
        sku=sku,
        product_code="P",
        title=LocalizedText("t", "t"),
        specs={},
        price=Money(price, "CNY"),
        weight_g=100,
        image=None,
        status=ProductStatus.ON_SALE,
        category="c",
        brand="b",
        tier_prices={"vip": Money(tier_price, "CNY")} if tier_price is not None else {},
    )


line_strategy = st.tuples(st.integers(0, 5_000_000), st.integers(1, 99), st.none() | st.integers(0, 5_000_000))


@given(
    lines=st.lists(line_strategy, min_size=1, max_size=8),
    tier=st.sampled_from(list(Tier)),
    vip_percent=st.integers(1, 100),
    coupon=st.none() | st.tuples(st.sampled_from(list(CouponKind)), st.integers(1, 100), st.integers(1, 10_000_000)),
    shipping=st.integers(0, 100_000),
)
def test_price_breakdown_adds_up(
    lines: list[tuple[int, int, int | None]],
    tier: Tier,
    vip_percent: int,
    coupon: tuple[CouponKind, int, int] | None,
    shipping: int,
) -> None:
    snapshots = {f"S{i}": _snapshot(f"S{i}", price, tier_price) for i, (price, _, tier_price) in enumerate(lines)}
    items = [CartItem(f"S{i}", quantity) for i, (_, quantity, _) in enumerate(lines)]
    pricing = TierPricing({"regular": Decimal(100), "vip": Decimal(vip_percent), "enterprise": Decimal(90)})
    priced = price_lines(items, snapshots, tier, pricing, "CNY")
    items_subtotal = Money.sum([line.list_line_total for line in priced], "CNY")
    subtotal = Money.sum([line.line_total for line in priced], "CNY")
    discount = Money.zero("CNY")
    if coupon is not None:
        kind, percent, fixed = coupon
        value = percent if kind is CouponKind.PERCENT else fixed
        discount = Coupon("C", kind, value, "CNY").discount_for(subtotal)
    order = order_lines(priced, discount)
    breakdown = PriceBreakdown(items_subtotal, items_subtotal - subtotal, discount, Money(shipping, "CNY"))

    assert breakdown.total.amount == (
        breakdown.items_subtotal.amount
        - breakdown.tier_discount.amount
        - breakdown.coupon_discount.amount
        + breakdown.shipping_fee.amount
    )
    assert all(p.amount >= 0 for p in (breakdown.tier_discount, breakdown.coupon_discount, breakdown.total))
    assert sum(line.coupon_share.amount for line in order) == discount.amount
    assert all(0 <= line.paid_total.amount <= line.line_total.amount for line in order)
    assert sum(line.paid_total.amount for line in order) == breakdown.goods_total.amount
    assert all(line.unit_price <= line.list_unit_price for line in order)
    for line in order:  # refunds of part of a line never exceed what was paid for it
        assert all(0 <= line.refund_for(q).amount <= line.paid_total.amount for q in range(line.quantity + 1))


def test_breakdown_refuses_impossible_parts() -> None:
    ten = Money(1000, "CNY")
    with pytest.raises(ValueError, match="exceed"):
        PriceBreakdown(ten, ten, Money(1, "CNY"), Money.zero("CNY"))
    with pytest.raises(ValueError, match="negative"):
        PriceBreakdown(ten, Money(-1, "CNY"), Money.zero("CNY"), Money.zero("CNY"))
    with pytest.raises(ValueError, match="exceed"):
        coupon_shares(Money(2000, "CNY"), [ten])
