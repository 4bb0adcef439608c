"""WeChat channel fixtures: the simulator, a scripted dialog engine, the endpoint on a real port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.wechat import WeChatChannel, WeChatConfig, build_channel
from bot.wechat.config import TemplateIds
from commerce.customers.service import INDEXES as CUSTOMER_INDEXES
from commerce.customers.service import CustomerService
from core.mongo import Database, ensure_indexes
from dialogs.messages import Button, Carousel, IncomingMessage, Lang, OutgoingMessage, ProductCard, TextReply
from simulators.wechat_server import WeChatSimulator

APP_ID = "wx2c2769f8efd9abc2"
APP_SECRET = "sim-secret-0123456789"
TOKEN = "spamtest"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"


@dataclass
class Turn:
    replies: list[OutgoingMessage]
    lang: Lang
    customer_id: str | None = None


@dataclass
class ScriptedDialogs:
    """Stands in for DialogEngine: answers from a script, counts calls, can be slow."""

    delay: float = 0.0
    seen: list[IncomingMessage] = field(default_factory=list)
    lang: Lang = "zh"
    answer: Callable[[IncomingMessage], list[OutgoingMessage]] | None = None

    async def handle_turn(self, incoming: IncomingMessage) -> Turn:
        self.seen.append(incoming)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.answer is not None:
            return Turn(self.answer(incoming), self.lang)
        return Turn([TextReply(text=f"echo: {incoming.text or incoming.command or incoming.kind}")], self.lang)

    async def language_of(self, channel: str, channel_user_id: str) -> Lang:
        return self.lang


def carousel_answer(_: IncomingMessage) -> list[OutgoingMessage]:
    items = tuple(
        ProductCard(
            product_id=f"P{i}",
            title=f"耳机 {i}",
            price=f"¥{i}99.00",
            image_url=f"/media/p{i}.png",
            buttons=(Button(label=f"查看 {i}", payload=f"view:P{i}"),),
        )
        for i in range(1, 4)
    )
    return [Carousel(text="为您找到 3 件商品：", items=items)]


@dataclass
class Harness:
    sim: WeChatSimulator
    channel: WeChatChannel
    dialogs: ScriptedDialogs
    customers: CustomerService
    server: TestServer
    db: Database

    @property
    def config(self) -> WeChatConfig:
        return self.channel.config


HarnessFactory = Callable[..., Awaitable[Harness]]


@pytest.fixture
async def make_harness(db: Database) -> AsyncIterator[HarnessFactory]:
    created: list[Harness] = []

    async def factory(
        *,
        safe_mode: bool = False,
        budget: float = 2.0,
        reply_timeout: float = 3.0,
        dialogs: ScriptedDialogs | None = None,
        **config_overrides: Any,
    ) -> Harness:
        sim = WeChatSimulator(
            app_id=APP_ID,
            app_secret=APP_SECRET,
            token=TOKEN,
            encoding_aes_key=AES_KEY if safe_mode else None,
            reply_timeout=reply_timeout,
        )
        await sim.start()
        config = WeChatConfig(
            app_id=APP_ID,
            app_secret=APP_SECRET,
            token=TOKEN,
            encoding_aes_key=AES_KEY,
            api_base=sim.base_url,
            oauth_base=sim.base_url,
            reply_budget_seconds=budget,
            templates=TemplateIds(order_paid="TPL_PAID", order_shipped="TPL_SHIP"),
        )
        config = replace(config, **config_overrides)
        await ensure_indexes(db, CUSTOMER_INDEXES)
        customers = CustomerService(db)
        dialogs = dialogs or ScriptedDialogs()
        channel = build_channel(config, db=db, dialogs=dialogs, customers=customers)
        await channel.ensure_indexes()
        app = web.Application()
        app.router.add_routes(channel.routes())
        server = TestServer(app, host="127.0.0.1")
        await server.start_server()
        sim.endpoint = str(server.make_url(config.path))
        harness = Harness(sim, channel, dialogs, customers, server, db)
        created.append(harness)
        return harness

    yield factory
    for harness in created:
        await harness.channel.processor.drain()
        await harness.channel.close()
        await harness.server.close()
        await harness.sim.stop()
