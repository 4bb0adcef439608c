import asyncio
import re
from datetime import UTC, datetime, timedelta

import pytest

from commerce.errors import InvalidTransition, NotFound, OutOfStock, ValidationFailed
from commerce.orders.checkout import IDEMPOTENCY_CLAIMS, CheckoutRequest
from commerce.orders.model import Order, OrderStatus
from commerce.orders.numbers import OrderNumbers, format_number
from commerce.orders.service import OrderFilter
from commerce.promotions.model import CouponKind, CouponRejected
from commerce.promotions.service import CouponIn, seed_demo_coupons
from commerce.services import Commerce
from core.mongo import Database, utcnow

from .conftest import Counted, Shop, address, cny


async def test_checkout_from_cart_with_coupon(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "120.00"), ("B", "45.50")], stock=10)
    await seed_demo_coupons(commerce.promotions)
    customer = await shop.customer()
    await commerce.carts.add(customer.id, "A", 1)
    await commerce.carts.add(customer.id, "B", 2)

    order = await commerce.orders.create_order(customer.id, shipping_method="express", coupon_code="save20")
    assert re.fullmatch(r"\d{8}-\d{4}", order.number)
    assert order.status is OrderStatus.PENDING_PAYMENT
    pricing = order.pricing
    assert pricing.items_subtotal == cny("211.00")
    assert pricing.coupon_discount == cny("20.00")
    assert pricing.shipping_fee == cny("0.00")  # free over ¥99
    assert pricing.total == cny("191.00")
    assert sum(line.coupon_share.amount for line in order.lines) == 2000
    assert order.address.city == "上海市"
    assert order.expires_at is not None
    assert order.history[0].to_status is OrderStatus.PENDING_PAYMENT

    levels = await commerce.inventory.get_levels(["A", "B"])
    assert (levels["A"].available, levels["A"].reserved) == (9, 1)
    assert (levels["B"].available, levels["B"].reserved) == (8, 2)
    assert await commerce.carts.items(customer.id) == []  # bought lines left the cart
    coupon = await commerce.promotions.get("SAVE20")
    assert coupon is not None
    assert coupon.used == 1
    assert [e.type for e in await commerce.events.recent(order_id=order.id)] == ["order.created"]


async def test_quote_reports_coupon_problems_without_writing(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "50.00")])
    await seed_demo_coupons(commerce.promotions)
    customer = await shop.customer()
    await commerce.carts.add(customer.id, "A", 1)
    quote = await commerce.orders.quote(CheckoutRequest(customer.id, "express", coupon_code="SAVE20"))
    assert quote.coupon_error is not None
    assert quote.coupon_error.code == "coupon_min_spend"
    assert quote.total == cny("60.00")  # 50 + 10 shipping
    assert quote.to_dict("zh")["coupon_error"]["message"].startswith("订单满")
    with pytest.raises(CouponRejected):
        await commerce.orders.create_order(customer.id, shipping_method="express", coupon_code="SAVE20")
    assert (await commerce.inventory.get_levels(["A"]))["A"].reserved == 0


async def test_out_of_stock_names_the_sku_and_leaks_nothing(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00"), ("B", "10.00")], stock={"A": 5, "B": 1})
    await seed_demo_coupons(commerce.promotions)
    customer = await shop.customer()
    with pytest.raises(OutOfStock) as caught:
        await commerce.orders.create_order(
            customer.id, shipping_method="express", lines={"A": 2, "B": 3}, coupon_code="WELCOME10"
        )
    assert caught.value.details["sku"] == "B"
    assert caught.value.details["available"] == 1
    levels = await commerce.inventory.get_levels(["A", "B"])
    assert (levels["A"].available, levels["A"].reserved, levels["B"].available) == (5, 0, 1)
    coupon = await commerce.promotions.get("WELCOME10")
    assert coupon is not None
    assert coupon.used == 0
    page = await commerce.orders.list_for_customer(customer.id)
    assert page.orders == []


async def test_idempotency_key_returns_the_same_order(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=10)
    customer = await shop.customer()
    orders = await asyncio.gather(
        *(
            commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 2}, idempotency_key="k-1")
            for _ in range(4)
        )
    )
    assert len({o.id for o in orders}) == 1
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 2)  # reserved once
    other = await commerce.orders.create_order(
        customer.id, shipping_method="express", lines={"A": 1}, idempotency_key="k-2"
    )
    assert other.id != orders[0].id
    with pytest.raises(ValidationFailed):
        await commerce.orders.create_order(
            customer.id, shipping_method="express", lines={"A": 1}, idempotency_key="has space"
        )


