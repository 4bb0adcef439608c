"""Payment notifications: how many per second the shop verifies and applies, and how many
database commands each costs (WeChat Pay: RSA signature + AES-GCM; Alipay: RSA2 form; the
sandbox: HMAC), for a first notification, a repeat, and a late one that is refunded.

    python -m benchmarks --only payments_bench
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Awaitable, Callable

from benchmarks.harness import BenchContext, BenchSection
from chatcart.bootstrap import build_commerce
from commerce.catalog.model import Product, Sku
from commerce.customers.model import AddressIn
from commerce.localized import LocalizedText
from commerce.money import Money
from commerce.orders.model import Order
from commerce.payments.alipay import AlipayConfig, AlipayProvider
from commerce.payments.model import NotifyOutcome, PaymentProvider
from commerce.payments.sandbox import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from commerce.payments.wechatpay import WechatPayConfig, WechatPayProvider
from commerce.services import Commerce, CommerceConfig, ensure_all_indexes
from simulators.alipay_gateway import AlipayGateway, AliTrade
from simulators.gateway_common import new_rsa_key
from simulators.wechatpay_gateway import WechatPayGateway

ORDERS_PER_PROVIDER = 150
CONCURRENCY = 8
BENCH_SECRET = "bench-only-sandbox-secret-0123"  # noqa: S105 - a throwaway test value
ADDRESS = AddressIn.model_validate(
    {
        "recipient": "张三",
        "phone": "13800138000",
        "region": {"province": "上海市", "city": "上海市", "district": "浦东新区"},
        "detail": "世纪大道100号",
    }
)
Notify = Callable[[], Awaitable[NotifyOutcome]]


async def _orders(commerce: Commerce, count: int, prefix: str) -> list[Order]:
    orders = []
    for i in range(count):
        customer = await commerce.customers.identify("web_session", f"{prefix}-{i}")
        orders.append(
            await commerce.orders.create_order(
                customer.id, shipping_method="express", lines={"PAY-1": 1}, address=ADDRESS
            )
        )
    return orders


async def _notifications(
    commerce: Commerce, wechat: WechatPayGateway, alipay: AlipayGateway
) -> dict[str, list[tuple[Notify, Notify]]]:
    """Per order and provider, a ready-to-post notification and the provider's retry of it,
    exactly as each provider sends them (WeChat Pay and the sandbox sign each retry afresh;
    Alipay repeats the same form)."""
    payments = commerce.payments
    built: dict[str, list[tuple[Notify, Notify]]] = {"wechatpay": [], "alipay": [], "sandbox": []}
    for provider in built:
        for order in await _orders(commerce, ORDERS_PER_PROVIDER, provider):
            payment = await payments.start(order.number, provider=provider)
            if provider == "wechatpay":
                _, headers, body = wechat.pay(payment.id)
                retry_headers = wechat.signed_headers(body)
            elif provider == "alipay":
                # the customer's browser opening the cashier page records the trade at Alipay
                alipay.trades.setdefault(
                    payment.id, _ali_trade(payment.id, payment.amount, payment.order_number, order.id)
                )
                _, form = alipay.pay(payment.id)
                headers, body = {"Content-Type": "application/x-www-form-urlencoded"}, form
                retry_headers = headers
            else:
                headers, body = payments.sandbox.build_notification(payment, succeeded=True)
                stamp = str(int(headers[TIMESTAMP_HEADER]) + 1)
                retry_headers = {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: sign(BENCH_SECRET, stamp, body)}

            def notify(name: str = provider, h: dict[str, str] = headers, b: bytes = body) -> Awaitable[NotifyOutcome]:
                return payments.handle_notification(name, h, b)

            def retry(
                name: str = provider, h: dict[str, str] = retry_headers, b: bytes = body
            ) -> Awaitable[NotifyOutcome]:
                return payments.handle_notification(name, h, b)

            built[provider].append((notify, retry))
    return built


def _ali_trade(payment_id: str, amount: Money, number: str, order_id: str) -> AliTrade:
    return AliTrade(
        payment_id, amount.to_decimal_string(), f"订单 {number}", "", "QUICK_WAP_WAY", passback_params=order_id
    )


async def _throughput(calls: list[Notify], concurrency: int) -> float:
    queue = list(calls)

    async def worker() -> None:
        while queue:
            await queue.pop()()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(calls) / (time.perf_counter() - started)


async def run(context: BenchContext) -> BenchSection:
    section = BenchSection("Payments: notifications per second and database commands per notification")
    merchant, platform, app_key, alipay_key = new_rsa_key(), new_rsa_key(), new_rsa_key(), new_rsa_key()
    wechat = WechatPayGateway(platform_key=platform, merchant_public_key=merchant.public_key())
    alipay = AlipayGateway(alipay_key=alipay_key, app_public_key=app_key.public_key())
    await wechat.start()
    await alipay.start()
    try:
        async with context.fresh_db() as db:
            await ensure_all_indexes(db)
            providers: dict[str, PaymentProvider] = {
                "wechatpay": WechatPayProvider(
                    WechatPayConfig(
                        mchid=wechat.mchid,
                        appid=wechat.appid,
                        apiv3_key=wechat.apiv3_key,
                        private_key=merchant,
                        cert_serial=wechat.merchant_serial,
                        platform_public_key=platform.public_key(),
                        platform_public_key_id=wechat.platform_key_id,
                        base_url="http://127.0.0.1:9",
                        api_base=wechat.base_url,
                    )
                ),
                "alipay": AlipayProvider(
                    AlipayConfig(
                        app_id=alipay.app_id,
                        app_private_key=app_key,
                        alipay_public_key=alipay_key.public_key(),
                        base_url="http://127.0.0.1:9",
                        gateway=alipay.gateway,
                    )
                ),
            }
            commerce = build_commerce(
                db,
                CommerceConfig(
                    sandbox_secret=BENCH_SECRET,
                    providers=providers,
                    payment_providers=("wechatpay", "alipay", "sandbox"),
                ),
            )
            product = Product(
                code="PAY",
                category="bench",
                title=LocalizedText("支付基准", "Payment bench"),
                skus=(Sku(sku="PAY-1", price=Money(9900, "CNY"), weight_g=300),),
            )
            await commerce.catalog.repository.upsert_products([product])
            await commerce.inventory.set_levels({"PAY-1": 100_000}, "bench stock")
            notifications = await _notifications(commerce, wechat, alipay)
            rows = []
            for provider, calls in notifications.items():
                # commands: the first ten one by one (counted), then the rest concurrently (timed)
                first, repeat = [], []
                for call, retry in calls[:10]:
                    with context.counter.measure() as measured:
                        await call()
                    first.append(measured.count)
                    with context.counter.measure() as measured:
                        await retry()
                    repeat.append(measured.count)
                per_second = await _throughput([call for call, _ in calls[10:]], CONCURRENCY)
                rows.append(
                    [
                        provider,
                        f"{per_second:.0f}",
                        f"{statistics.median(first):.0f} (max {max(first)})",
                        f"{statistics.median(repeat):.0f}",
                    ]
                )
                section.figures[f"{provider}_notifications_per_second"] = round(per_second, 1)
                section.figures[f"{provider}_commands_per_notification"] = statistics.median(first)
            late = await _orders(commerce, 10, "late")
            late_counts = []
            for order in late:
                payment = await commerce.payments.start(order.number, provider="wechatpay")
                await commerce.orders.cancel(order.number, actor="bench")
                _, headers, body = wechat.pay(payment.id)
                with context.counter.measure() as measured:
                    await commerce.payments.handle_notification("wechatpay", headers, body)
                late_counts.append(measured.count)
            section.table(
                ["provider", f"notifications/s ({CONCURRENCY} in flight)", "commands: first", "commands: retry"],
                rows,
            )
            section.note(
                f"A late WeChat Pay notification (order cancelled; refunded through the simulator at once): "
                f"{statistics.median(late_counts):.0f} commands (max {max(late_counts)}). "
                f"{ORDERS_PER_PROVIDER} orders per provider; in-process verification and application "
                "(no HTTP hop); RSA-2048 keys."
            )
            section.figures["late_notification_commands"] = statistics.median(late_counts)
    finally:
        await wechat.stop()
        await alipay.stop()
    return section
