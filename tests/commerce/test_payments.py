import asyncio
import dataclasses
import json
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from chatcart.bootstrap import build_commerce
from chatcart.embedded_db import free_port
from commerce.api.framework import SERVICES
from commerce.api.middleware import json_error_middleware
from commerce.errors import InvalidTransition, NotFound, Unauthorized, ValidationFailed
from commerce.events import OrderPaid, PaymentRefunded
from commerce.money import Money
from commerce.orders.events import StoredEvent
from commerce.orders.model import Order, OrderStatus
from commerce.payments import api as payments_api
from commerce.payments.alerts import AlertKind
from commerce.payments.model import Notification, NotifyResult, PaymentStatus, RefundState
from commerce.payments.sandbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from commerce.payments.sandbox_web import setup_sandbox_routes
from commerce.services import Commerce, ensure_all_indexes
from core.atomic import scans_on_find_and_modify
from core.mongo import Database, utcnow

from .conftest import SECRET, Counted, Shop, config


def resigned(body: bytes, timestamp: int) -> dict[str, str]:
    """The headers of the same notification signed again (a provider's retry)."""
    stamp = str(timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, body)}


async def place(shop: Shop, commerce: Commerce, quantity: int = 2) -> Order:
    await shop.add_product("P1", [("A", "50.00")], stock=10)
    customer = await shop.customer()
    return await commerce.orders.create_order(customer.id, shipping_method="express", lines={"A": quantity})


async def test_successful_payment_commits_stock_and_emits(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number, customer_id=order.customer_id)
    assert payment.pay_url == f"http://127.0.0.1:9/pay/sandbox/{payment.id}"
    assert payment.amount == order.total
    assert (await commerce.payments.start(order.number)).id == payment.id  # open link reused

    outcome = await commerce.payments.simulate(payment.id, True)
    assert outcome.result is NotifyResult.PAID
    paid = await commerce.orders.get(order.id)
    assert paid.status is OrderStatus.PAID
    assert paid.paid_at is not None
    assert paid.expires_at is None
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 0)
    product = await commerce.catalog.get_product("P1")
    assert product.sales == 2
    customer = await commerce.customers.get(order.customer_id)
    assert customer.purchases.orders == 1
    assert customer.purchases.spent_minor == order.total.amount
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.SUCCEEDED

    received: list[StoredEvent] = []

    async def subscriber(event: StoredEvent) -> None:
        received.append(event)

    commerce.events.subscribe(subscriber, types=[OrderPaid])
    assert await commerce.events.dispatch_once() >= 1
    assert [e.type for e in received] == ["order.paid"]
    assert received[0].customer_id == order.customer_id
    assert await commerce.events.dispatch_once() == 0  # delivered once
    with pytest.raises(InvalidTransition):
        await commerce.payments.start(order.number)


async def test_a_payment_is_attached_only_to_an_order_awaiting_payment(
    shop: Shop, commerce: Commerce, counted: Counted
) -> None:
    order = await place(shop, commerce)
    with counted.counter.measure() as measured:
        await counted.commerce.orders.attach_payment(order.id, "pay-1")
    assert measured.commands == ["update"]  # a guarded update; nothing is read back
    assert (await commerce.orders.get(order.id)).payment_ids == ("pay-1",)
    await commerce.orders.cancel(order.id, actor="test", reason="changed mind")
    with pytest.raises(InvalidTransition):
        await commerce.orders.attach_payment(order.id, "pay-2")
    assert (await commerce.orders.get(order.id)).payment_ids == ("pay-1",)


async def test_a_payment_whose_order_left_pending_meanwhile_is_void_and_not_attached(
    shop: Shop, commerce: Commerce, db: Database
) -> None:
    order = await place(shop, commerce)
    # The order leaves "pending payment" between the check and the attach (its holds kept, so the
    # check passes on the order in hand): the payment written with the attach is voided.
    await db["orders"].update_one({"_id": order.id}, {"$set": {"status": OrderStatus.CANCELLED.value}})
    with pytest.raises(InvalidTransition) as raised:
        await commerce.payments.start(order.number, customer_id=order.customer_id, order=order)
    assert raised.value.code == "not_payable"
    assert (await commerce.orders.get(order.id)).payment_ids == ()
    voided = await db["payments"].find({"order_id": order.id}).to_list(None)
    assert [doc["status"] for doc in voided] == [PaymentStatus.VOID.value]


