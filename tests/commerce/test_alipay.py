"""Alipay against its gateway simulator, through the shop's real HTTP endpoints."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode

import aiohttp

from commerce.money import Money
from commerce.orders.model import OrderStatus
from commerce.payments.alerts import AlertKind
from commerce.payments.model import PaymentStatus, PayMethod, PayOptions, RefundState
from core.mongo import utcnow

from .conftest import ProviderShop

ALIPAY = "alipay"


async def open_cashier(shop: ProviderShop, pay_url: str) -> int:
    """The customer's browser: our payability page, then Alipay's cashier (which records the trade)."""
    async with aiohttp.ClientSession() as client, client.get(pay_url) as page:
        await page.read()
        return page.status


async def test_wap_pay_pays_once_and_answers_success(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.alipay
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY)
    assert payment.method == "wap"
    assert payment.pay_url == f"{shop.base_url}/pay/go/{payment.id}"
    assert await open_cashier(shop, payment.pay_url) == 200
    assert sim.trades[payment.id].product_code == "QUICK_WAP_WAY"  # the signed URL was accepted
    url, body = sim.pay(payment.id)
    assert url == f"{shop.base_url}/api/v1/payments/alipay/notify"
    assert await sim.deliver(url, body) == (200, "success")
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.PAID
    assert (await shop.commerce.payments.get(payment.id)).trade_no == sim.trades[payment.id].trade_no
    # retried, and TRADE_FINISHED later: still "success", paid once
    assert await sim.deliver(url, body) == (200, "success")
    assert await sim.deliver(*sim.pay(payment.id, status="TRADE_FINISHED")) == (200, "success")
    assert (await shop.commerce.customers.get(order.customer_id)).purchases.orders == 1


async def test_page_pay_for_desktop(provider_shop: ProviderShop) -> None:
    shop = provider_shop
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY, options=PayOptions(PayMethod.PAGE))
    params = dict(parse_qsl(payment.provider_url.split("?", 1)[1]))
    assert (params["method"], params["sign_type"], params["charset"]) == ("alipay.trade.page.pay", "RSA2", "utf-8")
    assert await open_cashier(shop, payment.pay_url) == 200
    assert shop.alipay.trades[payment.id].product_code == "FAST_INSTANT_TRADE_PAY"


async def test_forged_and_mismatched_notifications_answer_failure(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.alipay
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY)
    await open_cashier(shop, payment.pay_url)
    url, body = sim.pay(payment.id)
    params = dict(parse_qsl(body.decode()))
    tampered = urlencode({**params, "total_amount": "0.01"}).encode()  # signature no longer matches
    assert await sim.deliver(url, tampered) == (200, "failure")
    # genuinely signed by Alipay, but for less than the order: refused, recorded
    assert await sim.deliver(*sim.pay(payment.id, total_amount="0.01")) == (200, "failure")
    # another app's notification
    other = sim.app_id
    sim.app_id = "2021999999999999"
    assert await sim.deliver(*sim.pay(payment.id)) == (200, "failure")
    sim.app_id = other
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.PENDING_PAYMENT
    codes = sorted(a.code for a in await shop.commerce.payments.alerts.recent() if a.kind is AlertKind.SECURITY)
    assert codes == ["amount_mismatch", "bad_signature", "merchant_mismatch"]
    assert await sim.deliver(url, body) == (200, "success")


async def test_a_late_payment_is_refunded_with_out_request_no(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.alipay
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY)
    await open_cashier(shop, payment.pay_url)
    await shop.commerce.orders.cancel(order.number, actor="system:timeout")
    assert await sim.deliver(*sim.pay(payment.id)) == (200, "success")
    [refund] = sim.refunds.values()
    assert (refund.out_request_no, refund.amount) == (f"{payment.id}-late", order.total.to_decimal_string())
    assert (await shop.commerce.payments.get(payment.id)).status is PaymentStatus.REFUNDED
    # Alipay's TRADE_CLOSED after the full refund changes nothing and tells the customer nothing
    assert await sim.deliver(*sim.pay(payment.id, status="TRADE_CLOSED")) == (200, "success")
    types = [e.type for e in await shop.commerce.events.recent(order_id=order.id)]
    assert types.count("payment.refunded") == 1
    assert "payment.failed" not in types


async def test_after_sales_partial_refunds_go_through_alipay(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.alipay
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY)
    await open_cashier(shop, payment.pay_url)
    await sim.deliver(*sim.pay(payment.id))
    paid = await shop.commerce.orders.get(order.id)
    half = Money(paid.total.amount // 2, "CNY")
    await shop.commerce.payments.refund(paid, half, reason="one returned", actor="staff")
    await shop.commerce.payments.refund(paid, half, reason="the other", actor="staff")
    assert len(sim.refunds) == 2
    assert all(r.state is RefundState.SUCCEEDED for r in await shop.commerce.payments.refunds.for_order(order.id))


async def test_the_status_query_finds_an_unnotified_alipay_payment(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.alipay
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY)
    later = utcnow() + timedelta(minutes=3)
    assert (await shop.commerce.payment_status_worker.run_once(later))["paid"] == 0  # never opened: not found
    await open_cashier(shop, payment.pay_url)
    sim.pay(payment.id)  # paid; the notification is lost
    counts = await shop.commerce.payment_status_worker.run_once(later + timedelta(minutes=10))
    assert counts["paid"] == 1
    assert (await shop.commerce.orders.get(order.id)).status is OrderStatus.PAID


async def test_cancelling_an_order_closes_its_opened_alipay_trade(provider_shop: ProviderShop) -> None:
    shop, sim = provider_shop, provider_shop.alipay
    order = await shop.order()
    payment = await shop.commerce.payments.start(order.number, provider=ALIPAY)
    await open_cashier(shop, payment.pay_url)
    await shop.commerce.orders.cancel(order.number, actor="customer")
    await shop.commerce.events.dispatch_once()
    assert sim.trades[payment.id].status == "TRADE_CLOSED"
    assert (await shop.commerce.payments.get(payment.id)).status is PaymentStatus.VOID