async def test_checkout_validation(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    customer = await shop.customer(with_address=False)
    with pytest.raises(ValidationFailed) as caught:
        await commerce.orders.create_order(customer.id, shipping_method="express")
    assert caught.value.code == "cart_empty"
    with pytest.raises(ValidationFailed) as caught:
        await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    assert caught.value.code == "address_required"
    with pytest.raises(ValidationFailed) as caught:
        await commerce.orders.create_order(customer.id, shipping_method="express", lines={"NOPE": 1}, address=address())
    assert caught.value.code == "not_purchasable"
    with pytest.raises(NotFound):
        await commerce.orders.create_order("nobody", shipping_method="express", lines={"A": 1})
    order = await commerce.orders.create_order(customer.id, shipping_method="pickup", lines={"A": 1}, address=address())
    assert order.pricing.shipping_fee == cny("0.00")


async def test_cancel_releases_stock_and_coupon_once(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "100.00")], stock=3)
    await seed_demo_coupons(commerce.promotions)
    customer = await shop.customer()
    order = await commerce.orders.create_order(
        customer.id, shipping_method="express", lines={"A": 2}, coupon_code="WELCOME10"
    )
    results = await asyncio.gather(
        *(commerce.orders.cancel(order.number, actor="customer", customer_id=customer.id) for _ in range(3)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, InvalidTransition) for r in results if isinstance(r, Exception))
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (3, 0)
    coupon = await commerce.promotions.get("WELCOME10")
    assert coupon is not None
    assert coupon.used == 0
    assert coupon.used_by_customer(customer.id) == 0
    cancelled = await commerce.orders.get(order.id)
    assert [(h.from_status, h.to_status) for h in cancelled.history] == [
        (None, OrderStatus.PENDING_PAYMENT),
        (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED),
    ]
    assert cancelled.expires_at is None