async def test_a_payment_for_the_order_in_hand_does_not_read_it_again_but_checks_it(
    shop: Shop, commerce: Commerce, counted: Counted
) -> None:
    order = await place(shop, commerce)
    payments = counted.commerce.payments
    with counted.counter.measure() as measured:
        payment = await payments.start(order.number, customer_id=order.customer_id, order=order)
    assert payment.amount == order.total
    # Placed a moment ago: its holds are the placement's and no payment is attached, so nothing is
    # read; the payment and its mention on the order are written together.
    assert measured.commands == ["bulkWrite"]
    assert (await commerce.orders.get(order.id)).payment_ids == (payment.id,)
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.PENDING
    with counted.counter.measure() as reread:
        await payments.start(order.number, customer_id=order.customer_id)
    assert reread.commands == ["find", "find", "find"]  # the order read first; then the open link is reused
    # An order in hand placed earlier has its holds read (no payment attached: no open one to look for).
    older = await commerce.orders.create_order(order.customer_id, shipping_method="express", lines={"A": 1})
    placed_earlier = dataclasses.replace(older, created_at=older.created_at - timedelta(minutes=5))
    with counted.counter.measure() as earlier:
        await payments.start(older.number, customer_id=order.customer_id, order=placed_earlier)
    assert earlier.commands == ["find", "bulkWrite"]
    # An order in hand that is not the one asked for, or not this customer's, is not trusted.
    other = await commerce.orders.create_order(order.customer_id, shipping_method="express", lines={"A": 1})
    assert (await payments.start(other.number, customer_id=order.customer_id, order=order)).amount == other.total
    with pytest.raises(NotFound):
        await payments.start(order.number, customer_id="someone-else", order=order)
    # Its state is checked all the same: a cancelled order is not payable even when handed over.
    await commerce.orders.cancel(order.id, actor="test", reason="changed mind")
    with pytest.raises(InvalidTransition):
        await payments.start(order.number, customer_id=order.customer_id, order=order)


async def test_repeated_notification_changes_nothing(shop: Shop, commerce: Commerce, db: Database) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number)
    headers, body = commerce.payments.sandbox.build_notification(payment, succeeded=True)
    first = await commerce.payments.handle_notification("sandbox", headers, body)
    snapshot = await db.orders.find_one({"_id": order.id})
    # the provider retries: the same notification, signed again each time
    retries = [resigned(body, int(headers[TIMESTAMP_HEADER]) + i) for i in (1, 2, 3)]
    results = await asyncio.gather(*(commerce.payments.handle_notification("sandbox", h, body) for h in retries))
    assert first.result is NotifyResult.PAID
    assert {r.result for r in results} == {NotifyResult.DUPLICATE}
    assert await db.orders.find_one({"_id": order.id}) == snapshot
    # the very same signed request again is a replay: refused and recorded
    with pytest.raises(Unauthorized) as replayed:
        await commerce.payments.handle_notification("sandbox", headers, body)
    assert replayed.value.code == "replayed_notification"
    [alert] = await commerce.payments.alerts.recent()
    assert (alert.code, alert.payment_id) == ("replayed_notification", payment.id)
    assert await db.orders.find_one({"_id": order.id}) == snapshot
    # the provider reports the same payment again under a new event id
    again = await commerce.payments.simulate(payment.id, True)
    assert again.result is NotifyResult.ALREADY_PAID
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 0)
    assert (await commerce.catalog.get_product("P1")).sales == 2
    ledger = await commerce.inventory.ledger(ref=order.id)
    assert sorted(m.kind for m in ledger) == ["commit", "reserve"]


async def test_forged_and_stale_notifications_are_rejected(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number)
    sandbox = commerce.payments.sandbox
    headers, body = sandbox.build_notification(payment, succeeded=True)

    forged = {**headers, SIGNATURE_HEADER: sign("not-the-secret-at-all", headers[TIMESTAMP_HEADER], body)}
    with pytest.raises(Unauthorized) as caught:
        await commerce.payments.handle_notification("sandbox", forged, body)
    assert caught.value.code == "bad_signature"

    tampered = body.replace(b'"status":"succeeded"', b'"status":"succeeded","x":1')
    with pytest.raises(Unauthorized):
        await commerce.payments.handle_notification("sandbox", headers, tampered)

    with pytest.raises(Unauthorized):
        await commerce.payments.handle_notification("sandbox", {}, body)

    old_headers, old_body = sandbox.build_notification(payment, succeeded=True, timestamp=int(time.time()) - 3600)
    with pytest.raises(Unauthorized) as caught:
        await commerce.payments.handle_notification("sandbox", old_headers, old_body)
    assert caught.value.code == "stale_notification"
    assert (await commerce.orders.get(order.id)).status is OrderStatus.PENDING_PAYMENT


