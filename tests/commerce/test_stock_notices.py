"""Back-in-stock notices (到货提醒): one per customer and SKU, told once when the stock comes back
(from 0 to more, through the inventory service), then done until asked again."""

from __future__ import annotations

from commerce.events import BackInStock
from commerce.inventory.notices import STOCK_NOTICES
from commerce.orders.events import StoredEvent
from commerce.services import Commerce
from core.mongo import Database

from .conftest import Shop


async def _told(commerce: Commerce) -> list[BackInStock]:
    received: list[StoredEvent] = []

    async def subscriber(event: StoredEvent) -> None:
        received.append(event)

    commerce.events.subscribe(subscriber, types=[BackInStock])
    while await commerce.events.dispatch_once():
        pass
    commerce.events._subscriptions.clear()  # the next call counts afresh
    return [e.event for e in received if isinstance(e.event, BackInStock)]


async def test_a_restock_tells_each_waiting_customer_once(shop: Shop, commerce: Commerce, db: Database) -> None:
    await shop.add_product("G1", [("G1-A", "99.00")], stock=0)
    amy, bob = await shop.customer("amy"), await shop.customer("bob")
    notices = commerce.stock_notices
    assert await notices.subscribe(amy.id, "G1", ["G1-A"]) is True
    assert await notices.subscribe(amy.id, "G1", ["G1-A"]) is False  # asked twice: one notice
    assert await notices.subscribe(bob.id, "G1", ["G1-A"]) is True
    assert await db[STOCK_NOTICES].count_documents({}) == 2

    await commerce.inventory.adjust("G1-A", 1, "delivery", "staff:amy")  # 0 -> 1
    told = await _told(commerce)
    assert sorted(e.customer_id or "" for e in told) == sorted([amy.id, bob.id])
    assert {e.sku for e in told} == {"G1-A"}

    await commerce.inventory.adjust("G1-A", 5, "second delivery", "staff:amy")  # 1 -> 6: nobody waits
    await commerce.inventory.adjust("G1-A", -6, "stocktake", "staff:amy")  # sold out again
    await commerce.inventory.adjust("G1-A", 2, "delivery", "staff:amy")
    assert await _told(commerce) == []  # told already: done

    await commerce.inventory.adjust("G1-A", -2, "sold elsewhere", "staff:amy")
    assert await notices.subscribe(amy.id, "G1", ["G1-A"]) is True  # told before, asks again: armed anew
    assert await notices.subscribe(bob.id, "G1", ["G1-A"]) is True
    assert await db[STOCK_NOTICES].count_documents({}) == 2
    await commerce.inventory.set_levels({"G1-A": 4}, "stocktake")
    told = await _told(commerce)
    assert sorted(e.customer_id or "" for e in told) == sorted([amy.id, bob.id])


async def test_a_product_wide_notice_is_told_once_whichever_version_comes_back(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("G2", [("G2-S", "10.00"), ("G2-L", "12.00")], stock=0)
    amy = await shop.customer("amy")
    await commerce.stock_notices.subscribe(amy.id, "G2", ["G2-S", "G2-L"])
    await commerce.inventory.adjust("G2-L", 3, "delivery", "staff:x")
    await commerce.inventory.adjust("G2-S", 3, "delivery", "staff:x")
    told = await _told(commerce)
    assert [(e.customer_id, e.sku, e.product_id) for e in told] == [(amy.id, "G2-L", "G2")]
    assert await commerce.stock_notices.waiting(amy.id) == []


async def test_another_sku_back_or_a_failing_listener_changes_nothing_for_the_stock(
    shop: Shop, commerce: Commerce
) -> None:
    await shop.add_product("G3", [("G3-A", "10.00"), ("G3-B", "10.00")], stock=0)
    amy = await shop.customer("amy")
    await commerce.stock_notices.subscribe(amy.id, "G3", ["G3-A"])
    await commerce.inventory.adjust("G3-B", 3, "delivery", "staff:x")
    assert await _told(commerce) == []

    async def broken(skus: list[str]) -> None:
        raise RuntimeError("listener down")

    commerce.inventory.on_restock = broken
    level = await commerce.inventory.adjust("G3-A", 2, "delivery", "staff:x")
    assert level.available == 2  # the stock change stands; the notice waits for the next restock
    assert len(await commerce.stock_notices.waiting(amy.id)) == 1
