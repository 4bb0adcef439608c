"""Telegram channel benchmark: updates/s through webhook -> dialog -> fake Bot API (loopback),
against a minimal aiogram echo bot measured in the same run on the same fake API.

Run alone with `python -m benchmarks --only telegram_bench`; `run(context)` returns a BenchSection.
CHATCART_BENCH_TELEGRAM_USERS (default 40) users each send the same 5 messages; 20 users
talk at once, each waiting for its previous reply like a person does. Rate limits are lifted
for the measurement (Telegram's own limits would cap both at ~30 messages/s). The NLU model
is cached in CHATCART_BENCH_DATA_DIR (default var/bench) so only the first run trains it.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import ClientSession, web

from benchmarks.harness import BenchContext, BenchSection, summary_ms
from bot.telegram.channel import TelegramChannel, make_bot
from bot.telegram.config import TelegramConfig
from bot.telegram.webhook import SECRET_HEADER, webhook_handler
from chatcart.settings import Settings
from tests.simulators.telegram_api import FakeTelegramAPI, UpdateFactory

SECRET = "bench-secret"  # noqa: S105 - a fake webhook secret
MESSAGES = ["hello", "do you have power banks?", "the first one", "/cart", "help"]
CONCURRENT_USERS = 20
TARGET_RATIO = 0.3

Poster = Callable[[dict[str, Any]], Awaitable[None]]


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    return runner, f"http://127.0.0.1:{port}/telegram/webhook"


async def _drive(url: str, users: int, *, first_user: int) -> dict[str, Any]:
    """All users' conversations through the webhook; returns throughput and latency figures."""
    latencies: list[float] = []
    semaphore = asyncio.Semaphore(CONCURRENT_USERS)
    async with ClientSession() as session:

        async def conversation(user_id: int) -> None:
            factory = UpdateFactory(user_id=user_id, language_code="en")
            async with semaphore:
                for text in MESSAGES:
                    started = time.perf_counter()
                    async with session.post(url, json=factory.text(text), headers={SECRET_HEADER: SECRET}) as resp:
                        assert resp.status == 200, resp.status
                        await resp.read()
                    latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(conversation(first_user + i) for i in range(users)))
        elapsed = time.perf_counter() - started
    updates = users * len(MESSAGES)
    return {"updates": updates, "seconds": round(elapsed, 3), "updates_per_s": round(updates / elapsed, 1),
            **summary_ms(latencies)}  # fmt: skip


async def _dialog_only(dialogs: Any, users: int, *, first_user: int) -> dict[str, Any]:
    """The same conversations straight into the dialog engine: the share of the time that is
    the shop's own work rather than Telegram plumbing."""
    from dialogs.messages import IncomingMessage

    latencies: list[float] = []
    semaphore = asyncio.Semaphore(CONCURRENT_USERS)

    async def conversation(user_id: int) -> None:
        async with semaphore:
            for text in MESSAGES:
                started = time.perf_counter()
                await dialogs.handle(IncomingMessage.from_text("telegram", str(user_id), text, "en"))
                latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(conversation(first_user + i) for i in range(users)))
    elapsed = time.perf_counter() - started
    updates = users * len(MESSAGES)
    return {"updates": updates, "seconds": round(elapsed, 3), "updates_per_s": round(updates / elapsed, 1),
            **summary_ms(latencies)}  # fmt: skip


async def _echo(fake: FakeTelegramAPI, users: int) -> dict[str, Any]:
    config = TelegramConfig(token=fake.token, api_base=fake.base_url)
    bot: Bot = make_bot(config)
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=SECRET, handle_in_background=False).register(
        app, path="/telegram/webhook")  # fmt: skip
    runner, url = await _serve(app)
    try:
        await _drive(url, 2, first_user=8_000_000)  # warm-up, as for chatcart
        return await _drive(url, users, first_user=1_000_000)
    finally:
        await runner.cleanup()
        await bot.session.close()


