"""WeChat channel: passive replies per second and reply latency through the endpoint, safe mode.

The WeChat simulator signs, encrypts and posts real message XML to `/wechat` (aiohttp on a
loopback port), waits up to 5 s like WeChat and decrypts the reply. Dialogs run on the real
container (NLU + commerce on the benchmark database, demo catalog). The share of pushes
answered passively within 5 s should be 100 %: anything else means customers would wait
for the customer-service API (or see "该公众号暂时无法提供服务").

    python -m benchmarks --only wechat_bench
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer

from benchmarks.harness import BenchContext, BenchSection, summary_ms
from bot.wechat import TemplateIds, WeChatConfig
from chatcart.embedded_db import free_port
from simulators.wechat_server import WeChatSimulator

APP_ID, APP_SECRET, TOKEN = "wxbench000000001", "bench-secret", "bench-token"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
QUERIES = ["你好", "我想买手机", "1", "有没有500元以内的耳机", "购物车", "show me headphones", "2", "我的订单"]


@contextlib.asynccontextmanager
async def _endpoint(ctx: BenchContext, sim: WeChatSimulator) -> AsyncIterator[Any]:
    from chatcart.bootstrap import running_container
    from chatcart.settings import Settings
    from chatcart.web import mount_wechat
    from commerce.catalog.demo import demo_store_data

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    db_name = f"bench_wechat_{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(mongodb_uri=ctx.mongo_uri, db_name=db_name, data_dir=Path(data_dir), public_base_url=base)
        try:
            async with running_container(settings) as container:
                await container.commerce.catalog.import_catalog(demo_store_data())
                config = WeChatConfig(
                    app_id=APP_ID,
                    app_secret=APP_SECRET,
                    token=TOKEN,
                    encoding_aes_key=AES_KEY,
                    api_base=sim.base_url,
                    oauth_base=sim.base_url,
                    public_base_url=base,
                    templates=TemplateIds(),
                )
                app = web.Application()
                channel = mount_wechat(app, container, config)
                server = TestServer(app, host="127.0.0.1", port=port)
                await server.start_server()
                sim.endpoint = base + config.path
                try:
                    yield channel
                finally:
                    await server.close()
        finally:
            await ctx.client.drop_database(db_name)


async def _load(sim: WeChatSimulator, users: int, per_user: int, concurrency: int) -> tuple[list[float], int, float]:
    """Every user sends `per_user` messages in order; users run in parallel (bounded)."""
    latencies: list[float] = []
    passive = 0
    gate = asyncio.Semaphore(concurrency)

    async def user(index: int) -> None:
        nonlocal passive
        openid = f"oBench{index:06d}"
        async with gate:
            for step in range(per_user):
                started = time.perf_counter()
                delivery = await sim.push(sim.text(openid, QUERIES[step % len(QUERIES)]))
                latencies.append(time.perf_counter() - started)
                if delivery.reply is not None and len(delivery.attempts) == 1 and delivery.attempts[0].seconds < 5:
                    passive += 1

    started = time.perf_counter()
    await asyncio.gather(*(user(i) for i in range(users)))
    return latencies, passive, time.perf_counter() - started


async def run(ctx: BenchContext) -> BenchSection:
    section = BenchSection("WeChat channel (safe mode, passive replies)")
    sim = WeChatSimulator(app_id=APP_ID, app_secret=APP_SECRET, token=TOKEN, encoding_aes_key=AES_KEY)
    await sim.start()
    rows: list[list[object]] = []
    try:
        async with _endpoint(ctx, sim) as channel:
            await _load(sim, users=2, per_user=4, concurrency=2)  # warm-up: NLU, indexes, token
            for users, per_user, concurrency in ((1, 40, 1), (20, 8, 10), (40, 8, 40)):
                latencies, passive, seconds = await _load(sim, users, per_user, concurrency)
                total = len(latencies)
                figures = summary_ms(latencies)
                rows.append(
                    [
                        f"{users} users × {per_user}, {concurrency} at once",
                        total,
                        f"{total / seconds:.1f}",
                        figures["p50_ms"],
                        figures["p99_ms"],
                        f"{100 * passive / total:.1f} %",
                    ]
                )
                section.figures[f"u{users}_c{concurrency}"] = {
                    "messages": total,
                    "per_second": round(total / seconds, 1),
                    **figures,
                    "passive_share": passive / total,
                }
            await channel.processor.drain()
    finally:
        await sim.stop()
    section.table(["load", "messages", "replies/s", "p50 ms", "p99 ms", "passive within 5 s"], rows)
    section.note(
        "Each message is signed and AES-encrypted by the simulator, checked, decrypted, answered by the "
        "real dialog engine, encrypted and verified back. Multi-part answers (product lists) send the "
        "first part passively and the rest through the (simulated) customer-service API in the background."
    )
    return section
