"""WeChat Pay API v3 against its gateway simulator, through the shop's real HTTP endpoints."""

from __future__ import annotations

import base64
import json
import time
from datetime import timedelta

import aiohttp
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from commerce.errors import Conflict, ValidationFailed
from commerce.events import PaymentRefunded
from commerce.money import Money
from commerce.orders.model import OrderStatus
from commerce.payments.alerts import AlertKind
from commerce.payments.model import PaymentStatus, PayMethod, PayOptions, RefundState
from commerce.payments.signing import aes_gcm_decrypt
from core.mongo import utcnow
from dialogs.shop_adapter import CommerceShop

from .conftest import Keys, ProviderShop, address

WECHAT = "wechatpay"


async def security_codes(shop: ProviderShop) -> list[str]:
    return [a.code for a in await shop.commerce.payments.alerts.recent() if a.kind is AlertKind.SECURITY]


def test_aes_256_gcm_matches_the_published_test_vectors() -> None:
    # McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 13 and 14 (AES-256).
    key, nonce = bytes(32), bytes(12)
    case13 = base64.b64encode(bytes.fromhex("530f8afbc74536b9a963b4f1c4cb738b")).decode()
    assert aes_gcm_decrypt(key, nonce, case13, b"") == b""
    case14 = bytes.fromhex("cea7403d4d606b6e074ec5d3baf39d18" + "d0d1c8a799996bf0265b98b5d48ab919")
    assert aes_gcm_decrypt(key, nonce, base64.b64encode(case14).decode(), b"") == bytes(16)
    tampered = bytes([case14[0] ^ 1]) + case14[1:]
    assert aes_gcm_decrypt(key, nonce, base64.b64encode(tampered).decode(), b"") is None