async def test_amount_mismatch_is_rejected(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number)
    sandbox = commerce.payments.sandbox
    _, body = sandbox.build_notification(payment, succeeded=True)
    data = json.loads(body)
    data["amount"] = 1  # one fen instead of the total, correctly signed
    cheap = json.dumps(data).encode()
    stamp = str(int(time.time()))
    headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, cheap)}
    with pytest.raises(ValidationFailed) as caught:
        await commerce.payments.handle_notification("sandbox", headers, cheap)
    assert caught.value.code == "amount_mismatch"
    data["currency"] = "USD"
    data["amount"] = order.total.amount
    data["event_id"] = "sbe_other"
    other = json.dumps(data).encode()
    with pytest.raises(ValidationFailed):
        await commerce.payments.handle_notification(
            "sandbox", {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(SECRET, stamp, other)}, other
        )
    assert (await commerce.orders.get(order.id)).status is OrderStatus.PENDING_PAYMENT
    assert (await commerce.inventory.get_levels(["A"]))["A"].reserved == 2


async def test_failed_payment_keeps_order_payable(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number)
    outcome = await commerce.payments.simulate(payment.id, False)
    assert outcome.result is NotifyResult.FAILED
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.FAILED
    assert (await commerce.orders.get(order.id)).status is OrderStatus.PENDING_PAYMENT
    retry = await commerce.payments.start(order.number)
    assert retry.id != payment.id
    assert (await commerce.payments.simulate(retry.id, True)).result is NotifyResult.PAID


async def test_a_late_payment_on_a_cancelled_order_is_refunded_told_and_shown(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number)
    await commerce.orders.cancel(order.id, actor="system:timeout")
    outcome = await commerce.payments.simulate(payment.id, True)
    assert outcome.result is NotifyResult.ORPHANED
    assert (await commerce.orders.get(order.id)).status is OrderStatus.CANCELLED
    assert (await commerce.inventory.get_levels(["A"]))["A"].available == 10
    # refunded through the provider of the payment, once
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.REFUNDED
    [refund] = await commerce.payments.refunds.for_order(order.id)
    assert (refund.state, refund.amount, refund.purpose) == (RefundState.SUCCEEDED, order.total, "late_payment")
    # the customer is told (the chat notifier turns this event into a message) ...
    events = {e.type: e.event for e in await commerce.events.recent(order_id=order.id)}
    refunded = events[PaymentRefunded.TYPE]
    assert isinstance(refunded, PaymentRefunded)
    assert refunded.late_payment
    assert (refunded.customer_id, refunded.number, refunded.amount) == (order.customer_id, order.number, order.total)
    # ... and staff see it
    [alert] = await commerce.payments.alerts.recent(order_id=order.id)
    assert (alert.kind, alert.payment_id, alert.order_number) == (AlertKind.LATE_PAYMENT, payment.id, order.number)
    # a repeat of the notification refunds nothing more
    again = await commerce.payments.simulate(payment.id, True)
    assert again.result is NotifyResult.ORPHANED
    assert len(await commerce.payments.refunds.for_order(order.id)) == 1
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.REFUNDED
    assert len(await commerce.payments.alerts.recent(order_id=order.id)) == 1


async def test_payment_notify_takes_at_most_four_commands(shop: Shop, counted: Counted) -> None:
    order = await place(shop, counted.commerce, quantity=1)
    payments = counted.commerce.payments
    payment = await payments.start(order.number)
    headers, body = payments.sandbox.build_notification(payment, succeeded=True)
    # On SecantusDB, whose findAndModify scans the collection, marking the order paid is a
    # transaction of an update and a read (three commands instead of one).
    scans = await scans_on_find_and_modify(counted.db["orders"])
    budget = 6 if scans else 4
    with counted.counter.measure() as measured:
        outcome = await payments.handle_notification("sandbox", headers, body)
    assert outcome.result is NotifyResult.PAID
    assert measured.count <= budget, measured.commands
    with counted.counter.measure() as measured:
        repeat = await payments.handle_notification("sandbox", resigned(body, int(headers[TIMESTAMP_HEADER]) + 1), body)
    assert repeat.result is NotifyResult.DUPLICATE
    # the lease check reads inside a transaction there; one more write remembers the retry's
    # signature, so the same signed request a second time is known as a replay
    assert measured.count <= (4 if scans else 3)