async def _chatcart(context: BenchContext, fake: FakeTelegramAPI, users: int) -> dict[str, Any]:
    from chatcart.bootstrap import build_nlu, running_container
    from commerce.catalog.demo import seed_demo_store
    from dialogs import build_dialog_engine

    data_dir = Path(os.environ.get("CHATCART_BENCH_DATA_DIR", "var/bench")) / "telegram"
    settings = Settings(mongodb_uri=context.mongo_uri, db_name=f"bench_tg_{uuid.uuid4().hex[:8]}",
                        data_dir=data_dir, payment_sandbox_secret="telegram-bench-sandbox-secret")  # noqa: S106
    try:
        async with running_container(settings, with_nlu=False, with_dialogs=False) as container:
            await seed_demo_store(container.commerce, data_dir)
            container.nlu = build_nlu(settings)
            vocabulary = await container.commerce.catalog.vocabulary()
            container.nlu.update_vocabulary(**nlu_vocabulary(vocabulary))
            container.dialogs = build_dialog_engine(commerce=container.commerce, nlu=container.nlu, db=container.db)
            config = TelegramConfig(token=fake.token, webhook_secret=SECRET, api_base=fake.base_url,
                                    media_root=data_dir / "media", global_rate_per_second=1e6,
                                    chat_rate_per_second=1e6)  # fmt: skip
            channel = TelegramChannel(config, container.db, container.dialogs)
            await channel.ensure_indexes()
            app = web.Application()
            app.router.add_post(config.webhook_path, webhook_handler(channel))
            runner, url = await _serve(app)
            try:
                await _drive(url, 2, first_user=9_000_000)  # warm-up: model load, first queries
                through_telegram = await _drive(url, users, first_user=2_000_000)
                dialog_only = await _dialog_only(container.dialogs, users, first_user=3_000_000)
                return {**through_telegram, "dialog_only": dialog_only}
            finally:
                await runner.cleanup()
                await channel.stop()
    finally:
        await context.client.drop_database(settings.db_name)


def nlu_vocabulary(vocabulary: dict[str, Any]) -> dict[str, Any]:
    """catalog.vocabulary() -> NLU update_vocabulary() arguments (names; synonym groups as a map)."""

    def names(items: list[Any]) -> list[str]:
        return [str(i[k]) for i in items if isinstance(i, dict) for k in ("zh", "en") if i.get(k)] + [
            str(i) for i in items if isinstance(i, str)]  # fmt: skip

    synonyms = vocabulary.get("synonyms")
    if isinstance(synonyms, list):  # [[canonical, alias, ...], ...]
        synonyms = {str(alias): str(group[0]) for group in synonyms if group for alias in group[1:]}
    return {"products": names(vocabulary.get("products", [])), "brands": names(vocabulary.get("brands", [])),
            "categories": names(vocabulary.get("categories", [])), "synonyms": synonyms or None}


async def run(context: BenchContext) -> BenchSection:
    users = int(os.environ.get("CHATCART_BENCH_TELEGRAM_USERS", "40"))
    section = BenchSection("Telegram webhook throughput")
    async with FakeTelegramAPI() as fake:
        echo = await _echo(fake, users)
        fake.reset()
        chatcart = await _chatcart(context, fake, users)
        dialog = chatcart.pop("dialog_only")
        sent = len(fake.sent())
    ratio = chatcart["updates_per_s"] / echo["updates_per_s"] if echo["updates_per_s"] else 0.0
    section.table(["pipeline", "updates", "updates/s", "p50 ms", "p99 ms"], [
        ["aiogram echo (baseline)", echo["updates"], echo["updates_per_s"], echo["p50_ms"], echo["p99_ms"]],
        ["chatcart webhook -> dialog -> Bot API", chatcart["updates"], chatcart["updates_per_s"],
         chatcart["p50_ms"], chatcart["p99_ms"]],
        ["dialog engine alone (no Telegram)", dialog["updates"], dialog["updates_per_s"], dialog["p50_ms"],
         dialog["p99_ms"]],
    ])  # fmt: skip
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    section.note(f"chatcart/echo throughput ratio: **{ratio:.2f}** ({verdict} the target of ≥ {TARGET_RATIO}); "
                 f"{sent} Bot API sends for {chatcart['updates']} updates. {CONCURRENT_USERS} users at a time, "
                 f"each waiting for its reply; rate limits lifted; fake Bot API on loopback.")  # fmt: skip
    section.figures.update({"echo": echo, "chatcart": chatcart, "dialog_only": dialog, "ratio": round(ratio, 3)})
    return section
