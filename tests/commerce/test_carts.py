import pytest

from commerce.carts.model import LineWarning
from commerce.catalog.model import ProductStatus
from commerce.customers.model import Tier
from commerce.errors import NotFound, ValidationFailed
from commerce.services import Commerce
from core.atomic import scans_on_find_and_modify

from .conftest import Counted, Shop, address, cny


async def test_add_merges_lines_and_caps_quantity(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("P1-S", "10.00")])
    customer = await shop.customer()
    first = await commerce.carts.add(customer.id, "P1-S", 2)
    assert (first.quantity, first.capped, first.warnings) == (2, False, ())
    second = await commerce.carts.add(customer.id, "P1-S", 3)
    assert second.quantity == 5
    capped = await commerce.carts.add(customer.id, "P1-S", 99)
    assert capped.quantity == 99
    assert capped.capped
    assert [(i.sku, i.quantity) for i in await commerce.carts.items(customer.id)] == [("P1-S", 99)]


async def test_add_refuses_unknown_and_off_shelf(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("OFF", [("OFF-S", "10.00")], status=ProductStatus.OFF_SHELF)
    customer = await shop.customer()
    with pytest.raises(NotFound):
        await commerce.carts.add(customer.id, "NOPE", 1)
    with pytest.raises(ValidationFailed) as caught:
        await commerce.carts.add(customer.id, "OFF-S", 1)
    assert caught.value.code == "not_on_sale"
    with pytest.raises(ValidationFailed):
        await commerce.carts.add(customer.id, "OFF-S", 0)
    assert await commerce.carts.items(customer.id) == []


async def test_max_lines(shop: Shop, commerce: Commerce) -> None:
    commerce.carts.max_lines = 2
    await shop.add_product("P", [("S1", "1.00"), ("S2", "1.00"), ("S3", "1.00")])
    customer = await shop.customer()
    await commerce.carts.add(customer.id, "S1")
    await commerce.carts.add(customer.id, "S2")
    with pytest.raises(ValidationFailed) as caught:
        await commerce.carts.add(customer.id, "S3")
    assert caught.value.code == "cart_full"
    await commerce.carts.add(customer.id, "S1")  # existing lines still grow
    assert {i.sku: i.quantity for i in await commerce.carts.items(customer.id)} == {"S1": 2, "S2": 1}


async def test_view_recomputes_prices_and_warns(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "100.00"), ("B", "9.99")], stock={"A": 1, "B": 0})
    customer = await shop.customer()
    await commerce.carts.add(customer.id, "A", 2)
    await commerce.carts.add(customer.id, "B", 1)
    view = await commerce.carts.view(customer.id)
    lines = {line.sku: line for line in view.lines}
    assert lines["A"].warnings == (LineWarning.INSUFFICIENT_STOCK,)
    assert lines["A"].available == 1
    assert lines["B"].warnings == (LineWarning.OUT_OF_STOCK,)
    assert view.subtotal == cny("209.99")

    # the catalog price changes: the cart follows, nothing was stored
    await shop.add_product("P1", [("A", "80.00"), ("B", "9.99")], stock={"A": 5, "B": 5})
    view = await commerce.carts.view(customer.id)
    assert view.subtotal == cny("169.99")
    assert not view.has_warnings

    # taken off the shelf: left out of the subtotal and flagged
    await shop.add_product("P1", [("A", "80.00"), ("B", "9.99")], status=ProductStatus.OFF_SHELF)
    view = await commerce.carts.view(customer.id)
    assert view.subtotal == cny("0.00")
    assert all(line.warnings == (LineWarning.NOT_ON_SALE,) for line in view.lines)
    assert "下架" in view.lines[0].warnings[0].message("zh")


async def test_tier_prices(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "100.00")])
    await shop.add_product("P2", [("B", "100.00")], tier_prices={"vip": cny("80.00")})
    customer = await shop.customer()
    await commerce.carts.add(customer.id, "A")
    await commerce.carts.add(customer.id, "B")
    assert (await commerce.carts.view(customer.id)).subtotal == cny("200.00")
    await commerce.customers.set_tier(customer.id, Tier.VIP, actor="staff:1")
    view = await commerce.carts.view(customer.id)
    assert {line.sku: line.unit_price for line in view.lines} == {"A": cny("95.00"), "B": cny("80.00")}
    assert view.items_subtotal == cny("200.00")
    assert view.tier_discount == cny("25.00")
    await commerce.customers.set_tier(customer.id, Tier.ENTERPRISE, actor="staff:1")
    assert (await commerce.carts.view(customer.id)).subtotal == cny("180.00")


