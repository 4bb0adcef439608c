"""The Telegram channel (aiogram 3): webhook or polling in, durable rate-limited outbox out.

The composition root calls `setup_telegram(app, container)`; nothing happens unless
CHATCART_TELEGRAM_TOKEN is set.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from core.logging_setup import get_logger

log = get_logger(__name__)


def setup_telegram(app: web.Application, container: Any) -> None:
    """Mount `POST /telegram/webhook`, register the outbound sender, run the outbox worker."""
    from bot.telegram.channel import TelegramChannel
    from bot.telegram.config import TelegramConfig
    from bot.telegram.webhook import webhook_handler

    config = TelegramConfig.from_settings(container.settings)
    if config is None or container.dialogs is None:
        log.info("telegram.disabled", reason="no token" if config is None else "no dialogs")
        return
    channel = TelegramChannel.from_container(container, config)
    app[TELEGRAM_CHANNEL] = channel
    app.router.add_post(config.webhook_path, webhook_handler(channel))
    container.dialogs.outbound.register("telegram", channel.sender)

    async def start(_: web.Application) -> None:
        await channel.start()

    async def stop(_: web.Application) -> None:
        await channel.stop()

    app.on_startup.append(start)
    app.on_cleanup.append(stop)


TELEGRAM_CHANNEL: web.AppKey[Any] = web.AppKey("telegram_channel", object)

__all__ = ["TELEGRAM_CHANNEL", "setup_telegram"]
