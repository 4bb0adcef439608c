"""A whole purchase through Telegram updates, on the real container (demo shop, builtin NLU)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from pymongo import AsyncMongoClient

from bot.telegram import TELEGRAM_CHANNEL
from bot.telegram.channel import TelegramChannel
from bot.telegram.webhook import SECRET_HEADER
from chatcart.bootstrap import Container, build_dialog_engine, build_nlu, nlu_vocabulary, running_container
from chatcart.settings import Settings
from chatcart.web import mount_telegram
from commerce.orders.model import OrderStatus
from core.mongo import Document
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from tests.telegram.conftest import SECRET

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
async def shop(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[Container]:
    from commerce.catalog.demo import seed_demo_store

    data_dir = Path(tmp_path_factory.mktemp("telegram_e2e"))
    settings = Settings(
        mongodb_uri=mongo_uri,
        db_name=f"tg_{uuid.uuid4().hex[:10]}",
        data_dir=data_dir,
        payment_sandbox_secret="telegram-e2e-secret",
    )
    async with running_container(settings, with_nlu=False, with_dialogs=False) as container:
        await seed_demo_store(container.commerce, data_dir)
        nlu = container.nlu = build_nlu(settings)
        nlu.update_vocabulary(**nlu_vocabulary(await container.commerce.catalog.vocabulary()))
        container.dialogs = build_dialog_engine(commerce=container.commerce, nlu=nlu, db=container.db)
        yield container
    await mongo_client.drop_database(settings.db_name)


class Chat:
    """One Telegram user talking to the shop through the webhook of a real app."""

    def __init__(self, client: TestClient[Any, Any], fake: FakeTelegramAPI, user: UpdateFactory) -> None:
        self.client = client
        self.fake = fake
        self.user = user

    @property
    def channel(self) -> TelegramChannel:
        channel: TelegramChannel = self.client.app[TELEGRAM_CHANNEL]
        return channel

    async def post(self, update: dict[str, Any]) -> None:
        response = await self.client.post("/telegram/webhook", json=update, headers={SECRET_HEADER: SECRET})
        assert response.status == 200
        self.fake.execute_webhook_reply(await response.json())  # as Telegram does with the body

    async def say(self, text: str) -> list[dict[str, Any]]:
        before = len(self.fake.calls)
        await self.post(self.user.text(text))
        return self._new_messages(before)

    async def press(self, label_part: str) -> list[dict[str, Any]]:
        message, button = self.find_button(label_part)
        before = len(self.fake.calls)
        await self.post(self.user.callback(button["callback_data"], message))
        return self._new_messages(before)

    def find_button(self, label_part: str) -> tuple[dict[str, Any], dict[str, Any]]:
        for key in sorted((k for k in self.fake.messages if k[0] == self.user.user_id), reverse=True):
            message = self.fake.messages[key]
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label_part.lower() in button["text"].lower() and "callback_data" in button:
                        return dict(message), button
        raise AssertionError(f"no button {label_part!r} in {self.texts()}")

    def _new_messages(self, since: int) -> list[dict[str, Any]]:
        return [c.params for c in self.fake.calls[since:] if c.method.startswith(("send", "edit"))]

    def texts(self) -> list[str]:
        return self.fake.texts(self.user.user_id)


@pytest.fixture
async def chat(shop: Container, fake_api: FakeTelegramAPI) -> AsyncIterator[Chat]:
    settings = shop.settings.model_copy(
        update={
            "telegram_token": SecretStr(fake_api.token),
            "telegram_webhook_secret": SecretStr(SECRET),
            "telegram_api_base": fake_api.base_url,
            "telegram_provider_token": SecretStr("PROVIDER:TEST"),
            "telegram_chat_rate_per_second": 100.0,
        }
    )
    shop.settings = settings
    app = web.Application()
    mount_telegram(app, shop)
    client: TestClient[Any, Any] = TestClient(TestServer(app))
    await client.start_server()
    yield Chat(client, fake_api, UpdateFactory(user_id=int(uuid.uuid4().int % 10**9) + 1000, language_code="en"))
    await client.close()


async def _place_order(chat: Chat) -> str:
    """Search -> add -> checkout -> payment link; returns the payment URL."""
    replies = await chat.say("do you have power banks?")
    assert any("inline_keyboard" in (r.get("reply_markup") or {}) for r in replies)
    await chat.say("the first one")
    replies = await chat.say("add the 20000mAh one to my cart")
    assert "added" in " ".join(chat.texts()).lower()
    await chat.say("checkout")
    await chat.say("John Smith, 13800138000, 100 Century Ave, Pudong, Shanghai")
    await chat.press("Express")
    if any("coupon" in text.lower() for text in chat.texts()[-1:]):
        await chat.say("no")
    await chat.say("yes")
    pay_link = next(
        r
        for r in reversed(chat.fake.sent(chat.user.user_id))
        if r.method == "sendMessage"
        and any("url" in b for row in (r.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row)
    )
    url = next(b["url"] for row in pay_link.params["reply_markup"]["inline_keyboard"] for b in row if "url" in b)
    return str(url)


async def test_whole_purchase_with_payment_link_and_pushed_confirmation(chat: Chat, shop: Any) -> None:
    url = await _place_order(chat)
    assert "/pay/sandbox/" in url
    invoices = chat.fake.calls_to("sendInvoice", chat_id=chat.user.user_id)
    assert len(invoices) == 1
    assert invoices[0].params["payload"].startswith("order:")

    payment_id = url.rsplit("/", 1)[1]
    await shop.commerce.payments.simulate(payment_id, True)
    await shop.commerce.events.dispatch_once()  # the order.paid event -> dialogs notifier -> our outbox
    await chat.fake.wait_for(lambda: any("payment received" in t.lower() for t in chat.texts()))
    number = invoices[0].params["payload"].removeprefix("order:")
    order = await shop.commerce.orders.get_by_number(number)
    assert order.status is OrderStatus.PAID


async def test_invoice_pre_checkout_and_successful_payment(chat: Chat, shop: Any) -> None:
    await _place_order(chat)
    [invoice] = chat.fake.calls_to("sendInvoice", chat_id=chat.user.user_id)
    payload, total = invoice.params["payload"], sum(p["amount"] for p in invoice.params["prices"])
    number = payload.removeprefix("order:")

    await chat.post(chat.user.pre_checkout(payload, "CNY", total))
    await chat.post(chat.user.pre_checkout(payload, "CNY", total - 1))  # amount tampered with
    ok, wrong_amount = chat.fake.calls_to("answerPreCheckoutQuery")
    assert ok.params["ok"] is True
    assert wrong_amount.params["ok"] is False

    paid = chat.user.successful_payment(payload, "CNY", total, f"tg-{uuid.uuid4().hex[:8]}")
    await chat.post(paid)
    again = dict(paid, update_id=chat.user.next_update_id())  # same charge, a new update (not a re-delivery)
    await chat.post(again)
    order = await shop.commerce.orders.get_by_number(number)
    assert order.status is OrderStatus.PAID
    assert [h.to_status for h in order.history].count(OrderStatus.PAID) == 1
    await shop.commerce.events.dispatch_once()
    await chat.fake.wait_for(lambda: any("payment received" in t.lower() for t in chat.texts()))
    assert sum("payment received" in t.lower() for t in chat.texts()) == 1


async def test_pre_checkout_fails_when_the_stock_is_gone(chat: Chat, shop: Any) -> None:
    await _place_order(chat)
    [invoice] = chat.fake.calls_to("sendInvoice", chat_id=chat.user.user_id)
    payload, total = invoice.params["payload"], sum(p["amount"] for p in invoice.params["prices"])
    order = await shop.commerce.orders.get_by_number(payload.removeprefix("order:"))
    # The reservation is gone (e.g. released by staff) and nothing is left on the shelf.
    shelf = await shop.commerce.inventory.get_levels(list(order.quantities()))
    for sku in order.quantities():
        await shop.db["inventory"].update_one(
            {"_id": sku}, {"$unset": {f"holds.{order.id}": ""}, "$set": {"available": 0}}
        )
    await chat.post(chat.user.pre_checkout(payload, "CNY", total))
    [answer] = chat.fake.calls_to("answerPreCheckoutQuery")
    assert answer.params["ok"] is False
    assert "sold out" in answer.params["error_message"]
    # The shop is shared by this module's tests: the shelf is stocked again for the next one.
    for sku, level in shelf.items():
        await shop.db["inventory"].update_one({"_id": sku}, {"$set": {"available": level.available}})


async def test_a_cancelled_order_is_refused_at_pre_checkout_and_a_racing_payment_is_owed_back(
    chat: Chat, shop: Any
) -> None:
    await _place_order(chat)
    [invoice] = chat.fake.calls_to("sendInvoice", chat_id=chat.user.user_id)
    payload, total = invoice.params["payload"], sum(p["amount"] for p in invoice.params["prices"])
    number = payload.removeprefix("order:")
    await shop.commerce.orders.cancel(number, actor="customer")
    await chat.post(chat.user.pre_checkout(payload, "CNY", total))
    [refused] = chat.fake.calls_to("answerPreCheckoutQuery")
    assert refused.params["ok"] is False  # no money moves
    # A payment Telegram captured while the cancel was happening: not applied; Telegram has no
    # refund API for card payments, so it is owed by hand, staff are alerted, the customer told.
    await chat.post(chat.user.successful_payment(payload, "CNY", total, f"tg-{uuid.uuid4().hex[:8]}"))
    order = await shop.commerce.orders.get_by_number(number)
    assert order.status is OrderStatus.CANCELLED
    [refund] = await shop.commerce.payments.refunds.for_order(order.id)
    assert refund.state.value == "manual"
    kinds = {alert.kind.value for alert in await shop.commerce.payments.alerts.recent(order_id=order.id)}
    assert kinds == {"late_payment", "refund_owed"}
    await shop.commerce.events.dispatch_once()
    await chat.fake.wait_for(lambda: any("send the money back to you by hand" in t for t in chat.texts()))