async def test_set_quantity_remove_clear(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "1.00"), ("B", "2.00")])
    customer = await shop.customer()
    await commerce.carts.add(customer.id, "A")
    await commerce.carts.add(customer.id, "B")
    await commerce.carts.set_quantity(customer.id, "A", 7)
    assert {i.sku: i.quantity for i in await commerce.carts.items(customer.id)} == {"A": 7, "B": 1}
    with pytest.raises(ValidationFailed):
        await commerce.carts.set_quantity(customer.id, "A", 100)
    await commerce.carts.set_quantity(customer.id, "A", 0)
    assert [i.sku for i in await commerce.carts.items(customer.id)] == ["B"]
    with pytest.raises(NotFound):
        await commerce.carts.remove(customer.id, "A")
    await commerce.carts.clear(customer.id)
    assert (await commerce.carts.view(customer.id)).empty


async def test_add_to_cart_takes_at_most_three_commands(shop: Shop, counted: Counted) -> None:
    await shop.add_product("P1", [("A", "1.00"), ("B", "2.00")])
    customer = await shop.customer()
    carts = counted.commerce.carts
    # On SecantusDB, whose findAndModify scans the collection, the line upsert is an update and a read.
    budget = 4 if await scans_on_find_and_modify(counted.db["carts"]) else 3
    for sku in ("A", "A", "B"):  # new cart, existing line, new line
        with counted.counter.measure() as measured:
            await carts.add(customer.id, sku, 1)
        assert measured.count <= budget, measured.commands
        assert "findAndModify" not in measured.commands or budget == 3
    with counted.counter.measure() as measured:
        view = await carts.view(customer.id)
    assert measured.count <= 2  # the cart with the tier; the snapshots with their stock
    assert view.quantity == 3


async def test_add_and_view_prices_the_cart_as_view_does_with_fewer_commands(shop: Shop, counted: Counted) -> None:
    await shop.add_product("P1", [("A", "100.00"), ("B", "9.99")], stock={"A": 1, "B": 5})
    await shop.add_product("P2", [("C", "50.00")], tier_prices={"vip": cny("40.00")})
    customer = await shop.customer()
    await counted.commerce.customers.set_tier(customer.id, Tier.VIP, actor="staff:1")
    carts = counted.commerce.carts
    upsert = 2 if await scans_on_find_and_modify(counted.db["carts"]) else 1

    # A first line (new cart), then a second SKU and more of the first (over its stock), each
    # alone and with the view taken just before: the result is the view `view` gives.
    for sku, quantity, looked_before in (("A", 1, False), ("C", 2, False), ("A", 1, True), ("B", 3, True)):
        before = await carts.view(customer.id) if looked_before else None
        with counted.counter.measure() as measured:
            result, view = await carts.add_and_view(customer.id, sku, quantity, before=before)
        assert view == await carts.view(customer.id)
        assert result.quantity == next(line.quantity for line in view.lines if line.sku == sku)
        # snapshot of the SKU, the upsert, one stock read for every line; without a view before,
        # the other lines' snapshots (when there are any) and the member tier.
        reads = 0 if looked_before else 1 + bool({line.sku for line in view.lines} - {sku})
        assert measured.count == 1 + upsert + 1 + reads, measured.commands
    lines = {line.sku: line for line in view.lines}
    assert lines["A"].warnings == (LineWarning.INSUFFICIENT_STOCK,)
    assert lines["C"].unit_price == cny("40.00")
    assert lines["B"].unit_price < lines["B"].list_unit_price  # the VIP percentage


async def test_a_cart_viewed_with_the_saved_addresses_takes_the_same_commands(shop: Shop, counted: Counted) -> None:
    await shop.add_product("P1", [("A", "10.00")])
    customer = await shop.customer()
    first = customer.addresses[0]
    second = await counted.commerce.customers.add_address(customer.id, address(detail="另一条路1号"), make_default=True)
    carts = counted.commerce.carts
    _, nothing = await carts.view_and_addresses(customer.id)
    assert nothing is None  # no cart, nothing read with it
    await carts.add(customer.id, "A", 1)
    with counted.counter.measure() as measured:
        view, saved = await carts.view_and_addresses(customer.id)
    assert measured.commands == ["aggregate", "aggregate"]  # the cart with the tier and addresses; the snapshots
    assert view == await carts.view(customer.id)
    assert saved == await counted.commerce.customers.addresses(customer.id)
    assert saved is not None
    assert [a.id for a in saved] == [second.id, first.id]  # the default first