async def test_native_payment_pays_the_order_once(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    assert payment.method == "native"
    assert payment.qr_content.startswith("weixin://wxpay/bizpayurl?pr=")
    assert sim.trades[payment.id].total == order.total.amount  # the signed request reached the gateway
    async with aiohttp.ClientSession() as client, client.get(payment.pay_url) as page:
        assert page.status == 200
        assert "<svg" in await page.text()  # the QR code to scan
    url, headers, body = sim.pay(payment.id)
    assert url == f"{shop.base_url}/api/v1/payments/wechatpay/notify"
    assert (await sim.deliver(url, headers, body))[0] == 204
    paid = await shop.commerce.orders.get(order.id)
    assert paid.status is OrderStatus.PAID
    stored = await shop.commerce.payments.get(payment.id)
    assert (stored.status, stored.trade_no) == (PaymentStatus.SUCCEEDED, sim.trades[payment.id].transaction_id)
    # WeChat retries (signed again), or notifies afresh about the same payment: nothing more
    assert (await sim.deliver(url, sim.signed_headers(body), body))[0] == 204
    assert (await sim.deliver(*sim.pay(payment.id)))[0] == 204
    # the very same signed request again is a replay: refused and recorded
    assert (await sim.deliver(url, headers, body))[0] == 500
    assert await security_codes(shop) == ["replayed_notification"]
    assert (await shop.commerce.customers.get(order.customer_id)).purchases.orders == 1
    level = (await shop.commerce.inventory.get_levels(["A"]))["A"]
    assert (level.available, level.reserved) == (8, 0)


async def test_jsapi_gives_signed_bridge_parameters(provider_shop: ProviderShop, keys: Keys) -> None:
    shop = provider_shop
    order = await shop.order()
    with pytest.raises(ValidationFailed):
        await shop.commerce.payments.start(order.number, provider=WECHAT, options=PayOptions(PayMethod.JSAPI))
    payment = await shop.commerce.payments.start(
        order.number, provider=WECHAT, options=PayOptions(PayMethod.JSAPI, payer="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    )
    params = dict(payment.client_params or {})
    assert params["package"].startswith("prepay_id=wx")
    assert params["signType"] == "RSA"
    message = f"{params['appId']}\n{params['timeStamp']}\n{params['nonceStr']}\n{params['package']}\n".encode()
    keys.merchant.public_key().verify(
        base64.b64decode(params["paySign"]), message, padding.PKCS1v15(), hashes.SHA256()
    )  # raises if WeixinJSBridge would refuse it
    assert shop.wechat.trades[payment.id].payer_openid == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


async def test_h5_goes_through_the_payability_check(provider_shop: ProviderShop) -> None:
    shop = provider_shop
    order = await shop.order()
    payment = await shop.commerce.payments.start(
        order.number, provider=WECHAT, options=PayOptions(PayMethod.H5, client_ip="203.0.113.7")
    )
    assert payment.pay_url == f"{shop.base_url}/pay/go/{payment.id}"
    async with aiohttp.ClientSession() as client:
        async with client.get(payment.pay_url, allow_redirects=False) as go:
            assert go.status == 302
            assert go.headers["Location"].startswith("https://wx.tenpay.com/")
        await shop.commerce.orders.cancel(order.number, actor="customer")
        async with client.get(payment.pay_url, allow_redirects=False) as refused:
            assert refused.status == 409  # no redirect to the provider: no money can move
        async with client.get(f"{shop.base_url}/pay/qr/{payment.id}") as qr:
            assert qr.status == 409


async def test_forged_tampered_and_stale_notifications_change_nothing(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    url, headers, body = sim.pay(payment.id)
    tampered = body.replace(b'"TRANSACTION.SUCCESS"', b'"TRANSACTION.SUCCESS" ')
    forged = {**headers, "Wechatpay-Signature": base64.b64encode(b"x" * 256).decode()}
    stale_headers = sim.signed_headers(body, timestamp=int(time.time()) - 301)
    for attempt in ((headers, tampered), (forged, body), (stale_headers, body)):
        status, text = await sim.deliver(url, *attempt)
        assert status == 500
        assert json.loads(text)["code"] == "FAIL"
    # signed by the platform but encrypted with another merchant's key
    other_key = sim.apiv3_key
    sim.apiv3_key = b"0" * 32
    url2, headers2, body2 = sim.pay(payment.id)
    sim.apiv3_key = other_key
    assert (await sim.deliver(url2, headers2, body2))[0] == 500
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.PENDING_PAYMENT
    assert sorted(await security_codes(shop)) == sorted(
        ["bad_signature", "bad_signature", "stale_notification", "bad_ciphertext"]
    )
    assert (await sim.deliver(url, headers, body))[0] == 204  # the genuine one still works


async def test_a_wrong_amount_is_refused_and_recorded(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    status, _ = await sim.deliver(*sim.pay(payment.id, paid_total=1))
    assert status == 500
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.PENDING_PAYMENT
    [alert] = await shop.commerce.payments.alerts.recent()
    assert (alert.kind, alert.code, alert.payment_id) == (AlertKind.SECURITY, "amount_mismatch", payment.id)


async def test_a_late_payment_on_a_cancelled_order_is_refunded_through_wechat(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    await shop.commerce.orders.cancel(order.number, actor="customer")
    assert (await sim.deliver(*sim.pay(payment.id)))[0] == 204  # stored: WeChat must not retry
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.CANCELLED
    [refund] = sim.refunds.values()
    assert (refund.out_trade_no, refund.refund, refund.total) == (payment.id, order.total.amount, order.total.amount)
    assert (await shop.commerce.payments.get(payment.id)).status is PaymentStatus.REFUNDED
    events = {e.type: e.event for e in await shop.commerce.events.recent(order_id=order.id)}
    late = events[PaymentRefunded.TYPE]
    assert isinstance(late, PaymentRefunded)
    assert late.late_payment
    assert AlertKind.LATE_PAYMENT in {a.kind for a in await shop.commerce.payments.alerts.recent(order_id=order.id)}
    # the refund notification arriving afterwards (and twice) changes nothing more
    refund_notice = sim.settle_refund(refund.out_refund_no)
    assert refund_notice[0] == f"{shop.base_url}/api/v1/payments/wechatpay/refund-notify"
    assert (await sim.deliver(*refund_notice))[0] == 204
    assert (await sim.deliver(*refund_notice))[0] == 204
    assert len(sim.refunds) == 1
    assert len([e for e in await shop.commerce.events.recent(order_id=order.id) if e.type == "payment.refunded"]) == 1


async def test_a_processing_refund_settles_by_its_notification(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    await sim.deliver(*sim.pay(payment.id))
    sim.refund_status = "PROCESSING"
    paid = await shop.commerce.orders.get(order.id)
    await shop.commerce.payments.refund(paid, Money(3000, "CNY"), reason="partial", actor="staff")
    [refund] = await shop.commerce.payments.refunds.for_order(order.id)
    assert refund.state is RefundState.PENDING
    # a forged refund notification is refused; the genuine one settles it, once
    url, headers, body = sim.settle_refund(refund.id)
    assert (await sim.deliver(url, {**headers, "Wechatpay-Nonce": "other"}, body))[0] == 500
    assert (await sim.deliver(url, headers, body))[0] == 204
    assert (await sim.deliver(url, headers, body))[0] == 204
    [settled] = await shop.commerce.payments.refunds.for_order(order.id)
    assert settled.state is RefundState.SUCCEEDED
    refunded = [
        e.event for e in await shop.commerce.events.recent(order_id=order.id) if isinstance(e.event, PaymentRefunded)
    ]
    assert len(refunded) == 1
    assert refunded[0].amount == Money(3000, "CNY")


async def test_a_payment_that_never_notifies_is_found_by_the_status_query(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    sim.pay(payment.id)  # paid at WeChat; the notification is lost
    worker = shop.commerce.payment_status_worker
    assert (await worker.run_once(utcnow()))["queried"] == 0  # not due yet
    later = utcnow() + timedelta(minutes=3)
    counts = await worker.run_once(later)
    assert (counts["queried"], counts["paid"]) == (1, 1)
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.PAID
    assert (await worker.run_once(later + timedelta(hours=1)))["queried"] == 0  # settled: never asked again


async def test_two_workers_query_each_payment_once(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    await shop.commerce.payments.start(order.number, provider=WECHAT)
    first = shop.commerce.payment_status_worker
    second = type(first)(shop.commerce.payments._db, shop.commerce.payments, worker_id="second")
    later = utcnow() + timedelta(minutes=3)
    before = len(sim.requests)
    a = await first.run_once(later)
    b = await second.run_once(later)
    assert a["queried"] + b["queried"] == 1
    assert len([r for r in sim.requests[before:] if "/out-trade-no/" in r[1]]) == 1


async def test_timeouts_and_server_errors(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    sim.delay_seconds = 3.0  # longer than the shop waits
    with pytest.raises(Conflict) as unreachable:
        await shop.commerce.payments.start(order.number, provider=WECHAT)
    assert unreachable.value.code == "provider_unavailable"
    sim.delay_seconds = 0.0
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    await shop.commerce.orders.cancel(order.number, actor="customer")
    sim.fail_next = 1  # the automatic refund meets a server error: it stays pending ...
    assert (await sim.deliver(*sim.pay(payment.id)))[0] == 204
    [refund] = await shop.commerce.payments.refunds.for_order(order.id)
    assert refund.state is RefundState.PENDING
    assert not sim.refunds
    # ... and the status worker asks again with the same refund id
    counts = await shop.commerce.payment_status_worker.run_once(utcnow() + timedelta(minutes=5))
    assert counts["refunds_settled"] == 1
    assert list(sim.refunds) == [refund.id]
    assert (await shop.commerce.payments.get(payment.id)).status is PaymentStatus.REFUNDED


async def test_cancelling_an_order_closes_its_open_payment_at_wechat(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=WECHAT)
    await shop.commerce.orders.cancel(order.number, actor="customer")
    await shop.commerce.events.dispatch_once()
    assert sim.trades[payment.id].state == "CLOSED"  # a QR code scanned earlier can no longer pay
    assert (await shop.commerce.payments.get(payment.id)).status is PaymentStatus.VOID
    with pytest.raises(ValueError, match="closed"):
        sim.pay(payment.id)


async def test_inside_the_official_account_wechat_pay_pays_in_place(provider_shop: ProviderShop) -> None:
    """The chat in the official account gets a JSAPI payment as the customer's openid."""
    shop, sim = provider_shop, provider_shop.wechat
    order = await shop.order()
    customer = await shop.commerce.customers.identify("wechat_openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o")
    order = await shop.commerce.orders.create_order(
        customer.id,
        shipping_method="express",
        lines={"A": 1},
        address=address(),
    )
    view = await CommerceShop(shop.commerce).start_payment(customer.id, order.number, None, "wechat")
    assert view.url.endswith(f"/pay/jsapi/{view.payment_id}")
    assert sim.trades[view.payment_id].payer_openid == "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
    async with aiohttp.ClientSession() as client:
        async with client.get(view.url) as page:
            text = await page.text()
        assert page.status == 200
        assert "getBrandWCPayRequest" in text
        assert "prepay_id=wx" in text
        await shop.commerce.orders.cancel(order.number, actor="customer")
        async with client.get(view.url) as refused:
            assert refused.status == 409
    # elsewhere (web chat, Telegram) the same customer gets the QR code
    other = await shop.order()
    web_view = await CommerceShop(shop.commerce).start_payment(other.customer_id, other.number, None, "webchat")
    assert "/pay/qr/" in web_view.url