async def test_an_interrupted_run_is_finished_by_the_retry(shop: Shop, commerce: Commerce, db: Database) -> None:
    order = await place(shop, commerce)
    payment = await commerce.payments.start(order.number)
    notification = Notification("sandbox", "evt-crash", payment.id, order.id, True, order.total)
    # The first run recorded the event and marked the order paid, then died before its batch.
    long_ago = utcnow() - timedelta(minutes=5)
    await db.payment_events.insert_one({"_id": "sandbox:evt-crash", "outcome": "processing", "lease_until": long_ago})
    assert await commerce.orders.mark_paid(order.id, payment_id=payment.id, amount=order.total, actor="t")
    # A retry while the first run could still be busy does not run the batch a second time.
    assert (
        await commerce.payments.apply(Notification("sandbox", "evt-other", payment.id, order.id, True, order.total))
    ).result is NotifyResult.ALREADY_PAID
    assert (await commerce.inventory.get_levels(["A"]))["A"].reserved == 2
    await db.orders.update_one({"_id": order.id}, {"$set": {"paid_at": long_ago}})
    outcome = await commerce.payments.apply(notification)
    assert outcome.result is NotifyResult.PAID
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 0)
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.SUCCEEDED
    assert (await commerce.customers.get(order.customer_id)).purchases.orders == 1
    assert (await commerce.payments.apply(notification)).result is NotifyResult.DUPLICATE


