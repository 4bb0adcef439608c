"""`chatcart serve` (HTTP app + in-process workers) and `chatcart worker` (workers only)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import secrets
import signal
import sys
from collections.abc import AsyncIterator

import click
from aiohttp import web

from chatcart.bootstrap import Container, running_container
from chatcart.cli.common import db_uri_option, load_settings, print_json
from chatcart.settings import Settings
from chatcart.web import build_app
from commerce.api.principal import Role
from core.logging_setup import configure_logging, get_logger

log = get_logger("chatcart.serve")


async def _wait_for_stop(container: Container) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    waiters: list[asyncio.Task[object]] = [asyncio.create_task(stop.wait())]
    embedded = container.database.embedded
    if embedded is not None:
        waiters.append(asyncio.create_task(embedded.watch()))
    done, pending = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in done:
        if task.exception() is not None:
            # The embedded database died: say so plainly and exit non-zero.
            log.error("embedded_database_crashed", message=str(task.exception()))
            sys.stderr.write(f"\nchatcart: {task.exception()}\n")
            raise SystemExit(3)


async def _prepare_demo(container: Container) -> list[str]:
    """Seed the demo store and create the first admin, once. Returns lines to print."""
    lines: list[str] = []
    from commerce.catalog.demo import seed_demo_store

    report = await seed_demo_store(container.commerce, container.settings.data_dir, if_empty=True)
    if report is not None:
        lines.append(f"  demo catalog loaded: {report}")
    if await container.access.count_staff() == 0:
        password = secrets.token_urlsafe(12)
        await container.access.create_staff("admin", password, [Role.OWNER], display_name="Demo owner")
        lines.append(f"  admin login (shown once): admin / {password}")
    return lines


@contextlib.asynccontextmanager
async def background_jobs(container: Container, *, dispatch_events: bool, order_timeouts: bool) -> AsyncIterator[int]:
    """Run the long-lived loops for the life of the block, cancelling them on the way out.

    Commerce events become pushed chat messages, so they are dispatched only where the channel
    senders live (the web process); unpaid-order timeouts can run anywhere (lease-claimed).
    """
    jobs = []
    if dispatch_events:
        jobs.append(container.commerce.events.run_forever())
    if order_timeouts:
        jobs.append(container.commerce.timeout_worker.run_forever())
        jobs.extend(container.commerce.payment_jobs())  # status queries and reconciliation: leased too
    tasks = [asyncio.create_task(job) for job in jobs]
    try:
        yield len(tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _serve(settings: Settings, demo: bool, run_workers: bool) -> None:
    async with running_container(settings) as container:
        banner = await _prepare_demo(container) if demo else []
        await container.commerce.catalog.warm_up()  # the search index, before the first customer asks
        app = build_app(container)
        # Everything built so far lives for the whole process: keep it out of the cyclic GC's
        # generations so collections do not add multi-millisecond pauses to message handling.
        gc.collect()
        gc.freeze()
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        base = f"http://{settings.host}:{settings.port}"
        database = f"embedded {settings.storage_path}" if container.database.embedded else "MONGODB_URI"
        print(f"\nchatcart is running (database: {database})")
        print(f"  web chat : {base}/chat")
        print(f"  admin    : {base}/admin")
        print(f"  API      : {base}/api/v1/openapi.json")
        for line in banner:
            print(line)
        print("Press Ctrl-C to stop.\n", flush=True)
        try:
            async with background_jobs(container, dispatch_events=True, order_timeouts=run_workers):
                await _wait_for_stop(container)
        finally:
            await runner.cleanup()


@click.command()
@click.option("--host", default=None, help="Bind address (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 8080).")
@click.option("--demo", is_flag=True, help="Load the demo store and create the first admin if empty.")
@click.option("--no-worker", is_flag=True, help="Leave unpaid-order timeouts to `chatcart worker` processes.")
@db_uri_option
def serve(host: str | None, port: int | None, demo: bool, no_worker: bool, db_uri: str | None) -> None:
    """Serve the HTTP API, web chat, payment pages and admin."""
    settings = load_settings(db_uri, host=host, port=port)
    configure_logging(settings.log_level, settings.log_json)
    asyncio.run(_serve(settings, demo, not no_worker))


@click.command()
@db_uri_option
def worker(db_uri: str | None) -> None:
    """Run unpaid-order timeouts only (safe to run several: orders are claimed with leases)."""
    settings = load_settings(db_uri)
    configure_logging(settings.log_level, settings.log_json)

    async def go() -> None:
        async with (
            running_container(settings, with_nlu=False, with_dialogs=False) as container,
            background_jobs(container, dispatch_events=False, order_timeouts=True) as jobs,
        ):
            print_json({"worker": "started", "jobs": jobs})
            await _wait_for_stop(container)

    asyncio.run(go())
