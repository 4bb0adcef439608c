"""`chatcart telegram ...`: webhook set-up, the command menu, and polling for development."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from chatcart.cli.common import db_uri_option, load_settings, print_json
from chatcart.settings import Settings

if TYPE_CHECKING:
    from bot.telegram.config import TelegramConfig

T = TypeVar("T")


def _config(settings: Settings) -> TelegramConfig:
    from chatcart.bootstrap import telegram_config

    config = telegram_config(settings)
    if config is None:
        raise click.ClickException("CHATCART_TELEGRAM_TOKEN is not set (get one from @BotFather).")
    return config


def _with_bot(action: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Run `action(bot, config)` with a bot client that is closed afterwards."""
    from bot.telegram.channel import make_bot

    config = _config(load_settings())

    async def go() -> T:
        bot = make_bot(config)
        try:
            return await action(bot, config)
        finally:
            await bot.session.close()

    try:
        return asyncio.run(go())
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group()
def telegram() -> None:
    """Telegram bot: webhook, command menu, polling."""


@telegram.command("set-webhook")
@click.option("--url", default=None, help="Webhook URL (default: CHATCART_PUBLIC_BASE_URL + /telegram/webhook).")
@click.option("--drop-pending-updates", is_flag=True, help="Discard updates Telegram queued while we were away.")
@click.option("--max-connections", type=click.IntRange(1, 100), default=None, help="Parallel webhook connections.")
def set_webhook_command(url: str | None, drop_pending_updates: bool, max_connections: int | None) -> None:
    """Point Telegram at this shop's webhook (with the secret token and allowed_updates)."""
    from bot.telegram.admin import set_webhook

    print_json(
        _with_bot(
            lambda bot, config: set_webhook(
                bot, config, url=url, drop_pending_updates=drop_pending_updates, max_connections=max_connections
            )
        )
    )


@telegram.command("delete-webhook")
@click.option("--drop-pending-updates", is_flag=True, help="Also discard queued updates.")
def delete_webhook_command(drop_pending_updates: bool) -> None:
    """Stop webhook delivery (needed before polling)."""
    from bot.telegram.admin import delete_webhook

    print_json(_with_bot(lambda bot, _: delete_webhook(bot, drop_pending_updates=drop_pending_updates)))


@telegram.command("webhook-info")
def webhook_info_command() -> None:
    """Show what Telegram knows about the webhook (URL, pending updates, last error)."""
    from bot.telegram.admin import webhook_info

    print_json(_with_bot(lambda bot, _: webhook_info(bot)))


@telegram.command("set-commands")
def set_commands_command() -> None:
    """Publish the "/" command menu in Chinese and English."""
    from bot.telegram.admin import set_commands
    from bot.telegram.texts import lang_of

    print_json(_with_bot(lambda bot, config: set_commands(bot, lang_of(config.default_lang))))


@telegram.command("polling")
@click.option("--drop-pending-updates", is_flag=True, help="Discard queued updates first.")
@click.option("--no-worker", is_flag=True, help="Do not run the commerce background jobs in this process.")
@db_uri_option
def polling_command(drop_pending_updates: bool, no_worker: bool, db_uri: str | None) -> None:
    """Run the bot with long polling (development; removes any webhook first)."""
    settings = load_settings(db_uri)
    config = _config(settings)

    async def go() -> None:
        from bot.telegram.polling import run_polling
        from chatcart.bootstrap import build_telegram_channel, running_container

        async with running_container(settings) as container:
            channel = build_telegram_channel(container, config)
            container.require_dialogs().outbound.register("telegram", channel.sender)
            jobs = [] if no_worker else [asyncio.create_task(job) for job in container.commerce.background_jobs()]
            print_json({"telegram": "polling", "allowed_updates": list(config.allowed_updates)})
            try:
                await run_polling(channel, drop_pending_updates=drop_pending_updates)
            finally:
                for job in jobs:
                    job.cancel()
                await asyncio.gather(*jobs, return_exceptions=True)

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(go())
