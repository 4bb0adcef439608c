"""Telegram channel benchmark: updates/s through webhook -> dialog -> fake Bot API (loopback),
against a minimal aiogram echo bot measured in the same run on the same fake API.

Run alone with `python -m benchmarks --only telegram_bench`; `run(context)` returns a BenchSection.
CHATCART_BENCH_TELEGRAM_USERS (default 100) users each send the same 5 messages; 20 users
talk at once, each waiting for its previous reply like a person does. Rate limits are lifted
for the measurement (Telegram's own limits would cap both at ~30 messages/s). The NLU model
is cached in CHATCART_BENCH_DATA_DIR (default var/bench) so only the first run trains it.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import ClientSession, web

from benchmarks.harness import BenchContext, BenchSection, process_cpu_seconds, summary_ms
from bot.telegram.channel import TelegramChannel
from bot.telegram.config import TelegramConfig
from bot.telegram.webhook import SECRET_HEADER, webhook_handler
from chatcart.settings import Settings
from simulators.telegram_api import FakeTelegramAPI, UpdateFactory

SECRET = "bench-secret"  # noqa: S105 - a fake webhook secret
MESSAGES = ["hello", "do you have power banks?", "the first one", "/cart", "help"]
CONCURRENT_USERS = 20
TARGET_RATIO = 0.3
ROUNDS = 5
# Telegram user ids per pipeline (each round and the warm-up get their own, never reused).
ECHO_USERS, CHATCART_USERS, DIALOG_USERS = 1_000_000, 2_000_000, 3_000_000

Poster = Callable[[dict[str, Any]], Awaitable[None]]


async def _serve(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    return runner, f"http://127.0.0.1:{port}/telegram/webhook"


async def _drive(url: str, fake: FakeTelegramAPI, users: int, *, first_user: int) -> dict[str, Any]:
    """All users' conversations through the webhook; returns throughput and latency figures.
    A method call in a webhook response is executed on the fake API, as Telegram would."""
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
                        fake.execute_webhook_reply(await resp.json(content_type=None))
                    latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(conversation(first_user + i) for i in range(users)))
        elapsed = time.perf_counter() - started
    updates = users * len(MESSAGES)
    return {
        "updates": updates,
        "seconds": round(elapsed, 3),
        "updates_per_s": round(updates / elapsed, 1),
        **summary_ms(latencies),
    }


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
    return {
        "updates": updates,
        "seconds": round(elapsed, 3),
        "updates_per_s": round(updates / elapsed, 1),
        **summary_ms(latencies),
    }


@contextlib.asynccontextmanager
async def _echo_server(fake: FakeTelegramAPI) -> AsyncIterator[str]:
    # A minimal aiogram echo bot, as written in aiogram's examples.
    bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url)))
    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, secret_token=SECRET, handle_in_background=False).register(
        app, path="/telegram/webhook"
    )
    runner, url = await _serve(app)
    try:
        await _drive(url, fake, CONCURRENT_USERS, first_user=ECHO_USERS - CONCURRENT_USERS)  # warm-up, as for chatcart
        yield url
    finally:
        await runner.cleanup()
        await bot.session.close()


@contextlib.asynccontextmanager
async def _chatcart_server(context: BenchContext, fake: FakeTelegramAPI) -> AsyncIterator[tuple[str, Any]]:
    from chatcart.bootstrap import build_dialog_engine, build_nlu, nlu_vocabulary, running_container
    from commerce.catalog.demo import seed_demo_store

    data_dir = Path(os.environ.get("CHATCART_BENCH_DATA_DIR", "var/bench")) / "telegram"
    settings = Settings(
        mongodb_uri=context.mongo_uri,
        db_name=f"bench_tg_{uuid.uuid4().hex[:8]}",
        data_dir=data_dir,
        payment_sandbox_secret="telegram-bench-sandbox-secret",  # noqa: S106
    )
    try:
        async with running_container(settings, with_nlu=False, with_dialogs=False) as container:
            await seed_demo_store(container.commerce, data_dir)
            nlu = container.nlu = build_nlu(settings)
            vocabulary = await container.commerce.catalog.vocabulary()
            nlu.update_vocabulary(**nlu_vocabulary(vocabulary))
            dialogs = container.dialogs = build_dialog_engine(commerce=container.commerce, nlu=nlu, db=container.db)
            config = TelegramConfig(
                token=fake.token,
                webhook_secret=SECRET,
                api_base=fake.base_url,
                media_root=data_dir / "media",
                global_rate_per_second=1e6,
                chat_rate_per_second=1e6,
            )
            channel = TelegramChannel(config, container.db, dialogs)
            await channel.ensure_indexes()
            app = web.Application()
            app.router.add_post(config.webhook_path, webhook_handler(channel))
            runner, url = await _serve(app)
            try:
                # Warm-up at full concurrency, as for the echo: the model is loaded, the database
                # connection pool holds a connection per concurrent user, as in a running server.
                await _drive(url, fake, CONCURRENT_USERS, first_user=CHATCART_USERS - CONCURRENT_USERS)
                yield url, dialogs
            finally:
                await runner.cleanup()
                await channel.stop()
    finally:
        await context.client.drop_database(settings.db_name)


async def _round(
    url: str, fake: FakeTelegramAPI, users: int, first_user: int, server_pid: int | None
) -> dict[str, Any]:
    """One measured run, with the CPU time it cost this process (the pipeline, the load driver and
    the fake Bot API) and the database server, per update."""
    database_before = process_cpu_seconds(server_pid) if server_pid else None
    own_before = time.process_time()
    figures = await _drive(url, fake, users, first_user=first_user)
    own = time.process_time() - own_before
    database_after = process_cpu_seconds(server_pid) if server_pid else None
    figures["process_cpu_ms"] = round(1000 * own / figures["updates"], 2)
    if database_before is not None and database_after is not None:
        figures["database_cpu_ms"] = round(1000 * (database_after - database_before) / figures["updates"], 2)
    return figures


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    return sorted(runs, key=lambda run: run["updates_per_s"])[len(runs) // 2]


async def run(context: BenchContext) -> BenchSection:
    users = int(os.environ.get("CHATCART_BENCH_TELEGRAM_USERS", "100"))
    section = BenchSection("Telegram webhook throughput")
    echo_runs: list[dict[str, Any]] = []
    chatcart_runs: list[dict[str, Any]] = []
    async with (
        FakeTelegramAPI() as fake,
        _echo_server(fake) as echo_url,
        _chatcart_server(context, fake) as (chatcart_url, dialogs),
    ):
        # As `chatcart serve` does after start-up: what lives for the whole process (NLU model,
        # catalog index, both apps) leaves the cyclic GC's generations. Without it, full
        # collections scanning chatcart's large heap stall the echo too (p99 ~190 ms instead of
        # ~20), which would flatter the ratio.
        gc.collect()
        gc.freeze()
        # Interleaved rounds, new users each time: a slow moment of this shared machine hits one
        # round of each pipeline rather than all of one; the medians are compared.
        for round_number in range(ROUNDS):
            echo_runs.append(await _round(echo_url, fake, users, ECHO_USERS + round_number * users, context.server_pid))
            chatcart_runs.append(
                await _round(chatcart_url, fake, users, CHATCART_USERS + round_number * users, context.server_pid)
            )
        dialog = await _dialog_only(dialogs, users, first_user=DIALOG_USERS)
        gc.unfreeze()
        sent = sum(
            1 for call in fake.sent() if call.chat_id is not None and CHATCART_USERS <= call.chat_id < DIALOG_USERS
        )
    echo, chatcart = _median(echo_runs), _median(chatcart_runs)
    ratio = chatcart["updates_per_s"] / echo["updates_per_s"] if echo["updates_per_s"] else 0.0
    ratios = [c["updates_per_s"] / e["updates_per_s"] for e, c in zip(echo_runs, chatcart_runs, strict=True)]
    section.table(
        ["pipeline", "updates", "updates/s (median of rounds)", "each round", "p50 ms", "p99 ms"],
        [
            [
                "aiogram echo (baseline)",
                echo["updates"],
                echo["updates_per_s"],
                " / ".join(str(r["updates_per_s"]) for r in echo_runs),
                echo["p50_ms"],
                echo["p99_ms"],
            ],
            [
                "chatcart webhook -> dialog -> Bot API",
                chatcart["updates"],
                chatcart["updates_per_s"],
                " / ".join(str(r["updates_per_s"]) for r in chatcart_runs),
                chatcart["p50_ms"],
                chatcart["p99_ms"],
            ],
            [
                "dialog engine alone (no Telegram)",
                dialog["updates"],
                dialog["updates_per_s"],
                "",
                dialog["p50_ms"],
                dialog["p99_ms"],
            ],
        ],
    )
    verdict = "meets" if ratio >= TARGET_RATIO else "MISSES"
    section.note(
        f"chatcart/echo throughput ratio (medians): **{ratio:.3f}** ({verdict} the target of ≥ {TARGET_RATIO}); "
        f"per round: {', '.join(f'{r:.2f}' for r in ratios)}. {ROUNDS} interleaved rounds of {users} users × "
        f"{len(MESSAGES)} messages per pipeline; {CONCURRENT_USERS} users at a time, each waiting for its "
        f"reply; rate limits lifted; fake Bot API on loopback; {sent} replies sent for "
        f"{sum(r['updates'] for r in chatcart_runs)} chatcart updates, {fake.webhook_replies} of them "
        "as the webhook response's method call (executed on the fake API as Telegram would). "
        "Both run in one process prepared "
        f"as `chatcart serve` prepares its own (gc.freeze after start-up; aiogram's reply models kept "
        f"built, which holds for the echo too)."
    )
    if "database_cpu_ms" in chatcart:
        section.table(
            ["CPU per update (median round)", "this process (pipeline + driver + fake API)", "database server"],
            [
                ["aiogram echo", echo["process_cpu_ms"], echo.get("database_cpu_ms", "")],
                ["chatcart", chatcart["process_cpu_ms"], chatcart["database_cpu_ms"]],
            ],
        )
        section.note(
            "CPU milliseconds are this machine's: with 2 cores and the two processes each near one core, "
            "chatcart's throughput is bounded by the larger of its two figures."
        )
    section.figures.update(
        {"echo": echo_runs, "chatcart": chatcart_runs, "dialog_only": dialog, "ratio": round(ratio, 3)}
    )
    return section
