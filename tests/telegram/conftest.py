"""Fixtures: the fake Bot API, a scripted dialog engine, and channels/webhook apps over them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.telegram.channel import TelegramChannel
from bot.telegram.config import TelegramConfig
from bot.telegram.webhook import SECRET_HEADER, webhook_handler
from core.mongo import Database
from dialogs.engine import TurnResult
from dialogs.messages import (
    Button,
    Carousel,
    IncomingMessage,
    Lang,
    OutgoingMessage,
    PaymentLink,
    ProductCard,
    SpecChoice,
    TextReply,
)
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory

SECRET = "test-webhook-secret_123"
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


def _card(product_id: str, color: str, image: str | None) -> ProductCard:
    return ProductCard(
        product_id=product_id,
        title=f"Mug <{product_id}> & co",
        text="In stock",
        price="¥29.00",
        image_url=image,
        specs=(SpecChoice(name="Color", values=("Black", "White"), selected=color),),
        buttons=(
            Button(label="Black", payload="opt:0.0"),
            Button(label="White", payload="opt:0.1"),
            Button(label="Add to cart", payload=f"addp:{product_id}"),
        ),
    )


def _page(page: int) -> Carousel:
    items = tuple(
        ProductCard(
            product_id=f"P{page}{i}",
            title=f"Product {page}.{i}",
            price="¥10.00",
            buttons=(Button(label="Details", payload=f"p:P{page}{i}"),),
        )
        for i in range(3)
    )
    paging = []
    if page > 1:
        paging.append(Button(label="◀ Prev", payload=f"pg:{page - 1}"))
    if page < 3:
        paging.append(Button(label="Next ▶", payload=f"pg:{page + 1}"))
    return Carousel(text="Found 9 products", items=items, page=page, pages=3, buttons=tuple(paging))


@dataclass
class ScriptedDialogs:
    """Stands in for DialogEngine: fixed answers per text/payload, records what came in."""

    received: list[IncomingMessage] = field(default_factory=list)
    outbound: Any = None

    lang: Lang = "zh"

    async def handle_turn(self, incoming: IncomingMessage) -> TurnResult:
        replies = await self.handle(incoming)
        return TurnResult(replies=replies, intent="scripted", lang=incoming.lang_hint or self.lang, customer_id=None)

    async def language_of(self, channel: str, channel_user_id: str) -> Lang:
        return self.lang

    async def handle(self, incoming: IncomingMessage) -> list[OutgoingMessage]:
        self.received.append(incoming)
        key = incoming.payload or incoming.text or incoming.command or incoming.kind
        if key == "boom":
            raise RuntimeError("dialog exploded")
        if key == "search" or key.startswith("pg:"):
            page = int(key.split(":")[1]) if key.startswith("pg:") else 1
            return [_page(page)]
        if key == "card":
            return [_card("P1", "Black", "/media/products/P1.png")]
        if key == "card and text":
            return [_card("P1", "Black", "/media/products/P1.png"), TextReply(text="Anything else?")]
        if key.startswith("opt:"):
            return [_card("P1", "White" if key.endswith(".1") else "Black", "https://cdn.example.com/p1-white.png")]
        if key == "pay":
            return [
                PaymentLink(
                    text="Order 20250101-0001 placed, total ¥58.00",
                    url="https://shop.example.com/pay/x",
                    order_number="20250101-0001",
                    amount="58.00",
                    buttons=(
                        Button(label="Pay now", payload="payurl:20250101-0001", url="https://shop.example.com/pay/x"),
                    ),
                )
            ]
        if key == "long":
            return [TextReply(text="x" * 5000)]
        return [
            TextReply(
                text=f"echo: {incoming.kind} {incoming.text or incoming.phone}".strip(),
                buttons=(Button(label="Menu", payload="menu"),),
            )
        ]


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeTelegramAPI]:
    async with FakeTelegramAPI() as api:
        yield api


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    root = tmp_path / "media"
    (root / "products").mkdir(parents=True)
    (root / "products" / "P1.png").write_bytes(PNG)
    return root


ChannelFactory = Callable[..., Awaitable[TelegramChannel]]


@pytest.fixture
async def make_channel(db: Database, fake_api: FakeTelegramAPI, media_root: Path) -> AsyncIterator[ChannelFactory]:
    made: list[TelegramChannel] = []

    async def factory(
        dialogs: Any = None,
        *,
        database: Database | None = None,
        payments: Any = None,
        worker_id: str | None = None,
        **overrides: Any,
    ) -> TelegramChannel:
        values: dict[str, Any] = {
            "token": fake_api.token,
            "webhook_secret": SECRET,
            "api_base": fake_api.base_url,
            "media_root": media_root,
            "retry_base_seconds": 0.01,
            "outbox_poll_seconds": 0.05,
            "chat_rate_per_second": 1000.0,
            "global_rate_per_second": 1000.0,
        }
        values.update(overrides)
        channel = TelegramChannel(
            TelegramConfig(**values),
            database if database is not None else db,
            dialogs or ScriptedDialogs(),
            payments=payments,
            worker_id=worker_id,
        )
        await channel.ensure_indexes()
        made.append(channel)
        return channel

    yield factory
    for channel in made:
        await channel.stop()


@dataclass
class WebhookClient:
    client: TestClient[Any, Any]
    channel: TelegramChannel
    fake: FakeTelegramAPI
    last_body: Any = None  # the JSON of the last 200 response

    async def post(self, update: Any, *, secret: str | None = SECRET, raw: bytes | None = None) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if raw is not None:
            response = await self.client.post("/telegram/webhook", data=raw, headers=headers)
        else:
            response = await self.client.post("/telegram/webhook", json=update, headers=headers)
        if response.status == 200:
            self.last_body = await response.json()
            self.fake.execute_webhook_reply(self.last_body)  # as Telegram does with the body
        return response.status


WebhookFactory = Callable[[TelegramChannel], Awaitable[WebhookClient]]


@pytest.fixture
async def webhook(fake_api: FakeTelegramAPI) -> AsyncIterator[WebhookFactory]:
    clients: list[TestClient[Any, Any]] = []

    async def factory(channel: TelegramChannel) -> WebhookClient:
        app = web.Application()
        app.router.add_post(channel.config.webhook_path, webhook_handler(channel))
        client: TestClient[Any, Any] = TestClient(TestServer(app))
        await client.start_server()
        clients.append(client)
        return WebhookClient(client, channel, fake_api)

    yield factory
    for client in clients:
        await client.close()


@pytest.fixture
def user() -> UpdateFactory:
    return UpdateFactory(user_id=424242, language_code="en")
