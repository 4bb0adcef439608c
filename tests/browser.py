"""What the browser tests share: Debian's chromium launched through Playwright, an aiohttp app
served on a loopback port, and the whole web shop (demo catalog, trained vocabulary, background
jobs) running for a browser to walk through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from chatcart.bootstrap import refresh_nlu_vocabulary, running_container
from chatcart.embedded_db import free_port
from chatcart.settings import Settings

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@asynccontextmanager
async def launched_chromium(args: Sequence[str] = LAUNCH_ARGS) -> AsyncIterator[Any]:
    """Debian's chromium under Playwright, closed on the way out."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=list(args))
        try:
            yield launched
        finally:
            await launched.close()


@asynccontextmanager
async def served_on_loopback(app: web.Application, port: int | None = None) -> AsyncIterator[str]:
    """`app` served on 127.0.0.1:`port` (a free one by default); yields its base URL."""
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port() if port is None else port
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_web_shop(settings: Settings) -> AsyncIterator[tuple[str, Any]]:
    """The real app with the demo store, served on `settings.port` with its background jobs
    (payment confirmations reach the open chat through them); yields (base URL, container)."""
    from chatcart.web import build_app
    from commerce.catalog.demo import seed_demo_store

    async with running_container(settings) as container:
        await seed_demo_store(container.commerce, settings.data_dir)
        await refresh_nlu_vocabulary(container)
        async with served_on_loopback(build_app(container), settings.port) as base_url:
            jobs = [asyncio.create_task(job) for job in container.commerce.background_jobs()]
            try:
                yield base_url, container
            finally:
                for job in jobs:
                    job.cancel()
                await asyncio.gather(*jobs, return_exceptions=True)
