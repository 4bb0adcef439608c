"""Telegram Payments at the channel level (the commerce side is stubbed; see test_e2e for real)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.telegram.delivery import InvoiceInfo
from bot.telegram.payments import Confirmation, invoice_payload, order_number_of
from dialogs.messages import Lang
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from tests.telegram.conftest import ChannelFactory, WebhookFactory

NUMBER = "20250101-0001"


@dataclass
class StubPayments:
    problem: str | None = None
    charges: list[str] = field(default_factory=list)

    async def invoice(self, order_number: str, lang: Lang) -> InvoiceInfo | None:
        return InvoiceInfo(
            title=f"Order {order_number}",
            description="2 items",
            payload=invoice_payload(order_number),
            currency="CNY",
            prices=[("Items", 5000), ("Shipping", 800)],
        )

    async def pre_checkout(self, payload: str, currency: str, total_amount: int) -> str | None:
        return self.problem

    async def confirm(self, payload: str, currency: str, total_amount: int, charge_id: str) -> Confirmation:
        new = charge_id not in self.charges
        self.charges.append(charge_id)
        return Confirmation(new=new, order_number=order_number_of(payload) or "", result="paid" if new else "duplicate")


async def test_payment_link_comes_with_an_invoice_when_a_provider_token_is_set(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel(payments=StubPayments(), provider_token="PROVIDER:TEST"))
    await hook.post(user.text("pay"))
    link, invoice = fake_api.sent(user.user_id)
    assert link.method == "sendMessage"
    assert link.params["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://shop.example.com/pay/x"
    assert invoice.method == "sendInvoice"
    assert invoice.params["payload"] == f"order:{NUMBER}"
    assert invoice.params["currency"] == "CNY"
    assert [p["amount"] for p in invoice.params["prices"]] == [5000, 800]
    assert invoice.params["provider_token"] == "PROVIDER:TEST"


async def test_without_provider_token_only_the_link_is_sent(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    hook = await webhook(await make_channel(payments=StubPayments()))
    await hook.post(user.text("pay"))
    assert [c.method for c in fake_api.sent(user.user_id)] == ["sendMessage"]


async def test_pre_checkout_is_answered_ok_or_with_the_reason(
    make_channel: ChannelFactory, webhook: WebhookFactory, fake_api: FakeTelegramAPI, user: UpdateFactory
) -> None:
    payments = StubPayments()
    hook = await webhook(await make_channel(payments=payments, provider_token="PROVIDER:TEST"))
    await hook.post(user.pre_checkout(f"order:{NUMBER}", "CNY", 5800))
    payments.problem = "pre_checkout.out_of_stock"
    await hook.post(user.pre_checkout(f"order:{NUMBER}", "CNY", 5800))
    ok, refused = fake_api.calls_to("answerPreCheckoutQuery")
    assert ok.params["ok"] is True
    assert refused.params["ok"] is False
    assert "sold out" in refused.params["error_message"]


async def test_successful_payment_update_is_applied_once(
    make_channel: ChannelFactory, webhook: WebhookFactory, user: UpdateFactory
) -> None:
    payments = StubPayments()
    hook = await webhook(await make_channel(payments=payments, provider_token="PROVIDER:TEST"))
    update = user.successful_payment(f"order:{NUMBER}", "CNY", 5800, "tg-charge-1")
    await hook.post(update)
    await hook.post(update)
    assert payments.charges == ["tg-charge-1"]
