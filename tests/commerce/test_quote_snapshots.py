"""Quotes reuse the products this process has read and the catalog says are unchanged; a price
written since is quoted at once when written here, and an order is always priced afresh."""

from __future__ import annotations

from chatcart.bootstrap import build_commerce
from commerce.orders.checkout import CheckoutRequest

from .conftest import Counted, Shop, cny, config


async def test_a_second_quote_reads_the_cart_but_not_the_products_again(counted: Counted) -> None:
    shop = Shop(counted.commerce)
    await shop.add_product("TEA1", [("TEA1-100G", "38.00"), ("TEA1-250G", "80.00")])
    customer = await shop.customer("wx-tea")
    await counted.commerce.carts.add(customer.id, "TEA1-250G", 2)
    first = await counted.commerce.orders.quote(CheckoutRequest(customer.id, "express"))
    with counted.counter.measure() as again:
        second = await counted.commerce.orders.quote(CheckoutRequest(customer.id, "express"))
    assert again.commands == ["aggregate"]  # customer + cart; the tea is known and unchanged
    assert second.total == first.total == cny("160.00")  # free shipping over 99


async def test_a_price_written_in_this_process_is_quoted_at_once(shop: Shop) -> None:
    commerce = shop.commerce
    await shop.add_product("MUG7", [("MUG7-WHITE", "25.00")])
    customer = await shop.customer("tg-mug")
    await commerce.carts.add(customer.id, "MUG7-WHITE", 1)
    assert (await commerce.orders.quote(CheckoutRequest(customer.id, "express"))).lines[0].unit_price == cny("25.00")
    await shop.add_product("MUG7", [("MUG7-WHITE", "29.90")])  # the shop raises the price
    quote = await commerce.orders.quote(CheckoutRequest(customer.id, "express"))
    assert quote.lines[0].unit_price == cny("29.90")


async def test_an_order_is_priced_afresh_whatever_a_quote_showed(shop: Shop) -> None:
    commerce = shop.commerce
    await shop.add_product("LAMP3", [("LAMP3-EU", "120.00")])
    customer = await shop.customer("tg-lamp")
    await commerce.carts.add(customer.id, "LAMP3-EU", 1)
    await commerce.orders.quote(CheckoutRequest(customer.id, "express"))
    # Another process of the shop (the admin on a second server) lowers the price: this one's
    # quotes may show the old price until its catalog view refreshes, its orders may not.
    other = build_commerce(commerce.catalog.repository.products.database, config())
    await Shop(other).add_product("LAMP3", [("LAMP3-EU", "99.00")])
    order = await commerce.orders.create_order(customer.id, shipping_method="express")
    assert order.lines[0].unit_price == cny("99.00")
