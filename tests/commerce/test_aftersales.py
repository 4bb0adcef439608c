from datetime import timedelta

import pytest

from commerce.aftersales.model import AfterSaleStatus
from commerce.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from commerce.orders.model import Order, OrderStatus
from commerce.services import Commerce
from core.mongo import Database, utcnow

from .conftest import Shop, cny


async def paid_order(shop: Shop, commerce: Commerce, lines: dict[str, int]) -> Order:
    await shop.add_product("P1", [("A", "30.00"), ("B", "20.00")], stock=10)
    customer = await shop.customer()
    order = await commerce.orders.create_order(customer.id, shipping_method="express", lines=lines)
    payment = await commerce.payments.start(order.number)
    await commerce.payments.simulate(payment.id, True)
    return await commerce.orders.get(order.id)


async def test_refund_before_shipping_restocks_and_refunds_everything(shop: Shop, commerce: Commerce) -> None:
    order = await paid_order(shop, commerce, {"A": 1})
    assert order.pricing.shipping_fee == cny("10.00")
    with pytest.raises(ValidationFailed) as caught:
        await commerce.aftersales.request(order.customer_id, order.number, "return", "不想要了")
    assert caught.value.code == "aftersale_not_eligible"
    request = await commerce.aftersales.request(order.customer_id, order.number, "refund", "不想要了")
    with pytest.raises(Conflict):
        await commerce.aftersales.request(order.customer_id, order.number, "refund", "again please")
    with pytest.raises(InvalidTransition):
        await commerce.aftersales.refund(request.id, actor="staff")
    await commerce.aftersales.approve(request.id, actor="staff")
    refunded = await commerce.aftersales.refund(request.id, actor="staff")
    assert refunded.status is AfterSaleStatus.REFUNDED
    assert refunded.refund_amount == cny("40.00")
    final = await commerce.orders.get(order.id)
    assert final.status is OrderStatus.REFUNDED
    assert final.refunded == cny("40.00")
    assert (await commerce.inventory.get_levels(["A"]))["A"].available == 10
    closed = await commerce.aftersales.close(request.id, actor="staff")
    assert [h.to_status for h in closed.history] == [
        AfterSaleStatus.REQUESTED,
        AfterSaleStatus.APPROVED,
        AfterSaleStatus.REFUNDED,
        AfterSaleStatus.CLOSED,
    ]


async def test_partial_return_after_delivery(shop: Shop, commerce: Commerce) -> None:
    order = await paid_order(shop, commerce, {"A": 2, "B": 1})
    await commerce.orders.ship(order.number, carrier="SF", tracking_no="SF1", actor="staff")
    await commerce.orders.deliver(order.number, actor="staff")
    request = await commerce.aftersales.request(
        order.customer_id,
        order.number,
        "return",
        "尺码不合适",
        photos=["https://img.example.com/1.jpg"],
        lines={"A": 1},
    )
    await commerce.aftersales.approve(request.id, actor="staff")
    with pytest.raises(InvalidTransition):
        await commerce.aftersales.refund(request.id, actor="staff")  # goods first
    await commerce.aftersales.receive_goods(request.id, actor="staff")
    with pytest.raises(ValidationFailed):
        await commerce.aftersales.refund(request.id, actor="staff", amount=cny("30.01"))
    done = await commerce.aftersales.refund(request.id, actor="staff")
    assert done.refund_amount == cny("30.00")
    current = await commerce.orders.get(order.id)
    assert current.status is OrderStatus.DELIVERED
    assert current.refunded == cny("30.00")
    assert (await commerce.inventory.get_levels(["A"]))["A"].available == 9  # one came back
    # the request is finished, so another return of the same order may be opened
    again = await commerce.aftersales.request(order.customer_id, order.number, "exchange", "换个颜色", lines={"B": 1})
    assert again.status is AfterSaleStatus.REQUESTED