async def test_lifecycle_and_invalid_transitions(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    customer = await shop.customer()
    order = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    with pytest.raises(InvalidTransition) as caught:
        await commerce.orders.ship(order.number, carrier="SF", tracking_no="SF1", actor="staff")
    assert "'pending_payment' to 'shipped'" in caught.value.message
    assert caught.value.details["allowed"] == ["cancelled", "paid"]

    payment = await commerce.payments.start(order.number, customer_id=customer.id)
    await commerce.payments.simulate(payment.id, True)
    moved = await commerce.orders.change_address(
        order.number, address(detail="新地址9号"), actor="customer", customer_id=customer.id
    )
    assert moved.address.detail == "新地址9号"
    with pytest.raises(InvalidTransition):
        await commerce.orders.cancel(order.number, actor="customer")
    shipped = await commerce.orders.ship(order.number, carrier="SF", tracking_no="SF123", actor="staff")
    assert shipped.shipment.tracking_no == "SF123"
    assert shipped.shipment.shipped_at is not None
    with pytest.raises(InvalidTransition) as caught:
        await commerce.orders.change_address(order.number, address(), actor="customer")
    assert caught.value.code == "address_locked"
    await commerce.orders.deliver(order.number, actor="staff")
    done = await commerce.orders.complete(order.number, actor="customer", customer_id=customer.id)
    assert [h.to_status for h in done.history] == [
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
        OrderStatus.COMPLETED,
    ]
    types = {e.type for e in await commerce.events.recent(order_id=order.id)}
    assert {"order.paid", "order.shipped", "order.delivered", "order.completed"} <= types


async def test_orders_are_private_and_paginated(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    alice, bob = await shop.customer("alice"), await shop.customer("bob")
    placed = [await commerce.orders.create_order(alice.id, shipping_method="express", lines={"A": 1}) for _ in range(5)]
    with pytest.raises(NotFound):
        await commerce.orders.get_by_number(placed[0].number, customer_id=bob.id)
    first = await commerce.orders.list_for_customer(alice.id, limit=2)
    second = await commerce.orders.list_for_customer(alice.id, after=first.next_after, limit=2)
    third = await commerce.orders.list_for_customer(alice.id, after=second.next_after, limit=2)
    seen = [o.id for page in (first, second, third) for o in page.orders]
    assert seen == [o.id for o in reversed(placed)]
    assert third.next_after is None
    assert len({o.number for o in placed}) == 5


async def test_orders_remember_their_channel(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    customer = await shop.customer()
    place = commerce.orders.create_order
    telegram = await place(customer.id, shipping_method="express", lines={"A": 1}, channel="telegram")
    webchat = await place(customer.id, shipping_method="express", lines={"A": 1}, channel="webchat")
    unknown = await place(customer.id, shipping_method="express", lines={"A": 1})  # callers may not say
    assert (await commerce.orders.get(telegram.id)).channel == "telegram"
    assert unknown.channel is None
    page = await commerce.orders.list_orders(OrderFilter(channel="telegram"))
    assert [o.id for o in page.orders] == [telegram.id]
    page = await commerce.orders.list_orders(OrderFilter(channel="webchat", customer_id=customer.id))
    assert [o.id for o in page.orders] == [webchat.id]
    with pytest.raises(ValidationFailed):
        await place(customer.id, shipping_method="express", lines={"A": 1}, channel="fax")
    with pytest.raises(ValidationFailed):
        await commerce.orders.list_orders(OrderFilter(channel="fax"))


async def test_notes_are_kept_on_the_order_with_author_and_time(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    order = await commerce.orders.create_order(
        (await shop.customer()).id, shipping_method="express", lines={"A": 1}, note="please ring twice"
    )
    await commerce.orders.add_note(order.number, text="  called the customer ", actor="staff:li")
    noted = await commerce.orders.add_note(order.id, text="address confirmed", actor="staff:wang")
    assert [(n.text, n.actor) for n in noted.notes] == [
        ("called the customer", "staff:li"),
        ("address confirmed", "staff:wang"),
    ]
    assert noted.notes[0].at <= noted.notes[1].at
    assert noted.note == "please ring twice"  # the customer's own note is untouched
    assert noted.status is OrderStatus.PENDING_PAYMENT
    assert (await commerce.orders.get(order.id)).notes == noted.notes
    for text in ("", "   ", "x" * 2001):
        with pytest.raises(ValidationFailed):
            await commerce.orders.add_note(order.id, text=text, actor="staff:li")
    with pytest.raises(NotFound):
        await commerce.orders.add_note("20990101-0001", text="hello", actor="staff:li")


async def test_order_numbers_count_per_day(commerce: Commerce, db: object) -> None:
    numbers = OrderNumbers(commerce.orders.checkout._db, timezone="Asia/Shanghai")
    late = datetime(2025, 1, 1, 15, 59, tzinfo=UTC)  # 23:59 in Shanghai
    assert await numbers.next(late) == "20250101-0001"
    assert await numbers.next(datetime(2025, 1, 1, 16, 0, tzinfo=UTC)) == "20250102-0001"
    assert await numbers.next(late) == "20250101-0002"
    assert format_number("20250101", 12345) == "20250101-12345"


async def test_a_keyed_checkout_takes_five_commands(shop: Shop, counted: Counted) -> None:
    await shop.add_product("P1", [("A", "160.00"), ("B", "45.50"), ("C", "3.00")])
    await seed_demo_coupons(shop.commerce.promotions)
    customer = await shop.customer()
    commerce = counted.commerce
    for sku in ("A", "B", "C"):
        await commerce.carts.add(customer.id, sku, 1)
    with counted.counter.measure() as measured:
        order = await commerce.orders.create_order(
            customer.id, shipping_method="express", coupon_code="SAVE20", idempotency_key="idem-1"
        )
    # Customer, cart, earlier order and coupon; then in flight together the snapshots, the key's
    # claim with the stock and the coupon, and the order number; the order with its ledger,
    # figures, cart and event.
    commands = measured.commands
    assert (commands[:1], sorted(commands[1:4]), commands[4:]) == (
        ["aggregate"],
        ["bulkWrite", "find", "findAndModify"],
        ["bulkWrite"],
    )
    with counted.counter.measure() as measured:
        again = await commerce.orders.create_order(
            customer.id, shipping_method="express", coupon_code="SAVE20", idempotency_key="idem-1"
        )
    assert again.id == order.id
    assert measured.count <= 2


async def test_retries_of_one_key_racing_for_the_last_unit_all_get_the_order(shop: Shop, commerce: Commerce) -> None:
    """Issue 17: five concurrent requests with one Idempotency-Key for the last unit answered
    [409, 201, 409, 409, 409] - stock was reserved before the key was claimed."""
    await shop.add_product("P1", [("A", "10.00")], stock=1)
    customer = await shop.customer()
    results = await asyncio.gather(
        *(
            commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1}, idempotency_key="last")
            for _ in range(5)
        ),
        return_exceptions=True,
    )
    assert [type(r).__name__ for r in results] == ["Order"] * 5
    assert len({r.id for r in results if isinstance(r, Order)}) == 1
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (0, 1)


async def test_a_key_claimed_by_another_request_stops_the_reservation_that_carries_the_claim(
    shop: Shop, commerce: Commerce, db: Database
) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=3)
    customer = await shop.customer()
    # A claim left by a request that died: it stops the first reservation (nothing reserved
    # under it), then its lease is taken over and the order placed once.
    claim = f"{customer.id}:k-dead"
    await db[IDEMPOTENCY_CLAIMS].insert_one({"_id": claim, "lease_until": utcnow() - timedelta(seconds=1)})
    order = await commerce.orders.create_order(
        customer.id, shipping_method="express", lines={"A": 2}, idempotency_key="k-dead"
    )
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (1, 2)
    stock = await db["inventory"].find_one({"_id": "A"})
    assert stock is not None
    assert stock["holds"] == {order.id: 2}
    done = await db[IDEMPOTENCY_CLAIMS].find_one({"_id": claim})
    assert done is not None
    assert (done.get("done"), done.get("order_id")) == (True, order.id)


async def test_a_keyed_checkout_that_fails_after_claiming_gives_the_claim_back(
    shop: Shop, commerce: Commerce, db: Database
) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=1)
    customer = await shop.customer()
    with pytest.raises(OutOfStock):
        await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 2}, idempotency_key="k")
    assert await db[IDEMPOTENCY_CLAIMS].count_documents({}) == 0


