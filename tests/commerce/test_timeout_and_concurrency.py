import asyncio
from datetime import timedelta

from commerce.errors import OutOfStock
from commerce.orders.model import Order, OrderStatus
from commerce.orders.timeout import OrderTimeoutWorker
from commerce.payments.model import NotifyResult
from commerce.services import Commerce
from core.mongo import Database, utcnow

from .conftest import Shop, address


async def test_two_workers_cancel_each_unpaid_order_exactly_once(shop: Shop, commerce: Commerce, db: Database) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=40)
    customer = await shop.customer()
    orders = [
        await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 2}) for _ in range(12)
    ]
    paid = orders[0]
    payment = await commerce.payments.start(paid.number)
    await commerce.payments.simulate(payment.id, True)
    fresh = orders[1]  # not due yet
    await db.orders.update_one({"_id": fresh.id}, {"$set": {"expires_at": utcnow() + timedelta(hours=2)}})

    later = utcnow() + timedelta(minutes=31)
    workers = [OrderTimeoutWorker(commerce.orders, worker_id=f"w{i}", batch_size=50) for i in range(2)]
    counts = await asyncio.gather(*(w.run_once(now=later) for w in workers))
    assert sum(counts) == 10

    for order in orders[2:]:
        current = await commerce.orders.get(order.id)
        assert current.status is OrderStatus.CANCELLED
        assert [h.to_status for h in current.history].count(OrderStatus.CANCELLED) == 1
        assert current.history[-1].actor == "system:timeout"
    assert (await commerce.orders.get(paid.id)).status is OrderStatus.PAID
    assert (await commerce.orders.get(fresh.id)).status is OrderStatus.PENDING_PAYMENT
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (40 - 2 - 2, 2)  # paid sold, fresh still held
    releases = [m for m in await commerce.inventory.ledger("A", limit=500) if m.kind == "release"]
    assert len(releases) == 10  # stock released once per order
    assert sum(await asyncio.gather(*(w.run_once(now=later) for w in workers))) == 0


async def test_a_crashed_workers_lease_expires(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=5)
    customer = await shop.customer()
    order = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
    later = utcnow() + timedelta(minutes=31)
    # worker "dead" claims the order and never finishes
    claimed = await commerce.orders.claim_expired("dead", now=later, lease=timedelta(seconds=60))
    assert claimed is not None
    assert claimed.id == order.id
    survivor = OrderTimeoutWorker(commerce.orders, worker_id="alive")
    assert await survivor.run_once(now=later) == 0  # lease still valid
    assert await survivor.run_once(now=later + timedelta(seconds=61)) == 1
    assert (await commerce.orders.get(order.id)).status is OrderStatus.CANCELLED


async def test_payment_racing_the_timeout_has_one_winner(shop: Shop, commerce: Commerce) -> None:
    await shop.add_product("P1", [("A", "10.00")], stock=50)
    customer = await shop.customer()
    later = utcnow() + timedelta(minutes=31)
    for _ in range(5):
        order = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 1})
        payment = await commerce.payments.start(order.number)
        worker = OrderTimeoutWorker(commerce.orders)
        cancelled, outcome = await asyncio.gather(
            worker.run_once(now=later), commerce.payments.simulate(payment.id, True)
        )
        final = await commerce.orders.get(order.id)
        if final.status is OrderStatus.PAID:
            assert cancelled == 0
            assert outcome.result is NotifyResult.PAID
        else:
            assert final.status is OrderStatus.CANCELLED
            assert cancelled == 1
            assert outcome.result is NotifyResult.ORPHANED
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert level.reserved == 0
    ledger = await commerce.inventory.ledger("A", limit=500)
    assert sum(m.delta_available for m in ledger) == level.available
    assert sum(m.delta_reserved for m in ledger) == 0


async def test_300_concurrent_checkouts_sell_exactly_the_stock(shop: Shop, commerce: Commerce) -> None:
    """THE concurrency test: 300 buyers, 50 units. Exactly 50 orders, 250 clear refusals."""
    await shop.add_product("HOT", [("HOT-1", "99.00")], stock=50)
    customers = [await commerce.customers.identify("web_session", f"s{i}") for i in range(300)]

    outcomes = await asyncio.gather(
        *(
            commerce.orders.create_order(c.id, shipping_method="pickup", lines={"HOT-1": 1}, address=address())
            for c in customers
        ),
        return_exceptions=True,
    )
    failures = [r for r in outcomes if isinstance(r, BaseException)]
    refusals = [r for r in failures if isinstance(r, OutOfStock)]
    assert refusals == failures, failures[:3]
    assert all(r.details["sku"] == "HOT-1" and r.details["requested"] == 1 for r in refusals)
    assert all(0 <= r.details["available"] <= 49 for r in refusals)
    results = [r.id if isinstance(r, Order) else "out_of_stock" for r in outcomes]
    order_ids = [r for r in results if r != "out_of_stock"]
    assert len(order_ids) == 50
    assert len(set(order_ids)) == 50
    assert results.count("out_of_stock") == 250
    level = (await commerce.inventory.get_levels(["HOT-1"]))["HOT-1"]
    assert (level.available, level.reserved) == (0, 50)
    ledger = await commerce.inventory.ledger("HOT-1", limit=1000)
    reserves = [m for m in ledger if m.kind == "reserve"]
    assert len(reserves) == 50
    assert {m.ref for m in reserves} == set(order_ids)
    assert sum(m.delta_available for m in ledger) == 0  # +50 initial stock, -50 reserved
    assert sum(m.delta_reserved for m in ledger) == 50
    numbers = {(await commerce.orders.get(i)).number for i in order_ids}
    assert len(numbers) == 50


async def test_repair_settles_holds_left_by_a_crash(shop: Shop, commerce: Commerce, db: Database) -> None:
    from bson import ObjectId

    from core.batch import WriteBatch

    await shop.add_product("P1", [("A", "10.00")], stock=10)
    customer = await shop.customer()
    # 1. a checkout reserved, then died before saving its order
    orphan = str(ObjectId.from_datetime(utcnow() - timedelta(minutes=10)))
    batch = WriteBatch(db)
    commerce.inventory.add_reserve(batch, {"A": 3}, orphan)
    await batch.execute()
    # 2. a payment moved the order to paid, then died before committing the stock
    order = await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": 2})
    payment = await commerce.payments.start(order.number)
    assert await commerce.orders.mark_paid(order.id, payment_id=payment.id, amount=order.total, actor="t")
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (5, 5)

    assert await commerce.orders.repair_holds(min_age=timedelta(0)) == 2
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 0)
    ledger = await commerce.inventory.ledger("A", limit=100)
    assert sum(m.delta_available for m in ledger) == level.available
    assert sum(m.delta_reserved for m in ledger) == level.reserved
    assert await commerce.orders.repair_holds(min_age=timedelta(0)) == 0


async def test_a_batch_whose_only_writes_fail_reports_them_instead_of_raising(db: Database) -> None:
    from core.batch import WriteBatch

    await db["things"].insert_one({"_id": "a"})
    batch = WriteBatch(db)
    duplicate = batch.insert("things", {"_id": "a"})
    outcome = (await batch.execute())[duplicate]
    assert outcome.duplicate
    assert not outcome.applied