async def test_validation_and_window(shop: Shop, commerce: Commerce, db: Database) -> None:
    order = await paid_order(shop, commerce, {"A": 1})
    other = await shop.customer("someone-else")
    with pytest.raises(Exception, match="not found"):
        await commerce.aftersales.request(other.id, order.number, "refund", "mine now")
    for bad in ({"photos": ["javascript:alert(1)"]}, {"lines": {"Z": 1}}, {"lines": {"A": 2}}):
        with pytest.raises(ValidationFailed):
            await commerce.aftersales.request(order.customer_id, order.number, "refund", "reason", **bad)
    await commerce.orders.ship(order.number, carrier="SF", tracking_no="1", actor="staff")
    await commerce.orders.deliver(order.number, actor="staff")
    await db.orders.update_one({"_id": order.id}, {"$set": {"shipment.delivered_at": utcnow() - timedelta(days=8)}})
    with pytest.raises(ValidationFailed) as caught:
        await commerce.aftersales.request(order.customer_id, order.number, "return", "too late")
    assert caught.value.code == "aftersale_window_passed"
    request = await commerce.aftersales.request(order.customer_id, order.number, "refund", "broken on arrival")
    withdrawn = await commerce.aftersales.withdraw(request.id, order.customer_id)
    assert withdrawn.status is AfterSaleStatus.CLOSED
    assert [r.id for r in await commerce.aftersales.list_for_customer(order.customer_id)] == [request.id]


async def test_the_staff_note_for_the_customer_travels_with_the_update(shop: Shop, commerce: Commerce) -> None:
    from commerce.events import AfterSaleChanged
    from commerce.orders.events import StoredEvent

    order = await paid_order(shop, commerce, {"A": 1})
    request = await commerce.aftersales.request(order.customer_id, order.number, "refund", "不想要了")
    received: list[StoredEvent] = []

    async def subscriber(event: StoredEvent) -> None:
        received.append(event)

    commerce.events.subscribe(subscriber, types=[AfterSaleChanged])
    await commerce.aftersales.approve(request.id, actor="staff:amy", note="  款项 1-3 个工作日\n原路退回 ")
    await commerce.aftersales.refund(request.id, actor="staff:amy")  # no note: nothing invented for the customer
    while await commerce.events.dispatch_once():
        pass
    notes = {e.event.status: e.event.note for e in received if isinstance(e.event, AfterSaleChanged)}
    assert notes["approved"] == "款项 1-3 个工作日 原路退回"
    assert notes["refunded"] == ""
    assert notes["requested"] == ""  # the customer's own reason is not echoed back as the shop's note


async def test_the_tracking_timeline_reads_in_the_shop_time_zone(shop: Shop, commerce: Commerce) -> None:
    from dialogs.shop_adapter import CommerceShop

    order = await paid_order(shop, commerce, {"A": 1})
    timeline = await CommerceShop(commerce).tracking(order.customer_id, order.number, "zh")
    assert timeline is not None
    shanghai = [(h.at + timedelta(hours=8)).strftime("%m-%d %H:%M") for h in order.history]  # UTC+8, no DST
    assert [e.at for e in timeline.events] == shanghai
    assert commerce.config.timezone == "Asia/Shanghai"


async def test_the_customer_adds_words_and_photos_while_the_request_waits(shop: Shop, commerce: Commerce) -> None:
    order = await paid_order(shop, commerce, {"A": 1})
    request = await commerce.aftersales.request(order.customer_id, order.number, "refund", "不想要了（退款吧）")
    more = await commerce.aftersales.add_details(request.id, order.customer_id, note="  买重复了 ")
    assert more.reason == "不想要了（退款吧） / 买重复了"
    again = await commerce.aftersales.add_details(request.id, order.customer_id, note="买重复了")
    assert again.reason == more.reason  # the same words twice are kept once
    photos = [f"/media/up/{i}.jpg" for i in range(12)]
    with_photos = await commerce.aftersales.add_details(request.id, order.customer_id, photos=photos[:9])
    assert len(with_photos.photos) == 9
    with pytest.raises(ValidationFailed):
        await commerce.aftersales.add_details(request.id, order.customer_id, photos=["javascript:alert(1)"])
    other = await shop.customer("someone-else")
    with pytest.raises(NotFound):
        await commerce.aftersales.add_details(request.id, other.id, note="mine now")
    await commerce.aftersales.approve(request.id, actor="staff")
    with pytest.raises(Conflict):  # the shop is on it: nothing changes under the staff's feet
        await commerce.aftersales.add_details(request.id, order.customer_id, note="too late")