async def test_a_failed_keyed_checkout_lets_the_key_be_used_again(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=1)
    customer = await shop.customer()
    with pytest.raises(OutOfStock):
        await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 2}, idempotency_key="k")
    order = await commerce.orders.create_order(
        customer.id, shipping_method="express", lines={"A": 1}, idempotency_key="k"
    )
    assert order.idempotency_key == "k"


async def test_what_a_placement_reserved_before_its_prices_refused_it_is_handed_back(
    shop: Shop, commerce: Commerce, db: Database
) -> None:
    # The reservation is in flight with the products' read: a coupon the priced cart does not
    # reach is refused after the stock and the coupon were taken, and both go back with the claim.
    await shop.add_product("P1", [("A", "10.00")], stock=20)
    await commerce.promotions.create(CouponIn(code="BIG100", kind=CouponKind.FIXED, value="5.00", min_subtotal="100"))
    customer = await shop.customer()
    with pytest.raises(CouponRejected):
        await commerce.orders.create_order(
            customer.id, shipping_method="express", lines={"A": 2}, coupon_code="BIG100", idempotency_key="k-big"
        )
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (20, 0)
    coupon = await commerce.promotions.get("BIG100")
    assert coupon is not None
    assert coupon.used == 0
    assert await db[IDEMPOTENCY_CLAIMS].count_documents({}) == 0  # the key may be used again
    order = await commerce.orders.create_order(
        customer.id, shipping_method="express", lines={"A": 11}, coupon_code="BIG100", idempotency_key="k-big"
    )
    assert order.pricing.coupon_discount == cny("5.00")
    # Not on sale: the reservation made meanwhile is given back as well.
    await db["products"].update_many({}, {"$set": {"status": "off_shelf"}})
    with pytest.raises(ValidationFailed) as caught:
        await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    assert caught.value.code == "not_purchasable"
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (9, 11)  # the first order's alone