# --- payments a provider captured and reported in-band (Telegram Payments) ------------------------
async def test_external_payment_pays_once_under_the_provider_name(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    confirm = commerce.payments.confirm_external_payment
    results = await asyncio.gather(
        *(confirm(order.number, provider="telegram", charge_id="tg-1", amount=order.total) for _ in range(3))
    )
    assert sorted(r.result for r in results) == sorted(
        [NotifyResult.PAID, NotifyResult.DUPLICATE, NotifyResult.DUPLICATE]
    )
    paid = await commerce.orders.get(order.id)
    assert paid.status is OrderStatus.PAID
    assert [h.to_status for h in paid.history].count(OrderStatus.PAID) == 1
    [payment] = await commerce.payments.for_order(order.id)
    assert (payment.provider, payment.status, payment.amount) == ("telegram", PaymentStatus.SUCCEEDED, order.total)
    assert payment.id in paid.payment_ids
    level = (await commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 0)
    assert (await commerce.catalog.get_product("P1")).sales == 2
    # the same order number paid again with another charge: money to refund, nothing changes
    other = await confirm(order.id, provider="telegram", charge_id="tg-2", amount=order.total)
    assert other.result is NotifyResult.ORPHANED
    assert (await commerce.payments.get(other.payment_id)).status is PaymentStatus.ORPHANED
    assert (await commerce.inventory.get_levels(["A"]))["A"] == level


async def test_external_payment_with_the_wrong_amount_is_kept_for_a_refund(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    confirm = commerce.payments.confirm_external_payment
    for amount in (Money(order.total.amount - 1, order.currency), Money(order.total.amount, "USD")):
        outcome = await confirm(order.number, provider="telegram", charge_id=f"tg-{amount}", amount=amount)
        assert outcome.result is NotifyResult.ORPHANED
        assert (await commerce.payments.get(outcome.payment_id)).status is PaymentStatus.ORPHANED
        again = await confirm(order.number, provider="telegram", charge_id=f"tg-{amount}", amount=amount)
        assert again.result is NotifyResult.DUPLICATE
    current = await commerce.orders.get(order.id)
    assert current.status is OrderStatus.PENDING_PAYMENT
    assert current.payment_ids == ()
    assert (await commerce.inventory.get_levels(["A"]))["A"].reserved == 2
    assert "payment.orphaned" in {e.type for e in await commerce.events.recent(order_id=order.id)}


async def test_external_payment_after_cancellation_is_orphaned(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    await commerce.orders.cancel(order.id, actor="system:timeout")
    outcome = await commerce.payments.confirm_external_payment(
        order.number, provider="telegram", charge_id="tg-9", amount=order.total
    )
    assert outcome.result is NotifyResult.ORPHANED
    assert (await commerce.orders.get(order.id)).status is OrderStatus.CANCELLED
    assert (await commerce.inventory.get_levels(["A"]))["A"].available == 10
    # Telegram card payments have no refund API: owed by hand, staff alerted, customer told
    [refund] = await commerce.payments.refunds.for_order(order.id)
    assert refund.state is RefundState.MANUAL
    kinds = {alert.kind for alert in await commerce.payments.alerts.recent(order_id=order.id)}
    assert kinds == {AlertKind.LATE_PAYMENT, AlertKind.REFUND_OWED}
    assert "payment.refund_owed" in {e.type for e in await commerce.events.recent(order_id=order.id)}


async def test_external_payment_input_is_checked(shop: Shop, commerce: Commerce) -> None:
    order = await place(shop, commerce)
    confirm = commerce.payments.confirm_external_payment
    for provider, charge_id, amount in (
        ("Tele gram", "c1", order.total),
        ("telegram", "", order.total),
        ("telegram", "x" * 101, order.total),
        ("telegram", "c1", Money(0, order.currency)),
    ):
        with pytest.raises(ValidationFailed):
            await confirm(order.number, provider=provider, charge_id=charge_id, amount=amount)
    with pytest.raises(NotFound):
        await confirm("20990101-9999", provider="telegram", charge_id="c1", amount=order.total)
    assert await commerce.payments.for_order(order.id) == []


# --- through real HTTP: the pay page posts to the notify endpoint ---------------------------------
@pytest.fixture
async def served(db: Database) -> AsyncIterator[tuple[Commerce, str]]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    await ensure_all_indexes(db)
    commerce = build_commerce(db, config(base_url=base_url))
    app = web.Application(middlewares=[json_error_middleware])
    app[SERVICES] = commerce
    payments_api.router.register(app)
    setup_sandbox_routes(app, commerce.payments)
    server = TestServer(app, host="127.0.0.1", port=port)
    await server.start_server()
    try:
        yield commerce, base_url
    finally:
        await server.close()


async def test_pay_page_notifies_over_http(served: tuple[Commerce, str]) -> None:
    commerce, base_url = served
    order = await place(Shop(commerce), commerce)
    payment = await commerce.payments.start(order.number)
    async with aiohttp.ClientSession() as client:
        async with client.get(payment.pay_url) as page:
            text = await page.text()
        assert page.status == 200
        assert order.number in text
        assert order.total.format() in text
        async with client.post(f"{base_url}/pay/sandbox/{payment.id}/pay") as done:
            assert done.status == 200, await done.text()
        assert (await commerce.orders.get(order.id)).status is OrderStatus.PAID

        # the endpoint itself refuses unsigned and forged calls with a JSON error
        headers, body = commerce.payments.sandbox.build_notification(payment, succeeded=True)
        headers[SIGNATURE_HEADER] = "0" * 64
        async with client.post(f"{base_url}/api/v1/payments/notify/sandbox", data=body, headers=headers) as bad:
            assert bad.status == 401
            assert (await bad.json())["error"]["code"] == "bad_signature"
        async with client.get(f"{base_url}/pay/sandbox/unknown") as missing:
            assert missing.status == 404


async def test_pay_page_refuses_an_order_cancelled_after_the_link_was_sent(served: tuple[Commerce, str]) -> None:
    commerce, base_url = served
    order = await place(Shop(commerce), commerce)
    payment = await commerce.payments.start(order.number)
    async with aiohttp.ClientSession() as client:
        async with client.get(payment.pay_url) as page:
            assert page.status == 200  # still payable: the Pay button is offered
        await commerce.orders.cancel(order.number, actor="customer")
        async with client.get(payment.pay_url) as page:
            assert page.status == 409
            assert "/pay" not in await page.text()  # no Pay button any more
        async with client.post(f"{base_url}/pay/sandbox/{payment.id}/pay") as pressed:
            assert pressed.status == 409
            assert "no money was taken" in await pressed.text()
    # nothing was sent to the notify endpoint: the payment is still pending, nothing is owed
    assert (await commerce.payments.get(payment.id)).status is PaymentStatus.PENDING
    assert (await commerce.orders.get(order.id)).status is OrderStatus.CANCELLED


async def test_an_expired_order_cannot_start_a_payment(shop: Shop, commerce: Commerce, db: Database) -> None:
    order = await place(shop, commerce)
    await db.orders.update_one({"_id": order.id}, {"$set": {"expires_at": utcnow() - timedelta(seconds=1)}})
    with pytest.raises(InvalidTransition) as refused:
        await commerce.payments.start(order.number)
    assert refused.value.details["reason"] == "expired"
    assert await commerce.payments.for_order(order.id) == []
